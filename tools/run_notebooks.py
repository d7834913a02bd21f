"""Execute Jupyter notebooks with the tslab kernel through Jupyter's own client (nbclient).

Usage: run_notebooks.py [--out DIR] [--jobs N] [--timeout SECONDS] [--allow-errors] NOTEBOOK_OR_DIR...

Each notebook runs in a fresh kernel with its own folder as working directory. With
--jobs N, N notebooks run at once, each in its own kernel: N workers take the
notebooks in the order given (put the longest first) and each takes the next one
when it is done. The
executed copy is written to DIR (default build/notebooks) only when the whole
notebook succeeded, through a temporary file and an atomic rename, so a failed or
interrupted run leaves the previous executed copy intact.

tslab reports failures in ways nbclient does not treat as failures (see
shared/reference/tooling.md), so a cell fails here when:
  - its execute_reply status is anything but "ok" ("error", and also "abort",
    which tslab answers for 200 ms after an error);
  - its stderr holds "UncaughtException" or "UnhandledPromiseRejection", which
    tslab prints for an exception thrown in a timer or a rejected promise nobody
    awaited. When that happens after the cell's reply, tslab still sends it as the
    cell's output but nbclient drops it; this runner collects those late outputs
    and charges them to the cell they belong to. A last hidden cell lets the
    timers of the final cell fire before the kernel stops;
  - it runs longer than the timeout, or the kernel dies;
  - its output has not all arrived when the timeout has passed after its reply.
    nbclient waits only 4 s by default for the outputs that follow a cell's
    reply (they travel on another socket, and a kernel that printed thousands
    of lines on a busy machine can be further behind than that), and then
    saves the cell with the rest of its output silently missing.
A failure names the notebook, the cell number (1-based, counting every cell) and
the cell's stderr.

A code cell tagged "solution" (an exercise's reference solution) runs like any
other, so a broken solution fails the run, but its outputs are left out of the
executed copy: the answer is not shown to a reader of the executed notebook. --allow-errors lets cells with status "error" pass (as
nbclient's allow_errors does) but still fails on "abort" and the rest.

The first SIGINT (Ctrl-C) or SIGTERM stops the run: every running kernel is killed
(its process group: Jupyter starts each kernel in a session of its own, which a
Ctrl-C in the terminal does not reach), nothing more is written, and the runner
exits with 128 + the signal number. nbclient would instead shut the kernel down
and go on with the next notebook, so the notebooks run in a worker thread, where
nbclient installs no signal handlers, and the main thread keeps the signals.
SIGUSR1 prints the stack of every thread on stderr (to see where a run waits).
"""

import argparse
import atexit
import faulthandler
import os
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async

# Runs after the last cell: lets timers fire so that a late UncaughtException shows up.
FLUSH_CELL = "await new Promise((resolve) => setTimeout(resolve, 100));"


# nbclient's message when a cell's outputs stop short of the kernel's idle status.
IOPUB_TIMEOUT = "Timeout waiting for IOPub output"
LATE_ERRORS = ("UncaughtException", "UnhandledPromiseRejection")
OUTSIDE = "an error was raised outside the cell's promise chain (a timer or an un-awaited promise)"


class TslabClient(NotebookClient):
    """nbclient's client, keeping the stderr that arrives after a cell finished.

    nbclient 0.7 reads the kernel's output channel per cell and ignores messages
    whose parent is another request; those are kept here in `late_stderr`
    (cell index -> text), so that errors raised between cells are not lost.
    """

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        cells = self.__dict__.setdefault("request_cells", {})
        late = self.__dict__.setdefault("late_stderr", {})
        cells[parent_msg_id] = cell_index
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            parent = msg["parent_header"].get("msg_id")
            if parent == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return
            elif msg["msg_type"] == "stream" and msg["content"].get("name") == "stderr" and parent in cells:
                index = cells[parent]
                late[index] = late.get(index, "") + msg["content"].get("text", "")


class Stop:
    """The signal that stopped the run, if any, and the clients whose kernels are running.

    `handle` is the signal handler. It takes no lock: Python runs a handler in the
    main thread between two bytecodes, also between two bytecodes of the handler
    itself, so a second signal arriving while the first is handled (Ctrl-C reaches
    the runner directly and through the course command, which passes it on) would
    wait forever for a lock its own thread holds. The set of clients needs none:
    `set.add`, `set.discard` and `list(set)` each run in C under the GIL, whole.
    """

    def __init__(self):
        self.signal = None
        self.clients = set()

    def handle(self, signum, frame):
        if self.signal is None:
            self.signal = signum
        for client in list(self.clients):
            kill_kernel(client)

    def running(self, client):
        self.clients.add(client)

    def finished(self, client):
        self.clients.discard(client)


def kill_kernel(client):
    """Kills the process group of `client`'s kernel, if it has started."""
    provisioner = getattr(getattr(client, "km", None), "provisioner", None)
    pgid = getattr(provisioner, "pgid", None)
    if pgid:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Stopped(Exception):
    pass


class CellFailure(Exception):
    def __init__(self, cell_number, reason, stderr):
        super().__init__(reason)
        self.cell_number = cell_number
        self.reason = reason
        self.stderr = stderr


def stderr_of(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr")


def run_one(path, out_dir, timeout, allow_errors, stop):
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "tslab":
        raise CellFailure(0, f'kernelspec.name is {kernel!r}, expected "tslab"', "")
    real_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(FLUSH_CELL))

    running = {"cell": 0}

    def on_cell_start(cell, cell_index):
        if stop.signal is not None:
            raise Stopped()  # the signal came before the kernel's process group was known
        running["cell"] = min(cell_index + 1, real_cells)

    def on_cell_executed(cell, cell_index, execute_reply):
        number = cell_index + 1
        where = "the end of the notebook" if cell_index >= real_cells else None
        status = execute_reply["content"]["status"]
        err = stderr_of(cell)
        if status == "error" and allow_errors:
            return
        if status != "ok":
            hint = " (tslab aborts every cell sent within 200 ms after an error)" if status == "abort" else ""
            raise CellFailure(number, f"execute_reply status is {status!r}{hint}", err)
        late = client.__dict__.get("late_stderr", {})
        for origin in sorted(late):
            if any(marker in late[origin] for marker in LATE_ERRORS):
                reason = f"{OUTSIDE}, after the cell had finished"
                raise CellFailure(min(origin + 1, real_cells), reason, late[origin])
        if any(marker in err for marker in LATE_ERRORS):
            reason = OUTSIDE
            if where:
                reason += f", reported at {where}"
            raise CellFailure(min(number, real_cells), reason, err)

    client = TslabClient(
        nb,
        kernel_name="tslab",
        timeout=timeout,
        record_timing=False,
        iopub_timeout=timeout,
        raise_on_iopub_timeout=True,
        resources={"metadata": {"path": str(path.parent.resolve())}},
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )
    client.allow_errors = True  # status is judged by on_cell_executed above
    stop.running(client)
    try:
        client.execute()
    except CellTimeoutError as e:
        cell = nb.cells[running["cell"] - 1]
        if IOPUB_TIMEOUT in str(e):
            reason = f"its output had not all arrived {timeout} s after it finished (the kernel never reported idle)"
        else:
            reason = f"timed out after {timeout} s"
        raise CellFailure(running["cell"], reason, stderr_of(cell)) from None
    except DeadKernelError as e:
        cell = nb.cells[running["cell"] - 1]
        raise CellFailure(running["cell"], f"the kernel died ({e})", stderr_of(cell)) from None
    except RuntimeError as e:
        if running["cell"] > 0:
            raise
        # jupyter_client's wait for the kernel's first kernel_info reply: "Kernel died before
        # replying to kernel_info", "Kernel didn't respond in 60 seconds". The kernel's own
        # stderr, which says why, went to this runner's stderr. nbclient has killed the kernel
        # and dropped its manager, but not the exit hook that would clean it up again and
        # fail on the missing manager with a traceback.
        atexit.unregister(client._cleanup_kernel)
        raise CellFailure(0, f"the kernel did not start ({e}; its stderr is above)", "") from None
    finally:
        stop.finished(client)
    if stop.signal is not None:
        raise Stopped()
    nb.cells.pop()  # the flush cell
    hide_solution_outputs(nb)
    write_atomically(nb, out_dir / path.name)


def hide_solution_outputs(nb):
    """Empties the outputs of the code cells tagged "solution"."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            cell.outputs = []


def write_atomically(nb, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def collect(args):
    paths = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            paths.extend(sorted(q for q in p.glob("*.ipynb")))
        elif p.suffix == ".ipynb" and p.exists():
            paths.append(p)
        else:
            sys.exit(f"run_notebooks: {arg} is not a notebook or a folder of notebooks")
    return paths


def report(path, failure):
    """The lines that say which notebook and cell failed, and the cell's stderr."""
    lines = [f"FAIL {path}: cell {failure.cell_number}: {failure.reason}"]
    if failure.stderr.strip():
        lines.append("  stderr:\n" + "\n".join("    " + l for l in failure.stderr.rstrip().splitlines()))
    return "\n".join(lines)


def run_all(paths, out_dir, args, stop):
    """Runs the notebooks on args.jobs workers, each taking the next notebook in order; returns how many failed."""
    queue = list(reversed(paths))
    lock = threading.Lock()
    failures = 0

    def say(text):
        with lock:  # one notebook's report stays in one piece when several workers print
            print(text, flush=True)

    def work():
        nonlocal failures
        while True:
            with lock:
                if not queue or stop.signal is not None:
                    return
                path = queue.pop()
            start = time.monotonic()
            try:
                run_one(path, out_dir, args.timeout, args.allow_errors, stop)
            except Stopped:
                return
            except CellFailure as e:
                if stop.signal is not None:
                    return  # whatever the killed kernel made nbclient raise
                with lock:
                    failures += 1
                say(report(path, e))
                continue
            except Exception:
                if stop.signal is not None:
                    return
                raise
            say(f"ok   {path} ({time.monotonic() - start:.1f} s) -> {out_dir / path.name}")

    with ThreadPoolExecutor(max_workers=args.jobs) as workers:
        for done in [workers.submit(work) for _ in range(min(args.jobs, len(paths)))]:
            done.result()
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--out", default="build/notebooks")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run at once (default 1)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--allow-errors", action="store_true")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    paths = collect(args.notebooks)
    stop = Stop()
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1 <pid>: every thread's stack on stderr
    signal.signal(signal.SIGINT, stop.handle)
    signal.signal(signal.SIGTERM, stop.handle)
    with ThreadPoolExecutor(max_workers=1) as worker:  # the main thread keeps the signals
        running = worker.submit(run_all, paths, Path(args.out), args, stop)
        # Python runs a signal handler in the main thread, but the kernel may deliver
        # the signal to any thread, and then nothing wakes a main thread blocked in
        # an untimed wait: the handler would never run. So it waits in short steps.
        while not wait([running], timeout=0.1).done:
            pass
        failures = running.result()
    if stop.signal is not None:
        name = signal.Signals(stop.signal).name
        print(f"run_notebooks: stopped by {name}; the kernel was killed and nothing more was written", flush=True)
        sys.exit(128 + stop.signal)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

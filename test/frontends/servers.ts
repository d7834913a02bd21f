/**
 * Starting and stopping the Jupyter servers the front-end tests run (Debian's
 * classic Notebook, JupyterHub): a free port on 127.0.0.1, a clear message for a
 * missing program, a server that exits (its port in use) or does not come up, and a stop
 * that leaves no process behind (servers start kernels and single-user servers
 * in sessions of their own, so the whole tree of descendants is collected first
 * and whatever survives the server's own shut-down is killed and reported).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A port on 127.0.0.1 that the OS reports free (it is released again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Fails with a message naming `program` and the Debian package that has it, when it is not installed. */
export function requireProgram(program: string, debianPackage: string): void {
  if (spawnSync("sh", ["-c", `command -v ${program}`]).status !== 0) {
    throw new Error(
      `${program} is missing: install Debian's ${debianPackage} (apt-get install --no-install-recommends ${debianPackage}; the set-up of npm test does this)`,
    );
  }
}

export interface Server {
  child: ChildProcess;
  /** Everything the server printed so far. */
  log(): string;
}

/** Starts `command` in a process group of its own, collecting its output. */
export function startServer(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Server {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  child.on("error", (error) => {
    output += `\n${error.message}`;
  });
  return { child, log: () => output };
}

/**
 * Polls `url` until it answers 2xx (a proxy answers 404 before the hub's route is in), the server exits or
 * `seconds` pass; fails with the server's last output in the message.
 */
export async function waitUntilUp(server: Server, url: string, what: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      const log = server.log();
      const inUse = /already in use|Address already in use|EADDRINUSE/i.test(log);
      throw new Error(
        `${what} exited (${server.child.exitCode ?? server.child.signalCode}) before answering on ${url}` +
          `${inUse ? ": its port is in use" : ""}\n${log.slice(-3000)}`,
      );
    }
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} did not come up on ${url} within ${seconds} s\n${server.log().slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function parentOf(pid: number): number | null {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ...", and comm may hold spaces or parentheses
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/** The pids of every living descendant of `pid`. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentOf(Number(name));
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "").charAt(0) !== "Z";
  } catch {
    return false;
  }
};

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "?";
  }
}

/**
 * Stops the server with SIGTERM (a Jupyter server then shuts its kernels and
 * single-user servers down) and waits up to `seconds`; kills whatever is still
 * alive of the server and the descendants it had; resolves once the server's exit
 * status is known (`server.child.exitCode` or `signalCode`). Returns the processes
 * that had to be killed (empty: it stopped cleanly).
 */
export async function stopServer(server: Server, seconds = 20): Promise<string[]> {
  const pid = server.child.pid;
  if (pid === undefined) return [];
  const tree = [pid, ...descendants(pid)];
  // `alive` does not count zombies, so the loop below may end before Node has reaped the
  // server and set its exit status: wait for its "exit" event too, set up before the signal.
  const { child } = server;
  const reaped =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (alive(pid)) process.kill(pid, "SIGTERM");
  const deadline = Date.now() + seconds * 1000;
  while (tree.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  const left = tree.filter(alive).map((p) => `${p} ${commandLine(p)}`);
  for (const p of tree) if (alive(p)) process.kill(p, "SIGKILL");
  await reaped;
  return left;
}

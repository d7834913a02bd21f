// Preloaded into every tslab kernel of this project (`node --require`, through
// NODE_OPTIONS in tools/tslab-kernel.sh and in the hub's kernel spec). Two guards
// that ipykernel has and tslab lacks.
//
// 1. The kernel ends within a second once the process that started it is gone. A
// kernel outlives its Jupyter server or runner when that is killed before it could
// shut its kernels down (JupyterHub's spawner sends SIGKILL to a student's server
// that has not stopped within 15 s; SIGKILL to tools/run_notebooks.py); ipykernel
// watches its parent for this reason (its ParentPollerUnix), tslab does not, and a
// forgotten kernel that trained chapter 08 holds about 600 MB. The parent is gone
// when the process's parent changes: an orphan is adopted by init or a subreaper.
//
// 2. A message that is not for this kernel does not stop it. Anything can connect
// to a kernel's ports, and a client whose kernel has gone keeps reconnecting to the
// old port numbers with what it had queued (a shutdown request, say), which a new
// kernel may have bound since. tslab reads each socket in a loop that ends at the
// first failed receive, and a REP socket (the heartbeat) fails a receive with EAGAIN
// when the message it announced is not a well-formed request (libzmq drops it);
// a shell or control message without the <IDS|MSG> delimiter or with another
// kernel's signature makes tslab's handler reject. Either way the error is
// unhandled, and once a notebook has loaded an Emscripten module that throws on
// unhandled errors the kernel dies (seen in `npm test`: "EAGAIN", "the kernel
// died"). ipykernel logs "Invalid Message" and reads on. Here a receive without a
// timeout that fails with EAGAIN is retried (nothing was read: the socket still
// waits for its next message), and a message tslab cannot handle is dropped with a
// line on the kernel's own stderr (fd 2: tslab sends process.stderr to the cells).
// A receive made while its socket is still binding is retried too: tslab starts its
// read loops before it binds the sockets, zeromq refuses a receive during a bind
// (EBUSY, "Socket is blocked by a bind or unbind operation"), and a client that
// connects at once (nbclient's first kernel_info request) can have a loop read again
// inside that window; the rejection killed a kernel before its first cell in
// `npm test` ("Kernel didn't respond in 60 seconds"). Nothing was read, and the
// socket can be read once its bind is done.
//
// The flag that loaded this file is taken out of NODE_OPTIONS, so that processes a
// notebook starts do not inherit it.
const { realpathSync, writeSync } = require("node:fs");
const { dirname, join } = require("node:path");

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();

/** The tslab package this process runs (its bin/tslab is process.argv[1]), or null. */
function tslabFolder() {
  try {
    const folder = dirname(dirname(realpathSync(process.argv[1])));
    return require(join(folder, "package.json")).name === "tslab" ? folder : null;
  } catch {
    return null;
  }
}

function guardSockets(tslab) {
  const { Socket } = require(require.resolve("zeromq", { paths: [tslab] }));
  const { ZmqServer } = require(join(tslab, "dist", "jupyter.js"));
  const receive = Socket.prototype.receive;
  const handle = ZmqServer.prototype.handleShellMessage;
  if (typeof receive !== "function" || typeof handle !== "function") {
    throw new Error("this tslab or zeromq has no Socket.receive or ZmqServer.handleShellMessage");
  }
  // A method of the native class: configurable, not writable.
  Object.defineProperty(Socket.prototype, "receive", {
    configurable: true,
    writable: true,
    async value() {
      for (;;) {
        try {
          return await receive.call(this);
        } catch (error) {
          const retry = error?.code === "EAGAIN" || error?.code === "EBUSY";
          if (!retry || this.closed || this.receiveTimeout !== -1) throw error;
          // EBUSY: the bind takes a few milliseconds; wait for it rather than spin.
          await new Promise((next) => (error.code === "EBUSY" ? setTimeout(next, 1) : setImmediate(next)));
        }
      }
    },
  });
  const drop = (error) => {
    writeSync(2, `tslab kernel: dropped a message it could not handle: ${error?.message ?? error}\n`);
  };
  ZmqServer.prototype.handleShellMessage = function handleOrDrop(...args) {
    try {
      const handled = handle.apply(this, args);
      return typeof handled?.catch === "function" ? handled.catch(drop) : handled;
    } catch (error) {
      drop(error);
    }
  };
}

// For the test of the guard (test/notebooks/kernelWatch.test.ts).
module.exports = { guardSockets };

const tslab = tslabFolder();
try {
  if (tslab !== null) guardSockets(tslab);
} catch (error) {
  writeSync(2, `tslab kernel: runs without its guard against stray messages (${error?.message ?? error})\n`);
}

const flag = `--require ${JSON.stringify(__filename)}`;
const options = (process.env.NODE_OPTIONS ?? "").replace(flag, "").trim();
if (options === "") delete process.env.NODE_OPTIONS;
else process.env.NODE_OPTIONS = options;

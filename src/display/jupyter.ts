/**
 * Rich output from inside a tslab kernel. tslab's public `display` sends one MIME
 * type per output; a figure needs several in one output, so this module uses the
 * function tslab itself publishes each output through (`lastWriteDisplayData` of
 * `tslab/dist/jupyter`, tslab 1.0.22, pinned in package.json). It looks that
 * module up in Node's require cache, so it always talks to the kernel that runs
 * the notebook, whichever copy of tslab that is.
 */

/** A Jupyter MIME bundle: MIME type → data (JSON types stay objects). */
export type MimeBundle = Record<string, unknown>;

type WriteDisplayData = (
  content: { data: MimeBundle; metadata: object; transient: { display_id?: string } },
  update: boolean,
) => void;

/**
 * The exports of every module already loaded in this process whose file matches
 * `file`. A kernel can hold two copies of tslab: the one its kernel spec starts
 * and the one in the notebook folder's node_modules, to which tslab hands over.
 */
function loadedModules<T>(file: RegExp): T[] {
  // No CommonJS module cache (a browser, an ES module): no kernel either.
  const cache = typeof require === "undefined" ? undefined : require.cache;
  if (cache === undefined) return [];
  return Object.entries(cache).flatMap(([id, module]) => (file.test(id) && module ? [module.exports as T] : []));
}

const TSLAB_JUPYTER = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/** The display function of the tslab copy that runs the current cell, or null outside a kernel. */
function kernelWriter(): WriteDisplayData | null {
  for (const module of loadedModules<{ lastWriteDisplayData?: WriteDisplayData }>(TSLAB_JUPYTER)) {
    if (typeof module.lastWriteDisplayData === "function") return module.lastWriteDisplayData;
  }
  return null;
}

/**
 * Makes every message tslab publishes on its output channel a synchronous send
 * that is never dropped.
 *
 * zeromq 6 (src/socket.cc, `max_sync_operations`) sends at most 512 messages in a
 * row synchronously; the next one waits for an event-loop turn, and every send
 * before that turn throws EBUSY ("Socket is busy writing"). tslab 1.0.22 ignores
 * the promise that `send` returns, so a cell that prints or updates a display more
 * than about 500 times without yielding loses the rest of its output silently
 * (Node's console swallows the error), and when the send that throws is tslab's
 * own status message the exception is uncaught and the kernel dies. With a zero
 * send timeout zeromq takes its synchronous path for every send.
 *
 * A publisher socket never blocks either: at its high-water mark (ZMQ_SNDHWM,
 * 1,000 messages per subscriber by default) it drops what it is given. tslab
 * sends one message per `console.log`, so a cell printing 1,500 lines while
 * zeromq's I/O thread or the frontend waited for a CPU (a busy machine) lost the
 * lines past about the 1,000th, and the status "idle" after them, which leaves
 * the frontend waiting for a kernel that has finished. The limit is lifted
 * (0 = none): outputs wait in memory until the frontend reads them. libzmq 4.3
 * applies a new limit to the connections the socket holds, but a frontend that
 * connects later (a reloaded page) gets the old one, so both options are set
 * again before every send (no measurable cost: 12-16 µs per send either way,
 * 5,000 sends timed interleaved).
 * Installed once, and only inside a tslab kernel, by importing `l0-hard-concrete/notebook`.
 */
export function makeKernelSendsSynchronous(): void {
  if (loadedModules(TSLAB_JUPYTER).length === 0) return;
  for (const zeromq of loadedModules<{ Publisher?: { prototype: object } }>(/[\\/]zeromq[\\/]lib[\\/]index\.js$/)) {
    const prototype = zeromq.Publisher?.prototype;
    if (!prototype || Object.hasOwn(prototype, "send")) continue;
    const send = (prototype as { send: (...args: unknown[]) => unknown }).send;
    // The inherited native `send` is read-only, so the wrapper is defined, not assigned.
    Object.defineProperty(prototype, "send", {
      configurable: true,
      writable: true,
      value: function (this: { sendTimeout: number; sendHighWaterMark: number }, ...args: unknown[]) {
        this.sendTimeout = 0;
        this.sendHighWaterMark = 0;
        return send.apply(this, args);
      },
    });
  }
}

/** True when running inside a tslab kernel that can display rich output. */
export function inNotebook(): boolean {
  return kernelWriter() !== null;
}

/**
 * Sends one `display_data` output carrying every MIME type of `bundle`. With a
 * `displayId`, `update: true` replaces the output shown earlier under that id
 * (Jupyter's `update_display_data`). Outside a kernel it prints `text/plain`.
 */
export function displayBundle(bundle: MimeBundle, displayId?: string, update = false): void {
  const write = kernelWriter();
  if (write === null) {
    console.log(String(bundle["text/plain"] ?? ""));
    return;
  }
  write({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
}

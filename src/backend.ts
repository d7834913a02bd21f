/**
 * Chooses the fastest tfjs backend available: `tensorflow` (TensorFlow's C
 * library, from the optional `@tensorflow/tfjs-node`, Node only), else `wasm`
 * (`@tensorflow/tfjs-backend-wasm`), else `cpu` (pure JavaScript, always present).
 *
 * Safe in a browser: the wasm package is loaded with a dynamic `import()` the
 * first time it is wanted, and `tensorflow` counts only once its package can be
 * loaded: when the program imported `@tensorflow/tfjs-node` itself, or imported
 * `l0-hard-concrete/node` (or `/notebook`), which tell this module how to load it.
 */
import * as tf from "@tensorflow/tfjs";

/** The backends this library knows how to load, fastest first. */
export const BACKENDS = ["tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Options of {@link useBackend}. */
export interface BackendOptions {
  /**
   * Where the wasm backend fetches its `.wasm` files in a browser: a folder URL
   * ending in `/`, as for `setWasmPaths` of `@tensorflow/tfjs-backend-wasm`.
   * Default: the folder of the page, or of the bundle when the bundle set it
   * (`dist/browser/l0-hard-concrete.mjs` does, to its own folder).
   */
  wasmPaths?: string;
}

const PACKAGES: Record<BackendName, string | null> = {
  tensorflow: "@tensorflow/tfjs-node",
  wasm: "@tensorflow/tfjs-backend-wasm",
  cpu: null,
};

/** Loads the package that registers a backend with tfjs (rejects when it cannot). */
export type BackendLoader = () => Promise<unknown>;

const loaders: Partial<Record<BackendName, BackendLoader>> = {
  wasm: () => import("@tensorflow/tfjs-backend-wasm"),
};

/**
 * Tells `useBackend` how to load the package of backend `name` (library-internal:
 * the Node entry adds `@tensorflow/tfjs-node`, which a browser bundle must not see).
 */
export function addBackendLoader(name: BackendName, load: BackendLoader): void {
  loaders[name] = load;
}

/** Makes sure `name` is registered with tfjs, loading its package if needed; false when it cannot be. */
async function register(name: BackendName): Promise<boolean> {
  if (tf.findBackendFactory(name) !== null) return true;
  const load = loaders[name];
  if (load === undefined) return false;
  try {
    await load();
  } catch {
    return false;
  }
  return tf.findBackendFactory(name) !== null;
}

/** The process-wide error events that Emscripten's Node glue takes over. */
const PROCESS_ERROR_EVENTS = ["uncaughtException", "unhandledRejection"] as const;

/**
 * `tf.setBackend(name)`, without the handlers for uncaught exceptions and
 * unhandled rejections that tfjs-backend-wasm's Emscripten module adds to Node's
 * `process` when it starts (Emscripten's NODEJS_CATCH_EXIT and
 * NODEJS_CATCH_REJECTION, on by default in the Emscripten that built tfjs 4.22:
 * the first rethrows, the second throws; emscripten-core/emscripten#7855 asks why
 * a library should do this, and libsodium.js removes them after loading). Node 15
 * and later already end a program on either when it has no handler of its own, so
 * removing them changes nothing there; but they also end a program that does
 * handle these events, such as a tslab kernel, which prints a cell's stray error
 * and carries on: with them, one forgotten rejected promise in a notebook killed
 * the kernel. Handlers added by anything else while the backend starts stay.
 */
async function setBackend(name: BackendName): Promise<boolean> {
  const node: NodeJS.EventEmitter | null =
    typeof process === "object" && typeof process.listeners === "function" ? process : null;
  const before = PROCESS_ERROR_EVENTS.map((event) => node?.listeners(event) ?? []);
  const initialised = await tf.setBackend(name);
  if (node !== null && name === "wasm") {
    PROCESS_ERROR_EVENTS.forEach((event, i) => {
      for (const listener of node.listeners(event)) {
        if (!before[i].includes(listener) && isEmscriptenHandler(listener)) {
          node.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    });
  }
  return initialised;
}

/** Emscripten's two handlers: `function (ex) { if (!(ex instanceof ExitStatus)) throw ex; }` and `function (reason) { throw reason; }`. */
function isEmscriptenHandler(listener: unknown): boolean {
  const source = String(listener).replace(/\s+/g, " ");
  return (
    /instanceof ExitStatus\)\) ?\{? ?throw ex;/.test(source) ||
    /^function ?\(reason\) ?\{ ?throw reason; ?\}$/.test(source)
  );
}

/** The backends that are registered or can be loaded here, fastest first. */
export async function availableBackends(): Promise<BackendName[]> {
  const available: BackendName[] = [];
  for (const name of BACKENDS) if (await register(name)) available.push(name);
  return available;
}

/**
 * Makes `name` the active backend, or the fastest one available when `name` is
 * omitted, and returns its name. Selecting an explicit backend that is not
 * available throws an error naming the package to install.
 */
export async function useBackend(name?: BackendName, options: BackendOptions = {}): Promise<BackendName> {
  if (name !== undefined && !BACKENDS.includes(name)) {
    throw new RangeError(`useBackend: name must be one of ${BACKENDS.join(", ")}, got ${JSON.stringify(name)}`);
  }
  if (options.wasmPaths !== undefined) {
    if (typeof options.wasmPaths !== "string" || !options.wasmPaths.endsWith("/")) {
      throw new RangeError(
        `useBackend: options.wasmPaths must be a folder URL ending in "/", got ${JSON.stringify(options.wasmPaths)}`,
      );
    }
    (await import("@tensorflow/tfjs-backend-wasm")).setWasmPaths(options.wasmPaths);
  }
  if (name !== undefined) {
    if (!(await register(name))) {
      const where = name === "tensorflow" ? " and import l0-hard-concrete/node" : "";
      throw new Error(`useBackend: backend "${name}" is not available (npm install ${PACKAGES[name]}${where})`);
    }
    if (!(await setBackend(name))) throw new Error(`useBackend: backend "${name}" failed to initialise`);
    return name;
  }
  for (const candidate of await availableBackends()) {
    if (await setBackend(candidate)) return candidate;
  }
  throw new Error("useBackend: no tfjs backend could be initialised");
}

/** The name of the active tfjs backend. */
export function backendName(): string {
  return tf.getBackend();
}

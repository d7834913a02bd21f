/**
 * Chooses the fastest tfjs backend installed: `tensorflow` (from the optional
 * `@tensorflow/tfjs-node`), else `wasm` (`@tensorflow/tfjs-backend-wasm`), else
 * `cpu` (pure JavaScript, always present).
 */
import * as tf from "@tensorflow/tfjs";

/** The backends this library knows how to load, fastest first. */
export const BACKENDS = ["tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

const PACKAGES: Record<BackendName, string | null> = {
  tensorflow: "@tensorflow/tfjs-node",
  wasm: "@tensorflow/tfjs-backend-wasm",
  cpu: null,
};

/** Loads the package that registers `name`; false when it is not installed or fails to load. */
function register(name: BackendName): boolean {
  const pkg = PACKAGES[name];
  if (pkg === null || tf.findBackendFactory(name) !== null) return true;
  try {
    require(pkg);
  } catch {
    return false;
  }
  return tf.findBackendFactory(name) !== null;
}

/** The backends whose packages are installed here, fastest first. */
export function availableBackends(): BackendName[] {
  return BACKENDS.filter(register);
}

/**
 * Makes `name` the active backend, or the fastest one installed when `name` is
 * omitted, and returns its name. Selecting an explicit backend that is not
 * installed throws an error naming the package to install.
 */
export async function useBackend(name?: BackendName): Promise<BackendName> {
  if (name !== undefined) {
    if (!BACKENDS.includes(name)) {
      throw new RangeError(`useBackend: name must be one of ${BACKENDS.join(", ")}, got ${JSON.stringify(name)}`);
    }
    if (!register(name)) {
      throw new Error(`useBackend: backend "${name}" is not installed (npm install ${PACKAGES[name]})`);
    }
    if (!(await tf.setBackend(name))) throw new Error(`useBackend: backend "${name}" failed to initialise`);
    return name;
  }
  for (const candidate of availableBackends()) {
    if (await tf.setBackend(candidate)) return candidate;
  }
  throw new Error("useBackend: no tfjs backend could be initialised");
}

/** The name of the active tfjs backend. */
export function backendName(): string {
  return tf.getBackend();
}

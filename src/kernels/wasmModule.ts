/**
 * What the library's WebAssembly kernels (src/kernels/*.wat) share: instantiating
 * a compiled module on the memory of tfjs's wasm backend, once per backend, so
 * that a kernel reads and writes the backend's tensors where they are, and
 * registering the kernel with tfjs.
 */
import * as tf from "@tensorflow/tfjs";

/** What the kernels use of tfjs-backend-wasm's backend (4.22): its module, tensor offsets and outputs. */
export interface WasmBackend {
  wasm: { asm?: { memory?: unknown }; _malloc(bytes: number): number; _free(offset: number): void };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/** The parts of the WebAssembly JavaScript API used here (the library is compiled without the DOM's types). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

/** The exports of a module instantiated on a backend's memory. */
export type ModuleExports = Record<string, unknown>;

/** The module `base64` instantiated on the memory of `backend`, or null where that cannot be done. */
function instantiate(backend: WasmBackend, base64: string): ModuleExports | null {
  const memory = backend.wasm?.asm?.memory;
  if (WebAssembly === undefined || !(memory instanceof WebAssembly.Memory)) return null;
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  } catch {
    return null; // no WebAssembly SIMD, or a shared memory: the kernel's chain runs instead
  }
}

/** Per wasm backend instance, per module: its exports, or null when it cannot run there. */
const instances = new WeakMap<object, Map<string, ModuleExports | null>>();

/**
 * The module `base64` on `backend`'s memory, instantiated on first use and then
 * `prepare`d once (for example to write a table into the backend's memory), or
 * null where it cannot run: another backend, no WebAssembly SIMD, or the shared
 * memory of a threaded build.
 */
function moduleOn(
  backend: WasmBackend,
  base64: string,
  prepare: (exports: ModuleExports, backend: WasmBackend) => void = () => {},
): ModuleExports | null {
  let modules = instances.get(backend);
  if (modules === undefined) {
    modules = new Map();
    instances.set(backend, modules);
  }
  if (!modules.has(base64)) {
    const exports = instantiate(backend, base64);
    if (exports !== null) prepare(exports, backend);
    modules.set(base64, exports);
  }
  return modules.get(base64) ?? null;
}

/** The number of entries of a tensor of shape `shape`. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The byte offset of a tensor's data in the backend's memory. */
export function offsetOf(backend: WasmBackend, tensor: { dataId: object }): number {
  return backend.dataIdMap.get(tensor.dataId)!.memoryOffset;
}

/** A kernel's body: the module's exports on `backend`'s memory, the kernel's inputs and attributes, its outputs. */
export type WasmKernelBody = (
  exports: ModuleExports,
  backend: WasmBackend,
  inputs: Record<string, tf.TensorInfo>,
  attrs: tf.NamedAttrMap,
) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Registers `kernelName` for the wasm backend, once per process (the ES module and
 * CommonJS builds may both be loaded), running `body` with the module `base64` on
 * the backend's memory (`prepare`d once per backend). Returns the test of whether
 * the kernel runs on the current backend; where it does not, callers run their
 * chain, or the kernel runs `fallback` when one is given.
 */
export function registerWasmKernel(
  kernelName: string,
  base64: string,
  body: WasmKernelBody,
  prepare?: (exports: ModuleExports, backend: WasmBackend) => void,
  fallback?: tf.KernelFunc,
): () => boolean {
  if (tf.getKernel(kernelName, "wasm") === undefined) {
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc: (args) => {
        const wasm = args.backend as unknown as WasmBackend;
        const exports = moduleOn(wasm, base64, prepare);
        if (exports === null) {
          if (fallback !== undefined) return fallback(args);
          throw new Error(`${kernelName}: no WebAssembly kernel on this wasm backend`);
        }
        return body(exports, wasm, args.inputs as Record<string, tf.TensorInfo>, args.attrs ?? {});
      },
    });
  }
  return () => tf.getBackend() === "wasm" && moduleOn(tf.backend() as unknown as WasmBackend, base64, prepare) !== null;
}

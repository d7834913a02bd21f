/**
 * The logistic noise of the gate samplers, log(u / (1 − u)) for uniform noise u
 * (Louizos et al. 2018, Sec. 2.2; Maddison et al. 2017). As tfjs kernels it is
 * Sub, Div and Log, and on the wasm backend Log alone took about 11 ms for 10⁶
 * entries (its C library's logf, one entry at a time), most of a 10⁶-gate sample.
 * On the wasm backend it is one kernel, `L0Logit`: one pass of WebAssembly SIMD
 * (logit.wat, compiled with wabt by the build) that computes logf by the same
 * algorithm and float64 operations as tfjs-backend-wasm's C library, so the same
 * bits (a test compares every bit with the chain). Other backends run the chain.
 */
import * as tf from "@tensorflow/tfjs";
import { LOGIT_WASM_BASE64 } from "./logitWasm";
import { type ModuleExports, moduleOn, offsetOf, type WasmBackend } from "./wasmModule";

const KERNEL = "L0Logit";

/** logit.wat's exports. */
interface LogitModule {
  /** Writes logf's 256-byte table at a byte offset. */
  table(at: number): void;
  /** out[i] = log(u[i] / (1 − u[i])) for n float32 entries at byte offsets u and out, given the table's offset. */
  logit(u: number, out: number, n: number, table: number): void;
}

/** Where each backend's copy of logf's table lives in its memory (allocated once, kept for the backend's life). */
const tables = new WeakMap<object, number>();

function writeTable(exports: ModuleExports, backend: WasmBackend): void {
  const at = backend.wasm._malloc(256);
  (exports as unknown as LogitModule).table(at);
  tables.set(backend, at);
}

function logitModuleOf(backend: WasmBackend): LogitModule | null {
  return moduleOn(backend, LOGIT_WASM_BASE64, writeTable) as unknown as LogitModule | null;
}

/** The kernel, registered once per process (the ES module and CommonJS builds may both be loaded). */
const kernelConfig: tf.KernelConfig = {
  kernelName: KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as unknown as WasmBackend;
    const module = logitModuleOf(wasm);
    if (module === null) throw new Error(`${KERNEL}: no WebAssembly kernel on this wasm backend`);
    const { u } = inputs as Record<string, tf.TensorInfo>;
    // The output first: allocating may grow the memory, which moves nothing (offsets stay valid).
    const out = wasm.makeOutput(u.shape, "float32");
    module.logit(
      offsetOf(wasm, u),
      offsetOf(wasm, out),
      u.shape.reduce((a, b) => a * b, 1),
      tables.get(wasm)!,
    );
    return out;
  },
};
if (tf.getKernel(KERNEL, "wasm") === undefined) tf.registerKernel(kernelConfig);

/** log(u / (1 − u)) as tfjs kernels (the formulation the kernel must equal). */
export function logitChain(u: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.log(tf.div(u, tf.sub(1, u))));
}

/** True when `logit` runs the WebAssembly kernel on the current backend. */
export function logitKernelActive(): boolean {
  return tf.getBackend() === "wasm" && logitModuleOf(tf.backend() as unknown as WasmBackend) !== null;
}

/**
 * log(u / (1 − u)) for a float32 tensor u: one WebAssembly kernel on the wasm
 * backend, `logitChain` elsewhere. No gradient: the samplers use it inside a
 * customGrad whose gradient does not go through the noise.
 */
export function logit(u: tf.Tensor): tf.Tensor {
  if (!logitKernelActive()) return logitChain(u);
  return tf.engine().runKernel(KERNEL, { u }) as tf.Tensor;
}

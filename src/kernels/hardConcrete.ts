/**
 * A hard concrete gate per entry from uniform noise u and log α (Louizos et al.
 * 2018, Sec. 2.2):
 *
 *   z = min(1, max(0, σ((log(u/(1 − u)) + log α)/β)(ζ − γ) + γ)).
 *
 * As tfjs kernels it is a chain of nine passes (Sub, Div, Log, Add, Mul, Sigmoid,
 * Mul, Add, ClipByValue); on the wasm backend Log alone took about 12 ms for 10⁶
 * entries (its C library's logf, one entry at a time). On the wasm backend it is
 * one kernel, `L0HardConcreteSample`: one pass of WebAssembly SIMD
 * (hardConcrete.wat, compiled with wabt by the build) that computes each step as
 * tfjs-backend-wasm does, its C library's logf and XNNPACK's sigmoid included, so
 * the same bits (a test compares every bit with the chain). Other backends run
 * the chain.
 */
import * as tf from "@tensorflow/tfjs";
import type { HardConcreteParams } from "../gates/params";
import { HARDCONCRETE_WASM_BASE64 } from "./hardConcreteWasm";
import { type ModuleExports, offsetOf, registerWasmKernel, type WasmBackend } from "./wasmModule";

const KERNEL = "L0HardConcreteSample";

/** hardConcrete.wat's exports. */
interface HardConcreteModule {
  /** Writes logf's 256-byte table at a byte offset. */
  table(at: number): void;
  /** z for n float32 entries of u and log α at byte offsets, into out, given the table's offset and 1/β, ζ − γ, γ. */
  sample(
    u: number,
    logAlpha: number,
    out: number,
    n: number,
    table: number,
    inverseBeta: number,
    zetaMinusGamma: number,
    gamma: number,
  ): void;
}

/** Where each backend's copy of logf's table lives in its memory (allocated once, kept for the backend's life). */
const tables = new WeakMap<object, number>();

function writeTable(exports: ModuleExports, backend: WasmBackend): void {
  const at = backend.wasm._malloc(256);
  (exports as unknown as HardConcreteModule).table(at);
  tables.set(backend, at);
}

/** True when `hardConcreteFromNoise` runs the WebAssembly kernel on the current backend. */
export const hardConcreteKernelActive = registerWasmKernel(
  KERNEL,
  HARDCONCRETE_WASM_BASE64,
  (exports, wasm, { u, logAlpha }, attrs) => {
    const { beta, gamma, zeta } = attrs as unknown as HardConcreteParams;
    // The output first: allocating may grow the memory, which moves nothing (offsets stay valid).
    const out = wasm.makeOutput(logAlpha.shape, "float32");
    (exports as unknown as HardConcreteModule).sample(
      offsetOf(wasm, u),
      offsetOf(wasm, logAlpha),
      offsetOf(wasm, out),
      logAlpha.shape.reduce((a, b) => a * b, 1),
      tables.get(wasm)!,
      1 / beta, // passed as float32, rounded as the chain rounds its scalars
      zeta - gamma,
      gamma,
    );
    return out;
  },
  writeTable,
);

/** z from u and log α (same size) as tfjs kernels (the formulation the kernel must equal). */
export function hardConcreteChain(
  u: tf.Tensor,
  logAlpha: tf.Tensor,
  { beta, gamma, zeta }: HardConcreteParams,
): tf.Tensor {
  return tf.tidy(() => {
    const logistic = tf.add(tf.log(tf.div(u, tf.sub(1, u))), logAlpha);
    const s = tf.sigmoid(tf.mul(logistic, 1 / beta));
    return tf.clipByValue(tf.add(tf.mul(s, zeta - gamma), gamma), 0, 1);
  });
}

/**
 * z from float32 uniform noise u and log α of the same size, shaped as log α: one
 * WebAssembly kernel on the wasm backend, `hardConcreteChain` elsewhere. No
 * gradient: the samplers use it inside a customGrad whose gradient is computed
 * from z in closed form.
 */
export function hardConcreteFromNoise(u: tf.Tensor, logAlpha: tf.Tensor, params: HardConcreteParams): tf.Tensor {
  if (!hardConcreteKernelActive()) return hardConcreteChain(u, logAlpha, params);
  const { beta, gamma, zeta } = params;
  return tf.engine().runKernel(KERNEL, { u, logAlpha }, { beta, gamma, zeta }) as tf.Tensor;
}

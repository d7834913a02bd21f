/**
 * The finiteness probe of a tensor, p = Σᵢ (xᵢ − xᵢ): +0 when every entry is
 * finite, NaN otherwise (x − x is +0 for finite x, NaN for ±∞ and NaN). The
 * library's argument checks read it once instead of every entry. On the wasm
 * backend it is one kernel, `L0FinitenessProbe` (finite.wat, compiled with wabt by
 * the build): one pass of WebAssembly SIMD, where tfjs's Sum adds one float32 after
 * another (10⁶ entries, read included: 0.35 against 1.0 ms). Its result is the
 * chain's (+0 or NaN: no other value is possible). Other backends run the chain.
 */
import * as tf from "@tensorflow/tfjs";
import { FINITE_WASM_BASE64 } from "./finiteWasm";
import { offsetOf, registerWasmKernel, sizeOf } from "./wasmModule";

const KERNEL = "L0FinitenessProbe";

/** finite.wat's export: byte offset of x, its entry count, byte offset of the float32 result. */
type ProbeFunction = (x: number, n: number, out: number) => void;

/** True when `finitenessProbe` runs the WebAssembly kernel on the current backend. */
export const finiteKernelActive = registerWasmKernel(KERNEL, FINITE_WASM_BASE64, (exports, wasm, { x }) => {
  // The output first: allocating may grow the memory, which moves nothing (offsets stay valid).
  const out = wasm.makeOutput([], "float32");
  (exports.probe as ProbeFunction)(offsetOf(wasm, x), sizeOf(x.shape), offsetOf(wasm, out));
  return out;
});

/** Σ (x − x) as tfjs kernels (the formulation the kernel must equal). */
export function finitenessProbeChain(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.sub(x, x)));
}

/** Σ (x − x): +0 when every entry of `x` is finite, else NaN. One kernel on the wasm backend for float32 `x`. */
export function finitenessProbe(x: tf.Tensor): tf.Scalar {
  if (!finiteKernelActive() || x.dtype !== "float32") return finitenessProbeChain(x);
  return tf.engine().runKernel(KERNEL, { x }) as tf.Scalar;
}

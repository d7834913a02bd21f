/**
 * The hard concrete gates' WebAssembly kernels (gates.wat, compiled with wabt by
 * the build), each one pass in place of a chain of tfjs kernels, with the chain's
 * bits (tests compare every bit):
 *
 * - `gateFromUniform`: a gate per entry from uniform noise u and log α
 *   (Louizos et al. 2018, Sec. 2.2), z = min(1, max(0, σ((log(u/(1 − u)) + log α)/β)(ζ − γ) + γ)),
 *   in place of nine kernels; on the wasm backend Log alone took about 12 ms for
 *   10⁶ entries (its C library's logf, one entry at a time).
 * - `openProbabilityGradient`: (p − p²)·g for p = P(z ≠ 0), the backward pass of
 *   the expected L0 norm, in place of three kernels (its forward pass stays a tfjs
 *   chain: fused, it was slower than XNNPACK's sigmoid and tfjs's sum).
 *
 * They run on the wasm backend, computing each step as tfjs-backend-wasm does (its
 * C library's logf, XNNPACK's sigmoid and clamp); other backends run the chains.
 */
import * as tf from "@tensorflow/tfjs";
import type { HardConcreteParams } from "../gates/params";
import { GATES_WASM_BASE64 } from "./gatesWasm";
import { type ModuleExports, offsetOf, registerWasmKernel, type WasmBackend } from "./wasmModule";

const SAMPLE = "L0HardConcreteSample";
const OPEN_GRADIENT = "L0OpenProbabilityGradient";

/** gates.wat's exports (byte offsets of float32 tensors, counts, float32 constants). */
interface GatesModule {
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
  /** out = (p − p·p)·g for n entries at byte offset p, g one float32. */
  openProbabilityGradient(p: number, g: number, out: number, n: number): void;
}

/** Where each backend's copy of logf's table lives in its memory (allocated once, kept for the backend's life). */
const tables = new WeakMap<object, number>();

function writeTable(exports: ModuleExports, backend: WasmBackend): void {
  const at = backend.wasm._malloc(256);
  (exports as unknown as GatesModule).table(at);
  tables.set(backend, at);
}

/** The number of entries of a tensor. */
const sizeOf = (t: tf.TensorInfo) => t.shape.reduce((a, b) => a * b, 1);

/** True when the gates' kernels run on the current backend (they share one module). */
export const gateKernelsActive = registerWasmKernel(
  SAMPLE,
  GATES_WASM_BASE64,
  (exports, wasm, { u, logAlpha }, attrs) => {
    const { beta, gamma, zeta } = attrs as unknown as HardConcreteParams;
    // The output first: allocating may grow the memory, which moves nothing (offsets stay valid).
    const out = wasm.makeOutput(logAlpha.shape, "float32");
    (exports as unknown as GatesModule).sample(
      offsetOf(wasm, u),
      offsetOf(wasm, logAlpha),
      offsetOf(wasm, out),
      sizeOf(logAlpha),
      tables.get(wasm)!,
      1 / beta, // passed as float32, rounded as the chain rounds its scalars
      zeta - gamma,
      gamma,
    );
    return out;
  },
  writeTable,
);

registerWasmKernel(
  OPEN_GRADIENT,
  GATES_WASM_BASE64,
  (exports, wasm, { p, g }) => {
    const out = wasm.makeOutput(p.shape, "float32");
    (exports as unknown as GatesModule).openProbabilityGradient(
      offsetOf(wasm, p),
      offsetOf(wasm, g),
      offsetOf(wasm, out),
      sizeOf(p),
    );
    return out;
  },
  writeTable,
);

/** z from u and log α (same size) as tfjs kernels (the formulation the kernel must equal). */
export function gateFromUniformChain(
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
 * WebAssembly kernel on the wasm backend, `gateFromUniformChain` elsewhere. No
 * gradient: the samplers use it inside a customGrad whose gradient is computed
 * from z in closed form.
 */
export function gateFromUniform(u: tf.Tensor, logAlpha: tf.Tensor, params: HardConcreteParams): tf.Tensor {
  if (!gateKernelsActive()) return gateFromUniformChain(u, logAlpha, params);
  const { beta, gamma, zeta } = params;
  return tf.engine().runKernel(SAMPLE, { u, logAlpha }, { beta, gamma, zeta }) as tf.Tensor;
}

/** (p − p²)·g as tfjs kernels (the formulation the kernel must equal). */
export function openProbabilityGradientChain(p: tf.Tensor, g: tf.Scalar): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.sub(p, tf.square(p)), g));
}

/**
 * (p − p²)·g = P(z ≠ 0) P(z = 0)·g for a scalar g, the gradient of Σ p with respect
 * to log α times g: one WebAssembly kernel on the wasm backend,
 * `openProbabilityGradientChain` elsewhere.
 */
export function openProbabilityGradient(p: tf.Tensor, g: tf.Scalar): tf.Tensor {
  if (!gateKernelsActive()) return openProbabilityGradientChain(p, g);
  return tf.engine().runKernel(OPEN_GRADIENT, { p, g }) as tf.Tensor;
}

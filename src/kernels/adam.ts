/**
 * Adam's moment update and step (Kingma & Ba 2015, Algorithm 1, in the order of
 * operations of tfjs's `tf.train.adam`), per entry:
 *
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
 *   step = −lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
 *
 * As a chain of tfjs kernels it makes eleven passes over the entries (fourteen
 * kernels), which on the wasm backend took about 3 ms for the MLP's 235,200-entry
 * first kernel. On the wasm backend it is one kernel, `L0AdamMoments`: one pass of
 * WebAssembly SIMD (adam.wat, compiled with wabt by the build) on the backend's own
 * memory, with the same float32 operations in the same order, so the same bits.
 * Other backends, and a wasm backend whose memory this module cannot import (a
 * threaded build's shared memory), run the chain.
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM_WASM_BASE64 } from "./adamWasm";
import { offsetOf, registerWasmKernel, sizeOf } from "./wasmModule";

/** Adam's constants (ε as the optimizer resolved it). */
export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** The new first and second moments and the step to add to the variable. */
export type AdamMoments = [first: tf.Tensor1D, second: tf.Tensor1D, step: tf.Tensor1D];

const KERNEL = "L0AdamMoments";

/** adam.wat's export: byte offsets of g, m, v, 1 − β₁ᵗ, 1 − β₂ᵗ and the three outputs, the count, the constants. */
type AdamFunction = (...args: number[]) => void;

/** True when `adamMoments` runs the WebAssembly kernel on the current backend. */
export const adamKernelActive = registerWasmKernel(KERNEL, ADAM_WASM_BASE64, (exports, wasm, inputs, attrs) => {
  const { gradient, first, second, oneMinusAccBeta1, oneMinusAccBeta2 } = inputs;
  const { learningRate, beta1, beta2, epsilon } = attrs as unknown as AdamSettings;
  // Outputs first: allocating may grow the memory, which moves nothing (offsets stay valid).
  const outputs = [first, second, gradient].map((t) => wasm.makeOutput(t.shape, "float32"));
  (exports.adam as AdamFunction)(
    ...[gradient, first, second, oneMinusAccBeta1, oneMinusAccBeta2, ...outputs].map((t) => offsetOf(wasm, t)),
    sizeOf(gradient.shape),
    beta1,
    1 - beta1,
    beta2,
    1 - beta2,
    epsilon,
    -learningRate,
  );
  return outputs;
});

/** The update as tfjs kernels (the formulation the kernel must equal). */
export function adamMomentsChain(
  gradient: tf.Tensor1D,
  first: tf.Tensor1D,
  second: tf.Tensor1D,
  oneMinusAccBeta1: tf.Scalar,
  oneMinusAccBeta2: tf.Scalar,
  { learningRate, beta1, beta2, epsilon }: AdamSettings,
): AdamMoments {
  return tf.tidy(() => {
    const newFirst = tf.add(tf.mul(first, beta1), tf.mul(gradient, 1 - beta1)) as tf.Tensor1D;
    const newSecond = tf.add(tf.mul(second, beta2), tf.mul(tf.square(gradient), 1 - beta2)) as tf.Tensor1D;
    const correctedFirst = tf.div(newFirst, oneMinusAccBeta1);
    const correctedSecond = tf.div(newSecond, oneMinusAccBeta2);
    const step = tf.mul(
      tf.div(correctedFirst, tf.add(tf.sqrt(correctedSecond), epsilon)),
      -learningRate,
    ) as tf.Tensor1D;
    return [newFirst, newSecond, step];
  });
}

/**
 * The new moments and the step for float32 vectors `gradient`, `first` and `second`
 * of one length, given 1 − β₁ᵗ and 1 − β₂ᵗ as scalars: one WebAssembly kernel on
 * the wasm backend, `adamMomentsChain` elsewhere.
 */
export function adamMoments(
  gradient: tf.Tensor1D,
  first: tf.Tensor1D,
  second: tf.Tensor1D,
  oneMinusAccBeta1: tf.Scalar,
  oneMinusAccBeta2: tf.Scalar,
  settings: AdamSettings,
): AdamMoments {
  if (!adamKernelActive()) {
    return adamMomentsChain(gradient, first, second, oneMinusAccBeta1, oneMinusAccBeta2, settings);
  }
  const { learningRate, beta1, beta2, epsilon } = settings;
  return tf
    .engine()
    .runKernel(
      KERNEL,
      { gradient, first, second, oneMinusAccBeta1, oneMinusAccBeta2 },
      { learningRate, beta1, beta2, epsilon },
    ) as unknown as AdamMoments;
}

/**
 * Adam's update of variables and their moments (Kingma & Ba 2015, Algorithm 1, in
 * the order of operations of tfjs's `tf.train.adam`), per entry:
 *
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
 *   θ ← −lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε) + θ.
 *
 * As a chain of tfjs kernels it is fourteen kernels per variable, each a pass over
 * its entries, which on the wasm backend took about 3 ms for the
 * MLP's 235,200-entry first kernel. On the wasm backend it is one kernel for all the
 * variables of a step, `L0AdamUpdate`: one pass of WebAssembly SIMD per variable
 * (adam.wat, compiled with wabt by the build) on the backend's own memory, with the
 * same float32 operations in the same order, so the same bits. Other backends, and a
 * wasm backend whose memory this module cannot import (a threaded build's shared
 * memory), run the chain.
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

/** Per variable, in the order given: its new value and its new first and second moments. */
export interface AdamUpdate {
  values: tf.Tensor[];
  firsts: tf.Tensor[];
  seconds: tf.Tensor[];
}

const KERNEL = "L0AdamUpdate";

/** The kernel's inputs per variable i: `value${i}`, `gradient${i}`, `first${i}`, `second${i}`. */
const PARTS = ["value", "gradient", "first", "second"] as const;

/** adam.wat's export: byte offsets of θ, g, m, v, 1 − β₁ᵗ, 1 − β₂ᵗ and the three outputs, the count, the constants. */
type AdamFunction = (...args: number[]) => void;

/** True when `adamUpdate` runs the WebAssembly kernel on the current backend. */
export const adamKernelActive = registerWasmKernel(KERNEL, ADAM_WASM_BASE64, (exports, wasm, inputs, attrs) => {
  const { count, learningRate, beta1, beta2, epsilon } = attrs as unknown as AdamSettings & { count: number };
  const variables = Array.from({ length: count }, (_, i) => PARTS.map((part) => inputs[`${part}${i}`]));
  // Outputs first: allocating may grow the memory, which moves nothing (offsets stay valid).
  const outputs = [0, 1, 2].flatMap(() => variables.map(([value]) => wasm.makeOutput(value.shape, "float32")));
  variables.forEach((tensors, i) => {
    (exports.adam as AdamFunction)(
      ...[...tensors, inputs.oneMinusAccBeta1, inputs.oneMinusAccBeta2].map((t) => offsetOf(wasm, t)),
      ...[outputs[i], outputs[count + i], outputs[2 * count + i]].map((t) => offsetOf(wasm, t)),
      sizeOf(tensors[0].shape),
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      epsilon,
      -learningRate,
    );
  });
  return outputs;
});

/** One variable's update as tfjs kernels (the formulation the kernel must equal): [θ, m, v]. */
export function adamUpdateChain(
  value: tf.Tensor,
  gradient: tf.Tensor,
  first: tf.Tensor,
  second: tf.Tensor,
  oneMinusAccBeta1: tf.Scalar,
  oneMinusAccBeta2: tf.Scalar,
  { learningRate, beta1, beta2, epsilon }: AdamSettings,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const newFirst = tf.add(tf.mul(first, beta1), tf.mul(gradient, 1 - beta1));
    const newSecond = tf.add(tf.mul(second, beta2), tf.mul(tf.square(gradient), 1 - beta2));
    const correctedFirst = tf.div(newFirst, oneMinusAccBeta1);
    const correctedSecond = tf.div(newSecond, oneMinusAccBeta2);
    const step = tf.mul(tf.div(correctedFirst, tf.add(tf.sqrt(correctedSecond), epsilon)), -learningRate);
    return [tf.add(step, value), newFirst, newSecond];
  });
}

/**
 * The new values and moments of float32 variables `values` (each with its gradient and
 * moments, of its shape), given 1 − β₁ᵗ and 1 − β₂ᵗ as scalars: one WebAssembly kernel
 * for all of them on the wasm backend, `adamUpdateChain` per variable elsewhere.
 */
export function adamUpdate(
  values: tf.Tensor[],
  gradients: tf.Tensor[],
  firsts: tf.Tensor[],
  seconds: tf.Tensor[],
  oneMinusAccBeta1: tf.Scalar,
  oneMinusAccBeta2: tf.Scalar,
  settings: AdamSettings,
): AdamUpdate {
  const count = values.length;
  if (!adamKernelActive()) {
    const updates = values.map((value, i) =>
      adamUpdateChain(value, gradients[i], firsts[i], seconds[i], oneMinusAccBeta1, oneMinusAccBeta2, settings),
    );
    return { values: updates.map((u) => u[0]), firsts: updates.map((u) => u[1]), seconds: updates.map((u) => u[2]) };
  }
  const inputs: tf.NamedTensorMap = { oneMinusAccBeta1, oneMinusAccBeta2 };
  [values, gradients, firsts, seconds].forEach((tensors, j) => {
    tensors.forEach((t, i) => {
      inputs[`${PARTS[j]}${i}`] = t;
    });
  });
  const { learningRate, beta1, beta2, epsilon } = settings;
  const outputs = tf.engine().runKernel(KERNEL, inputs, { count, learningRate, beta1, beta2, epsilon }) as tf.Tensor[];
  return {
    values: outputs.slice(0, count),
    firsts: outputs.slice(count, 2 * count),
    seconds: outputs.slice(2 * count),
  };
}

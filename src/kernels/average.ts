/**
 * The running average of a model's weights for evaluation (Louizos, Welling & Kingma
 * 2018, Sec. 4: "temporal averaging"; the authors' code keeps it with decay 0.999),
 * after every training step, over all the weights as one vector a (in the weights'
 * order):
 *
 *   a ← d·a + (1 − d)·θ.
 *
 * As tfjs kernels it is a concatenation of the weights, two products and a sum: four
 * passes over the MLP's 267,000 entries and about 0.4 ms of every training step on the
 * wasm backend (a twentieth of an epoch). There it is one kernel, `L0WeightAverage`: one
 * pass of WebAssembly SIMD per weight tensor (average.wat, compiled with wabt by the
 * build) on the backend's own memory, with the same float32 operations, so the same
 * bits. Other backends, and a wasm backend whose memory this module cannot import (a
 * threaded build's shared memory), run the chain.
 */
import * as tf from "@tensorflow/tfjs";
import { fail } from "../validate";
import { AVERAGE_WASM_BASE64 } from "./averageWasm";
import { offsetOf, registerWasmKernel, sizeOf } from "./wasmModule";

const KERNEL = "L0WeightAverage";

/** average.wat's export: byte offsets of a, θ and the output, the count, d and 1 − d. */
type BlendFunction = (...args: number[]) => void;

/** True when `averageUpdate` runs the WebAssembly kernel on the current backend. */
export const averageKernelActive = registerWasmKernel(KERNEL, AVERAGE_WASM_BASE64, (exports, wasm, inputs, attrs) => {
  const { count, decay } = attrs as unknown as { count: number; decay: number };
  const average = inputs.average;
  const out = wasm.makeOutput(average.shape, "float32");
  let at = 0; // bytes into the average
  for (let i = 0; i < count; i++) {
    const weight = inputs[`weight${i}`];
    const n = sizeOf(weight.shape);
    (exports.blend as BlendFunction)(
      offsetOf(wasm, average) + at,
      offsetOf(wasm, weight),
      offsetOf(wasm, out) + at,
      n,
      decay,
      1 - decay,
    );
    at += 4 * n;
  }
  return out;
});

/** The update as tfjs kernels (the formulation the kernel must equal). */
export function averageUpdateChain(average: tf.Tensor, weights: tf.Tensor[], decay: number): tf.Tensor {
  return tf.tidy(() =>
    tf.add(tf.mul(decay, average), tf.mul(1 - decay, tf.concat(weights.map((w) => tf.reshape(w, [-1]))))),
  );
}

/**
 * d·a + (1 − d)·θ for the float32 vector `average` and the float32 `weights`, whose
 * entries, one tensor after another, θ is (as many as `average` has): one WebAssembly
 * kernel on the wasm backend, `averageUpdateChain` elsewhere.
 */
export function averageUpdate(average: tf.Tensor, weights: tf.Tensor[], decay: number): tf.Tensor {
  // The kernel writes the average's entries weight by weight: a size or type that disagrees
  // would write past its output in the backend's memory.
  const entries = weights.reduce((sum, w) => sum + w.size, 0);
  if (average.rank !== 1 || average.size !== entries) {
    fail("averageUpdate", "average", average, `a vector of ${entries} entries, as many as the weights have`);
  }
  const wrong = [average, ...weights].find((t) => t.dtype !== "float32");
  if (wrong !== undefined) fail("averageUpdate", "weights", wrong, "float32 tensors (and a float32 average)");
  if (!averageKernelActive()) return averageUpdateChain(average, weights, decay);
  const inputs: tf.NamedTensorMap = { average };
  weights.forEach((weight, i) => {
    inputs[`weight${i}`] = weight;
  });
  return tf.engine().runKernel(KERNEL, inputs, { count: weights.length, decay }) as tf.Tensor;
}

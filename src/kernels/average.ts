/**
 * The running average of a model's weights for evaluation (Louizos, Welling & Kingma
 * 2018, Sec. 4: "temporal averaging"; the authors' code keeps it with decay 0.999),
 * after every training step, for every weight tensor θ and its average a:
 *
 *   a ← d·a + (1 − d)·θ.
 *
 * As tfjs kernels it is two products and a sum per weight tensor, three passes over
 * the MLP's 267,000 entries and about 0.4 ms of every training step on the wasm
 * backend (a twentieth of an epoch). There it is one kernel for all of them,
 * `L0WeightAverage`: one pass of WebAssembly SIMD per weight tensor (average.wat,
 * compiled with wabt by the build) on the backend's own memory, with the same float32
 * operations, so the same bits. Other backends, and a wasm backend whose memory this
 * module cannot import (a threaded build's shared memory), run the chain.
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
  const pairs = Array.from({ length: count }, (_, i) => [inputs[`average${i}`], inputs[`weight${i}`]]);
  // Outputs first: allocating may grow the memory, which moves nothing (offsets stay valid).
  const outputs = pairs.map(([average]) => wasm.makeOutput(average.shape, "float32"));
  pairs.forEach(([average, weight], i) => {
    (exports.blend as BlendFunction)(
      offsetOf(wasm, average),
      offsetOf(wasm, weight),
      offsetOf(wasm, outputs[i]),
      sizeOf(weight.shape),
      decay,
      1 - decay,
    );
  });
  return outputs;
});

/** The update as tfjs kernels (the formulation the kernel must equal). */
export function averageUpdateChain(averages: tf.Tensor[], weights: tf.Tensor[], decay: number): tf.Tensor[] {
  return averages.map((average, i) => tf.tidy(() => tf.add(tf.mul(decay, average), tf.mul(1 - decay, weights[i]))));
}

/**
 * d·a + (1 − d)·θ for each float32 weight tensor θ of `weights` and its average a, the
 * entry of `averages` at the same place (of θ's shape): one WebAssembly kernel for all
 * of them on the wasm backend, `averageUpdateChain` elsewhere.
 */
export function averageUpdate(averages: tf.Tensor[], weights: tf.Tensor[], decay: number): tf.Tensor[] {
  // The kernel writes each new average with its weight's length: a shape or type that
  // disagrees would read past a tensor in the backend's memory.
  if (averages.length !== weights.length) {
    fail("averageUpdate", "averages.length", averages.length, `${weights.length}, one average per weight tensor`);
  }
  averages.forEach((average, i) => {
    if (!tf.util.arraysEqual(average.shape, weights[i].shape)) {
      fail(
        "averageUpdate",
        `averages[${i}]`,
        average,
        `a tensor of its weight's shape [${weights[i].shape.join(", ")}]`,
      );
    }
  });
  const wrong = [...averages, ...weights].find((t) => t.dtype !== "float32");
  if (wrong !== undefined) fail("averageUpdate", "weights", wrong, "float32 tensors (and float32 averages)");
  if (!averageKernelActive()) return averageUpdateChain(averages, weights, decay);
  const inputs: tf.NamedTensorMap = {};
  weights.forEach((weight, i) => {
    inputs[`average${i}`] = averages[i];
    inputs[`weight${i}`] = weight;
  });
  return tf.engine().runKernel(KERNEL, inputs, { count: weights.length, decay }) as tf.Tensor[];
}

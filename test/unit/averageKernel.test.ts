/**
 * The WebAssembly kernel of the weights' running average (src/kernels/average.wat, run
 * by src/kernels/average.ts): on the wasm backend it must run (not fall back to the
 * chain), give the same bits as the chain of tfjs kernels, also for lengths that are not
 * a multiple of its four lanes, for special values and after the backend's memory has
 * grown, be what WeightAverager's update runs, and leave no tensor behind; and
 * WeightAverager's swap must exchange the weights and the averages both ways. This file
 * selects the wasm backend itself, so it tests the kernel on every machine.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { l0Dense, useBackend } from "l0-hard-concrete";
import { averageKernelActive, averageUpdate, averageUpdateChain } from "l0-hard-concrete/internal/kernels/average";
import { WeightAverager } from "l0-hard-concrete/internal/training/averaging";
import { firstDifferent } from "./bits";

before(async () => {
  await useBackend("wasm");
});

const SPECIALS = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-40, 3.4e38, -3.4e38, 1];

/** The entries of `tensors`, one tensor after another, as one array. */
function flat(tensors: tf.Tensor[]): Float32Array {
  return tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))).dataSync() as Float32Array);
}

/** Kernel and chain for weights of the shapes given (random, with special values sprinkled in), as one array each. */
function both(shapes: number[][], decay: number, seed: number): { kernel: Float32Array; chain: Float32Array } {
  return tf.tidy(() => {
    const sprinkled = (shape: number[], seed: number, every: number) => {
      const values = tf.randomNormal(shape, 0, 1, "float32", seed).dataSync() as Float32Array;
      for (let j = seed % every; j < values.length; j += every) values[j] = SPECIALS[(j + seed) % SPECIALS.length];
      return tf.tensor(values, shape);
    };
    const weights = shapes.map((shape, i) => sprinkled(shape, seed + i, 7));
    const averages = shapes.map((shape, i) => sprinkled(shape, seed + 100 + i, 11));
    return {
      kernel: flat(averageUpdate(averages, weights, decay)),
      chain: flat(averageUpdateChain(averages, weights, decay)),
    };
  });
}

describe("the weights' running average as one WebAssembly kernel", () => {
  test("runs on the wasm backend", () => {
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(averageKernelActive(), "average.wat could not be instantiated on the wasm backend's memory");
  });

  test("gives the chain's bits, for lengths around its four lanes, matrices, special values and three decays", () => {
    const shapes = [[1], [3], [4], [5], [7, 3], [784, 300], [300], [0], [9]];
    for (const decay of [0.999, 0.99, 0.5]) {
      const { kernel, chain } = both(shapes, decay, Math.round(decay * 1000));
      assert.equal(kernel.length, chain.length);
      const at = firstDifferent(kernel, chain);
      assert.equal(at, -1, `decay ${decay}, entry ${at}: ${kernel[at]} vs ${chain[at]}`);
    }
  });

  test("refuses averages that are not one per weight, of its shape and float32, naming them", () => {
    tf.tidy(() => {
      const weights = [tf.ones([2, 3]), tf.ones([4])];
      assert.throws(
        () => averageUpdate([tf.zeros([2, 3])], weights, 0.9),
        /averageUpdate: averages.length must be 2, one average per weight tensor, got 1/,
      );
      assert.throws(
        () => averageUpdate([tf.zeros([2, 3]), tf.zeros([5])], weights, 0.9),
        /averageUpdate: averages\[1\] must be a tensor of its weight's shape \[4\]/,
      );
      assert.throws(
        () => averageUpdate([tf.zeros([3, 2]), tf.zeros([4])], weights, 0.9),
        /averageUpdate: averages\[0\] must be a tensor of its weight's shape \[2, 3\]/,
      );
      assert.throws(
        () => averageUpdate([tf.zeros([2, 3]), tf.zeros([4])], [tf.ones([2, 3]), tf.ones([4], "int32")], 0.9),
        /averageUpdate: weights must be float32 tensors/,
      );
    });
  });

  test("still works after the backend's memory has grown (it imports the memory, not its buffer)", () => {
    const large = tf.zeros([64 * 1024 * 1024]); // 256 MB: more than the backend has allocated so far
    const { kernel, chain } = both([[1001], [6]], 0.999, 8);
    large.dispose();
    assert.equal(firstDifferent(kernel, chain), -1);
  });

  test("is what WeightAverager's update runs, once per step, and frees what it makes", async () => {
    const model = tf.sequential({
      layers: [l0Dense({ units: 5, inputShape: [7], seed: 1 }), l0Dense({ units: 2, seed: 2 })],
    });
    const averager = new WeightAverager(model, 0.9);
    const weights = () => model.trainableWeights.map((w) => w.read());
    // Move the weights, then update: the averages are the chain's from the same start.
    const start = weights().map((w) => tf.clone(w));
    for (const w of model.trainableWeights) {
      const moved = tf.tidy(() => tf.add(w.read(), 1));
      w.write(moved);
      moved.dispose();
    }
    const moved = flat(weights());
    const expected = flat(averageUpdateChain(start, weights(), 0.9));
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => averager.update());
    assert.equal(tf.memory().numTensors, before);
    const names = profile.kernels.map((k) => k.name);
    assert.deepEqual(names, ["L0WeightAverage"], names.join(", "));
    averager.swap(); // the averages into the model
    assert.equal(firstDifferent(flat(weights()), expected), -1);
    averager.swap(); // and back
    assert.equal(firstDifferent(flat(weights()), moved), -1);
    averager.swap();
    assert.equal(firstDifferent(flat(weights()), expected), -1, "a third swap brings the averages back");
    assert.equal(tf.memory().numTensors, before, "swapping makes no tensor and frees none");
    tf.dispose(start);
    averager.dispose();
    model.dispose();
  });
});

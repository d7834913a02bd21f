/**
 * The WebAssembly kernel of the weights' running average (src/kernels/average.wat, run
 * by src/kernels/average.ts): on the wasm backend it must run (not fall back to the
 * chain), give the same bits as the chain of tfjs kernels, also for lengths that are not
 * a multiple of its four lanes, for special values and after the backend's memory has
 * grown, be what WeightAverager's update runs, and leave no tensor behind. This file
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

/** Kernel and chain for weights of the shapes given (random, with special values sprinkled in), as arrays. */
function both(shapes: number[][], decay: number, seed: number): { kernel: Float32Array; chain: Float32Array } {
  return tf.tidy(() => {
    const weights = shapes.map((shape, i) => {
      const values = tf.randomNormal(shape, 0, 1, "float32", seed + i).dataSync() as Float32Array;
      for (let j = i; j < values.length; j += 7) values[j] = SPECIALS[(j + seed) % SPECIALS.length];
      return tf.tensor(values, shape);
    });
    const total = shapes.reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
    const averageValues = tf.randomNormal([total], 0, 1, "float32", seed + 100).dataSync() as Float32Array;
    for (let j = 3; j < total; j += 11) averageValues[j] = SPECIALS[j % SPECIALS.length];
    const average = tf.tensor1d(averageValues);
    return {
      kernel: averageUpdate(average, weights, decay).dataSync() as Float32Array,
      chain: averageUpdateChain(average, weights, decay).dataSync() as Float32Array,
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

  test("refuses an average whose length is not the weights' total, or tensors that are not float32, naming them", () => {
    tf.tidy(() => {
      const weights = [tf.ones([2, 3]), tf.ones([4])];
      assert.throws(
        () => averageUpdate(tf.zeros([9]), weights, 0.9),
        /averageUpdate: average must be a vector of 10 entries/,
      );
      assert.throws(
        () => averageUpdate(tf.zeros([2, 5]), weights, 0.9),
        /averageUpdate: average must be a vector of 10/,
      );
      assert.throws(
        () => averageUpdate(tf.zeros([10]), [tf.ones([2, 3]), tf.ones([4], "int32")], 0.9),
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
    const start = tf.tidy(() => tf.concat(weights().map((w) => tf.reshape(w, [-1]))));
    for (const w of model.trainableWeights) {
      const moved = tf.tidy(() => tf.add(w.read(), 1));
      w.write(moved);
      moved.dispose();
    }
    const expected = tf.tidy(() => averageUpdateChain(start, weights(), 0.9));
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => averager.update());
    assert.equal(tf.memory().numTensors, before);
    const names = profile.kernels.map((k) => k.name);
    assert.deepEqual(names, ["L0WeightAverage"], names.join(", "));
    averager.swap(); // the averages into the model
    const got = tf.tidy(() => tf.concat(weights().map((w) => tf.reshape(w, [-1]))).dataSync() as Float32Array);
    assert.equal(firstDifferent(got, expected.dataSync() as Float32Array), -1);
    tf.dispose([start, expected]);
    averager.dispose();
    model.dispose();
  });
});

/**
 * The WebAssembly kernel of Adam's update (src/kernels/adam.wat, run by
 * src/kernels/adam.ts): on the wasm backend it must run (not fall back to the
 * chain), give the same bits as the chain of tfjs kernels, also for lengths that
 * are not a multiple of its four lanes and after the backend's memory has grown,
 * and leave no tensor behind. This file selects the wasm backend itself (a
 * dependency, present wherever the library installs), so it tests the kernel on
 * every machine, also where `useBackend()` would pick tfjs-node.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { FusedAdam, useBackend } from "l0-hard-concrete";
import { adamKernelActive, adamMoments, adamMomentsChain } from "l0-hard-concrete/internal/kernels/adam";

before(async () => {
  await useBackend("wasm");
});

const SETTINGS = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/** Moments and step of both formulations for random inputs of length `n`, as numbers. */
function both(n: number, seed: number, settings = SETTINGS) {
  return tf.tidy(() => {
    const gradient = tf.mul(
      tf.randomNormal([n], 0, 1, "float32", seed),
      tf.randomUniform([n], 0, 1e3, "float32", seed),
    );
    const first = tf.randomNormal([n], 0, 0.1, "float32", seed + 1) as tf.Tensor1D;
    const second = tf.abs(tf.randomNormal([n], 0, 0.1, "float32", seed + 2)) as tf.Tensor1D;
    const c1 = tf.scalar(1 - 0.9 ** 7);
    const c2 = tf.scalar(1 - 0.999 ** 7);
    const read = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));
    return {
      kernel: read(adamMoments(gradient as tf.Tensor1D, first, second, c1, c2, settings)),
      chain: read(adamMomentsChain(gradient as tf.Tensor1D, first, second, c1, c2, settings)),
    };
  });
}

describe("Adam's WebAssembly kernel", () => {
  test("runs on the wasm backend, one output per moment and the step", () => {
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(adamKernelActive(), "adam.wat could not be instantiated on the wasm backend's memory");
    const shapes = tf.tidy(() => {
      const x = tf.ones([5]) as tf.Tensor1D;
      return adamMoments(x, x, x, tf.scalar(0.5), tf.scalar(0.5), SETTINGS).map((t) => t.shape.join());
    });
    assert.deepEqual(shapes, ["5", "5", "5"]);
  });

  test("gives the chain's bits, for lengths around its four lanes and a long vector", () => {
    for (const [n, seed] of [
      [1, 1],
      [3, 2],
      [4, 3],
      [5, 4],
      [1003, 5],
      [70001, 6],
    ]) {
      const { kernel, chain } = both(n, seed);
      ["first moment", "second moment", "step"].forEach((what, k) => {
        const differing = kernel[k].findIndex((value, i) => !Object.is(value, chain[k][i]));
        assert.equal(
          differing,
          -1,
          `n = ${n}, ${what}[${differing}]: ${kernel[k][differing]} vs ${chain[k][differing]}`,
        );
      });
    }
    const other = both(37, 7, { learningRate: 0.5, beta1: 0, beta2: 0.5, epsilon: 1e-3 });
    assert.deepEqual(other.kernel, other.chain, "other constants (β₁ = 0)");
  });

  test("still works after the backend's memory has grown (it imports the memory, not its buffer)", () => {
    const large = tf.zeros([64 * 1024 * 1024]); // 256 MB: more than the backend has allocated so far
    const { kernel, chain } = both(1001, 8);
    large.dispose();
    assert.deepEqual(kernel, chain);
  });

  test("is the kernel FusedAdam's steps run, once per group, and frees what it makes", async () => {
    const variables = [tf.variable(tf.randomNormal([300], 0, 1, "float32", 9), true, "adamKernelTestW")];
    const optimizer = new FusedAdam(1e-2);
    const loss = () => tf.sum(tf.square(variables[0])) as tf.Scalar;
    optimizer.minimize(loss, false, variables); // creates the moment vectors
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      optimizer.minimize(loss, false, variables);
    });
    assert.equal(tf.memory().numTensors, before);
    const names = profile.kernels.map((k) => k.name);
    assert.equal(names.filter((name) => name === "L0AdamMoments").length, 1, names.join(", "));
    assert.ok(!names.includes("Sqrt"), `the chain ran: ${names.join(", ")}`);
    optimizer.dispose();
    tf.dispose(variables);
  });
});

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
import { adamKernelActive, adamUpdate, adamUpdateChain } from "l0-hard-concrete/internal/kernels/adam";

before(async () => {
  await useBackend("wasm");
});

const SETTINGS = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/** Random float32 variables of the lengths `sizes`, with gradients and moments. */
function variablesOf(sizes: number[], seed: number) {
  return sizes.map((n, i) => {
    const s = seed + 10 * i;
    return {
      value: tf.randomNormal([n], 0, 1, "float32", s),
      gradient: tf.mul(tf.randomNormal([n], 0, 1, "float32", s + 1), tf.randomUniform([n], 0, 1e3, "float32", s + 2)),
      first: tf.randomNormal([n], 0, 0.1, "float32", s + 3),
      second: tf.abs(tf.randomNormal([n], 0, 0.1, "float32", s + 4)),
    };
  });
}

/** New values and moments of both formulations for random variables of lengths `sizes`, as numbers. */
function both(sizes: number[], seed: number, settings = SETTINGS) {
  return tf.tidy(() => {
    const variables = variablesOf(sizes, seed);
    const c1 = tf.scalar(1 - 0.9 ** 7);
    const c2 = tf.scalar(1 - 0.999 ** 7);
    const read = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));
    const kernel = adamUpdate(
      variables.map((v) => v.value),
      variables.map((v) => v.gradient),
      variables.map((v) => v.first),
      variables.map((v) => v.second),
      c1,
      c2,
      settings,
    );
    const chain = variables.map((v) => adamUpdateChain(v.value, v.gradient, v.first, v.second, c1, c2, settings));
    return {
      kernel: [kernel.values, kernel.firsts, kernel.seconds].map(read),
      chain: [0, 1, 2].map((k) => read(chain.map((update) => update[k]))),
    };
  });
}
describe("Adam's WebAssembly kernel", () => {
  test("runs on the wasm backend, one output per variable and moment", () => {
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(adamKernelActive(), "adam.wat could not be instantiated on the wasm backend's memory");
    const shapes = tf.tidy(() => {
      const [x, y] = [tf.ones([5]), tf.ones([2, 3])];
      const update = adamUpdate([x, y], [x, y], [x, y], [x, y], tf.scalar(0.5), tf.scalar(0.5), SETTINGS);
      return [update.values, update.firsts, update.seconds].map((ts) => ts.map((t) => t.shape.join("x")).join());
    });
    assert.deepEqual(shapes, ["5,2x3", "5,2x3", "5,2x3"]);
  });

  test("gives the chain's bits, for lengths around its four lanes and a long vector, several variables at once", () => {
    const sizes = [1, 3, 4, 5, 1003, 70001];
    const { kernel, chain } = both(sizes, 1);
    ["value", "first moment", "second moment"].forEach((what, k) => {
      sizes.forEach((n, v) => {
        const differing = kernel[k][v].findIndex((value, i) => !Object.is(value, chain[k][v][i]));
        assert.equal(
          differing,
          -1,
          `n = ${n}, ${what}[${differing}]: ${kernel[k][v][differing]} vs ${chain[k][v][differing]}`,
        );
      });
    });
    const other = both([37], 7, { learningRate: 0.5, beta1: 0, beta2: 0.5, epsilon: 1e-3 });
    assert.deepEqual(other.kernel, other.chain, "other constants (β₁ = 0)");
  });

  test("still works after the backend's memory has grown (it imports the memory, not its buffer)", () => {
    const large = tf.zeros([64 * 1024 * 1024]); // 256 MB: more than the backend has allocated so far
    const { kernel, chain } = both([1001, 6], 8);
    large.dispose();
    assert.deepEqual(kernel, chain);
  });

  test("is the kernel FusedAdam's steps run, once for all variables, and frees what it makes", async () => {
    const variables = [
      tf.variable(tf.randomNormal([300], 0, 1, "float32", 9), true, "adamKernelTestW"),
      tf.variable(tf.randomNormal([3, 4], 0, 1, "float32", 10), true, "adamKernelTestV"),
    ];
    const optimizer = new FusedAdam(1e-2);
    const loss = () => tf.add(tf.sum(tf.square(variables[0])), tf.sum(variables[1])) as tf.Scalar;
    optimizer.minimize(loss, false, variables); // creates the moments
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      optimizer.minimize(loss, false, variables);
    });
    assert.equal(tf.memory().numTensors, before);
    const names = profile.kernels.map((k) => k.name);
    assert.equal(names.filter((name) => name === "L0AdamUpdate").length, 1, names.join(", "));
    assert.ok(!names.includes("Sqrt"), `the chain ran: ${names.join(", ")}`);
    optimizer.dispose();
    tf.dispose(variables);
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { availableBackends, BACKENDS, backendName, useBackend } from "l0-hard-concrete";

/** Whether a package can be loaded here, found independently of the library. */
function installed(name: string): boolean {
  try {
    require(name);
    return true;
  } catch {
    return false;
  }
}

/** The backends expected on this machine: tfjs-node if it loads, wasm (a dependency), cpu always. */
const expected = [
  ...(installed("@tensorflow/tfjs-node") ? ["tensorflow"] : []),
  ...(installed("@tensorflow/tfjs-backend-wasm") ? ["wasm"] : []),
  "cpu",
];

describe("backend choice", () => {
  test("knows the three backends, fastest first", () => {
    assert.deepEqual([...BACKENDS], ["tensorflow", "wasm", "cpu"]);
  });

  test("lists exactly the backends whose packages load here, fastest first", () => {
    assert.ok(expected.includes("wasm"), "@tensorflow/tfjs-backend-wasm is a dependency");
    assert.deepEqual(availableBackends(), expected);
  });

  test("useBackend() picks the fastest installed backend, says which, and computes on it", async () => {
    await tf.setBackend("cpu");
    const chosen = await useBackend();
    assert.equal(chosen, expected[0]);
    assert.equal(backendName(), expected[0]);
    assert.equal(tf.getBackend(), expected[0]);
    const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4.5]));
    assert.deepEqual(Array.from(await sum.data()), [4, 6.5]);
    sum.dispose();
  });

  test("every installed backend can be selected by name and computes the same", async () => {
    const results: number[][] = [];
    for (const name of expected) {
      assert.equal(await useBackend(name as (typeof BACKENDS)[number]), name);
      assert.equal(tf.getBackend(), name);
      const product = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([0.5, -1, 2, 0], [2, 2]));
      results.push(Array.from(await product.data()));
      product.dispose();
    }
    for (const result of results) assert.deepEqual(result, [4.5, -1, 9.5, -3]);
    await useBackend();
  });

  test("an unknown name is refused with the list of names, and the backend stays", async () => {
    const current = tf.getBackend();
    await assert.rejects(
      useBackend("webgpu" as never),
      /useBackend: name must be one of tensorflow, wasm, cpu, got "webgpu"/,
    );
    assert.equal(tf.getBackend(), current);
  });

  test("a backend whose package is missing is refused by naming the package", {
    skip: expected.includes("tensorflow") ? "tfjs-node is installed here" : false,
  }, async () => {
    await assert.rejects(
      useBackend("tensorflow"),
      /useBackend: backend "tensorflow" is not installed \(npm install @tensorflow\/tfjs-node\)/,
    );
  });
});

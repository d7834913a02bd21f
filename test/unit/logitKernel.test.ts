/**
 * The WebAssembly kernel of the samplers' logistic noise, log(u / (1 − u))
 * (src/kernels/logit.wat, run by src/kernels/logit.ts): on the wasm backend it must
 * run (not fall back to the chain), give the chain's bits for every kind of float32
 * (its logf reimplements the C library's that tfjs-backend-wasm's Log uses), for
 * lengths around its four lanes and after the backend's memory has grown, be what
 * `sampleHardConcrete` runs, and leave no tensor behind. This file selects the wasm
 * backend itself, so it tests the kernel on every machine.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { sampleHardConcrete, useBackend } from "l0-hard-concrete";
import { logit, logitChain, logitKernelActive } from "l0-hard-concrete/internal/kernels/logit";

before(async () => {
  await useBackend("wasm");
});

/** The first index where kernel and chain differ for `values` (NaN equals NaN: WebAssembly leaves NaN's bits open), or −1. */
function firstDifference(values: Float32Array): { index: number; kernel?: number; chain?: number } {
  const [kernel, chain] = tf.tidy(() => {
    const u = tf.tensor1d(values);
    return [logit(u).dataSync(), logitChain(u).dataSync()];
  });
  const index = kernel.findIndex((k, i) => !Object.is(k, chain[i]) && !(Number.isNaN(k) && Number.isNaN(chain[i])));
  return { index, kernel: kernel[index], chain: chain[index] };
}

/** Every `step`-th float32 bit pattern from `from` up to `to`. */
function floatsBetween(from: number, to: number, step: number): Float32Array {
  const bits = new Uint32Array(Math.floor((to - from) / step) + 1);
  for (let i = 0; i < bits.length; i++) bits[i] = from + i * step;
  return new Float32Array(bits.buffer);
}

describe("the logistic noise's WebAssembly kernel", () => {
  test("runs on the wasm backend, one output of the input's shape", () => {
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(logitKernelActive(), "logit.wat could not be instantiated on the wasm backend's memory");
    const shape = tf.tidy(() => logit(tf.fill([2, 3], 0.25)).shape);
    assert.deepEqual(shape, [2, 3]);
  });

  test("gives the chain's bits for u in [0, 1] (every 1021st float32) and around it", () => {
    // u in [0, 1]: u/(1 − u) covers [0, +∞], through subnormals, every binade and 1.
    const sweep = floatsBetween(0, 0x3f800000, 1021);
    const difference = firstDifference(sweep);
    assert.equal(difference.index, -1, `u = ${sweep[difference.index]}: ${difference.kernel} vs ${difference.chain}`);
    const special = new Float32Array([
      -0,
      0,
      1,
      -1,
      2,
      0.5,
      1e-45,
      2 ** -126,
      2 ** -127,
      1 - 2 ** -24,
      1 + 2 ** -23,
      3.4e38,
      -3.4e38,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1e-6,
      1 - 1e-6,
    ]);
    const specialDifference = firstDifference(special);
    assert.equal(
      specialDifference.index,
      -1,
      `u = ${special[specialDifference.index]}: ${specialDifference.kernel} vs ${specialDifference.chain}`,
    );
  });

  test("gives the chain's bits for lengths around its four lanes", () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 1003]) {
      const values = Float32Array.from({ length: n }, (_, i) => (i + 0.5) / (n + 1));
      assert.equal(firstDifference(values).index, -1, `n = ${n}`);
    }
  });

  test("still works after the backend's memory has grown (it imports the memory, not its buffer)", () => {
    const large = tf.zeros([64 * 1024 * 1024]); // 256 MB: more than the backend has allocated so far
    const values = floatsBetween(0x3e000000, 0x3f000000, 4099);
    large.dispose();
    assert.equal(firstDifference(values).index, -1);
  });

  test("is what sampleHardConcrete runs, once, instead of Sub, Div and Log, and frees what it makes", async () => {
    const logAlpha = tf.zeros([1000]);
    const params = { beta: 2 / 3, gamma: -0.1, zeta: 1.1 };
    tf.dispose(sampleHardConcrete(logAlpha, params, 1));
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      tf.dispose(sampleHardConcrete(logAlpha, params, 1));
    });
    assert.equal(tf.memory().numTensors, before);
    const names = profile.kernels.map((k) => k.name);
    assert.equal(names.filter((name) => name === "L0Logit").length, 1, names.join(", "));
    assert.ok(!names.includes("Log"), `the chain ran: ${names.join(", ")}`);
    logAlpha.dispose();
  });
});

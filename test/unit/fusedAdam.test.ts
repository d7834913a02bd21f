import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { FusedAdam, useBackend } from "l0-hard-concrete";

before(async () => {
  await useBackend();
});

/** Variables of several shapes (a kernel, a bias, a log α, a scalar) and a loss coupling them. */
let problems = 0;
function problem(seed: number) {
  const id = problems++;
  const kernel = tf.variable(tf.randomNormal([7, 5], 0, 1, "float32", seed), true, `adamKernel${id}`);
  const bias = tf.variable(tf.randomNormal([5], 0, 1, "float32", seed + 1), true, `adamBias${id}`);
  const logAlpha = tf.variable(tf.randomNormal([7], 0, 1, "float32", seed + 2), true, `adamLogAlpha${id}`);
  const scale = tf.variable(tf.scalar(0.5), true, `adamScale${id}`);
  // A long vector too (70,000 entries: the kernel's four lanes and its last entries).
  const large = tf.variable(tf.randomNormal([70000], 0, 1, "float32", seed + 4), true, `adamLarge${id}`);
  const x = tf.randomNormal([4, 7], 0, 1, "float32", seed + 3);
  const loss = () =>
    tf.tidy(() => {
      const gated = tf.mul(x, tf.sigmoid(logAlpha));
      const y = tf.add(tf.matMul(gated, kernel), bias);
      const fit = tf.add(tf.sum(tf.square(tf.sub(tf.mul(y, scale), 1))), tf.sum(tf.abs(logAlpha)));
      return tf.add(fit, tf.mul(tf.sum(tf.square(tf.sub(large, tf.mul(scale, 2)))), 1e-3)) as tf.Scalar;
    });
  return { variables: [kernel, large, bias, logAlpha, scale], loss, x };
}

describe("FusedAdam", () => {
  test("takes the same 10 steps as tf.train.adam (within 1e-6), on variables of several shapes, and has its weights", async () => {
    const fused = problem(1);
    const reference = problem(1);
    const a = new FusedAdam(0.05);
    const b = tf.train.adam(0.05);
    for (let step = 1; step <= 10; step++) {
      a.minimize(fused.loss, false, fused.variables);
      b.minimize(reference.loss, false, reference.variables);
      fused.variables.forEach((variable, i) => {
        const got = variable.dataSync();
        const want = reference.variables[i].dataSync();
        assert.equal(got.length, want.length);
        got.forEach((v, j) => {
          assert.ok(Math.abs(v - want[j]) <= 1e-6, `step ${step}, ${variable.name}[${j}]: ${v} vs ${want[j]}`);
        });
        assert.ok(got.every(Number.isFinite));
      });
    }
    assert.equal(a.iterations, 10);
    // The same weights as tf.train.adam's: the iterations, then the first and the second moments.
    const [mine, theirs] = await Promise.all([a.getWeights(), b.getWeights()]);
    assert.deepEqual(
      mine.map((w) => w.name.replace(/\d+(?=\/|$)/, "")),
      theirs.map((w) => w.name.replace(/\d+(?=\/|$)/, "")),
    );
    mine.forEach((w, i) => {
      const [got, want] = [w.tensor.dataSync(), theirs[i].tensor.dataSync()];
      got.forEach((v, j) => {
        assert.ok(Math.abs(v - want[j]) <= 1e-6, `${w.name}[${j}]: ${v} vs ${want[j]}`);
      });
    });
    const restored = new FusedAdam(0.05);
    restored.minimize(fused.loss, false, fused.variables); // its moments exist only after a step
    await restored.setWeights(mine);
    assert.equal(restored.iterations, 10);
    await assert.rejects(
      restored.setWeights(mine.slice(0, -1)),
      /FusedAdam.setWeights: weightValues must be 10 moments \(two per variable\), got 9/,
    );
    const again = await restored.getWeights();
    again.forEach((w, i) => {
      assert.deepEqual(w.tensor.dataSync(), mine[i].tensor.dataSync(), w.name);
    });
    restored.dispose();
    // The weights moved away from their start (the comparison is not of two idle optimizers).
    const start = problem(1);
    assert.ok(
      tf.tidy(() => tf.max(tf.abs(tf.sub(fused.variables[0], start.variables[0]))).dataSync()[0]) > 0.1,
      "the kernel moved",
    );
    a.dispose();
    b.dispose();
    tf.dispose([...fused.variables, ...reference.variables, ...start.variables, fused.x, reference.x, start.x]);
  });

  test("refuses other variables than those of its first step and bad settings; leaves no tensor", () => {
    const { variables, loss, x } = problem(5);
    const before = tf.memory().numTensors;
    const optimizer = new FusedAdam(0.01);
    optimizer.minimize(loss, false, variables);
    const moments = 2 + 2 * variables.length; // β₁ᵗ, β₂ᵗ and two moments per variable
    assert.equal(tf.memory().numTensors, before + moments);
    optimizer.dispose();
    assert.equal(tf.memory().numTensors, before, "the optimizer leaves no tensor behind");
    const second = new FusedAdam(0.01);
    second.minimize(loss, false, variables);
    // (tfjs's minimize leaves the gradients undisposed when applyGradients throws)
    assert.throws(
      () => second.minimize(loss, false, variables.slice(1)),
      /FusedAdam.applyGradients: variableGradients must be gradients of \[adamKernel3, adamLarge3, adamBias3, adamLogAlpha3, adamScale3\] in this order/,
    );
    assert.throws(() => new FusedAdam(0), /FusedAdam: learningRate must be/);
    assert.throws(() => new FusedAdam(0.1, 1), /FusedAdam: beta1 must be a number in \[0, 1\), got 1/);
    second.dispose();
    tf.dispose([...variables, x]);
  });
});

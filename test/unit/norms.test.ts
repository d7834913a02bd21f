import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { l0Count, lqNorm, lqPowerSum, useBackend } from "l0-hard-concrete";

before(async () => {
  await useBackend();
});

const scalar = (t: tf.Scalar): number => {
  const value = t.arraySync();
  t.dispose();
  return value;
};

describe("lqNorm and lqPowerSum", () => {
  test("match hand-computed values", () => {
    assert.equal(lqNorm([3, -4], 2), 5);
    assert.equal(lqNorm([3, -4], 1), 7);
    assert.equal(lqPowerSum([1, -4, 0], 0.5), 3);
    assert.equal(lqNorm([1, 1], 0.5), 4);
  });

  test("tensor and plain-number versions agree to float32 precision", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.constantFrom(0.25, 0.5, 1, 2, 3),
        (values, q) => {
          const expected = lqNorm(values, q);
          const actual = scalar(lqNorm(tf.tensor1d(values), q));
          assert.ok(Math.abs(actual - expected) <= 1e-4 * Math.max(1, expected), `${actual} vs ${expected}`);
        },
      ),
    );
  });

  test("lqNorm of plain numbers neither overflows nor underflows where the norm is representable", () => {
    // The unscaled (Σ|xᵢ|^q)^(1/q) gives Infinity and 0 for these: their squares leave float64's range.
    assert.ok(Math.abs(lqNorm([3e200, -4e200], 2) / 5e200 - 1) < 1e-15);
    assert.ok(Math.abs(lqNorm([3e-200, 4e-200], 2) / 5e-200 - 1) < 1e-15);
    assert.ok(Math.abs(lqNorm([1e300, 1e300, 1e300], 1) / 3e300 - 1) < 1e-15);
    assert.equal(lqNorm([0, 0], 2), 0);
  });

  test("lqNorm's gradient is x·|x|^(q−2)/‖x‖^(q−1), and finite at x = 0 for q = 1", () => {
    const gradient = (values: number[], q: number) => {
      const x = tf.tensor1d(values);
      const g = tf.grad((v: tf.Tensor) => lqNorm(v, q))(x);
      const result = g.arraySync() as number[];
      tf.dispose([x, g]);
      return result;
    };
    const norm = Math.hypot(3, -4, 1e-3);
    gradient([3, -4, 1e-3], 2).forEach((d, i) => {
      assert.ok(Math.abs(d - [3, -4, 1e-3][i] / norm) < 1e-6, `∂/∂x${i} = ${d}`);
    });
    // Chapter 01's L1 fit starts from w = 0 (the value there, a subgradient, depends on the backend's sign of 0).
    assert.ok(gradient([0, 0, 0], 1).every(Number.isFinite));
  });

  test("lqPowerSum(x, 1) of a tensor has the value and gradient bits of tfjs's tf.sum(tf.abs(x)), also at ±0", () => {
    const values = [3, -4, 0, -0, 1e-45, -2.5e-38, 7e37, 0.1, -0.3];
    const x = tf.tensor1d(values);
    for (const dy of [1, -0.37, 2e-3]) {
      const [ours, chain] = tf.tidy(() => {
        const weighted = (f: (v: tf.Tensor) => tf.Scalar) => (v: tf.Tensor) => tf.mul(dy, f(v)) as tf.Scalar;
        const lq = (v: tf.Tensor) => lqPowerSum(v, 1);
        const plain = (v: tf.Tensor) => tf.sum(tf.abs(v)) as tf.Scalar;
        return [
          [weighted(lq)(x), tf.grad(weighted(lq))(x)],
          [weighted(plain)(x), tf.grad(weighted(plain))(x)],
        ].map((pair) => pair.map((t) => Array.from(t.dataSync())));
      });
      assert.deepEqual(ours, chain, `dy = ${dy}`); // deepEqual tells −0 from +0 (Object.is)
    }
    const slopes = tf.tidy(() =>
      Array.from(
        tf
          .grad((v: tf.Tensor) => lqPowerSum(v, 1))(x)
          .dataSync(),
      ),
    );
    assert.deepEqual(slopes, [1, -1, -1, -1, 1, -1, 1, 1, -1]);
    x.dispose();
  });

  test("the power sum tends to the count of non-zeros as q → 0", () => {
    const x = [0, 0.5, -2, 0, 3];
    assert.ok(Math.abs(lqPowerSum(x, 1e-6) - 3) < 1e-5);
    assert.ok(Math.abs(lqPowerSum(x, 1e-3) - 3) < Math.abs(lqPowerSum(x, 1e-1) - 3));
  });

  test("the triangle inequality fails for q < 1 and holds for q ≥ 1", () => {
    assert.ok(lqNorm([1, 1], 0.5) > lqNorm([1, 0], 0.5) + lqNorm([0, 1], 0.5));
    assert.ok(lqNorm([1, 1], 1) <= lqNorm([1, 0], 1) + lqNorm([0, 1], 1));
  });

  test("bad q and non-finite entries are named in the error", () => {
    assert.throws(() => lqNorm([1], 0), /^RangeError: lqNorm: q must be a finite number > 0, got 0$/);
    assert.throws(() => lqPowerSum([1], -1), /lqPowerSum: q must be a finite number > 0, got -1/);
    assert.throws(() => lqNorm([1], Number.NaN), /lqNorm: q must be a finite number > 0, got NaN/);
    assert.throws(
      () => lqNorm([1, Number.POSITIVE_INFINITY], 2),
      /lqNorm: x\[1\] must be a finite number, got Infinity/,
    );
  });
});

describe("l0Count", () => {
  test("counts non-zero entries, for plain numbers and tensors", () => {
    assert.equal(l0Count([0, 1e-30, -0, 5, 0]), 2);
    assert.equal(
      scalar(
        l0Count(
          tf.tensor2d([
            [0, 1],
            [2, 0],
          ]),
        ),
      ),
      2,
    );
  });

  test("is not homogeneous: ‖2x‖₀ = ‖x‖₀", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 })), (values) => {
        assert.equal(l0Count(values.map((v) => 2 * v)), l0Count(values));
      }),
    );
  });

  test("autodiff returns a zero gradient everywhere, also at zero", () => {
    const x = tf.tensor1d([0.3, -1.2, 0, 2]);
    const grad = tf.grad((t: tf.Tensor) => l0Count(t))(x);
    assert.ok(
      (grad.arraySync() as number[]).every((g) => g === 0),
      `gradient ${grad.arraySync()}`,
    );
    tf.dispose([x, grad]);
  });

  test("leaves no tensors behind", () => {
    const x = tf.tensor1d([1, 0, 2]);
    const before = tf.memory().numTensors;
    tf.dispose([l0Count(x), lqNorm(x, 2), lqPowerSum(x, 0.5)]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
});

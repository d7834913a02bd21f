import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import {
  applyGroupMask,
  applyMask,
  binaryConcreteCdf,
  binaryConcreteLogDensity,
  DEFAULT_PARAMS,
  dropRateFromLogAlpha,
  expectedL0,
  expectedL2,
  hardConcreteFromNoise,
  hardConcreteMean,
  hardConcreteParams,
  keepProbabilityFromLogAlpha,
  logisticNoise,
  logit,
  probFractional,
  probNonZero,
  probOne,
  probZero,
  Random,
  sampleBinaryConcrete,
  sampleHardConcrete,
  stretchedCdf,
  testTimeGate,
  topKGate,
  uniformNoise,
  useBackend,
} from "l0-hard-concrete";

const logAlphaArb = fc.double({ min: -1000, max: 1000, noNaN: true });
const paramsArb = fc.record({
  beta: fc.double({ min: 1e-3, max: 10, noNaN: true }),
  gamma: fc.double({ min: -5, max: -1e-3, noNaN: true }),
  zeta: fc.double({ min: 1 + 1e-3, max: 6, noNaN: true }),
});
const uArb = fc.oneof(
  fc.constantFrom(0, 1, Number.MIN_VALUE, 1e-310, 1 - 2 ** -53),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
const inUnit = (x: number) => Number.isFinite(x) && x >= 0 && x <= 1;

describe("properties over wide input ranges (fast-check)", () => {
  before(async () => {
    await useBackend();
  });

  it("closed forms are finite and in [0, 1] for log α in [−1000, 1000]", () => {
    fc.assert(
      fc.property(logAlphaArb, paramsArb, fc.double({ min: -10, max: 10, noNaN: true }), (a, p, x) => {
        for (const v of [probZero(a, p), probOne(a, p), probFractional(a, p), probNonZero(a, p)]) {
          assert.ok(inUnit(v));
        }
        assert.ok(inUnit(stretchedCdf(x, a, p)) && inUnit(testTimeGate(a, p)) && inUnit(hardConcreteMean(a, p)));
        assert.ok(Math.abs(probZero(a, p) + probOne(a, p) + probFractional(a, p) - 1) < 1e-12);
      }),
    );
  });

  it("logit and the sampler give no NaN or ±Infinity at u = 0, 1 and subnormal u", () => {
    fc.assert(
      fc.property(uArb, logAlphaArb, paramsArb, (u, a, p) => {
        assert.ok(Number.isFinite(logit(u)));
        assert.ok(inUnit(hardConcreteFromNoise(a, u, p)));
        const x = Math.min(Math.max(u, 1e-300), 1 - 1e-16);
        assert.ok(inUnit(binaryConcreteCdf(x, a, p.beta)));
        const d = binaryConcreteLogDensity(x, a, p.beta);
        assert.ok(!Number.isNaN(d) && d < Number.POSITIVE_INFINITY);
      }),
      { numRuns: 300 },
    );
  });

  it("tensor versions stay finite and in range, including u at 0, 1 and subnormal (float32)", () => {
    fc.assert(
      fc.property(fc.array(logAlphaArb, { minLength: 1, maxLength: 20 }), paramsArb, (as, p) => {
        tf.tidy(() => {
          const a = tf.tensor1d(as);
          const u = tf.tensor1d(as.map((_, i) => [0, 1, 1e-45, 1e-39, 0.5][i % 5]));
          assert.ok(Number.isFinite(Math.max(...tf.abs(logit(u)).dataSync())));
          for (const t of [
            hardConcreteFromNoise(a, u, p),
            sampleHardConcrete(a, p, 1),
            probNonZero(a, p),
            probFractional(a, p),
            testTimeGate(a, p),
            hardConcreteMean(a, p),
          ]) {
            for (const v of t.dataSync()) assert.ok(inUnit(v), `${v}`);
          }
          const g = tf.grad((x: tf.Tensor) => tf.add(expectedL0(x), tf.sum(sampleHardConcrete(x, p, 2))))(a);
          for (const v of g.dataSync()) assert.ok(Number.isFinite(v));
        });
      }),
      { numRuns: 60 },
    );
  });

  it("P(z≠0) is monotone in log α for any valid parameters", () => {
    fc.assert(
      fc.property(logAlphaArb, logAlphaArb, paramsArb, (a, b, p) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        assert.ok(probNonZero(lo, p) <= probNonZero(hi, p));
        assert.ok(hardConcreteMean(lo, p) <= hardConcreteMean(hi, p) + 1e-12);
      }),
    );
  });
});

describe("bad input: errors name the parameter, the value and the expectation", () => {
  it("invalid β, γ, ζ", () => {
    assert.throws(() => probNonZero(0, { ...DEFAULT_PARAMS, beta: -1 }), {
      message: "probNonZero: beta must be a finite number > 0, got -1",
    });
    assert.throws(() => probZero(0, { ...DEFAULT_PARAMS, beta: 0 }), {
      message: "probZero: beta must be a finite number > 0, got 0",
    });
    assert.throws(() => hardConcreteParams({ gamma: 0 }), {
      message: "hardConcreteParams: gamma must be a finite number < 0 (else no gate is ever exactly 0), got 0",
    });
    assert.throws(() => stretchedCdf(0.5, 0, { ...DEFAULT_PARAMS, zeta: 1 }), {
      message: "stretchedCdf: zeta must be a finite number > 1 (else no gate is ever exactly 1), got 1",
    });
  });

  it("non-finite log α, as a number and inside tensors", () => {
    assert.throws(() => probNonZero(Number.NaN), { message: "probNonZero: logAlpha must be a finite number, got NaN" });
    assert.throws(() => testTimeGate(Number.POSITIVE_INFINITY), {
      message: "testTimeGate: logAlpha must be a finite number, got Infinity",
    });
    const bad = tf.tensor1d([0, Number.NEGATIVE_INFINITY]);
    assert.throws(() => probOne(bad), {
      message: "probOne: logAlpha[1] (flat index) must be a finite number, got -Infinity",
    });
    assert.throws(() => expectedL0(bad), {
      message: "expectedL0: logAlpha[1] (flat index) must be a finite number, got -Infinity",
    });
    assert.throws(() => sampleHardConcrete(bad, DEFAULT_PARAMS, 1), {
      message: "sampleHardConcrete: logAlpha[1] (flat index) must be a finite number, got -Infinity",
    });
    bad.dispose();
  });

  it("mismatched shapes, bad axis, bad k, bad seed, bad u", () => {
    tf.tidy(() => {
      assert.throws(() => applyMask(tf.ones([2, 3]), tf.ones([3])), {
        message: "applyMask: mask must be a tensor of shape [2, 3] (the shape of x), got a tensor of shape [3]",
      });
      assert.throws(() => applyGroupMask(tf.ones([2, 3]), tf.ones([3]), 0), {
        message:
          "applyGroupMask: gates must be a tensor of shape [2] (one gate per index of weights along axis 0), got a tensor of shape [3]",
      });
      assert.throws(() => applyGroupMask(tf.ones([2, 3]), tf.ones([3]), 2), {
        message: "applyGroupMask: axis must be an integer in [-2, 1] (the weights have rank 2), got 2",
      });
      assert.throws(() => expectedL2(tf.ones([3]), tf.ones([2, 3]), 0.1, null), {
        message:
          "expectedL2: logAlpha must be a tensor of shape [2, 3] (the shape of weights: one gate per weight), got a tensor of shape [3]",
      });
      assert.throws(() => topKGate(tf.ones([3]), 4), {
        message: "topKGate: k must be an integer in [0, 3] (the number of gates), got 4",
      });
      assert.throws(() => new Random(1.5), { message: "Random: seed must be a safe integer, got 1.5" });
      assert.throws(() => logit(1.5), { message: "logit: u must be a number in [0, 1], got 1.5" });
      assert.throws(() => expectedL0(tf.ones([2]), 0), {
        message: "expectedL0: groupSize must be an integer ≥ 1 (the number of weights per gate), got 0",
      });
      assert.throws(() => expectedL0(tf.ones([2]), 1.5), {
        message: "expectedL0: groupSize must be an integer ≥ 1 (the number of weights per gate), got 1.5",
      });
    });
  });

  it("a bad noise margin ε is named by the function it was passed to", () => {
    tf.tidy(() => {
      assert.throws(() => uniformNoise([2], 1, 0.5), {
        message: "uniformNoise: epsilon must be a number in [0, 0.5), got 0.5",
      });
      assert.throws(() => logisticNoise([2], 1, -1e-6), {
        message: "logisticNoise: epsilon must be a number in [0, 0.5), got -0.000001",
      });
      assert.throws(() => sampleHardConcrete(tf.zeros([2]), DEFAULT_PARAMS, 1, Number.NaN), {
        message: "sampleHardConcrete: epsilon must be a number in [0, 0.5), got NaN",
      });
      assert.throws(() => sampleBinaryConcrete(tf.zeros([2]), 0.5, 1, 1), {
        message: "sampleBinaryConcrete: epsilon must be a number in [0, 0.5), got 1",
      });
    });
  });

  it("keepProbabilityFromLogAlpha is σ(log α) without overflow at the extremes", () => {
    assert.equal(keepProbabilityFromLogAlpha(-1000), 0);
    assert.equal(keepProbabilityFromLogAlpha(1000), 1);
    assert.ok(Math.abs(keepProbabilityFromLogAlpha(-40) / Math.exp(-40) - 1) < 1e-12);
    assert.ok(Math.abs(dropRateFromLogAlpha(40) / Math.exp(-40) - 1) < 1e-12);
    assert.throws(() => keepProbabilityFromLogAlpha(Number.NaN), {
      message: "keepProbabilityFromLogAlpha: logAlpha must be a finite number, got NaN",
    });
  });
});

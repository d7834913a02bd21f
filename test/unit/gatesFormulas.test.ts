import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  applyGroupMask,
  availableBackends,
  binaryConcreteCdf,
  binaryConcreteFromNoise,
  binaryConcreteLogDensity,
  binaryConcreteQuantile,
  DEFAULT_PARAMS,
  dropRateFromLogAlpha,
  expectedL0,
  expectedL2,
  hardConcreteFromNoise,
  hardConcreteMean,
  hardConcreteParams,
  keepProbabilityFromLogAlpha,
  logAlphaFromDropRate,
  logAlphaFromKeepProbability,
  medianGate,
  probFractional,
  probNonZero,
  probOne,
  probZero,
  Random,
  sampleBinaryConcrete,
  sampleHardConcrete,
  stretchedCdf,
  stretchedLogDensity,
  testTimeGate,
  topKGate,
  uniformNoise,
  useBackend,
} from "l0-hard-concrete";

const close = (a: number, b: number, tol: number, what = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);
const centralDifference = (f: (x: number) => number, x: number, h = 1e-5) => (f(x + h) - f(x - h)) / (2 * h);
const PARAMS = [DEFAULT_PARAMS, hardConcreteParams({ beta: 0.3, gamma: -0.5, zeta: 1.2 })];
const LOG_ALPHAS = [-4, -1, 0, 0.7, 3];

/** tf.grad of Σ f(x) at the points `xs`, as numbers. */
function tensorGrad(f: (x: tf.Tensor) => tf.Tensor, xs: number[]): Float32Array {
  return tf.tidy(
    () =>
      tf
        .grad((x: tf.Tensor) => tf.sum(f(x)))(tf.tensor1d(xs))
        .dataSync() as Float32Array,
  );
}

describe("stretchedLogDensity", () => {
  it("is the derivative of stretchedCdf inside (γ, ζ) and −∞ outside", () => {
    for (const p of PARAMS) {
      for (const a of LOG_ALPHAS) {
        for (const x of [p.gamma + 0.01, -0.05, 0.2, 0.5, 0.93, p.zeta - 0.01]) {
          const density = Math.exp(stretchedLogDensity(x, a, p));
          const slope = centralDifference((v) => stretchedCdf(v, a, p), x, 1e-6);
          close(density, slope, 1e-5 * Math.max(1, slope), `x = ${x}, log α = ${a}`);
        }
        assert.equal(stretchedLogDensity(p.gamma - 0.01, a, p), Number.NEGATIVE_INFINITY);
        assert.equal(stretchedLogDensity(p.zeta, a, p), Number.NEGATIVE_INFINITY);
      }
    }
  });

  it("tensor and number versions agree", () => {
    const xs = [-0.05, 0.1, 0.5, 0.99];
    const values = tf.tidy(() => stretchedLogDensity(tf.tensor1d(xs), 0.7).dataSync());
    for (const [i, x] of xs.entries()) close(values[i], stretchedLogDensity(x, 0.7), 1e-4, `x = ${x}`);
  });
});

describe("check values, identities and limits", () => {
  before(async () => {
    await useBackend();
  });

  it("paper's check values", () => {
    close(probNonZero(0), 0.832, 5e-4);
    close(probZero(0), 0.168, 5e-4);
    close(probOne(0), 0.168, 5e-4);
    close(probNonZero(0), 1 / (1 + Math.exp(-1.5986)), 1e-4);
    const half = hardConcreteParams({ beta: 0.5 });
    close(probZero(0, half) + probOne(0, half), 0.463, 5e-4);
    close(1 - probFractional(0, half), 0.463, 5e-4);
  });

  it("masses add up, P(z≠0) = 1 − P(z=0), and the symmetry γ = 1 − ζ", () => {
    for (const p of PARAMS)
      for (const a of LOG_ALPHAS) {
        close(probZero(a, p) + probOne(a, p) + probFractional(a, p), 1, 1e-12);
        close(probNonZero(a, p), 1 - probZero(a, p), 1e-12);
        close(probZero(a, p), stretchedCdf(0, a, p), 1e-12);
        close(probOne(a, p), 1 - stretchedCdf(1, a, p), 1e-12);
      }
    const symmetric = hardConcreteParams({ gamma: -0.2, zeta: 1.2, beta: 0.4 });
    for (const a of LOG_ALPHAS) close(probZero(a, symmetric), probOne(-a, symmetric), 1e-14);
  });

  it("P(z≠0) is increasing in log α and finite at ±1000", () => {
    let previous = -1;
    for (let a = -1000; a <= 1000; a += 0.5) {
      const p = probNonZero(a);
      assert.ok(p >= previous && Number.isFinite(p));
      previous = p;
    }
    assert.equal(probNonZero(-1000), 0);
    assert.equal(probNonZero(1000), 1);
    close(probNonZero(-30), Math.exp(-30 - (2 / 3) * Math.log(0.1 / 1.1)), 1e-24);
  });

  it("β → 0 gives Bernoulli(σ(log α)); γ = 0, ζ = 1 gives the binary concrete", () => {
    for (const a of LOG_ALPHAS) {
      const tiny = hardConcreteParams({ beta: 1e-4 });
      close(probNonZero(a, tiny), keepProbabilityFromLogAlpha(a), 1e-3);
      close(hardConcreteMean(a, tiny), keepProbabilityFromLogAlpha(a), 2e-3);
      for (const u of [0.01, 0.3, 0.8]) {
        assert.equal(binaryConcreteFromNoise(a, u, 1e-6), a + Math.log(u / (1 - u)) > 0 ? 1 : 0);
        // γ = 0, ζ = 1 is outside the validated range, so compare the formula directly.
        close(stretchedCdf(u, a, { beta: 0.6, gamma: -1e-12, zeta: 1 + 1e-12 }), binaryConcreteCdf(u, a, 0.6), 1e-9);
      }
    }
  });

  it("binary concrete: CDF ∘ quantile = id, density = paper's formula = dCDF/dx", () => {
    for (const a of LOG_ALPHAS)
      for (const beta of [0.2, 2 / 3, 2])
        for (const x of [0.05, 0.4, 0.9]) {
          const q = binaryConcreteQuantile(x, a, beta);
          // the round trip is well conditioned while q stays away from 0 and 1
          if (q > 1e-6 && q < 1 - 1e-6) close(binaryConcreteCdf(q, a, beta), x, 1e-9);
          const alpha = Math.exp(a);
          const paper =
            (beta * alpha * x ** (-beta - 1) * (1 - x) ** (-beta - 1)) / (alpha * x ** -beta + (1 - x) ** -beta) ** 2;
          close(Math.exp(binaryConcreteLogDensity(x, a, beta)), paper, 1e-10 * Math.max(1, paper));
          close(
            paper,
            centralDifference((v) => binaryConcreteCdf(v, a, beta), x, 1e-6),
            1e-6 * Math.max(1, paper),
          );
        }
  });

  it("E[z]: quadrature within 1e-12 of an independent adaptive Simpson of ∫₀¹(1 − Q)", () => {
    const simpson = (f: (x: number) => number, a: number, b: number, depth: number): number => {
      const m = (a + b) / 2;
      const whole = ((b - a) / 6) * (f(a) + 4 * f(m) + f(b));
      if (depth === 0) return whole;
      return simpson(f, a, m, depth - 1) + simpson(f, m, b, depth - 1);
    };
    for (const p of [...PARAMS, hardConcreteParams({ beta: 4 }), hardConcreteParams({ beta: 0.05 })])
      for (const a of [-6, -1, 0, 2, 6]) {
        const reference = simpson((x) => 1 - stretchedCdf(x, a, p), 0, 1, 14);
        close(hardConcreteMean(a, p), reference, 1e-12, `mean(${a}, ${JSON.stringify(p)})`);
      }
    const t = tf.tidy(() => hardConcreteMean(tf.tensor1d(LOG_ALPHAS)).dataSync());
    for (const [i, a] of LOG_ALPHAS.entries()) close(t[i], hardConcreteMean(a), 2e-6);
  });

  it("test-time gates: Eq. 13 zero iff log α ≤ −log 11, median at u = ½, top-k by P(z≠0)", () => {
    assert.equal(testTimeGate(-Math.log(11) - 1e-9), 0);
    assert.ok(testTimeGate(-Math.log(11) + 1e-6) > 0);
    assert.equal(testTimeGate(Math.log(11) + 1e-9), 1);
    close(testTimeGate(0), 0.5, 1e-12);
    for (const a of LOG_ALPHAS) close(medianGate(a), hardConcreteFromNoise(a, 0.5), 1e-12);
    const mask = tf.tidy(() =>
      topKGate(
        tf.tensor2d([
          [0.5, 3, -1],
          [3, 1000, -2],
        ]),
        3,
      ).dataSync(),
    );
    assert.deepEqual([...mask], [0, 1, 0, 1, 1, 0]);
    const ties = tf.tidy(() => topKGate(tf.tensor1d([1, 1, 1, 0]), 2).dataSync());
    assert.deepEqual([...ties], [1, 1, 0, 0]);
  });

  it("drop rate / keep probability / log α round trips and directions", () => {
    close(logAlphaFromDropRate(0.5), 0, 1e-15);
    close(logAlphaFromDropRate(0.2), Math.log(4), 1e-14);
    close(logAlphaFromKeepProbability(0.8), Math.log(4), 1e-14);
    close(dropRateFromLogAlpha(logAlphaFromDropRate(0.3)), 0.3, 1e-15);
    close(keepProbabilityFromLogAlpha(logAlphaFromKeepProbability(0.9)), 0.9, 1e-15);
  });

  it("penalties follow Σ_g P(z_g≠0)·Σ_{i∈g}(λ + ½ wd θ²)", () => {
    tf.tidy(() => {
      const logAlpha = tf.tensor1d([-1, 0, 2]);
      const weights = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      const p = [-1, 0, 2].map((a) => probNonZero(a));
      close(expectedL0(logAlpha, 2).dataSync()[0], 2 * (p[0] + p[1] + p[2]), 1e-5);
      const l2 = 0.5 * 0.1 * (p[0] * (1 + 4) + p[1] * (9 + 16) + p[2] * (25 + 36));
      close(expectedL2(logAlpha, weights, 0.1, 0).dataSync()[0], l2, 1e-5);
      close(expectedL2(logAlpha, weights.transpose(), 0.1, -1).dataSync()[0], l2, 1e-5);
      const perWeight = expectedL2(tf.zeros([3, 2]), weights, 1, null).dataSync()[0];
      close(perWeight, 0.5 * probNonZero(0) * 91, 1e-4);
    });
  });
});

describe("gradients against central finite differences (float64 plain-number versions)", () => {
  const cases: [string, (x: tf.Tensor) => tf.Tensor, (x: number) => number][] = [
    ["probNonZero", (x) => probNonZero(x), (a) => probNonZero(a)],
    ["probZero", (x) => probZero(x, PARAMS[1]), (a) => probZero(a, PARAMS[1])],
    ["probOne", (x) => probOne(x), (a) => probOne(a)],
    ["probFractional", (x) => probFractional(x, PARAMS[1]), (a) => probFractional(a, PARAMS[1])],
    ["hardConcreteMean", (x) => hardConcreteMean(x), (a) => hardConcreteMean(a)],
    ["testTimeGate", (x) => testTimeGate(x), (a) => testTimeGate(a)],
    ["medianGate", (x) => medianGate(x), (a) => medianGate(a)],
    ["keepProbabilityFromLogAlpha", (x) => keepProbabilityFromLogAlpha(x), (a) => keepProbabilityFromLogAlpha(a)],
    ["stretchedCdf wrt log α", (x) => stretchedCdf(tf.fill(x.shape, 0.3), x), (a) => stretchedCdf(0.3, a)],
    [
      "binaryConcreteCdf wrt log α",
      (x) => binaryConcreteCdf(tf.fill(x.shape, 0.3), x, 0.7),
      (a) => binaryConcreteCdf(0.3, a, 0.7),
    ],
    [
      "binaryConcreteLogDensity wrt log α",
      (x) => binaryConcreteLogDensity(tf.fill(x.shape, 0.3), x, 0.7),
      (a) => binaryConcreteLogDensity(0.3, a, 0.7),
    ],
    [
      "binaryConcreteQuantile wrt log α",
      (x) => binaryConcreteQuantile(tf.fill(x.shape, 0.3), x, 0.7),
      (a) => binaryConcreteQuantile(0.3, a, 0.7),
    ],
    [
      "hardConcreteFromNoise",
      (x) => hardConcreteFromNoise(x, tf.fill(x.shape, 0.6)),
      (a) => hardConcreteFromNoise(a, 0.6),
    ],
    ["expectedL0 (fused)", (x) => expectedL0(x, 3), (a) => 3 * probNonZero(a)],
  ];
  for (const [name, tensorF, numberF] of cases) {
    it(name, () => {
      const xs = [-2.3, -0.4, 0.1, 1.3];
      const g = tensorGrad(tensorF, xs);
      for (const [i, x] of xs.entries()) {
        close(g[i], centralDifference(numberF, x), 2e-5 * Math.max(1, Math.abs(g[i])), name);
      }
    });
  }

  it("sampleHardConcrete (fused customGrad) = the plain chain, value and gradient, to log α and weights", () => {
    tf.tidy(() => {
      const logAlpha = tf.randomNormal([2000], 0, 2, "float32", 3);
      const weights = tf.randomNormal([2000], 0, 1, "float32", 4);
      const fused = (a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(sampleHardConcrete(a, DEFAULT_PARAMS, 11), w));
      const chain = (a: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.mul(hardConcreteFromNoise(a, uniformNoise(a.shape, 11)), w));
      const [ga, gw] = tf.grads(fused)([logAlpha, weights]);
      const [ca, cw] = tf.grads(chain)([logAlpha, weights]);
      assert.ok(tf.max(tf.abs(tf.sub(ga, ca))).dataSync()[0] < 1e-5);
      assert.ok(tf.max(tf.abs(tf.sub(gw, cw))).dataSync()[0] < 1e-5);
      // and against finite differences of the float64 sampler with the same noise
      const u = uniformNoise([2000], 11).dataSync();
      const a = logAlpha.dataSync();
      const w = weights.dataSync();
      const g = ga.dataSync();
      for (let i = 0; i < 2000; i += 37) {
        const fd = centralDifference((x) => hardConcreteFromNoise(x, u[i]), a[i]) * w[i];
        close(g[i], fd, 1e-3 * Math.max(1, Math.abs(fd)));
      }
    });
  });

  it("sampleBinaryConcrete and applyGroupMask pass gradients to log α and weights", () => {
    tf.tidy(() => {
      const a = tf.tensor1d([0.3, -1]);
      const g = tf
        .grad((x: tf.Tensor) => tf.sum(sampleBinaryConcrete(x, 0.5, 3)))(a)
        .dataSync();
      const u = uniformNoise([2], 3).dataSync();
      for (const [i, x] of [0.3, -1].entries()) {
        close(
          g[i],
          centralDifference((v) => binaryConcreteFromNoise(v, u[i], 0.5), x),
          1e-4,
        );
      }
      const w = tf.ones([2, 3]);
      const gates = tf.tensor1d([0.5, 2]);
      const [gw, gg] = tf.grads((ww: tf.Tensor, gg: tf.Tensor) => tf.sum(applyGroupMask(ww, gg, 0)))([w, gates]);
      assert.deepEqual([...gw.dataSync()], [0.5, 0.5, 0.5, 2, 2, 2]);
      assert.deepEqual([...gg.dataSync()], [3, 3]);
    });
  });
});

describe("randomness and memory", () => {
  it("same seed, same samples, on every backend present; a Random advances", async () => {
    const results: Float32Array[] = [];
    for (const backend of await availableBackends()) {
      await useBackend(backend);
      const z = tf.tidy(() => sampleHardConcrete(tf.linspace(-3, 3, 1000), DEFAULT_PARAMS, 1234).dataSync());
      results.push(z as Float32Array);
      const u1 = tf.tidy(() => uniformNoise([5], 7).dataSync());
      const u2 = tf.tidy(() => uniformNoise([5], 7).dataSync());
      assert.deepEqual(u1, u2);
      const random = new Random(7);
      const v1 = tf.tidy(() => uniformNoise([5], random).dataSync());
      const v2 = tf.tidy(() => uniformNoise([5], random).dataSync());
      assert.notDeepEqual(v1, v2);
    }
    for (const r of results) for (let i = 0; i < r.length; i++) close(r[i], results[0][i], 1e-6);
    await useBackend();
  });

  it("no function leaks tensors", () => {
    const a = tf.tensor1d([-1, 0, 2]);
    const w = tf.ones([3, 2]);
    const fns: (() => tf.Tensor | tf.Tensor[])[] = [
      () => probNonZero(a),
      () => probZero(a),
      () => probOne(a),
      () => probFractional(a),
      () => stretchedCdf(a, a),
      () => hardConcreteMean(a),
      () => testTimeGate(a),
      () => medianGate(a),
      () => topKGate(a, 1),
      () => sampleHardConcrete(a, DEFAULT_PARAMS, 1),
      () => sampleBinaryConcrete(a, 0.5, 1),
      () => binaryConcreteLogDensity(a, a, 0.5),
      () => binaryConcreteQuantile(a, a, 0.5),
      () => expectedL0(a, 2),
      () => expectedL2(a, w, 0.1, 0),
      () => applyGroupMask(w, a, 0),
      () => tf.grad((x: tf.Tensor) => expectedL0(x))(a),
      () => tf.grad((x: tf.Tensor) => tf.sum(sampleHardConcrete(x, DEFAULT_PARAMS, 2)))(a),
      () => tf.grad((x: tf.Tensor) => tf.sum(hardConcreteMean(x)))(a),
    ];
    for (const [i, f] of fns.entries()) {
      const before = tf.memory().numTensors;
      const out = f();
      const count = Array.isArray(out) ? out.length : 1;
      assert.equal(tf.memory().numTensors, before + count, `function #${i}`);
      tf.dispose(out);
    }
    tf.dispose([a, w]);
  });
});

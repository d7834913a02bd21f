import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  bernoulliFromLogisticNoise,
  binaryConcreteCdf,
  hardConcreteMean,
  hardConcreteParams,
  logisticNoise,
  probOne,
  probZero,
  Random,
  sampleBinaryConcrete,
  sampleHardConcrete,
  stretch,
  stretchedCdf,
  useBackend,
} from "l0-hard-concrete";
import { binomialBand, FLOAT32_ROUNDING, ksPasses, ksStatistic } from "./stats";

const N = 100_000;
const CASES = [
  { logAlpha: 0, beta: 2 / 3, gamma: -0.1, zeta: 1.1 },
  { logAlpha: 3, beta: 0.5, gamma: -0.1, zeta: 1.1 },
  { logAlpha: -2, beta: 1, gamma: -0.5, zeta: 1.5 },
  { logAlpha: 8, beta: 0.2, gamma: -0.1, zeta: 1.1 },
  { logAlpha: -6, beta: 2 / 3, gamma: -0.01, zeta: 1.01 },
  { logAlpha: 1, beta: 3, gamma: -2, zeta: 3 },
];

describe("statistics of the samplers (10^5 draws, α = 0.001)", () => {
  before(async () => {
    await useBackend();
  });

  it("logistic noise follows Logistic(0,1): KS against σ(x)", () => {
    const x = logisticNoise([N], 1);
    const d = ksStatistic(x.dataSync(), (v) => 1 / (1 + Math.exp(-v)));
    x.dispose();
    assert.ok(ksPasses(d, N), `D = ${d}`);
  });

  for (const [k, c] of CASES.entries()) {
    const params = hardConcreteParams({ beta: c.beta, gamma: c.gamma, zeta: c.zeta });
    it(`s̄ follows its CDF Q (KS) for ${JSON.stringify(c)}`, () => {
      const sBar = tf.tidy(() => stretch(sampleBinaryConcrete(tf.fill([N], c.logAlpha), c.beta, 100 + k, 0), params));
      const d = ksStatistic(sBar.dataSync(), (x) => stretchedCdf(x, c.logAlpha, params), FLOAT32_ROUNDING);
      sBar.dispose();
      assert.ok(ksPasses(d, N), `D = ${d}`);
    });
    it(`P(z=0), P(z=1) inside binomial bands and mean near E[z] for ${JSON.stringify(c)}`, () => {
      const z = tf.tidy(() => sampleHardConcrete(tf.fill([N], c.logAlpha), params, 200 + k));
      const values = z.dataSync();
      z.dispose();
      let zeros = 0;
      let ones = 0;
      let sum = 0;
      for (const v of values) {
        if (v === 0) zeros++;
        if (v === 1) ones++;
        sum += v;
        assert.ok(v >= 0 && v <= 1);
      }
      const [z0, z1] = binomialBand(N, probZero(c.logAlpha, params));
      assert.ok(zeros >= z0 && zeros <= z1, `zeros ${zeros} not in [${z0}, ${z1}]`);
      const [o0, o1] = binomialBand(N, probOne(c.logAlpha, params));
      assert.ok(ones >= o0 && ones <= o1, `ones ${ones} not in [${o0}, ${o1}]`);
      // z ∈ [0,1] so Var z ≤ 1/4: |mean − E z| ≤ 3.29·0.5/√n at α = 0.001.
      assert.ok(Math.abs(sum / N - hardConcreteMean(c.logAlpha, params)) <= (3.2905 * 0.5) / Math.sqrt(N));
    });
  }

  it("binary concrete samples follow binaryConcreteCdf (KS)", () => {
    const s = tf.tidy(() => sampleBinaryConcrete(tf.fill([N], 1.5), 0.7, 9, 0));
    const d = ksStatistic(s.dataSync(), (x) => binaryConcreteCdf(x, 1.5, 0.7), FLOAT32_ROUNDING);
    s.dispose();
    assert.ok(ksPasses(d, N), `D = ${d}`);
  });

  it("thresholded logistic noise is Bernoulli(σ(log α)) (binomial band)", () => {
    for (const logAlpha of [-3, 0, 2]) {
      const count = tf.tidy(() => tf.sum(bernoulliFromLogisticNoise(logAlpha, logisticNoise([N], new Random(5)))));
      const k = count.dataSync()[0];
      count.dispose();
      const [lo, hi] = binomialBand(N, 1 / (1 + Math.exp(-logAlpha)));
      assert.ok(k >= lo && k <= hi, `${k} not in [${lo}, ${hi}]`);
    }
  });
});

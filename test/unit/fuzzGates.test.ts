// Fuzzing the formulas of src/gates (issue 15): for every exported function, `CASES`
// generated valid cases (number overload) checking range, monotonicity and symmetry,
// `CASES` generated values through the tensor overload (batched, `BATCH` per tensor)
// checking agreement with the number overload, and `CASES` invalid cases that must
// throw an Error naming the parameter. Edge values (±1000, 0, 1, subnormals, the
// largest floats, NaN, ±Infinity, rank-0 and empty tensors) are mixed into every input.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import {
  bernoulliFromLogisticNoise,
  binaryConcreteCdf,
  binaryConcreteFromNoise,
  binaryConcreteLogDensity,
  binaryConcreteQuantile,
  clampToUnit,
  DEFAULT_PARAMS,
  dropRateFromLogAlpha,
  gateThresholds,
  type HardConcreteParams,
  hardConcreteFromNoise,
  hardConcreteMean,
  hardConcreteParams,
  keepProbabilityFromLogAlpha,
  logAlphaFromDropRate,
  logAlphaFromKeepProbability,
  logit,
  medianGate,
  probFractional,
  probNonZero,
  probOne,
  probZero,
  stretch,
  stretchedCdf,
  stretchedLogDensity,
  testTimeGate,
  useBackend,
} from "l0-hard-concrete";
import {
  BATCH,
  badParams,
  finite,
  inUnit,
  logAlpha,
  near,
  noLeak,
  notFinite,
  openUnit,
  outside,
  params,
  RUNS,
  symmetricParams,
  TENSOR_RUNS,
  throwsNaming,
  unit,
  withBad,
} from "./fuzz";

before(async () => {
  await useBackend();
});

/** Two values in increasing order. */
const ordered = (arb: fc.Arbitrary<number>) => fc.tuple(arb, arb).map(([a, b]) => (a <= b ? [a, b] : [b, a]));

/** A function of log α and the parameters (the closed forms and deterministic gates). */
type OfLogAlpha = {
  (a: number, p?: HardConcreteParams): number;
  (a: tf.Tensor, p?: HardConcreteParams): tf.Tensor;
};
const ofLogAlpha: [string, OfLogAlpha, "up" | "down"][] = [
  ["probZero", probZero, "down"],
  ["probOne", probOne, "up"],
  ["probNonZero", probNonZero, "up"],
  ["hardConcreteMean", hardConcreteMean, "up"],
  ["testTimeGate", testTimeGate, "up"],
  ["medianGate", medianGate, "up"],
];

/** `f(logAlpha, params)` throws an Error naming `logAlpha` for a non-finite log α and the parameter for a bad β, γ or ζ. */
function rejectsBadLogAlphaOrParams(name: string, f: (logAlpha: number, params?: HardConcreteParams) => number): void {
  fc.assert(
    fc.property(
      fc.oneof(
        notFinite.map((v) => ({ name: "logAlpha", value: v })),
        badParams,
      ),
      (bad) => {
        if (bad.name === "logAlpha") throwsNaming(() => f(bad.value as number), name, "logAlpha");
        else throwsNaming(() => f(0, withBad(bad)), name, bad.name);
      },
    ),
    RUNS,
  );
}

describe("fuzz: functions of log α (number overloads)", () => {
  for (const [name, f, direction] of ofLogAlpha) {
    it(`${name}: in [0, 1] and monotone in log α`, () => {
      fc.assert(
        fc.property(ordered(logAlpha), params, ([a, b], p) => {
          const [fa, fb] = [f(a, p), f(b, p)];
          inUnit(fa, `${name}(${a})`);
          assert.ok(direction === "up" ? fa <= fb + 1e-15 : fa >= fb - 1e-15, `${name} not monotone at ${a}, ${b}`);
        }),
        RUNS,
      );
    });
    it(`${name}: bad log α or parameters throw an Error naming them`, () => rejectsBadLogAlphaOrParams(name, f));
  }

  it("probFractional: in [0, 1], and the three masses sum to 1; P(z = 0) + P(z ≠ 0) = 1", () => {
    fc.assert(
      fc.property(logAlpha, params, (a, p) => {
        const [zero, one, fractional] = [probZero(a, p), probOne(a, p), probFractional(a, p)];
        inUnit(fractional, `probFractional(${a})`);
        near(zero + one + fractional, 1, 1e-12, `masses at ${a}`);
        near(zero + probNonZero(a, p), 1, 1e-15, `P(z = 0) + P(z ≠ 0) at ${a}`);
      }),
      RUNS,
    );
    rejectsBadLogAlphaOrParams("probFractional", probFractional);
  });

  it("symmetry of the stretch γ = 1 − ζ: P(z = 1 | log α) = P(z = 0 | −log α), ẑ(log α) + ẑ(−log α) = 1", () => {
    fc.assert(
      fc.property(logAlpha, symmetricParams, (a, p) => {
        near(probOne(a, p), probZero(-a, p), 1e-12, `P(z = 1 | ${a})`);
        near(testTimeGate(a, p) + testTimeGate(-a, p), 1, 1e-12, `ẑ(±${a})`);
        near(medianGate(a, p) + medianGate(-a, p), 1, 1e-12, `median(±${a})`);
        near(hardConcreteMean(a, p) + hardConcreteMean(-a, p), 1, 1e-12, `E[z](±${a})`);
      }),
      RUNS,
    );
  });

  it("P(z = 1) ≤ E[z] ≤ P(z ≠ 0), and the thresholds satisfy zero < one", () => {
    fc.assert(
      fc.property(logAlpha, params, (a, p) => {
        const mean = hardConcreteMean(a, p);
        assert.ok(probOne(a, p) <= mean + 1e-12 && mean <= probNonZero(a, p) + 1e-12, `E[z] at ${a}`);
        const { zero, one } = gateThresholds(p);
        assert.ok(Number.isFinite(zero) && Number.isFinite(one) && zero < one);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(badParams, (bad) => {
        throwsNaming(() => gateThresholds(withBad(bad)), "gateThresholds", bad.name);
        throwsNaming(() => hardConcreteParams({ [bad.name]: bad.value }), "hardConcreteParams", bad.name);
      }),
      RUNS,
    );
  });

  it("the conversions between drop rate, keep probability and log α: inverse, monotone, symmetric", () => {
    fc.assert(
      fc.property(ordered(openUnit), logAlpha, ([p, q], a) => {
        const [lp, lq] = [logAlphaFromDropRate(p), logAlphaFromDropRate(q)];
        assert.ok(Number.isFinite(lp) && lp >= lq, `logAlphaFromDropRate not decreasing at ${p}, ${q}`);
        assert.ok(logAlphaFromKeepProbability(p) === -lp, `logit symmetry at ${p}`);
        near(dropRateFromLogAlpha(lp), p, 1e-15 + 1e-12 * p, `dropRateFromLogAlpha(logAlphaFromDropRate(${p}))`);
        near(keepProbabilityFromLogAlpha(logAlphaFromKeepProbability(p)), p, 1e-15 + 1e-12 * p, `keep ${p}`);
        const k = keepProbabilityFromLogAlpha(a);
        inUnit(k, `keepProbabilityFromLogAlpha(${a})`);
        assert.equal(dropRateFromLogAlpha(a), keepProbabilityFromLogAlpha(-a));
        near(k + dropRateFromLogAlpha(a), 1, 1e-15, `keep + drop at ${a}`);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(outside(0, 1), notFinite, (p, a) => {
        throwsNaming(() => logAlphaFromDropRate(p as number), "logAlphaFromDropRate", "dropRate");
        throwsNaming(() => logAlphaFromKeepProbability(p as number), "logAlphaFromKeepProbability", "keepProbability");
        throwsNaming(() => keepProbabilityFromLogAlpha(a as number), "keepProbabilityFromLogAlpha", "logAlpha");
        throwsNaming(() => dropRateFromLogAlpha(a as number), "dropRateFromLogAlpha", "logAlpha");
      }),
      RUNS,
    );
  });
});

describe("fuzz: distributions and the sampler's steps (number overloads)", () => {
  it("stretchedCdf in [0, 1], increasing in x, decreasing in log α, Q(0) = P(z = 0); its log-density never NaN or +Infinity", () => {
    fc.assert(
      fc.property(ordered(finite), logAlpha, params, ([x, y], a, p) => {
        const [qx, qy] = [stretchedCdf(x, a, p), stretchedCdf(y, a, p)];
        inUnit(qx, `stretchedCdf(${x}, ${a})`);
        assert.ok(qx <= qy, `stretchedCdf not increasing at ${x}, ${y}`);
        assert.ok(stretchedCdf(x, a + 1, p) <= qx, `stretchedCdf not decreasing in log α at ${x}, ${a}`);
        near(stretchedCdf(0, a, p), probZero(a, p), 1e-12, `Q(0) at ${a}`);
        const d = stretchedLogDensity(x, a, p);
        assert.ok(d < Number.POSITIVE_INFINITY, `stretchedLogDensity(${x}, ${a}) = ${d}`);
        if (!(x > p.gamma && x < p.zeta)) assert.equal(d, Number.NEGATIVE_INFINITY);
      }),
      RUNS,
    );
  });

  it("binaryConcreteCdf and Quantile: in [0, 1], increasing, inverse of each other; log-density never NaN or +Infinity", () => {
    fc.assert(
      fc.property(
        ordered(unit),
        logAlpha.filter((a) => Math.abs(a) <= 1000),
        params,
        ([u, v], a, { beta }) => {
          const [xu, xv] = [binaryConcreteQuantile(u, a, beta), binaryConcreteQuantile(v, a, beta)];
          inUnit(xu, `quantile(${u}, ${a}, ${beta})`);
          assert.ok(xu <= xv, `quantile not increasing at ${u}, ${v}`);
          const c = binaryConcreteCdf(xu, a, beta);
          inUnit(c, `cdf(${xu})`);
          assert.ok(binaryConcreteCdf(xv, a, beta) >= c, `cdf not increasing at ${xu}, ${xv}`);
          if (xu > 1e-6 && xu < 1 - 1e-6) near(c, u, 1e-9, `cdf(quantile(${u}, ${a}, ${beta}))`);
          const d = binaryConcreteLogDensity(xu, a, beta);
          assert.ok(d < Number.POSITIVE_INFINITY, `logDensity(${xu}) = ${d}`);
          if (!(xu > 0 && xu < 1)) assert.equal(d, Number.NEGATIVE_INFINITY);
        },
      ),
      RUNS,
    );
  });

  it("the sampler: binaryConcreteFromNoise, stretch, clampToUnit, hardConcreteFromNoise in range and monotone in u and log α", () => {
    fc.assert(
      fc.property(ordered(unit), logAlpha, params, ([u, v], a, p) => {
        const s = binaryConcreteFromNoise(a, u, p.beta);
        inUnit(s, `binaryConcreteFromNoise(${a}, ${u})`);
        assert.ok(s <= binaryConcreteFromNoise(a, v, p.beta), "not increasing in u");
        const z = hardConcreteFromNoise(a, u, p);
        inUnit(z, `hardConcreteFromNoise(${a}, ${u})`);
        assert.equal(z, clampToUnit(stretch(s, p)));
        assert.ok(z <= hardConcreteFromNoise(a, v, p), "not increasing in u");
        assert.ok(z <= hardConcreteFromNoise(a + 1, u, p), "not increasing in log α");
        const stretched = stretch(s, p);
        assert.ok(stretched >= p.gamma - 1e-12 && stretched <= p.zeta + 1e-12, `stretch(${s}) = ${stretched}`);
        const logistic = logit(u);
        assert.ok(Number.isFinite(logistic) && logistic <= logit(v), `logit(${u}) = ${logistic}`);
        if (u === 1 - v) assert.ok(logistic === -logit(v), `logit(1 − ${v})`);
        const bern = bernoulliFromLogisticNoise(a, logistic);
        assert.ok(bern === 0 || bern === 1);
        assert.ok(bern <= bernoulliFromLogisticNoise(a, logit(v)), "bernoulli not increasing in the noise");
      }),
      RUNS,
    );
    fc.assert(
      fc.property(finite, ordered(finite), (x, [y, w]) => {
        const c = clampToUnit(x);
        inUnit(c, `clampToUnit(${x})`);
        assert.equal(clampToUnit(c), c);
        assert.ok(clampToUnit(y) <= clampToUnit(w));
      }),
      RUNS,
    );
  });

  it("bad input to the distributions and the sampler throws an Error naming the parameter", () => {
    const cases: [string, string, fc.Arbitrary<unknown>, (v: unknown) => unknown][] = [
      ["stretchedCdf", "x", notFinite, (v) => stretchedCdf(v as number, 0)],
      ["stretchedCdf", "logAlpha", notFinite, (v) => stretchedCdf(0.5, v as number)],
      ["stretchedLogDensity", "x", notFinite, (v) => stretchedLogDensity(v as number, 0)],
      ["stretchedLogDensity", "logAlpha", notFinite, (v) => stretchedLogDensity(0.5, v as number)],
      ["binaryConcreteCdf", "x", notFinite, (v) => binaryConcreteCdf(v as number, 0, 0.5)],
      ["binaryConcreteCdf", "logAlpha", notFinite, (v) => binaryConcreteCdf(0.5, v as number, 0.5)],
      [
        "binaryConcreteCdf",
        "beta",
        outside(0, Number.POSITIVE_INFINITY),
        (v) => binaryConcreteCdf(0.5, 0, v as number),
      ],
      ["binaryConcreteLogDensity", "x", notFinite, (v) => binaryConcreteLogDensity(v as number, 0, 0.5)],
      ["binaryConcreteLogDensity", "logAlpha", notFinite, (v) => binaryConcreteLogDensity(0.5, v as number, 0.5)],
      [
        "binaryConcreteLogDensity",
        "beta",
        outside(0, Number.POSITIVE_INFINITY),
        (v) => binaryConcreteLogDensity(0.5, 0, v as number),
      ],
      ["binaryConcreteQuantile", "p", outside(0, 1, true), (v) => binaryConcreteQuantile(v as number, 0, 0.5)],
      ["binaryConcreteQuantile", "logAlpha", notFinite, (v) => binaryConcreteQuantile(0.5, v as number, 0.5)],
      [
        "binaryConcreteQuantile",
        "beta",
        outside(0, Number.POSITIVE_INFINITY),
        (v) => binaryConcreteQuantile(0.5, 0, v as number),
      ],
      ["binaryConcreteFromNoise", "u", outside(0, 1, true), (v) => binaryConcreteFromNoise(0, v as number, 0.5)],
      ["binaryConcreteFromNoise", "logAlpha", notFinite, (v) => binaryConcreteFromNoise(v as number, 0.5, 0.5)],
      [
        "binaryConcreteFromNoise",
        "beta",
        outside(0, Number.POSITIVE_INFINITY),
        (v) => binaryConcreteFromNoise(0, 0.5, v as number),
      ],
      ["hardConcreteFromNoise", "u", outside(0, 1, true), (v) => hardConcreteFromNoise(0, v as number)],
      ["hardConcreteFromNoise", "logAlpha", notFinite, (v) => hardConcreteFromNoise(v as number, 0.5)],
      ["stretch", "s", notFinite, (v) => stretch(v as number)],
      ["clampToUnit", "sBar", notFinite, (v) => clampToUnit(v as number)],
      ["logit", "u", outside(0, 1, true), (v) => logit(v as number)],
      ["bernoulliFromLogisticNoise", "logAlpha", notFinite, (v) => bernoulliFromLogisticNoise(v as number, 0)],
      ["bernoulliFromLogisticNoise", "noise", notFinite, (v) => bernoulliFromLogisticNoise(0, v as number)],
    ];
    const byFunction = new Map<string, typeof cases>();
    for (const c of cases) byFunction.set(c[0], [...(byFunction.get(c[0]) ?? []), c]);
    for (const [where, list] of byFunction) {
      const arbitrary = fc.oneof(...list.map(([, name, values, call]) => values.map((v) => ({ name, v, call }))));
      fc.assert(
        fc.property(arbitrary, ({ name, v, call }) => throwsNaming(() => call(v), where, name)),
        RUNS,
      );
    }
    fc.assert(
      fc.property(badParams, (bad) => {
        const p = withBad(bad);
        throwsNaming(() => stretchedCdf(0.5, 0, p), "stretchedCdf", bad.name);
        throwsNaming(() => stretchedLogDensity(0.5, 0, p), "stretchedLogDensity", bad.name);
        throwsNaming(() => hardConcreteFromNoise(0, 0.5, p), "hardConcreteFromNoise", bad.name);
        throwsNaming(() => stretch(0.5, p), "stretch", bad.name);
      }),
      RUNS,
    );
  });
});

/** float32 rounding: the tensor overloads compute in float32 (inputs, constants and transcendental functions). */
const FLOAT32_ABS = 1e-5;

/** Runs `f` on a [BATCH] tensor of `values` (float32) and returns the result's values. */
function onTensor(values: number[], f: (t: tf.Tensor) => tf.Tensor): Float32Array {
  return tf.tidy(() => f(tf.tensor1d(values)).dataSync() as Float32Array);
}

/** A batch of values, each also given as its float32 rounding (what the tensor holds). */
const batchOf = (arb: fc.Arbitrary<number>) =>
  fc.array(arb, { minLength: BATCH, maxLength: BATCH }).map((xs) => xs.map(Math.fround));

describe("fuzz: tensor overloads agree with the number overloads (batched)", () => {
  const moderate = logAlpha.filter((a) => Math.abs(a) <= 1000);
  const unary: [
    string,
    (a: tf.Tensor, p: HardConcreteParams) => tf.Tensor,
    (a: number, p: HardConcreteParams) => number,
  ][] = [
    ...ofLogAlpha.map(([name, f]) => [name, f, f] as [string, OfLogAlpha, OfLogAlpha]),
    ["probFractional", probFractional, probFractional],
    ["keepProbabilityFromLogAlpha", (a) => keepProbabilityFromLogAlpha(a), (a) => keepProbabilityFromLogAlpha(a)],
  ];
  for (const [name, tensorF, numberF] of unary) {
    it(`${name}: [${BATCH}] tensors of log α, elementwise as the number overload`, () => {
      noLeak(name, () =>
        fc.assert(
          fc.property(batchOf(moderate), params, (as, p64) => {
            const p = { beta: Math.fround(p64.beta), gamma: Math.fround(p64.gamma), zeta: Math.fround(p64.zeta) };
            const values = onTensor(as, (t) => tensorF(t, p));
            as.forEach((a, i) => {
              near(values[i], numberF(a, p), FLOAT32_ABS, `${name}(${a})`);
            });
          }),
          TENSOR_RUNS,
        ),
      );
    });
  }

  it("stretchedCdf, binaryConcreteCdf, binaryConcreteQuantile, the sampler's steps: elementwise as the numbers", () => {
    noLeak("distributions", () =>
      fc.assert(
        fc.property(batchOf(unit), batchOf(moderate), params, (us, as, p64) => {
          // The parameters as the tensors see them (float32): near γ and ζ a CDF with a small β is so steep that
          // the rounding of γ alone changes it by more than any tolerance.
          const p = { beta: Math.fround(p64.beta), gamma: Math.fround(p64.gamma), zeta: Math.fround(p64.zeta) };
          const a = tf.tensor1d(as);
          /**
           * The tolerance: float32 rounding (2⁻²³ relative) of the argument of a sigmoid, σ(arg) with
           * |arg| ≤ `scale`, moves σ by at most ¼·scale·2⁻²² (times `width` after the stretch).
           */
          const check = (
            name: string,
            t: (u: tf.Tensor) => tf.Tensor,
            n: (u: number, a: number) => number,
            scale: (u: number, a: number) => number,
          ) => {
            const values = onTensor(us, t);
            us.forEach((u, i) => {
              const tolerance = FLOAT32_ABS + 0.25 * (p.zeta - p.gamma) * scale(u, as[i]) * 2 ** -22;
              near(values[i], n(u, as[i]), tolerance, `${name}(${u}, ${as[i]})`);
            });
          };
          const logitOf = (u: number) => Math.abs(logit(u)) + 1;
          const inside = (u: number) => Math.min(Math.max(u, 2 ** -126), 1 - 2 ** -24);
          check(
            "stretchedCdf",
            (u) => stretchedCdf(tf.add(tf.mul(u, p.zeta - p.gamma), p.gamma), a, p),
            (u, b) => stretchedCdf(Math.fround(Math.fround(u * Math.fround(p.zeta - p.gamma)) + p.gamma), b, p),
            (u, b) => p.beta * logitOf(u) + Math.abs(b),
          );
          check(
            "binaryConcreteCdf",
            (u) => binaryConcreteCdf(u, a, p.beta),
            (u, b) => binaryConcreteCdf(u, b, p.beta),
            (u, b) => p.beta * logitOf(u) + Math.abs(b),
          );
          check(
            "binaryConcreteQuantile",
            (u) => binaryConcreteQuantile(u, a, p.beta),
            (u, b) => binaryConcreteQuantile(u, b, p.beta),
            (u, b) => (logitOf(u) + Math.abs(b)) / p.beta,
          );
          // The tensor logit floors u and 1 − u at 2⁻¹²⁶ (documented): agreement holds inside.
          check(
            "hardConcreteFromNoise",
            (u) => hardConcreteFromNoise(a, tf.clipByValue(u, 2 ** -126, 1 - 2 ** -24), p),
            (u, b) => hardConcreteFromNoise(b, inside(u), p),
            (u, b) => (logitOf(inside(u)) + Math.abs(b)) / p.beta,
          );
          // Log-densities away from the end points: float32 rounding of each term (|log u|, |log(1 − u)|, |y|,
          // y = β logit(u) − log α) is 2⁻²³ relative; their sum is within 2⁻²⁰ of its magnitudes.
          const logDensities = onTensor(us, (u) =>
            binaryConcreteLogDensity(tf.clipByValue(u, 1e-3, 1 - 1e-3), a, p.beta),
          );
          us.forEach((u, i) => {
            const v = Math.fround(Math.min(Math.max(u, Math.fround(1e-3)), Math.fround(1 - 1e-3)));
            const scale =
              2 * Math.abs(Math.log(v)) + 2 * Math.abs(Math.log1p(-v)) + p.beta * Math.abs(logit(v)) + Math.abs(as[i]);
            const expected = binaryConcreteLogDensity(v, as[i], p.beta);
            near(
              logDensities[i],
              expected,
              FLOAT32_ABS + 2 ** -20 * (scale + Math.abs(expected)),
              `logDensity(${v}, ${as[i]})`,
            );
          });
          check(
            "stretch",
            (u) => stretch(u, p),
            (u) => stretch(u, p),
            () => 0,
          );
          check(
            "clampToUnit",
            (u) => clampToUnit(tf.sub(tf.mul(u, 3), 1)),
            (u) => clampToUnit(Math.fround(u * 3) - 1),
            () => 0,
          );
          check(
            "bernoulliFromLogisticNoise",
            (u) => bernoulliFromLogisticNoise(a, tf.sub(u, 0.5)),
            (u, b) => (Math.fround(Math.fround(u - 0.5) + b) > 0 ? 1 : 0),
            () => 0,
          );
          a.dispose();
        }),
        TENSOR_RUNS,
      ),
    );
  });

  it("rank-0 and empty tensors keep their shape; log α broadcasts against x", () => {
    noLeak("shapes", () =>
      fc.assert(
        fc.property(moderate, unit, params, (a, u, p) => {
          tf.tidy(() => {
            const scalar = tf.scalar(a);
            for (const [name, f] of ofLogAlpha) {
              const s = f(scalar, p);
              assert.deepEqual(s.shape, [], name);
              near(s.dataSync()[0], f(Math.fround(a), p), FLOAT32_ABS, `${name} rank 0`);
              assert.deepEqual(f(tf.zeros([0, 3]), p).shape, [0, 3], `${name} empty`);
            }
            const wide = stretchedCdf(tf.fill([2, 3], Math.fround(u)), scalar, p);
            assert.deepEqual(wide.shape, [2, 3]);
            assert.deepEqual(hardConcreteFromNoise(tf.zeros([0]), tf.zeros([0]), p).shape, [0]);
          });
        }),
        { ...RUNS, numRuns: 50 },
      ),
    );
  });
});

describe("fuzz: bad tensor input throws an Error naming the parameter, and leaks nothing", () => {
  /** A [BATCH] tensor of finite values with one non-finite entry at a generated index. */
  const poisoned = fc.record({
    values: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: BATCH }),
    bad: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    at: fc.nat(),
  });
  const calls: [string, string, (t: tf.Tensor) => unknown][] = [
    ...ofLogAlpha.map(
      ([name, f]) => [name, "logAlpha", (t: tf.Tensor) => f(t)] as [string, string, (t: tf.Tensor) => unknown],
    ),
    ["probFractional", "logAlpha", (t) => probFractional(t)],
    ["keepProbabilityFromLogAlpha", "logAlpha", (t) => keepProbabilityFromLogAlpha(t)],
    ["stretchedCdf", "x", (t) => stretchedCdf(t, 0)],
    ["stretchedCdf", "logAlpha", (t) => stretchedCdf(tf.onesLike(t), t)],
    ["stretchedLogDensity", "x", (t) => stretchedLogDensity(t, 0)],
    ["binaryConcreteCdf", "x", (t) => binaryConcreteCdf(t, 0, 0.5)],
    ["binaryConcreteLogDensity", "x", (t) => binaryConcreteLogDensity(t, 0, 0.5)],
    ["binaryConcreteQuantile", "p", (t) => binaryConcreteQuantile(t, 0, 0.5)],
    ["binaryConcreteFromNoise", "u", (t) => binaryConcreteFromNoise(0, t, 0.5)],
    ["binaryConcreteFromNoise", "logAlpha", (t) => binaryConcreteFromNoise(t, tf.onesLike(t), 0.5)],
    ["hardConcreteFromNoise", "u", (t) => hardConcreteFromNoise(0, t)],
    ["stretch", "s", (t) => stretch(t)],
    ["clampToUnit", "sBar", (t) => clampToUnit(t)],
    ["logit", "u", (t) => logit(t)],
    ["bernoulliFromLogisticNoise", "noise", (t) => bernoulliFromLogisticNoise(0, t)],
  ];
  for (const [where, name, call] of calls) {
    it(`${where}: a non-finite entry of ${name}`, () => {
      noLeak(where, () =>
        fc.assert(
          fc.property(poisoned, ({ values, bad, at }) => {
            const entries = [...values];
            entries[at % entries.length] = bad;
            const t = tf.tensor1d(entries);
            try {
              throwsNaming(() => tf.tidy(() => call(t) as tf.Tensor), where, name);
            } finally {
              t.dispose();
            }
          }),
          TENSOR_RUNS,
        ),
      );
    });
  }

  it("a tensor where a number is needed, and a number where a tensor is needed", () => {
    noLeak("types", () => {
      const t = tf.ones([2]);
      throwsNaming(() => binaryConcreteFromNoise(t, 0.5 as unknown as tf.Tensor, 0.5), "binaryConcreteFromNoise", "u");
      throwsNaming(() => stretchedCdf(0.5, t as unknown as number), "stretchedCdf", "x");
      throwsNaming(() => hardConcreteFromNoise(t, 0.5 as unknown as tf.Tensor), "hardConcreteFromNoise", "u");
      throwsNaming(() => probNonZero(t, { ...DEFAULT_PARAMS, beta: Number.NaN }), "probNonZero", "beta");
      t.dispose();
    });
  });
});

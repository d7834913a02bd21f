// Fuzzing the rest of the numeric API (issue 15): norms, noise and samplers, penalties,
// masks, the layers' options, training helpers and the notebook entry's statistics.
// `CASES` generated cases per export (tensor cases batched, `BATCH` values per tensor);
// bad input must throw an Error naming the parameter and leave no tensor behind.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import {
  applyGroupMask,
  applyMask,
  classificationError,
  DEFAULT_PARAMS,
  expectedL0,
  expectedL2,
  L0Conv2D,
  L0Dense,
  LagrangianController,
  l0Callbacks,
  l0Count,
  l0Dense,
  l0Penalty,
  logisticNoise,
  lqNorm,
  lqPowerSum,
  probNonZero,
  Random,
  sampleBinaryConcrete,
  sampleHardConcrete,
  selectInputs,
  stratifiedSplit,
  topKGate,
  trainL0,
  uniformNoise,
  useBackend,
  WeightAverager,
} from "l0-hard-concrete";
import { binomialStandardError, ksCriticalValue, ksDistance, meanAndStandardError } from "l0-hard-concrete/notebook";
import {
  BATCH,
  badParams,
  CASES,
  finite,
  given,
  inUnit,
  NON_FINITE,
  near,
  noLeak,
  notANumber,
  notFinite,
  notIntegerFrom,
  openUnit,
  outside,
  params,
  RUNS,
  TENSOR_RUNS,
  throwsNaming,
  unit,
  withBad,
  withEdges,
} from "./fuzz";

before(async () => {
  await useBackend();
});

/** An array of finite numbers, edges included. */
const numbers = fc.array(finite, { maxLength: 20 });
/** A [BATCH] float32 batch of moderate values. */
const batch = (lo: number, hi: number) =>
  fc
    .array(withEdges([0, lo, hi, 1], fc.double({ min: lo, max: hi, noNaN: true })), {
      minLength: BATCH,
      maxLength: BATCH,
    })
    .map((xs) => xs.map(Math.fround));
/** A case of one of several invalid parameters, each with its arbitrary of bad values. */
function oneBad(cases: Record<string, fc.Arbitrary<unknown>>) {
  return fc.oneof(...Object.entries(cases).map(([name, values]) => values.map((value) => ({ name, value }))));
}

describe("fuzz: norms", () => {
  it("lqPowerSum, lqNorm, l0Count: ≥ 0, l0Count counts, lqNorm is homogeneous (numbers)", () => {
    fc.assert(
      fc.property(
        numbers,
        withEdges([1, 2, 0.5, 1e-3, 100], fc.double({ min: 1e-3, max: 100, noNaN: true })),
        (x, q) => {
          const [sum, norm] = [lqPowerSum(x, q), lqNorm(x, q)];
          assert.ok(sum >= 0 && norm >= 0, `lq of ${x} at q = ${q}: ${sum}, ${norm}`);
          assert.equal(l0Count(x), x.filter((v) => v !== 0).length);
          if (x.every((v) => Math.abs(v) <= 1e6 && (v === 0 || Math.abs(v) >= 1e-6)) && q >= 0.1 && q <= 10) {
            near(
              lqNorm(
                x.map((v) => -2 * v),
                q,
              ),
              2 * norm,
              1e-12 * (1 + norm),
              `homogeneity of ${x}, q = ${q}`,
            );
          }
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(
        oneBad({ q: outside(0, Number.POSITIVE_INFINITY), x: fc.constantFrom(...NON_FINITE) }),
        ({ name, value }) => {
          for (const [where, f] of [
            ["lqPowerSum", lqPowerSum],
            ["lqNorm", lqNorm],
          ] as const) {
            if (name === "q") throwsNaming(() => f([1, 2], value as number), where, "q");
            else throwsNaming(() => f([1, value as number], 2), where, "x[1]");
          }
          if (name === "x") throwsNaming(() => l0Count([0, value as number]), "l0Count", "x[1]");
        },
      ),
      RUNS,
    );
  });

  it("tensor overloads: [BATCH] tensors as the numbers; non-finite entries throw", () => {
    noLeak("norms", () => {
      fc.assert(
        fc.property(batch(-1000, 1000), fc.double({ min: 0.5, max: 4, noNaN: true }), (values, q) => {
          const t = tf.tensor1d(values);
          const x = values;
          const [sum, norm, count] = tf.tidy(() =>
            [lqPowerSum(t, q), lqNorm(t, q), l0Count(t)].map((s) => s.dataSync()[0]),
          );
          t.dispose();
          // float32 sums of BATCH terms: relative rounding well below 1e-4.
          near(sum, lqPowerSum(x, q), 1e-4 * lqPowerSum(x, q) + 1e-30, `lqPowerSum q = ${q}`);
          near(norm, lqNorm(x, q), 1e-4 * lqNorm(x, q) + 1e-30, `lqNorm q = ${q}`);
          assert.equal(count, l0Count(x));
          // Empty and rank-0 tensors: Σ over nothing is 0; a scalar is a vector of one entry.
          const [empty, scalar] = tf.tidy(() => [
            [lqPowerSum(tf.zeros([0]), q), lqNorm(tf.zeros([0, 2]), q), l0Count(tf.zeros([0]))].map(
              (s) => s.dataSync()[0],
            ),
            lqPowerSum(tf.scalar(x[0]), q).dataSync()[0],
          ]);
          assert.deepEqual(empty, [0, 0, 0]);
          near(scalar as number, lqPowerSum([x[0]], q), 1e-4 * lqPowerSum([x[0]], q) + 1e-30, "rank 0");
          const bad = tf.tensor1d([...x.slice(1), Number.NaN]);
          for (const [where, f] of [
            ["lqPowerSum", (v: tf.Tensor) => lqPowerSum(v, q)],
            ["lqNorm", (v: tf.Tensor) => lqNorm(v, q)],
            ["l0Count", (v: tf.Tensor) => l0Count(v)],
          ] as const) {
            throwsNaming(() => f(bad), where, `x[${BATCH - 1}]`);
          }
          bad.dispose();
        }),
        TENSOR_RUNS,
      );
    });
  });
});

describe("fuzz: noise and samplers", () => {
  it("Random, uniformNoise, logisticNoise: values in range for any safe seed; bad seed, shape or ε named", () => {
    const safeSeed = withEdges([0, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER], fc.maxSafeInteger());
    fc.assert(
      fc.property(safeSeed, fc.double({ min: 0, max: 0.49, noNaN: true }), (seed, epsilon) => {
        const out = new Random(seed).fillUniform(new Float64Array(4), epsilon);
        for (const u of out) assert.ok(u >= epsilon && u <= 1 - epsilon && u > 0 && u < 1, `u = ${u}`);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(
        oneBad({
          seed: fc.oneof(
            notFinite,
            fc.double().filter((x) => !Number.isSafeInteger(x)),
          ),
          epsilon: outside(0, 0.5).filter((e) => e !== 0 && e !== undefined),
        }),
        ({ name, value }) => {
          if (name === "seed") throwsNaming(() => new Random(value as number), "Random", "seed");
          else
            throwsNaming(
              () => new Random(1).fillUniform(new Float32Array(1), value as number),
              "Random.fillUniform",
              "epsilon",
            );
        },
      ),
      RUNS,
    );
    noLeak("noise", () => {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: 12 }), { maxLength: 3 }), fc.nat(), (shape, seed) => {
          tf.tidy(() => {
            const u = uniformNoise(shape, seed);
            const x = logisticNoise(shape, seed);
            assert.deepEqual(u.shape, shape);
            for (const v of u.dataSync()) inUnit(v, "uniformNoise");
            for (const v of x.dataSync()) assert.ok(Math.abs(v) < 14, `logisticNoise ${v}`);
          });
        }),
        TENSOR_RUNS,
      );
      fc.assert(
        fc.property(
          oneBad({
            shape: fc.oneof(
              fc.array(fc.oneof(fc.integer({ max: -1 }), fc.constantFrom(0.5, Number.NaN)), { minLength: 1 }),
              fc.constantFrom(null, "2", {}, true, 3),
            ),
            epsilon: outside(0, 0.5).filter((e) => e !== 0 && e !== undefined),
          }),
          ({ name, value }) => {
            for (const [where, f] of [
              ["uniformNoise", uniformNoise],
              ["logisticNoise", logisticNoise],
            ] as const) {
              if (name === "shape") throwsNaming(() => f(value as number[], 1), where, "shape");
              else throwsNaming(() => f([2], 1, value as number), where, "epsilon");
            }
          },
        ),
        RUNS,
      );
    });
  });

  it("sampleHardConcrete, sampleBinaryConcrete: [BATCH] samples in [0, 1]; bad parameters, β or ε named", () => {
    noLeak("samplers", () => {
      fc.assert(
        fc.property(batch(-1000, 1000), params, fc.nat(), (as, p, seed) => {
          tf.tidy(() => {
            const a = tf.tensor1d(as);
            for (const v of sampleHardConcrete(a, p, seed).dataSync()) inUnit(v, "sampleHardConcrete");
            for (const v of sampleBinaryConcrete(a, p.beta, seed).dataSync()) inUnit(v, "sampleBinaryConcrete");
          });
        }),
        TENSOR_RUNS,
      );
      const a = tf.ones([3]);
      fc.assert(
        fc.property(
          fc.oneof(badParams, oneBad({ epsilon: outside(0, 0.5).filter((e) => e !== 0 && e !== undefined) })),
          (bad) => {
            if (bad.name === "epsilon") {
              throwsNaming(
                () => sampleHardConcrete(a, DEFAULT_PARAMS, 1, bad.value as number),
                "sampleHardConcrete",
                "epsilon",
              );
              throwsNaming(() => sampleBinaryConcrete(a, 1, 1, bad.value as number), "sampleBinaryConcrete", "epsilon");
            } else {
              throwsNaming(() => sampleHardConcrete(a, withBad(bad), 1), "sampleHardConcrete", bad.name);
              if (bad.name === "beta")
                throwsNaming(() => sampleBinaryConcrete(a, bad.value as number, 1), "sampleBinaryConcrete", "beta");
            }
          },
        ),
        RUNS,
      );
      a.dispose();
    });
  });
});

describe("fuzz: penalties, masks and top-k", () => {
  it("expectedL0 = groupSize · Σ P(z ≠ 0) and expectedL2 = ½·wd·Σ P(z ≠ 0)·θ² on [BATCH] gates", () => {
    noLeak("penalties", () => {
      fc.assert(
        fc.property(
          batch(-1000, 1000),
          batch(-10, 10),
          fc.integer({ min: 1, max: 1000 }),
          params,
          (as, ws, groupSize, p) => {
            const [l0, l2] = tf.tidy(() => {
              const a = tf.tensor1d(as);
              return [expectedL0(a, groupSize, p), expectedL2(a, tf.tensor1d(ws), 0.5, null, p)].map(
                (s) => s.dataSync()[0],
              );
            });
            const open = as.map((a) => probNonZero(a, p));
            const sum = open.reduce((s, v) => s + v, 0);
            near(l0, groupSize * sum, 1e-5 * groupSize * BATCH, "expectedL0");
            const l2Sum = open.reduce((s, v, i) => s + 0.25 * v * ws[i] * ws[i], 0);
            near(l2, l2Sum, 1e-5 * (1 + l2Sum), "expectedL2");
          },
        ),
        TENSOR_RUNS,
      );
      const a = tf.ones([3]);
      const w = tf.ones([3, 2]);
      fc.assert(
        fc.property(
          fc.oneof(
            badParams,
            oneBad({
              groupSize: notIntegerFrom(1).filter((v) => v !== undefined),
              weightDecay: outside(0, Number.POSITIVE_INFINITY).filter((v) => v !== 0),
              axis: fc.oneof(
                fc.constant("0"),
                fc.integer({ min: 2, max: 100 }),
                fc.integer({ min: -100, max: -3 }),
                fc.constantFrom(0.5, Number.NaN),
              ),
            }),
          ),
          (bad) => {
            if (bad.name === "groupSize")
              throwsNaming(() => expectedL0(a, bad.value as number), "expectedL0", "groupSize");
            else if (bad.name === "weightDecay")
              throwsNaming(() => expectedL2(a, w, bad.value as number, 0), "expectedL2", "weightDecay");
            else if (bad.name === "axis")
              throwsNaming(() => expectedL2(a, w, 0.1, bad.value as number), "expectedL2", "axis");
            else {
              throwsNaming(() => expectedL0(a, 1, withBad(bad)), "expectedL0", bad.name);
              throwsNaming(() => expectedL2(a, w, 0.1, 0, withBad(bad)), "expectedL2", bad.name);
            }
          },
        ),
        RUNS,
      );
      tf.dispose([a, w]);
    });
  });

  it("applyMask, applyGroupMask, expectedL2, topKGate: matching shapes work, mismatched shapes and bad k are named", () => {
    const shape = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 });
    noLeak("masks", () => {
      fc.assert(
        fc.property(
          shape,
          shape,
          fc.integer({ min: -4, max: 4 }),
          fc.integer({ min: -2, max: 20 }),
          (s1, s2, axis, k) => {
            tf.tidy(() => {
              const x = tf.ones(s1);
              const m = tf.ones(s2);
              const same = s1.length === s2.length && s1.every((d, i) => d === s2[i]);
              if (same) assert.deepEqual(applyMask(x, m).shape, s1);
              else throwsNaming(() => applyMask(x, m), "applyMask", "mask");
              if (!same) throwsNaming(() => expectedL2(m, x, 0.1), "expectedL2", "logAlpha");
              const validAxis = axis >= -s1.length && axis < s1.length;
              if (!validAxis) throwsNaming(() => applyGroupMask(x, tf.ones([1]), axis), "applyGroupMask", "axis");
              else {
                const length = s1[axis < 0 ? axis + s1.length : axis];
                assert.deepEqual(applyGroupMask(x, tf.ones([length]), axis).shape, s1);
                throwsNaming(() => applyGroupMask(x, tf.ones([length + 1]), axis), "applyGroupMask", "gates");
              }
              const size = x.size;
              if (Number.isInteger(k) && k >= 0 && k <= size) {
                assert.equal(
                  Array.from(topKGate(x, k).dataSync()).reduce((s, v) => s + v, 0),
                  k,
                );
              } else throwsNaming(() => topKGate(x, k), "topKGate", "k");
            });
          },
        ),
        RUNS,
      );
    });
  });
});

describe("fuzz: layer options", () => {
  /** Valid and invalid values of every option, and the check that a valid one was taken. */
  type Option = { valid: fc.Arbitrary<unknown>; invalid: fc.Arbitrary<unknown>; extra?: object };
  const options: Record<string, Option> = {
    dropRateInit: { valid: openUnit, invalid: outside(0, 1) },
    beta: { valid: fc.double({ min: 1e-3, max: 1e3, noNaN: true }), invalid: outside(0, Number.POSITIVE_INFINITY) },
    gamma: { valid: fc.double({ min: -1e3, max: -1e-9, noNaN: true }), invalid: outside(Number.NEGATIVE_INFINITY, 0) },
    zeta: { valid: fc.double({ min: 1 + 1e-9, max: 1e3, noNaN: true }), invalid: outside(1, Number.POSITIVE_INFINITY) },
    testGate: { valid: fc.constantFrom("eq13", "median"), invalid: fc.oneof(fc.string(), notANumber) },
    testGateK: { valid: fc.nat(), invalid: notIntegerFrom(0), extra: { testGate: "topk" } },
    gatePerWeight: { valid: fc.boolean(), invalid: fc.oneof(fc.double(), fc.constantFrom("true", 1, 0, null)) },
    gateSampling: { valid: fc.constantFrom("perPass", "perExample"), invalid: fc.oneof(fc.string(), notANumber) },
    seed: {
      valid: fc.maxSafeInteger(),
      invalid: fc.oneof(
        notFinite,
        fc.double().filter((x) => !Number.isSafeInteger(x)),
      ),
    },
    biasInitializer: {
      valid: fc.constantFrom("glorotNormal", "zeros", "ones"),
      invalid: fc.oneof(
        fc.string().filter((s) => s.length > 0),
        fc.constantFrom(1, true),
      ),
    },
    kernelInitializer: {
      valid: fc.constantFrom("glorotNormal", "heNormal", "zeros", "ones"),
      invalid: fc.oneof(
        fc.string().filter((s) => s.length > 0),
        fc.constantFrom(1, true),
      ),
    },
    lambda: {
      valid: fc.double({ min: 0, max: 1e6, noNaN: true }),
      invalid: outside(0, Number.POSITIVE_INFINITY).filter((v) => v !== 0 && v != null),
      extra: { datasetSize: 10 },
    },
    datasetSize: {
      valid: fc.integer({ min: 1, max: 1e9 }),
      invalid: notIntegerFrom(1).filter((v) => v != null),
      extra: { lambda: 0.1 },
    },
    weightDecay: {
      valid: fc.double({ min: 0, max: 1, noNaN: true }),
      invalid: outside(0, Number.POSITIVE_INFINITY).filter((v) => v !== 0 && v != null),
      extra: { lambda: 0.1, datasetSize: 10 },
    },
    weightDecayDividedByN: {
      valid: fc.boolean(),
      invalid: fc.oneof(fc.double(), fc.constantFrom("true", 1)).filter((v) => v != null),
      extra: { lambda: 0.1, datasetSize: 10 },
    },
    activation: {
      valid: fc.constantFrom("relu", "linear", "sigmoid", "tanh"),
      invalid: fc.oneof(fc.string(), fc.constantFrom(1, true)),
    },
    useBias: { valid: fc.boolean(), invalid: fc.oneof(fc.double(), fc.constantFrom("false", 0, 1, null)) },
  };
  const convOptions: Record<string, Option> = {
    filters: { valid: fc.integer({ min: 1, max: 512 }), invalid: notIntegerFrom(1) },
    kernelSize: {
      valid: fc.integer({ min: 1, max: 7 }),
      invalid: fc.oneof(
        notIntegerFrom(1).filter((v) => v != null),
        fc.constant([3]),
        fc.constant([3, 0]),
      ),
    },
    strides: {
      valid: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      invalid: fc.oneof(
        notIntegerFrom(1).filter((v) => v != null),
        fc.constant([1, 1, 1]),
      ),
    },
    padding: {
      valid: fc.constantFrom("valid", "same"),
      invalid: fc.oneof(fc.string(), fc.constantFrom(1, null)).filter((v) => v != null),
    },
  };
  const units: Option = { valid: fc.integer({ min: 1, max: 4096 }), invalid: notIntegerFrom(1) };
  for (const [name, { valid, invalid, extra = {} }] of Object.entries({ ...options, units })) {
    it(`L0Dense ${name}: valid values taken, invalid values named (${CASES} cases)`, () => {
      fc.assert(
        fc.property(
          fc.oneof(
            valid.map((v) => ({ ok: true, v })),
            given(invalid).map((v) => ({ ok: false, v })),
          ),
          ({ ok, v }) => {
            const args = { units: 2, ...extra, [name]: v } as unknown as ConstructorParameters<typeof L0Dense>[0];
            if (ok) new L0Dense(args);
            else throwsNaming(() => new L0Dense(args), "L0Dense", name);
          },
        ),
        RUNS,
      );
    });
  }
  for (const [name, { valid, invalid }] of Object.entries(convOptions)) {
    it(`L0Conv2D ${name}: valid values taken, invalid values named (${CASES} cases)`, () => {
      fc.assert(
        fc.property(
          fc.oneof(
            valid.map((v) => ({ ok: true, v })),
            given(invalid).map((v) => ({ ok: false, v })),
          ),
          ({ ok, v }) => {
            const args = { filters: 2, kernelSize: 3, [name]: v } as unknown as ConstructorParameters<
              typeof L0Conv2D
            >[0];
            if (ok) new L0Conv2D(args);
            else throwsNaming(() => new L0Conv2D(args), "L0Conv2D", name);
          },
        ),
        RUNS,
      );
    });
  }
});

describe("fuzz: training helpers", () => {
  it("l0Penalty options: invalid lambda, datasetSize, weightDecay named; valid ones give the sum of the layers' penalties", () => {
    const model = tf.sequential({ layers: [l0Dense({ units: 2, inputShape: [3], seed: 1 })] });
    const layers = [model.layers[0] as L0Dense];
    noLeak("l0Penalty", () => {
      fc.assert(
        fc.property(
          oneBad({
            lambda: outside(0, Number.POSITIVE_INFINITY).filter(
              (v) => v !== 0 && v != null && !Array.isArray(v) && typeof v !== "object",
            ),
            datasetSize: notIntegerFrom(1),
            weightDecay: outside(0, Number.POSITIVE_INFINITY).filter((v) => v !== 0 && v !== undefined),
          }),
          ({ name, value }) => {
            const options = { lambda: 0.1, datasetSize: 10, [name]: value } as unknown as Parameters<
              typeof l0Penalty
            >[1];
            throwsNaming(() => l0Penalty(layers, options), "l0Penalty", name === "lambda" ? "lambda" : name);
          },
        ),
        RUNS,
      );
      fc.assert(
        fc.property(
          fc.double({ min: 0, max: 10, noNaN: true }),
          fc.integer({ min: 1, max: 1e6 }),
          (lambda, datasetSize) => {
            const [total, own] = tf.tidy(() =>
              [l0Penalty(layers, { lambda, datasetSize }), layers[0].penalty({ lambda, datasetSize })].map(
                (s) => s.dataSync()[0],
              ),
            );
            assert.equal(total, own);
          },
        ),
        TENSOR_RUNS,
      );
    });
    model.dispose();
  });

  it("classificationError: [BATCH] examples per run agree with counting arg-max mismatches; bad batchSize, empty or mismatched data named", () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 3, inputShape: [3], useBias: false, kernelInitializer: "identity" })],
    });
    noLeak("classificationError", () => {
      fc.assert(
        fc.property(
          batch(-10, 10),
          batch(-10, 10),
          batch(-10, 10),
          fc.array(fc.nat({ max: 2 }), { minLength: BATCH, maxLength: BATCH }),
          fc.integer({ min: 1, max: 200 }),
          (c0, c1, c2, labels, batchSize) => {
            const rows = c0.map((v, i) => [v, c1[i], c2[i]]);
            const wrong = rows.filter((r, i) => r.indexOf(Math.max(...r)) !== labels[i]).length;
            const x = tf.tensor2d(rows);
            const y = tf.tensor1d(labels, "int32");
            assert.equal(classificationError(model, x, y, batchSize), wrong / BATCH);
            tf.dispose([x, y]);
          },
        ),
        TENSOR_RUNS,
      );
      const x = tf.ones([4, 3]);
      const y = tf.zeros([4], "int32");
      fc.assert(
        fc.property(
          notIntegerFrom(1).filter((v) => v !== undefined),
          (batchSize) => {
            throwsNaming(
              () => classificationError(model, x, y, batchSize as number),
              "classificationError",
              "batchSize",
            );
          },
        ),
        RUNS,
      );
      fc.assert(
        // Labels of any shape up to rank 3 (rank 0 included): right only with 4 rows and rank 1 or 2.
        fc.property(
          fc.array(fc.nat({ max: 8 }), { maxLength: 3 }),
          fc.array(fc.nat({ max: 3 }), { maxLength: 2 }),
          (shape, rest) => {
            const labels = tf.zeros(shape, "int32");
            if (shape[0] !== 4 || shape.length > 2)
              throwsNaming(() => classificationError(model, x, labels), "classificationError", "labels");
            const empty = tf.zeros([0, ...rest]);
            throwsNaming(() => classificationError(model, empty, labels), "classificationError", "x");
            tf.dispose([labels, empty]);
          },
        ),
        RUNS,
      );
      tf.dispose([x, y]);
    });
    model.dispose();
  });

  it("trainL0, l0Callbacks, WeightAverager: bad options are named before anything is trained or allocated", async () => {
    const model = tf.sequential({ layers: [l0Dense({ units: 2, inputShape: [3], seed: 1, activation: "softmax" })] });
    const x = tf.ones([4, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], "int32"), 2);
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    const before = tf.memory().numTensors;
    const positive = given(outside(0, Number.POSITIVE_INFINITY));
    const nonNegative = given(outside(0, Number.POSITIVE_INFINITY)).filter((v) => v !== 0);
    const integer = given(notIntegerFrom(1));
    const bad: Record<string, fc.Arbitrary<unknown>> = {
      epochs: notIntegerFrom(1),
      batchSize: integer,
      evalEvery: integer,
      seed: given(
        fc.oneof(
          notFinite,
          fc.double().filter((v) => !Number.isSafeInteger(v)),
        ),
      ),
      loss: given(fc.oneof(fc.string(), notANumber)),
      learningRate: positive,
      gateLearningRate: positive,
      lambda: given(fc.oneof(fc.double({ max: -Number.MIN_VALUE }), fc.constantFrom(...NON_FINITE))),
      weightDecay: nonNegative,
      datasetSize: integer,
      weightDecayDividedByN: given(fc.oneof(fc.double(), fc.constantFrom("true", 1))),
      clampLogAlpha: given(
        fc.oneof(
          fc.tuple(finite, finite).filter(([a, b]) => !(a < b)),
          fc.constantFrom(true, [1], "x"),
        ),
      ),
      averageDecay: given(outside(0, 1)),
    };
    await fc.assert(
      fc.asyncProperty(oneBad(bad), async ({ name, value }) => {
        const options = { epochs: 1, [name]: value } as unknown as Parameters<typeof trainL0>[2];
        await assert.rejects(trainL0(model, { x, y }, options), (error: Error) => {
          const named = name === "lambda" ? "lambda of " : name;
          assert.ok(
            error.message.startsWith(`trainL0: ${named}`) && / must be .+, got /.test(error.message),
            error.message,
          );
          return true;
        });
      }),
      RUNS,
    );
    assert.equal(tf.memory().numTensors, before, "rejected trainL0 calls leak no tensors");
    model.getWeights().forEach((w, i) => {
      assert.deepEqual(Array.from(w.dataSync()), weights[i], "nothing was trained");
    });
    fc.assert(
      fc.property(
        oneBad({ clampLogAlpha: bad.clampLogAlpha, averageDecay: bad.averageDecay, decay: given(outside(0, 1)) }),
        ({ name, value }) => {
          if (name === "decay")
            throwsNaming(() => new WeightAverager(model, value as number), "WeightAverager", "decay");
          else throwsNaming(() => l0Callbacks(model, { [name]: value }), "l0Callbacks", name);
        },
      ),
      RUNS,
    );
    tf.dispose([x, y]);
    model.dispose();
  });

  it("LagrangianController: μ moves towards the constraint, stays ≥ 0 with atMost; bad options and densities named", () => {
    fc.assert(
      fc.property(
        openUnit,
        fc.double({ min: 1e-6, max: 10, noNaN: true }),
        unit,
        fc.boolean(),
        (target, learningRate, density, atMost) => {
          const c = new LagrangianController({ target, learningRate, constraint: atMost ? "atMost" : "equality" });
          const mu = c.update(density);
          assert.ok(Number.isFinite(mu));
          if (atMost) assert.ok(mu >= 0);
          else assert.ok(Math.sign(mu) === Math.sign(density - target) || mu === 0);
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(
        oneBad({
          target: outside(0, 1),
          learningRate: outside(0, Number.POSITIVE_INFINITY).filter((v) => v !== undefined),
          initialMultiplier: notFinite.filter((v) => v !== undefined),
          quadratic: outside(0, Number.POSITIVE_INFINITY).filter((v) => v !== 0 && v !== undefined),
          constraint: fc.oneof(fc.string(), fc.constantFrom(1, null)),
          density: notFinite,
        }),
        ({ name, value }) => {
          if (name === "density")
            throwsNaming(
              () => new LagrangianController({ target: 0.5 }).update(value as number),
              "LagrangianController.update",
              "density",
            );
          else
            throwsNaming(
              () => new LagrangianController({ target: 0.5, [name]: value } as never),
              "LagrangianController",
              name,
            );
        },
      ),
      RUNS,
    );
  });

  it("selectInputs and stratifiedSplit: valid indices work, bad ones are named", () => {
    const x = tf.ones([2, 5]) as tf.Tensor2D;
    noLeak("selectInputs", () => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.integer({ min: -3, max: 8 }), fc.constantFrom(0.5, Number.NaN)), { maxLength: 6 }),
          (indices) => {
            const bad = indices.findIndex((j) => !(Number.isInteger(j) && j >= 0 && j < 5));
            if (bad < 0) tf.tidy(() => assert.deepEqual(selectInputs(x, indices).shape, [2, indices.length]));
            else throwsNaming(() => selectInputs(x, indices), "selectInputs", `inputIndices[${bad}]`);
          },
        ),
        RUNS,
      );
    });
    x.dispose();
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 3 }), { minLength: 2, maxLength: 30 }),
        fc.integer({ min: -2, max: 32 }),
        fc.nat(),
        (labels, testCount, seed) => {
          if (testCount >= 1 && testCount < labels.length) {
            const { train, test } = stratifiedSplit(labels, testCount, seed);
            assert.equal(test.length, testCount);
            assert.deepEqual(
              [...train, ...test].sort((a, b) => a - b),
              labels.map((_, i) => i),
            );
          } else throwsNaming(() => stratifiedSplit(labels, testCount, seed), "stratifiedSplit", "testCount");
        },
      ),
      RUNS,
    );
  });
});

describe("fuzz: statistics of the notebook entry", () => {
  it("ksDistance in [0, 1]; meanAndStandardError's mean between min and max; binomialStandardError ≤ ½ and symmetric; ksCriticalValue decreasing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 20 }),
        unit,
        fc.integer({ min: 1, max: 1e9 }),
        openUnit,
        (xs, p, n, level) => {
          inUnit(
            ksDistance(xs, (x) => Math.min(1, Math.max(0, (x + 1e3) / 2e3))),
            "ksDistance",
          );
          const { mean, standardError } = meanAndStandardError(xs);
          assert.ok(mean >= Math.min(...xs) - 1e-9 && mean <= Math.max(...xs) + 1e-9 && standardError >= 0);
          const se = binomialStandardError(p, n);
          assert.ok(se >= 0 && se <= 0.5);
          if (1 - (1 - p) === p) near(se, binomialStandardError(1 - p, n), 1e-15, "binomial symmetry");
          assert.ok(ksCriticalValue(n + 1, level) < ksCriticalValue(n, level));
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(
        oneBad({
          samples: fc.oneof(
            fc.constant([]),
            fc.constantFrom(...NON_FINITE).map((v) => [0, v]),
          ),
          cdf: fc.oneof(fc.constantFrom(...NON_FINITE, -0.5, 1.5), fc.constant("f")),
          values: fc.oneof(
            fc.constant([1]),
            fc.constantFrom(...NON_FINITE).map((v) => [0, v]),
          ),
          p: outside(0, 1, true),
          n: notIntegerFrom(1),
          level: given(outside(0, 1)),
        }),
        ({ name, value }) => {
          if (name === "samples") throwsNaming(() => ksDistance(value as number[], () => 0.5), "ksDistance", "samples");
          else if (name === "cdf") {
            const cdf = typeof value === "number" ? () => value : (value as unknown as (x: number) => number);
            throwsNaming(() => ksDistance([0.5], cdf), "ksDistance", "cdf");
          } else if (name === "values")
            throwsNaming(() => meanAndStandardError(value as number[]), "meanAndStandardError", "values");
          else if (name === "p")
            throwsNaming(() => binomialStandardError(value as number, 10), "binomialStandardError", "p");
          else if (name === "n") {
            throwsNaming(() => binomialStandardError(0.5, value as number), "binomialStandardError", "n");
            throwsNaming(() => ksCriticalValue(value as number), "ksCriticalValue", "n");
          } else throwsNaming(() => ksCriticalValue(10, value as number), "ksCriticalValue", "level");
        },
      ),
      RUNS,
    );
  });
});

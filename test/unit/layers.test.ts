import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  AUTHORS_LOG_ALPHA_RANGE,
  hardConcreteFromNoise,
  L0Conv2D,
  L0Dense,
  type L0Layer,
  l0Conv2d,
  l0Dense,
  l0Layers,
  l0Summary,
  modelExpectedDensity,
  type Random,
  registerFastMatMul,
  uniformNoise,
  useBackend,
} from "l0-hard-concrete";
import { trainableConv2d } from "l0-hard-concrete/internal/layers/conv";
import { matMulFastGradient } from "l0-hard-concrete/internal/layers/matMul";

before(async () => {
  await useBackend();
});

/** P(z ≠ 0) = σ(log α − β log(−γ/ζ)) with the default β, γ, ζ, in float64 (Louizos et al. 2018, Eq. 12). */
function openProbability(logAlpha: number): number {
  return 1 / (1 + Math.exp(-(logAlpha - (2 / 3) * Math.log(0.1 / 1.1))));
}

/** A 6-5-3 MLP of L0 dense layers. */
function smallMlp(
  options: { gatePerWeight?: boolean; testGate?: "eq13" | "median" | "topk"; testGateK?: number } = {},
) {
  return tf.sequential({
    layers: [
      l0Dense({ units: 5, activation: "relu", inputShape: [6], dropRateInit: 0.2, seed: 11, ...options }),
      l0Dense({ units: 3, seed: 12, ...options }),
    ],
  });
}

/** Saves `model` to memory and loads it back. */
async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

/** Asserts that `model` and its saved-and-loaded copy have the same first-layer config and predict identically on `x`; disposes all three. */
async function assertSameAfterRoundTrip(
  model: tf.LayersModel,
  x: tf.Tensor,
  layerClass: typeof L0Dense | typeof L0Conv2D,
): Promise<void> {
  const loaded = await roundTrip(model);
  assert.ok(loaded.layers[0] instanceof layerClass);
  assert.deepEqual(loaded.layers[0].getConfig(), model.layers[0].getConfig(), "the layer's options survive");
  const a = model.predict(x) as tf.Tensor;
  const b = loaded.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  tf.dispose([x, a, b]);
  model.dispose();
  loaded.dispose();
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Sets nonzero biases (0.1, −0.2, 0.3, …), so that tests see where the bias goes. */
function setBias(layer: L0Layer): void {
  const bias = layer.biasVariable!;
  const n = bias.shape[0] as number;
  bias.write(tf.tensor1d(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * 0.1 * (i + 1))));
}

/** Σ w ⊙ layer(x) in training mode, with the gate noise replayed from `noise`. */
function trainingObjective(layer: L0Layer, x: tf.Tensor, w: tf.Tensor, noise: Random): tf.Scalar {
  layer.random = noise.clone();
  return tf.sum(tf.mul(w, layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar;
}

/**
 * The layer's training output recomputed from the plain chain of the method,
 * with the same uniform noise: z = clamp(stretch(σ((logit u + log α)/β))) (one
 * vector, or one per example), then y = act((x ⊙ z) W + b) for a dense layer and
 * y = act(z ⊙ (x ⋆ W + b)) for a convolution (z broadcast over positions).
 */
function referenceOutput(
  layer: L0Layer,
  x: tf.Tensor,
  noise: Random,
  values: { logAlpha: tf.Tensor; kernel: tf.Tensor; bias: tf.Tensor },
  activation: (y: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const batch = x.shape[0];
  const gates = values.logAlpha.size;
  const shape = layer.gateSampling === "perExample" ? [batch, gates] : [gates];
  const z = hardConcreteFromNoise(values.logAlpha, uniformNoise(shape, noise.clone()), layer.params);
  if (layer instanceof L0Dense) {
    return activation(tf.add(tf.matMul(tf.mul(x, z), values.kernel), values.bias));
  }
  const conv = layer as L0Conv2D;
  const maps = tf.add(
    trainableConv2d(x as tf.Tensor4D, values.kernel as tf.Tensor4D, conv.strides, conv.padding),
    values.bias,
  );
  return activation(tf.mul(maps, z.rank === 1 ? z : tf.reshape(z, [batch, 1, 1, gates])));
}

/**
 * Asserts that the layer's training output and its gradients with respect to
 * log α, the kernel and the bias equal those of `referenceOutput` (ordinary
 * autodiff of the plain chain) for the same noise.
 */
function assertMatchesPlainChain(layer: L0Layer, x: tf.Tensor, activation: (y: tf.Tensor) => tf.Tensor): void {
  const noise = layer.random!.clone();
  const outputShape = layer.computeOutputShape(x.shape) as number[];
  const w = tf.randomNormal(outputShape, 0, 1, "float32", 31);
  const variables = [layer.logAlpha, layer.kernelVariable, layer.biasVariable!];
  const { value, grads } = tf.variableGrads(
    () => trainingObjective(layer, x, w, noise),
    variables.map((v) => v.read() as tf.Variable),
  );
  const f = (logAlpha: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) =>
    tf.sum(tf.mul(w, referenceOutput(layer, x, noise, { logAlpha, kernel, bias }, activation)));
  const initial = variables.map((v) => v.read().clone());
  const expectedValue = f(initial[0], initial[1], initial[2]);
  const expectedGrads = tf.grads(f as (...args: tf.Tensor[]) => tf.Tensor)(initial);
  const scale = Math.max(1, Math.abs(expectedValue.dataSync()[0]));
  assert.ok(Math.abs(value.dataSync()[0] - expectedValue.dataSync()[0]) < 1e-5 * scale, "training output");
  variables.forEach((variable, i) => {
    const actual = grads[(variable.read() as tf.Variable).name];
    const gap = maxAbsDiff(actual, expectedGrads[i]);
    const size = tf.tidy(() => tf.max(tf.abs(expectedGrads[i])).dataSync()[0]);
    assert.ok(size > 0, `${variable.name}: the reference gradient is not all zero`);
    assert.ok(
      gap < 1e-4 * Math.max(1, size),
      `${variable.name}: gradient differs from autodiff by ${gap} (scale ${size})`,
    );
  });
  tf.dispose([w, value, expectedValue, ...Object.values(grads), ...expectedGrads, ...initial]);
}

/**
 * Asserts that the layer's autodiff gradients (training mode, replayed noise)
 * equal central finite differences (f(θ + h) − f(θ − h))/2h for a few entries of
 * log α, the kernel and the bias; log α only where the sampled gate is away from
 * the clamps at 0 and 1 (where z is not differentiable).
 */
function assertMatchesFiniteDifferences(layer: L0Layer, x: tf.Tensor): void {
  const noise = layer.random!.clone();
  const outputShape = layer.computeOutputShape(x.shape) as number[];
  const w = tf.randomNormal(outputShape, 0, 1, "float32", 32);
  const f = () => tf.tidy(() => trainingObjective(layer, x, w, noise).dataSync()[0]);
  const variables = [layer.logAlpha, layer.kernelVariable, layer.biasVariable!];
  const { value, grads } = tf.variableGrads(
    () => trainingObjective(layer, x, w, noise),
    variables.map((v) => v.read() as tf.Variable),
  );
  layer.random = noise.clone();
  const z = tf.tidy(() => layer.gates(true).dataSync());
  const h = 1e-2;
  for (const variable of variables) {
    const gradient = grads[(variable.read() as tf.Variable).name].dataSync();
    const start = variable.read().dataSync().slice();
    const entries = Array.from({ length: start.length }, (_, i) => i).filter(
      (i) => variable !== layer.logAlpha || (z[i] > 0.02 && z[i] < 0.98),
    );
    for (const i of entries.slice(0, 4)) {
      const shifted = (delta: number) => {
        const values = start.slice();
        values[i] += delta;
        variable.write(tf.tensor(values, variable.shape as number[]));
        return f();
      };
      const difference = (shifted(h) - shifted(-h)) / (2 * h);
      variable.write(tf.tensor(start, variable.shape as number[]));
      assert.ok(
        Math.abs(difference - gradient[i]) < 2e-2 * Math.max(1, Math.abs(difference)),
        `${variable.name}[${i}]: autodiff ${gradient[i]}, finite difference ${difference}`,
      );
    }
    assert.ok(entries.length > 0, `${variable.name}: no entry checked`);
  }
  tf.dispose([w, value, ...Object.values(grads)]);
}

/** The largest |v| of some numbers. */
function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

/** The sample standard deviation of some numbers. */
function sampleSd(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i] / values.length;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - mean) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

describe("L0Dense", () => {
  test("kernels are He-normal on fan-in, untruncated (std √(2/in), as the authors'); log α starts at log((1 − p)/p) ± 0.01", () => {
    for (const [inputs, units] of [
      [784, 300],
      [300, 100],
      [100, 10],
    ]) {
      const layer = l0Dense({ units, inputShape: [inputs], seed: 3 });
      const model = tf.sequential({ layers: [layer] });
      const kernel = layer.kernelVariable.read().dataSync();
      const target = Math.sqrt(2 / inputs);
      const sd = sampleSd(kernel);
      assert.ok(Math.abs(sd - target) < 0.1 * target, `${inputs}→${units}: std ${sd}, expected ${target}`);
      // A normal truncated at 2 standard deviations (tfjs's heNormal) never goes beyond 2·target.
      if (kernel.length > 10000) assert.ok(maxAbs(kernel) > 3 * target, "not truncated");
      assert.deepEqual(Array.from(layer.biasVariable!.read().dataSync()), new Array(units).fill(0));
      model.dispose();
    }
    // 4000 draws of log α: the sample mean within 5 standard errors (0.01/√4000) of log((1 − p)/p),
    // the sample standard deviation within 10% of 0.01 (its standard error is about 1.1%).
    const wide = tf.sequential({ layers: [l0Dense({ units: 1, inputShape: [4000], dropRateInit: 0.3, seed: 5 })] });
    const values = Array.from(l0Layers(wide)[0].logAlpha.read().dataSync());
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    assert.ok(Math.abs(mean - Math.log(0.7 / 0.3)) < 5 * (0.01 / Math.sqrt(4000)), `mean ${mean}`);
    assert.ok(Math.abs(sampleSd(values) - 0.01) < 0.001, `standard deviation ${sampleSd(values)}`);
    wide.dispose();
  });

  test("any tfjs initializer: by name (seeded by the layer), as an object, or as { className, config }", () => {
    const byName = l0Dense({
      units: 2,
      inputShape: [3],
      kernelInitializer: "ones",
      biasInitializer: "heNormal",
      seed: 1,
    });
    const byObject = l0Dense({
      units: 2,
      inputShape: [3],
      kernelInitializer: tf.initializers.constant({ value: 0.5 }),
    });
    const byConfig = l0Dense({
      units: 2,
      inputShape: [3],
      kernelInitializer: { className: "Constant", config: { value: -2 } },
    });
    const models = [byName, byObject, byConfig].map((layer) => tf.sequential({ layers: [layer] }));
    assert.deepEqual(Array.from(byName.kernelVariable.read().dataSync()), new Array(6).fill(1));
    assert.deepEqual(Array.from(byObject.kernelVariable.read().dataSync()), new Array(6).fill(0.5));
    assert.deepEqual(Array.from(byConfig.kernelVariable.read().dataSync()), new Array(6).fill(-2));
    const bias = byName.biasVariable!.read().dataSync();
    assert.ok(bias[0] !== 0 && bias[0] !== bias[1], "the named bias initializer ran");
    const again = tf.sequential({
      layers: [l0Dense({ units: 2, inputShape: [3], kernelInitializer: "ones", biasInitializer: "heNormal", seed: 1 })],
    });
    assert.deepEqual(again.layers[0].getWeights()[1].dataSync(), bias, "a named initializer is seeded by the layer");
    for (const model of [...models, again]) model.dispose();
  });

  test("a seed makes kernel, log α and gate samples reproducible; without one they are fresh; 0 is a seed", () => {
    const layerOf = (seed?: number) => {
      const layer = l0Dense({ units: 4, inputShape: [5], seed });
      tf.sequential({ layers: [layer] });
      return {
        kernel: Array.from(layer.kernelVariable.read().dataSync()),
        logAlpha: Array.from(layer.logAlpha.read().dataSync()),
        gates: Array.from(tf.tidy(() => layer.gates(true).dataSync())),
        layer,
      };
    };
    for (const seed of [0, 7, -3]) {
      const a = layerOf(seed);
      const b = layerOf(seed);
      assert.deepEqual(a.kernel, b.kernel, `seed ${seed}: kernel`);
      assert.deepEqual(a.logAlpha, b.logAlpha, `seed ${seed}: log α`);
      assert.deepEqual(a.gates, b.gates, `seed ${seed}: first gate sample`);
      a.layer.dispose();
      b.layer.dispose();
    }
    const zero = layerOf(0);
    const one = layerOf(1);
    assert.notDeepEqual(zero.kernel, one.kernel);
    const fresh = [layerOf(), layerOf()];
    assert.notDeepEqual(fresh[0].kernel, fresh[1].kernel, "no seed: different kernels");
    assert.notDeepEqual(fresh[0].logAlpha, fresh[1].logAlpha, "no seed: different log α");
    assert.notDeepEqual(fresh[0].gates, fresh[1].gates, "no seed: different gate noise");
    assert.equal(fresh[0].layer.seed, null);
    for (const { layer } of [zero, one, ...fresh]) layer.dispose();
  });

  test("two layers never share a gate-noise stream: not without seeds, not with one seed and different shapes", () => {
    const firstNoise = (layer: L0Layer, inputs: number) => {
      tf.sequential({ layers: [layer] }).build([null, inputs]);
      return Array.from(uniformNoise([5], layer.random!.clone()).dataSync());
    };
    const pairs: [L0Layer, number, L0Layer, number][] = [
      [l0Dense({ units: 3, inputShape: [5] }), 5, l0Dense({ units: 3, inputShape: [8] }), 8],
      [l0Dense({ units: 3, inputShape: [5], seed: 4 }), 5, l0Dense({ units: 3, inputShape: [8], seed: 4 }), 8],
      [l0Dense({ units: 3, inputShape: [5], seed: 4 }), 5, l0Dense({ units: 3, inputShape: [5], seed: 5 }), 5],
      [l0Dense({ units: 3, inputShape: [5], seed: 4 }), 5, l0Dense({ units: 4, inputShape: [5], seed: 4 }), 5],
    ];
    for (const [a, inputsA, b, inputsB] of pairs) {
      const noiseA = firstNoise(a, inputsA);
      const noiseB = firstNoise(b, inputsB);
      assert.ok(
        noiseA.every((u, i) => u !== noiseB[i]),
        `${a.name} and ${b.name} share noise`,
      );
      a.dispose();
      b.dispose();
    }
  });

  test("clampLogAlpha clips log α in place to [min, max] (the authors' [log 0.01, log 100])", () => {
    assert.deepEqual(AUTHORS_LOG_ALPHA_RANGE, [Math.log(0.01), Math.log(100)]);
    const model = smallMlp();
    const layer = l0Layers(model)[0];
    layer.logAlpha.write(tf.tensor1d([-10, -4, 0, 3, 4.7, 10]));
    layer.clampLogAlpha(AUTHORS_LOG_ALPHA_RANGE[0], AUTHORS_LOG_ALPHA_RANGE[1]);
    const clamped = Array.from(layer.logAlpha.read().dataSync());
    const [low, high] = AUTHORS_LOG_ALPHA_RANGE.map(Math.fround);
    assert.deepEqual(clamped, [low, -4, 0, 3, high, high]);
    model.dispose();
  });

  test("inference uses the test-time gate of Eq. 13: a closed gate removes its input", () => {
    const model = smallMlp();
    const layer = l0Layers(model)[0];
    setBias(layer);
    const logAlpha = [5, -5, 5, 5, -5, 0.5];
    layer.logAlpha.write(tf.tensor1d(logAlpha));
    const x = tf.randomNormal([4, 6], 0, 1, "float32", 2);
    const changed = tf.tidy(() => tf.add(x, tf.mul(tf.tensor1d([0, 100, 0, 0, -50, 0]), tf.onesLike(x))));
    assert.ok(maxAbsDiff(model.predict(x) as tf.Tensor, model.predict(changed) as tf.Tensor) < 1e-6);
    assert.equal(layer.unitsLeft(), 4);
    // ẑ = min(1, max(0, σ(log α)·1.2 − 0.1)), computed here in float64.
    const zHat = logAlpha.map((a) => Math.min(1, Math.max(0, 1.2 / (1 + Math.exp(-a)) - 0.1)));
    const expected = tf.tidy(() =>
      tf.relu(tf.add(tf.matMul(tf.mul(x, tf.tensor1d(zHat)), layer.kernelVariable.read()), layer.biasVariable!.read())),
    );
    const actual = layer.apply(x) as tf.Tensor;
    assert.ok(maxAbsDiff(expected, actual) < 1e-5);
    tf.dispose([x, changed, expected, actual]);
    model.dispose();
  });

  test("training draws one gate sample per call by default, the same for every example of the minibatch", () => {
    const layer = l0Dense({ units: 1, useBias: false, inputShape: [4], seed: 3 });
    const model = tf.sequential({ layers: [layer] });
    layer.kernelVariable.write(tf.ones([4, 1]));
    const x = tf.eye(4);
    const first = (model.apply(x, { training: true }) as tf.Tensor).dataSync();
    const again = (model.apply(tf.concat([x, x]), { training: true }) as tf.Tensor).dataSync();
    // Row i of x·diag(z)·1 is z_i: each call is one draw shared by the batch; successive calls differ.
    assert.deepEqual(Array.from(again.slice(0, 4)), Array.from(again.slice(4)));
    assert.notDeepEqual(Array.from(first), Array.from(again.slice(0, 4)));
    for (const z of first) assert.ok(z >= 0 && z <= 1);
    model.dispose();
  });

  test('gateSampling "perExample" draws an independent gate vector for every example', () => {
    const layer = l0Dense({ units: 1, useBias: false, inputShape: [4], seed: 3, gateSampling: "perExample" });
    const model = tf.sequential({ layers: [layer] });
    layer.kernelVariable.write(tf.ones([4, 1]));
    const x = tf.ones([50, 4]);
    const y = Array.from((model.apply(x, { training: true }) as tf.Tensor).dataSync());
    // Each row is the sum of that example's 4 gates: 50 rows, (almost surely) many different values.
    assert.ok(new Set(y).size > 25, `only ${new Set(y).size} distinct rows`);
    model.dispose();
  });

  for (const gateSampling of ["perPass", "perExample"] as const) {
    test(`${gateSampling}: training output and gradients equal autodiff of the plain chain, with nonzero biases`, () => {
      const layer = l0Dense({ units: 4, activation: "tanh", inputShape: [6], seed: 13, gateSampling });
      const model = tf.sequential({ layers: [layer] });
      setBias(layer);
      layer.logAlpha.write(tf.tensor1d([0.3, -0.5, 1, 0, 2, -1]));
      const x = tf.randomNormal([5, 6], 0, 1, "float32", 14);
      assertMatchesPlainChain(layer, x, tf.tanh);
      x.dispose();
      model.dispose();
    });
  }

  test("gradients equal finite differences (training mode, same noise)", () => {
    const layer = l0Dense({ units: 4, activation: "tanh", inputShape: [6], seed: 15 });
    const model = tf.sequential({ layers: [layer] });
    setBias(layer);
    layer.logAlpha.write(tf.tensor1d([0.3, -0.5, 1, 0, 2, -1]));
    const x = tf.randomNormal([5, 6], 0, 1, "float32", 16);
    assertMatchesFiniteDifferences(layer, x);
    x.dispose();
    model.dispose();
  });

  test("median and top-k test-time gates are selectable", () => {
    const median = smallMlp({ testGate: "median" });
    const top = smallMlp({ testGate: "topk", testGateK: 2 });
    for (const model of [median, top]) {
      l0Layers(model)[0].logAlpha.write(tf.tensor1d([3, -1, 0.5, -3, 1, -0.2]));
    }
    assert.equal(l0Layers(top)[0].unitsLeft(), 2);
    // The median gate σ(log α / β) stretched and clamped is 0 only below β·log(−γ/ζ) ≈ −1.6.
    assert.equal(l0Layers(median)[0].unitsLeft(), 5);
    median.dispose();
    top.dispose();
  });

  test("one gate per weight: log α has the kernel's shape; a unit is left while any of its weights is open", () => {
    const model = smallMlp({ gatePerWeight: true });
    const layer = l0Layers(model)[0];
    assert.deepEqual(layer.logAlpha.shape, [6, 5]);
    assert.equal(layer.weightsPerGate(), 1);
    // Rows (inputs): one weight open, all closed, all open, two open, all closed, one open.
    const open = [[0], [], [0, 1, 2, 3, 4], [1, 3], [], [4]];
    const logAlpha = open.flatMap((row) => [0, 1, 2, 3, 4].map((j) => (row.includes(j) ? 3 : -5)));
    layer.logAlpha.write(tf.tensor2d(logAlpha, [6, 5]));
    assert.equal(layer.unitsLeft(), 4, "inputs with at least one open weight");
    assert.equal(layer.gatesOpen(), 9, "open weights");
    model.dispose();
  });

  test("expected L0, expected L2 (nonzero biases), the counts and fractional gates follow the closed forms", () => {
    const model = smallMlp();
    const [layer, second] = l0Layers(model);
    setBias(layer);
    // −2.3 is just above the threshold −log 11 ≈ −2.398: ẑ ≈ 0.009 is small but open.
    const logAlpha = [2, -3, 0, 2.5, -2.3, 0.5];
    layer.logAlpha.write(tf.tensor1d(logAlpha));
    const p = logAlpha.map(openProbability);
    const pSum = p.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(layer.expectedL0().dataSync()[0] - 5 * pSum) < 1e-4);
    const w = layer.kernelVariable.read().arraySync() as number[][];
    const b = layer.biasVariable!.read().arraySync() as number[];
    const wd = 0.3;
    let l2 = 0;
    w.forEach((row, i) => {
      for (const v of row) l2 += 0.5 * wd * p[i] * v * v;
    });
    for (const v of b) l2 += 0.5 * wd * v * v; // the dense bias is not gated
    assert.ok(Math.abs(layer.expectedL2(wd).dataSync()[0] - l2) < 1e-5 * Math.max(1, l2), "expected L2");
    assert.equal(layer.unitsLeft(), 5);
    assert.equal(layer.gatesOpen(), 5);
    // ẑ of log α = 2, 0, 0.5, −2.3 is strictly between 0 and 1; of 2.5 it is 1.
    assert.equal(layer.fractionalGates(), 4);
    assert.equal(layer.unitCount(), 6);
    assert.deepEqual(layer.parameterCounts().actual, 5 * 5 + 5);
    assert.ok(Math.abs(layer.parameterCounts().expected - (pSum * 5 + 5)) < 1e-3);
    assert.equal(layer.flopCounts().actual, 2 * 5 * 5);
    const summary = l0Summary(model);
    assert.equal(summary.length, 2);
    assert.equal(summary[0].unitsLeft, 5);
    assert.equal(summary[1].units, 5);
    assert.equal(summary[0].parameters.total, 35);
    assert.equal(summary[0].penalty, null, "a layer built without lambda and datasetSize carries no penalty");
    const density = modelExpectedDensity(model).dataSync()[0];
    const secondL0 = Array.from(second.logAlpha.read().dataSync()).reduce((s, a) => s + 3 * openProbability(a), 0);
    assert.ok(Math.abs(density - (5 * pSum + secondL0) / (30 + 15)) < 1e-5);
    model.dispose();
  });

  test("activations come from tfjs's registry: any name tfjs accepts", () => {
    const x = tf.randomNormal([3, 4], 0, 1, "float32", 17);
    for (const activation of ["gelu", "swish", "selu", "softplus", "relu6", "hardSigmoid", "softmax"] as const) {
      const layer = l0Dense({ units: 2, inputShape: [4], activation, seed: 18 });
      const model = tf.sequential({ layers: [layer] });
      const linear = tf.tidy(() => tf.add(tf.matMul(tf.mul(x, layer.testTimeGates()), layer.kernelVariable.read()), 0));
      const expected = tf.layers.activation({ activation }).apply(linear) as tf.Tensor;
      assert.ok(maxAbsDiff(layer.apply(x) as tf.Tensor, expected) < 1e-6, activation);
      tf.dispose([linear, expected]);
      model.dispose();
    }
    x.dispose();
  });

  test("save and tf.loadLayersModel give identical predictions", async () => {
    for (const options of [{}, { gatePerWeight: true }, { testGate: "median" as const }]) {
      const model = smallMlp(options);
      const layer = l0Layers(model)[0];
      layer.logAlpha.write(tf.randomNormal(layer.logAlpha.shape as number[], 0, 3, "float32", 12));
      setBias(layer);
      await assertSameAfterRoundTrip(model, tf.randomNormal([5, 6], 0, 1, "float32", 4), L0Dense);
    }
    const custom = tf.sequential({
      layers: [
        l0Dense({
          units: 3,
          inputShape: [4],
          activation: "gelu",
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
          biasInitializer: "ones",
          gateSampling: "perExample",
        }),
      ],
    });
    await assertSameAfterRoundTrip(custom, tf.randomNormal([2, 4], 0, 1, "float32", 5), L0Dense);
  });

  test("bad arguments and shapes give clear errors", () => {
    assert.throws(() => l0Dense({ units: 0 }), /L0Dense: units must be an integer ≥ 1, got 0/);
    assert.throws(
      () => l0Dense({ units: 2, dropRateInit: 1 }),
      /L0Dense: dropRateInit must be a number in \(0, 1\), got 1/,
    );
    assert.throws(() => l0Dense({ units: 2, beta: -1 }), /beta must be a finite number > 0, got -1/);
    assert.throws(() => l0Dense({ units: 2, gamma: 0.1 }), /gamma must be a finite number < 0/);
    assert.throws(
      () => l0Dense({ units: 2, testGate: "mean" as "eq13" }),
      /L0Dense: testGate must be one of "eq13", "median", "topk", got "mean"/,
    );
    assert.throws(() => l0Dense({ units: 2, testGate: "topk" }), /testGateK must be an integer ≥ 0/);
    assert.throws(
      () => l0Dense({ units: 2, activation: "gelu2" as "relu" }),
      /L0Dense: activation must be the name of a tfjs activation .*, got "gelu2"/,
    );
    assert.throws(
      () => l0Dense({ units: 2, kernelInitializer: "heNormall" as "heNormal" }),
      /L0Dense: kernelInitializer must be a tfjs initializer or one of its names \(.*heNormal.*\), got "heNormall"/,
    );
    assert.throws(
      () => l0Dense({ units: 2, biasInitializer: { className: "Nope", config: {} } }),
      /L0Dense: biasInitializer.className must be the class name of a registered tfjs initializer, got "Nope"/,
    );
    assert.throws(
      () => l0Dense({ units: 2, gateSampling: "perBatch" as "perPass" }),
      /L0Dense: gateSampling must be one of "perPass", "perExample", got "perBatch"/,
    );
    assert.throws(
      () => l0Dense({ units: 2, gatePerWeight: true, gateSampling: "perExample" }),
      /gateSampling must be "perPass" with gatePerWeight/,
    );
    assert.throws(() => l0Dense({ units: 2, seed: 0.5 }), /seed must be a safe integer, got 0.5/);
    assert.throws(
      () => l0Dense({ units: 2, lambda: -1, datasetSize: 10 }),
      /L0Dense: lambda must be a finite number ≥ 0, got -1/,
    );
    assert.throws(
      () => l0Dense({ units: 2, lambda: Number.POSITIVE_INFINITY, datasetSize: 10 }),
      /lambda must be a finite number ≥ 0, got Infinity/,
    );
    assert.throws(
      () => l0Dense({ units: 2, lambda: 0.1, datasetSize: 2.5 }),
      /L0Dense: datasetSize must be a positive integer \(the number of training examples\), got 2.5/,
    );
    assert.throws(
      () => l0Dense({ units: 2, lambda: 0.1 }),
      /L0Dense: datasetSize must be a positive integer given with lambda/,
    );
    assert.throws(
      () => l0Dense({ units: 2, datasetSize: 10 }),
      /L0Dense: lambda must be a finite number ≥ 0 given with/,
    );
    assert.throws(
      () => l0Dense({ units: 2, lambda: 0.1, datasetSize: 10, weightDecay: -1e-4 }),
      /L0Dense: weightDecay must be a finite number ≥ 0, got -0.0001/,
    );
    const model = smallMlp();
    const wrong = tf.zeros([2, 7]);
    assert.throws(
      () => model.layers[0].apply(wrong),
      /must be a tensor of shape \[batch, 6\], got a tensor of shape \[2, 7\]/,
    );
    assert.throws(() => new L0Dense({ units: 2 }).logAlpha, /has no weights yet/);
    assert.throws(() => l0Layers(model)[0].clampLogAlpha(1, -1), /min must be a number < max/);
    assert.throws(
      () => l0Layers(model)[0].penalty(),
      /penalty: settings must be given, or the layer built with lambda/,
    );
    wrong.dispose();
    model.dispose();
  });

  test("no tensor leaks in training and inference calls", () => {
    const model = smallMlp();
    const x = tf.randomNormal([4, 6], 0, 1, "float32", 5);
    const optimizer = tf.train.adam(0.01);
    const step = () => {
      const cost = optimizer.minimize(
        () =>
          tf.add(tf.sum(model.apply(x, { training: true }) as tf.Tensor), l0Layers(model)[0].expectedL0()) as tf.Scalar,
        true,
      );
      cost?.dispose();
      tf.dispose(model.predict(x) as tf.Tensor);
      l0Summary(model);
      for (const layer of l0Layers(model)) layer.clampLogAlpha(-4, 4);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    assert.equal(tf.memory().numTensors, before);
    optimizer.dispose();
    x.dispose();
    model.dispose();
  });
});

describe("L0Conv2D", () => {
  function convModel(options: { gatePerWeight?: boolean; gateSampling?: "perPass" | "perExample" } = {}) {
    return tf.sequential({
      layers: [
        l0Conv2d({ filters: 4, kernelSize: 3, activation: "relu", inputShape: [6, 6, 2], seed: 21, ...options }),
        tf.layers.flatten(),
        l0Dense({ units: 3, seed: 22 }),
      ],
    });
  }

  test("kernels are He-normal on fan-in kh·kw·in (the authors' kaiming_normal fan_in)", () => {
    const conv = l0Conv2d({ filters: 50, kernelSize: 5, inputShape: [12, 12, 20], seed: 3 });
    const model = tf.sequential({ layers: [conv] });
    const target = Math.sqrt(2 / (5 * 5 * 20));
    const kernel = conv.kernelVariable.read().dataSync();
    const sd = sampleSd(kernel);
    assert.ok(Math.abs(sd - target) < 0.1 * target, `std ${sd}, expected ${target}`);
    assert.ok(maxAbs(kernel) > 3 * target, "not truncated");
    model.dispose();
  });

  test("output shape, one gate per feature map; the bias is part of its map's group", () => {
    const model = convModel();
    const conv = model.layers[0] as L0Conv2D;
    assert.deepEqual(conv.logAlpha.shape, [4]);
    assert.deepEqual(model.outputs[0].shape, [null, 3]);
    assert.equal(conv.weightsPerGate(), 3 * 3 * 2 + 1);
    model.dispose();
  });

  test("a closed gate zeroes its whole feature map, bias included; counts use the output size", () => {
    const model = convModel();
    const conv = model.layers[0] as L0Conv2D;
    setBias(conv);
    conv.logAlpha.write(tf.tensor1d([5, -5, 5, -5]));
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, "float32", 7);
    const maps = conv.apply(x) as tf.Tensor4D;
    const perMap = tf.tidy(() => tf.sum(tf.abs(maps), [0, 1, 2]).dataSync());
    assert.equal(perMap[1], 0);
    assert.equal(perMap[3], 0);
    assert.ok(perMap[0] > 0 && perMap[2] > 0);
    assert.equal(conv.unitsLeft(), 2);
    assert.equal(conv.flopCounts().actual, 2 * 18 * 2 * 16);
    assert.equal(conv.parameterCounts().actual, 2 * (18 + 1));
    tf.dispose([x, maps]);
    model.dispose();
  });

  test("inference uses ẑ of Eq. 13 on (x ⋆ W + b); training draws fresh gates on every call", () => {
    const model = convModel();
    const conv = model.layers[0] as L0Conv2D;
    setBias(conv);
    const logAlpha = [0.2, -1, 2, 0.7];
    conv.logAlpha.write(tf.tensor1d(logAlpha));
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, "float32", 9);
    const zHat = logAlpha.map((a) => Math.min(1, Math.max(0, 1.2 / (1 + Math.exp(-a)) - 0.1)));
    const expected = tf.tidy(() =>
      tf.relu(
        tf.mul(
          tf.add(
            trainableConv2d(x as tf.Tensor4D, conv.kernelVariable.read() as tf.Tensor4D, [1, 1], "valid"),
            conv.biasVariable!.read(),
          ),
          tf.tensor1d(zHat),
        ),
      ),
    );
    const inference = conv.apply(x) as tf.Tensor;
    assert.ok(maxAbsDiff(inference, expected) < 1e-5, "test-time output");
    const first = conv.apply(x, { training: true }) as tf.Tensor;
    const second = conv.apply(x, { training: true }) as tf.Tensor;
    assert.ok(maxAbsDiff(first, second) > 1e-3, "two training calls draw different gates");
    assert.ok(maxAbsDiff(first, inference) > 1e-3, "training output is not the test-time output");
    tf.dispose([x, expected, inference, first, second]);
    model.dispose();
  });

  for (const gateSampling of ["perPass", "perExample"] as const) {
    test(`${gateSampling}: training output and gradients equal autodiff of the plain chain, with nonzero biases`, () => {
      const conv = l0Conv2d({
        filters: 3,
        kernelSize: 2,
        activation: "tanh",
        inputShape: [4, 4, 2],
        seed: 23,
        gateSampling,
      });
      const model = tf.sequential({ layers: [conv] });
      setBias(conv);
      conv.logAlpha.write(tf.tensor1d([0.4, -0.3, 1]));
      const x = tf.randomNormal([3, 4, 4, 2], 0, 1, "float32", 24);
      assertMatchesPlainChain(conv, x, tf.tanh);
      x.dispose();
      model.dispose();
    });
  }

  test("gradients equal finite differences (training mode, same noise)", () => {
    const conv = l0Conv2d({ filters: 3, kernelSize: 2, activation: "tanh", inputShape: [4, 4, 2], seed: 25 });
    const model = tf.sequential({ layers: [conv] });
    setBias(conv);
    conv.logAlpha.write(tf.tensor1d([0.4, -0.3, 1]));
    const x = tf.randomNormal([3, 4, 4, 2], 0, 1, "float32", 26);
    assertMatchesFiniteDifferences(conv, x);
    x.dispose();
    model.dispose();
  });

  test("expected L0 and expected L2 count the bias with its map (nonzero biases)", () => {
    const conv = l0Conv2d({ filters: 3, kernelSize: 2, inputShape: [4, 4, 2], seed: 27 });
    const model = tf.sequential({ layers: [conv] });
    setBias(conv);
    const logAlpha = [0.4, -3, 1.5];
    conv.logAlpha.write(tf.tensor1d(logAlpha));
    const p = logAlpha.map(openProbability);
    const kernel = conv.kernelVariable.read().arraySync() as number[][][][];
    const bias = Array.from(conv.biasVariable!.read().dataSync());
    const wd = 0.2;
    const squares = [0, 0, 0];
    for (const row of kernel)
      for (const column of row)
        for (const inputs of column)
          inputs.forEach((v, f) => {
            squares[f] += v * v;
          });
    const l2 = p.reduce((s, pi, f) => s + 0.5 * wd * pi * (squares[f] + bias[f] ** 2), 0);
    const l0 = p.reduce((s, pi) => s + pi * (2 * 2 * 2 + 1), 0);
    assert.ok(Math.abs(conv.expectedL2(wd).dataSync()[0] - l2) < 1e-5 * Math.max(1, l2), "expected L2");
    assert.ok(Math.abs(conv.expectedL0().dataSync()[0] - l0) < 1e-4, "expected L0");
    model.dispose();
  });

  test("save and load give identical predictions (per map and per weight gates)", async () => {
    for (const gatePerWeight of [false, true]) {
      const model = convModel({ gatePerWeight });
      setBias(model.layers[0] as L0Conv2D);
      await assertSameAfterRoundTrip(model, tf.randomNormal([2, 6, 6, 2], 0, 1, "float32", 8), L0Conv2D);
    }
  });

  test("bad arguments and shapes give clear errors", () => {
    assert.throws(() => l0Conv2d({ filters: 0, kernelSize: 3 }), /L0Conv2D: filters must be an integer ≥ 1, got 0/);
    assert.throws(
      () => l0Conv2d({ filters: 2, kernelSize: [3] as unknown as number }),
      /kernelSize must be an integer ≥ 1 or a pair/,
    );
    assert.throws(
      () => l0Conv2d({ filters: 2, kernelSize: 3, padding: "full" as "same" }),
      /padding must be "valid" or "same"/,
    );
    assert.throws(
      () => l0Conv2d({ filters: 2, kernelSize: 3, gateSampling: "each" as "perPass" }),
      /L0Conv2D: gateSampling must be one of "perPass", "perExample", got "each"/,
    );
    assert.throws(
      () => l0Conv2d({ filters: 2, kernelSize: 3, activation: "nope" as "relu" }),
      /L0Conv2D: activation must be/,
    );
    const model = convModel();
    const wrong = tf.zeros([1, 6, 6, 3]);
    assert.throws(() => model.layers[0].apply(wrong), /must be a tensor of shape \[batch, height, width, 2\]/);
    wrong.dispose();
    model.dispose();
  });
});

describe("trainableConv2d", () => {
  test("equals tf.conv2d for valid and same padding and strides 1 and 2", () => {
    const x = tf.randomNormal([2, 7, 6, 3], 0, 1, "float32", 13);
    const filter = tf.randomNormal([3, 2, 3, 4], 0, 1, "float32", 14);
    for (const padding of ["valid", "same"] as const) {
      for (const strides of [
        [1, 1],
        [2, 2],
        [2, 1],
      ] as [number, number][]) {
        const reference = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, padding);
        const actual = trainableConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, padding);
        assert.deepEqual(actual.shape, reference.shape, `${padding} ${strides}`);
        assert.ok(maxAbsDiff(actual, reference) < 1e-4, `${padding} ${strides}`);
        tf.dispose([reference, actual]);
      }
    }
    tf.dispose([x, filter]);
  });
});

describe("fast matrix-product gradients", () => {
  test("matMulFastGradient and the registered BatchMatMul gradient equal tfjs's gradients", () => {
    const a = tf.randomNormal([5, 4], 0, 1, "float32", 9);
    const b = tf.randomNormal([4, 3], 0, 1, "float32", 10);
    const w = tf.randomNormal([5, 3], 0, 1, "float32", 11);
    const reference = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(w, tf.matMul(p, q))))([a, b]);
    const fast = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(w, matMulFastGradient(p as tf.Tensor2D, q as tf.Tensor2D))),
    )([a, b]);
    registerFastMatMul();
    const at = tf.transpose(a);
    const bt = tf.transpose(b);
    const registered = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(w, tf.matMul(p, q, true, true))))([
      at,
      bt,
    ]);
    for (let i = 0; i < 2; i++) {
      assert.ok(maxAbsDiff(reference[i], fast[i]) < 1e-5);
      assert.ok(maxAbsDiff(tf.transpose(reference[i]), registered[i]) < 1e-5);
    }
    tf.dispose([a, b, w, at, bt, ...reference, ...fast, ...registered]);
  });

  test("L0Dense (gates on the kernel's rows): the input's gradient equals the plain chain's; none is computed when not needed", () => {
    const layer = l0Dense({ units: 4, activation: "tanh", inputShape: [6], seed: 15 });
    const model = tf.sequential({ layers: [layer] });
    setBias(layer);
    const x = tf.randomNormal([5, 6], 0, 1, "float32", 16);
    const w = tf.randomNormal([5, 4], 0, 1, "float32", 17);
    const noise = layer.random!.clone();
    const [dx] = tf.grads((input: tf.Tensor) => trainingObjective(layer, input, w, noise))([x]);
    const [logAlpha, kernel, bias] = [layer.logAlpha, layer.kernelVariable, layer.biasVariable!].map((v) => v.read());
    const [expected] = tf.grads((input: tf.Tensor) =>
      tf.sum(tf.mul(w, referenceOutput(layer, input, noise, { logAlpha, kernel, bias }, tf.tanh))),
    )([x]);
    const size = tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0]);
    assert.ok(size > 0 && maxAbsDiff(dx, expected) < 1e-5 * Math.max(1, size), "∂/∂x");
    // With x a constant (a first layer's input), the backward pass runs one product (xᵀδ), not two
    // (tfjs's BatchMatMul, or the library's product kernel on the wasm backend).
    const PRODUCTS = ["BatchMatMul", "L0Product"];
    const variables = [layer.logAlpha, layer.kernelVariable, layer.biasVariable!].map((v) => v.read() as tf.Variable);
    const products = (f: () => void) =>
      tf.profile(f).then((info) => info.kernels.filter((k) => PRODUCTS.includes(k.name)).length);
    return Promise.all([
      products(() => tf.dispose(tf.variableGrads(() => trainingObjective(layer, x, w, noise), variables).grads)),
      products(() => tf.dispose(tf.grads((input: tf.Tensor) => trainingObjective(layer, input, w, noise))([x]))),
    ]).then(([withoutInput, withInput]) => {
      assert.equal(withoutInput, 1);
      assert.equal(withInput, 1);
      tf.dispose([x, w, dx, expected]);
      model.dispose();
    });
  });
});

describe("the fused layer penalty", () => {
  test("equals λ·expectedL0()/N + expectedL2(wd) (/N or not) and its autodiff gradients: dense, per weight, convolution", () => {
    const layers: L0Layer[] = [
      l0Dense({ units: 4, inputShape: [6], seed: 41 }),
      l0Dense({ units: 4, inputShape: [6], seed: 42, gatePerWeight: true }),
      l0Conv2d({ filters: 3, kernelSize: 2, inputShape: [4, 4, 2], seed: 43 }),
    ];
    for (const layer of layers) {
      const model = tf.sequential({ layers: [layer] });
      setBias(layer);
      for (const weightDecayDividedByN of [true, false]) {
        const settings = { lambda: 0.7, datasetSize: 50, weightDecay: 0.03, weightDecayDividedByN };
        const variables = [layer.logAlpha, layer.kernelVariable, layer.biasVariable!].map(
          (v) => v.read() as tf.Variable,
        );
        const composed = () =>
          tf.tidy(() => {
            const l2 = layer.expectedL2(settings.weightDecay);
            return tf.add(
              tf.div(tf.mul(settings.lambda, layer.expectedL0()), settings.datasetSize),
              weightDecayDividedByN ? tf.div(l2, settings.datasetSize) : l2,
            ) as tf.Scalar;
          });
        const fused = tf.variableGrads(() => layer.penalty(settings), variables);
        const reference = tf.variableGrads(composed, variables);
        const [a, b] = [fused.value.dataSync()[0], reference.value.dataSync()[0]];
        assert.ok(b > 0 && Math.abs(a - b) < 1e-6 * b, `${layer.name}: penalty ${a} vs ${b}`);
        for (const variable of variables) {
          const size = tf.tidy(() => tf.max(tf.abs(reference.grads[variable.name])).dataSync()[0]);
          const gap = maxAbsDiff(fused.grads[variable.name], reference.grads[variable.name]);
          assert.ok(size > 0 && gap < 1e-5 * size, `${layer.name} ${variable.name}: gap ${gap}, scale ${size}`);
        }
        tf.dispose([fused.value, reference.value, ...Object.values(fused.grads), ...Object.values(reference.grads)]);
      }
      model.dispose();
    }
  });
});

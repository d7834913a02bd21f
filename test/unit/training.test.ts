import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  AUTHORS_LOG_ALPHA_RANGE,
  classificationError,
  L0Dense,
  LagrangianController,
  l0Callbacks,
  l0Dense,
  l0Layers,
  l0Penalty,
  l0Summary,
  magnitudePruneToDense,
  modelExpectedDensity,
  modelExpectedL0,
  pruneToDense,
  selectInputs,
  trainL0,
  useBackend,
  WeightAverager,
} from "l0-hard-concrete";

before(async () => {
  await useBackend();
});

/** y = x·w* with w* non-zero only on `support` (inputs 0, 3 and 7 of 12). */
function sparseRegression(n: number, seed: number) {
  const support = [0, 3, 7];
  const w = new Float32Array(12);
  w[0] = 1.5;
  w[3] = -2;
  w[7] = 1;
  return tf.tidy(() => {
    const x = tf.randomNormal([n, 12], 0, 1, "float32", seed);
    return { x, y: tf.matMul(x, tf.tensor2d(w, [12, 1])), support };
  });
}

/** A 12-8-3 classifier; class = arg max of a linear map of inputs 0..3 only. */
function sparseClassification(n: number, seed: number) {
  return tf.tidy(() => {
    const x = tf.randomNormal([n, 12], 0, 1, "float32", seed);
    const scores = tf.matMul(tf.slice(x, [0, 0], [n, 4]), tf.tensor2d([1, -1, 0, 0, 1, 1, -1, 0, 1, 0, 1, -1], [4, 3]));
    return { x, y: tf.oneHot(tf.argMax(scores, 1), 3).toFloat() };
  });
}

function mlp(seed: number, inputs = 12) {
  return tf.sequential({
    layers: [
      l0Dense({ units: 8, activation: "relu", inputShape: [inputs], dropRateInit: 0.2, seed }),
      l0Dense({ units: 3, seed: seed + 10 }),
    ],
  });
}

describe("l0Penalty", () => {
  /** P(z ≠ 0) = σ(log α − β log(−γ/ζ)) with the default β, γ, ζ, in float64 (Louizos et al. 2018, Eq. 12). */
  const open = (logAlpha: number) => 1 / (1 + Math.exp(-(logAlpha - (2 / 3) * Math.log(0.1 / 1.1))));

  /** Per layer, from the raw weights: Σ_j P_j·(units·λ + ½·wd·Σ_k W_jk²) and ½·wd·‖b‖² (dense bias ungated). */
  function byHand(layer: L0Dense, lambda: number, wd: number): { l0: number; l2: number } {
    const logAlpha = Array.from(layer.logAlpha.read().dataSync());
    const kernel = layer.kernelVariable.read().arraySync() as number[][];
    const bias = Array.from(layer.biasVariable!.read().dataSync());
    let l0 = 0;
    let l2 = 0;
    logAlpha.forEach((a, j) => {
      l0 += open(a) * layer.units * lambda;
      l2 += open(a) * 0.5 * wd * kernel[j].reduce((s, w) => s + w * w, 0);
    });
    l2 += 0.5 * wd * bias.reduce((s, b) => s + b * b, 0);
    return { l0, l2 };
  }

  test("is Σ_l (λ_l·E[L0_l] + expected L2_l)/N (L2 divided by N or not), with λ per model, per layer or by name", () => {
    const model = mlp(1);
    const [a, b] = l0Layers(model) as L0Dense[];
    a.logAlpha.write(tf.tensor1d([2, -1, 0.5, -3, 1, 0, 0.3, -0.7, 1.5, 2.2, -2, 0.1]));
    a.biasVariable!.write(tf.linspace(-0.4, 0.5, 8));
    b.biasVariable!.write(tf.tensor1d([0.3, -0.1, 0.2]));
    const [ha, hb] = [byHand(a, 0.5, 0.01), byHand(b, 2, 0.01)];
    const divided = (ha.l0 + hb.l0 + ha.l2 + hb.l2) / 50;
    const notDivided = (ha.l0 + hb.l0) / 50 + ha.l2 + hb.l2;
    const perLayer = l0Penalty([a, b], { lambda: [0.5, 2], weightDecay: 0.01, datasetSize: 50 });
    const byName = l0Penalty([a, b], { lambda: { [a.name]: 0.5, [b.name]: 2 }, weightDecay: 0.01, datasetSize: 50 });
    const plainDecay = l0Penalty([a, b], {
      lambda: [0.5, 2],
      weightDecay: 0.01,
      datasetSize: 50,
      weightDecayDividedByN: false,
    });
    const single = l0Penalty([a, b], { lambda: 3, datasetSize: 10 });
    assert.ok(Math.abs(perLayer.dataSync()[0] - divided) < 1e-5 * divided, `${perLayer.dataSync()[0]} vs ${divided}`);
    assert.ok(Math.abs(byName.dataSync()[0] - divided) < 1e-5 * divided);
    assert.ok(Math.abs(plainDecay.dataSync()[0] - notDivided) < 1e-5 * notDivided);
    const singleByHand = (byHand(a, 3, 0).l0 + byHand(b, 3, 0).l0) / 10;
    assert.ok(Math.abs(single.dataSync()[0] - singleByHand) < 1e-5 * singleByHand);
    tf.dispose([perLayer, byName, plainDecay, single]);
    assert.throws(
      () => l0Penalty([a, b], { lambda: [1], datasetSize: 5 }),
      /l0Penalty: lambda must be one number per L0 layer \(2/,
    );
    assert.throws(
      () => l0Penalty([a, b], { lambda: -1, datasetSize: 5 }),
      /lambda of .* must be a finite number ≥ 0, got -1/,
    );
    assert.throws(() => l0Penalty([a, b], { lambda: { [a.name]: 1 }, datasetSize: 5 }), /every L0 layer needs one/);
    assert.throws(
      () => l0Penalty([a, b], { lambda: 1, datasetSize: 0 }),
      /l0Penalty: datasetSize must be a positive integer \(the number of training examples\), got 0/,
    );
    assert.throws(
      () => l0Penalty([a, b], { lambda: 1, datasetSize: 5, weightDecayDividedByN: "no" as unknown as boolean }),
      /l0Penalty: weightDecayDividedByN must be a boolean, got "no"/,
    );
    model.dispose();
  });
});

describe("trainL0", () => {
  test("on a sparse linear task the expected L0 falls and the test-time gate recovers the true support", async () => {
    const { x, y, support } = sparseRegression(256, 2);
    const layer = l0Dense({ units: 1, inputShape: [12], useBias: false, seed: 3 });
    const model = tf.sequential({ layers: [layer] });
    const { history } = await trainL0(
      model,
      { x, y },
      {
        epochs: 40,
        batchSize: 32,
        loss: "meanSquaredError",
        learningRate: 0.05,
        lambda: 50,
        datasetSize: 256,
        seed: 4,
      },
    );
    assert.ok(
      history[history.length - 1].expectedL0 < history[0].expectedL0 - 3,
      JSON.stringify(history.map((h) => h.expectedL0)),
    );
    const z = layer.testTimeGates().dataSync();
    const open = Array.from(z).flatMap((v, i) => (v > 0 ? [i] : []));
    assert.deepEqual(open, support);
    tf.dispose([x, y]);
    model.dispose();
  });

  test("classification: learns the task, prunes unused inputs, log α stays clamped, no tensor leaks", async () => {
    const train = sparseClassification(400, 5);
    const test = sparseClassification(200, 6);
    const model = mlp(7);
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    let steps = 0;
    const result = await trainL0(model, train, {
      epochs: 30,
      batchSize: 40,
      learningRate: 0.02,
      lambda: 2,
      weightDecay: 5e-4,
      evalData: test,
      evalEvery: 10,
      seed: 8,
      onStep: () => {
        steps++;
      },
      onEpoch: (record) => epochs.push(record.epoch),
    });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(steps, 300);
    assert.equal(result.steps, 300);
    assert.deepEqual(
      epochs,
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const last = result.history[29];
    assert.ok(last.evalError < 0.15, `test error ${last.evalError}`);
    assert.ok(Number.isNaN(result.history[0].evalError));
    assert.ok(!Number.isNaN(result.history[9].evalError));
    // Only inputs 0 … 3 carry the class: the test-time gate keeps them and closes the others.
    assert.deepEqual(
      Array.from(l0Layers(model)[0].testTimeGates().dataSync()).flatMap((v, i) => (v > 0 ? [i] : [])),
      [0, 1, 2, 3],
    );
    assert.deepEqual(last.unitsLeft[0], 4);
    // The record holds the last epoch's fractional gates (no averaging: the model the training ended with).
    const zHat = Array.from(l0Layers(model)[0].testTimeGates().dataSync());
    assert.equal(last.fractionalGates[0], zHat.filter((v) => v > 0 && v < 1).length);
    assert.ok(last.fractionalGates.every((f, i) => f <= last.unitsLeft[i]));
    for (const layer of l0Layers(model)) {
      const values = layer.logAlpha.read().dataSync();
      for (const v of values)
        assert.ok(v >= AUTHORS_LOG_ALPHA_RANGE[0] - 1e-6 && v <= AUTHORS_LOG_ALPHA_RANGE[1] + 1e-6);
    }
    assert.equal(classificationError(model, test.x, test.y), last.evalError);
    tf.dispose([train, test]);
    model.dispose();
  });

  test("a Lagrangian controller drives the expected density to its target", async () => {
    const train = sparseClassification(200, 9);
    const model = mlp(10);
    const controller = new LagrangianController({ target: 0.3, learningRate: 0.2 });
    const result = await trainL0(model, train, {
      epochs: 60,
      batchSize: 50,
      learningRate: 0.05,
      lambda: 0,
      lagrangian: controller,
      seed: 11,
    });
    const density = modelExpectedDensity(model).dataSync()[0];
    assert.ok(Math.abs(density - 0.3) < 0.08, `density ${density}`);
    assert.ok(controller.multiplier > 0);
    assert.equal(result.history[59].multiplier, controller.multiplier);
    assert.throws(() => new LagrangianController({ target: 1 }), /target must be a number in \(0, 1\), got 1/);
    const atMost = new LagrangianController({ target: 0.5, constraint: "atMost", learningRate: 1 });
    assert.equal(atMost.update(0.1), 0);
    tf.dispose(train);
    model.dispose();
  });

  test("weight averaging: the model ends with the running average, which the averager tracks", async () => {
    const train = sparseClassification(100, 12);
    const model = mlp(13);
    const averager = new WeightAverager(model, 0.5);
    const start = model.getWeights().map((w) => w.dataSync().slice());
    await trainL0(model, train, { epochs: 1, batchSize: 100, seed: 14, optimizer: tf.train.sgd(0.1) });
    averager.update();
    const after = model.getWeights().map((w) => w.dataSync().slice());
    averager.withAveraged(() => {
      model.getWeights().forEach((w, i) => {
        const values = w.dataSync();
        for (let j = 0; j < values.length; j++)
          assert.ok(Math.abs(values[j] - 0.5 * (start[i][j] + after[i][j])) < 1e-6);
      });
    });
    assert.deepEqual(model.getWeights()[0].dataSync(), after[0]);
    averager.dispose();
    // trainL0 with averageDecay d: the model ends holding a ← d·a + (1 − d)·θ over the steps, a₀ = θ₀.
    const expected = model.getWeights().map((w) => Float64Array.from(w.dataSync()));
    const before = tf.memory().numTensors;
    await trainL0(model, train, {
      epochs: 2,
      batchSize: 50,
      seed: 15,
      averageDecay: 0.9,
      onStep: () => {
        model.getWeights().forEach((w, i) => {
          const values = w.dataSync();
          for (let j = 0; j < values.length; j++) expected[i][j] = 0.9 * expected[i][j] + 0.1 * values[j];
        });
      },
    });
    model.getWeights().forEach((w, i) => {
      const values = w.dataSync();
      for (let j = 0; j < values.length; j++) assert.ok(Math.abs(values[j] - expected[i][j]) < 1e-5);
    });
    assert.equal(tf.memory().numTensors, before, "training with averaging leaves no tensors behind");
    tf.dispose(train);
    model.dispose();
  });

  test("bad options give clear errors", async () => {
    const train = sparseClassification(10, 16);
    const model = mlp(17);
    await assert.rejects(trainL0(model, train, { epochs: 0 }), /trainL0: epochs must be an integer ≥ 1, got 0/);
    await assert.rejects(trainL0(model, train, { epochs: 1, batchSize: 1.5 }), /batchSize must be an integer ≥ 1/);
    await assert.rejects(
      trainL0(model, { x: train.x, y: tf.zeros([3, 3]) }, { epochs: 1 }),
      /data.y must be 10 rows, one per example of data.x/,
    );
    await assert.rejects(
      trainL0(model, train, { epochs: 1, clampLogAlpha: [1, 0] }),
      /clampLogAlpha must be false or \[min, max\]/,
    );
    await assert.rejects(
      trainL0(model, train, { epochs: 1, lambda: [1, 2, 3] }),
      /lambda must be one number per L0 layer/,
    );
    await assert.rejects(trainL0(model, train, { epochs: 1, learningRate: -1 }), {
      message: "trainL0: learningRate must be a finite number > 0, got -1",
    });
    await assert.rejects(trainL0(model, train, { epochs: 1, weightDecay: Number.NaN }), {
      message: "trainL0: weightDecay must be a finite number ≥ 0, got NaN",
    });
    await assert.rejects(trainL0(model, train, { epochs: 1, averageDecay: 1 }), {
      message: "trainL0: averageDecay must be a number in (0, 1), got 1",
    });
    await assert.rejects(
      trainL0(model, train, { epochs: 1, evalData: { x: train.x, y: tf.zeros([3, 3]) } }),
      /trainL0: evalData.y must be 10 rows, one per example of evalData.x/,
    );
    await assert.rejects(
      trainL0(model, train, { epochs: 1, evalData: { x: tf.zeros([0, 12]), y: tf.zeros([0, 3]) } }),
      { message: "trainL0: evalData.x must be a tensor with at least one example, got a tensor of shape [0, 12]" },
    );
    await assert.rejects(trainL0(model, { x: [[1]] as unknown as tf.Tensor, y: train.y }, { epochs: 1 }), {
      message: "trainL0: data.x must be a tf.Tensor, got [[1]]",
    });
    // Nothing was trained: the weights are those of a fresh model with the same seed.
    const fresh = mlp(17);
    model.getWeights().forEach((w, i) => {
      assert.deepEqual(w.dataSync(), fresh.getWeights()[i].dataSync());
    });
    fresh.dispose();
    tf.dispose(train);
    model.dispose();
  });
});

/** A one-layer linear model whose layer carries its own penalty (nonzero bias). */
function penalised(seed: number, options: { inputs?: number; units?: number; lambda?: number } = {}) {
  const layer = l0Dense({
    units: options.units ?? 3,
    inputShape: [options.inputs ?? 6],
    seed,
    lambda: options.lambda ?? 0.5,
    datasetSize: 40,
    weightDecay: 0.01,
    weightDecayDividedByN: false,
  });
  const model = tf.sequential({ layers: [layer] });
  layer.biasVariable!.write(tf.linspace(-0.2, 0.3, layer.units));
  return { model, layer };
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

describe("model.fit with L0 layers that carry their penalty", () => {
  test("the reported loss is data loss + penalty; model.evaluate reports the data term only (tfjs)", async () => {
    const { model, layer } = penalised(40);
    // log α = 20: every sampled gate is exactly 1 (logit(u) ≥ −13.8), so the training output is the test-time one.
    layer.logAlpha.write(tf.fill([6], 20));
    const x = tf.randomNormal([40, 6], 0, 1, "float32", 41);
    const y = tf.randomNormal([40, 3], 0, 1, "float32", 42);
    const dataLoss = tf.tidy(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor).dataSync()[0]);
    const penalty = tf.tidy(() => layer.penalty().dataSync()[0]);
    assert.ok(penalty > 0.1, `penalty ${penalty}`);
    assert.equal(l0Summary(model)[0].penalty, penalty);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
    const evaluated = model.evaluate(x, y, { batchSize: 40 }) as tf.Scalar;
    assert.ok(Math.abs(evaluated.dataSync()[0] - dataLoss) < 1e-5 * Math.max(1, dataLoss));
    const history = await model.fit(x, y, { epochs: 1, batchSize: 40, shuffle: false, verbose: 0 });
    const reported = history.history.loss[0] as number;
    const expected = dataLoss + penalty;
    assert.ok(
      Math.abs(reported - expected) < 1e-5 * Math.max(1, expected),
      `reported ${reported}, expected ${expected}`,
    );
    tf.dispose([x, y, evaluated]);
    model.dispose();
  });

  test("fit with l0Callbacks prunes the irrelevant inputs of a sparse regression", async () => {
    const { x, y, support } = sparseRegression(256, 43);
    const layer = l0Dense({ units: 1, inputShape: [12], useBias: false, seed: 44, lambda: 50, datasetSize: 256 });
    const model = tf.sequential({ layers: [layer] });
    const start = Array.from(layer.logAlpha.read().dataSync());
    model.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });
    await model.fit(x, y, { epochs: 40, batchSize: 32, shuffle: false, verbose: 0, callbacks: l0Callbacks(model) });
    const end = Array.from(layer.logAlpha.read().dataSync());
    for (let j = 0; j < 12; j++) {
      if (!support.includes(j))
        assert.ok(end[j] < start[j] - 2, `log α of irrelevant input ${j}: ${start[j]} → ${end[j]}`);
      assert.ok(end[j] >= AUTHORS_LOG_ALPHA_RANGE[0] - 1e-6 && end[j] <= AUTHORS_LOG_ALPHA_RANGE[1] + 1e-6, "clamped");
    }
    const open = Array.from(layer.testTimeGates().dataSync()).flatMap((v, i) => (v > 0 ? [i] : []));
    assert.deepEqual(open, support);
    tf.dispose([x, y]);
    model.dispose();
  });

  test("trainL0 and fit take the same first step (same gradients) for the same batch and seed", async () => {
    const x = tf.randomNormal([20, 6], 0, 1, "float32", 45);
    const y = tf.randomNormal([20, 3], 0, 1, "float32", 46);
    const viaFit = penalised(47);
    const viaTrain = penalised(47);
    const start = viaFit.model.getWeights().map((w) => w.dataSync().slice());
    viaFit.model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
    await viaFit.model.fit(x, y, { epochs: 1, batchSize: 20, shuffle: false, verbose: 0 });
    await trainL0(
      viaTrain.model,
      { x, y },
      {
        epochs: 1,
        batchSize: 20,
        loss: "meanSquaredError",
        optimizer: tf.train.sgd(0.1),
        clampLogAlpha: false,
      },
    );
    const a = viaFit.model.getWeights();
    const b = viaTrain.model.getWeights();
    a.forEach((w, i) => {
      const stepFit = Array.from(w.dataSync(), (v, j) => v - start[i][j]);
      const stepTrain = Array.from(b[i].dataSync(), (v, j) => v - start[i][j]);
      const scale = stepFit.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(scale > 1e-4, `weight ${i} moved`);
      stepFit.forEach((v, j) => {
        assert.ok(Math.abs(v - stepTrain[j]) < 1e-4 * scale, `weight ${i}[${j}]: fit ${v}, trainL0 ${stepTrain[j]}`);
      });
    });
    tf.dispose([x, y]);
    viaFit.model.dispose();
    viaTrain.model.dispose();
  });

  test("save and load keep the penalty and its settings", async () => {
    const { model, layer } = penalised(48);
    const loaded = await roundTrip(model);
    const copy = loaded.layers[0] as L0Dense;
    assert.ok(copy instanceof L0Dense);
    assert.deepEqual(copy.penaltySettings, layer.penaltySettings);
    assert.deepEqual(copy.penaltySettings, {
      lambda: 0.5,
      datasetSize: 40,
      weightDecay: 0.01,
      weightDecayDividedByN: false,
    });
    assert.equal(copy.losses.length, 1);
    const [original, reloaded] = tf.tidy(() => [
      layer.calculateLosses()[0].dataSync()[0],
      copy.calculateLosses()[0].dataSync()[0],
    ]);
    assert.ok(original > 0 && original === reloaded, `${original} vs ${reloaded}`);
    model.dispose();
    loaded.dispose();
  });

  test("a penalty or gates that are not finite stop fit with an error naming the layer", async () => {
    const x = tf.randomNormal([10, 6], 0, 1, "float32", 49);
    const y = tf.randomNormal([10, 3], 0, 1, "float32", 50);
    for (const broken of ["kernel", "logAlpha"] as const) {
      const { model, layer } = penalised(51);
      const variable = broken === "kernel" ? layer.kernelVariable : layer.logAlpha;
      const values = variable.read().dataSync().slice();
      values[1] = Number.NaN;
      variable.write(tf.tensor(values, variable.shape as number[]));
      model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
      const message =
        broken === "kernel"
          ? new RegExp(`${layer.name}: the L0 penalty is NaN, not finite`)
          : new RegExp(`${layer.name}: cannot sample the gates: .*logAlpha.* must be a finite number, got NaN`);
      await assert.rejects(model.fit(x, y, { epochs: 1, verbose: 0 }), message);
      model.dispose();
    }
    tf.dispose([x, y]);
  });

  test("trainL0 uses the layers' penalties and refuses a second one from its options", async () => {
    const train = {
      x: tf.randomNormal([40, 6], 0, 1, "float32", 52),
      y: tf.randomNormal([40, 3], 0, 1, "float32", 53),
    };
    const { model } = penalised(54);
    await assert.rejects(trainL0(model, train, { epochs: 1, lambda: 0.1, loss: "meanSquaredError" }), {
      message: `trainL0: lambda must be left out: layer ${model.layers[0].name} carries its own penalty, got 0.1`,
    });
    await assert.rejects(
      trainL0(model, train, { epochs: 1, weightDecay: 0, loss: "meanSquaredError" }),
      /trainL0: weightDecay must be left out/,
    );
    const mixed = tf.sequential({
      layers: [
        l0Dense({ units: 3, inputShape: [6], lambda: 1, datasetSize: 40, name: "carries" }),
        l0Dense({ units: 2, name: "bare" }),
      ],
    });
    await assert.rejects(
      trainL0(mixed, train, { epochs: 1, loss: "meanSquaredError" }),
      /trainL0: model must be a model whose L0 layers all carry their own penalty or none does \(bare carries none\)/,
    );
    tf.dispose(train);
    model.dispose();
    mixed.dispose();
  });

  test("l0Callbacks under fit: the Lagrangian term joins the loss and μ ascends after every batch", async () => {
    const { model, layer } = penalised(57, { lambda: 0 });
    layer.logAlpha.write(tf.fill([6], 20)); // sampled gates are all 1: the training output is the test-time one
    const x = tf.randomNormal([40, 6], 0, 1, "float32", 58);
    const y = tf.randomNormal([40, 3], 0, 1, "float32", 59);
    const controller = new LagrangianController({ target: 0.3, learningRate: 0.5, quadratic: 4, initialMultiplier: 2 });
    const dataLoss = tf.tidy(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor).dataSync()[0]);
    const penalty = tf.tidy(() => layer.penalty().dataSync()[0]); // the L2 term (λ = 0)
    const d0 = tf.tidy(() => modelExpectedDensity(model).dataSync()[0]);
    model.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
    const history = await model.fit(x, y, {
      epochs: 1,
      batchSize: 40,
      shuffle: false,
      verbose: 0,
      callbacks: l0Callbacks(model, { lagrangian: controller }),
    });
    const expected = dataLoss + penalty + 2 * (d0 - 0.3) + 2 * (d0 - 0.3) ** 2;
    const reported = history.history.loss[0] as number;
    assert.ok(Math.abs(reported - expected) < 1e-5 * expected, `reported ${reported}, expected ${expected}`);
    // After the step log α is clamped to log 100, and μ ← μ + η·(d − target) with the density then.
    const d1 = tf.tidy(() => modelExpectedDensity(model).dataSync()[0]);
    assert.ok(Math.abs(d1 - 1 / (1 + Math.exp(-(Math.log(100) - (2 / 3) * Math.log(0.1 / 1.1))))) < 1e-6);
    assert.ok(Math.abs(controller.multiplier - (2 + 0.5 * (d1 - 0.3))) < 1e-6, `μ = ${controller.multiplier}`);
    assert.equal(layer.losses.length, 1, "the Lagrangian term is detached after training; the penalty stays");
    tf.dispose([x, y]);
    model.dispose();
  });

  test("l0Callbacks under fit: the Lagrangian pulls the density down to its target; averaging leaves the running average", async () => {
    const train = sparseClassification(200, 55);
    const density = async (controller: LagrangianController | null) => {
      const model = mlp(56);
      model.compile({
        optimizer: tf.train.adam(0.05),
        loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits),
      });
      const callbacks = controller === null ? [] : l0Callbacks(model, { lagrangian: controller });
      await model.fit(train.x, train.y, { epochs: 30, batchSize: 50, shuffle: false, verbose: 0, callbacks });
      const value = tf.tidy(() => modelExpectedDensity(model).dataSync()[0]);
      model.dispose();
      return value;
    };
    const free = await density(null);
    const controller = new LagrangianController({ target: 0.3, learningRate: 0.2 });
    const held = await density(controller);
    assert.ok(
      free > 0.6 && held < 0.5 && controller.multiplier > 0,
      `density ${free} without, ${held} with μ = ${controller.multiplier}`,
    );

    const model = mlp(56);
    model.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });
    const before = tf.memory().numTensors;
    const expected = model.getWeights().map((w) => Float64Array.from(w.dataSync()));
    const recorder = new tf.CustomCallback({
      onBatchEnd: async () => {
        model.getWeights().forEach((w, i) => {
          const values = w.dataSync();
          for (let j = 0; j < values.length; j++) expected[i][j] = 0.8 * expected[i][j] + 0.2 * values[j];
        });
      },
    });
    await model.fit(train.x, train.y, {
      epochs: 2,
      batchSize: 50,
      shuffle: false,
      verbose: 0,
      callbacks: [l0Callbacks(model, { averageDecay: 0.8 }), recorder],
    });
    model.getWeights().forEach((w, i) => {
      const values = w.dataSync();
      for (let j = 0; j < values.length; j++)
        assert.ok(Math.abs(values[j] - expected[i][j]) < 1e-5, `weight ${i}[${j}]`);
    });
    // Only the optimizer's two slots per weight stay; the averages are freed.
    assert.equal(tf.memory().numTensors, before + 2 * model.getWeights().length);
    assert.throws(
      () => l0Callbacks(model, { averageDecay: 1 }),
      /l0Callbacks: averageDecay must be a number in \(0, 1\), got 1/,
    );
    assert.throws(
      () => l0Callbacks(model, { clampLogAlpha: [1, 0] }),
      /l0Callbacks: clampLogAlpha must be false or \[min, max\]/,
    );
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    assert.throws(
      () => l0Callbacks(plain, { lagrangian: controller }),
      /l0Callbacks: lagrangian must be used with a model that has at least one L0 layer/,
    );
    tf.dispose(train);
    model.dispose();
    plain.dispose();
  });
});

describe("classificationError", () => {
  test("counts arg-max mismatches with integer or one-hot labels, in any batch size", () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], useBias: false })] });
    model.layers[0].setWeights([tf.tensor2d([1, 0, 0, 0, 1, 0], [2, 3])]);
    // outputs [x0, x1, 0]: arg max 0, 1, 2, 0 for these rows
    const x = tf.tensor2d([2, 1, 1, 2, -1, -1, 3, 0], [4, 2]);
    const classes = tf.tensor1d([0, 1, 1, 2], "int32");
    const oneHot = tf.oneHot(classes, 3);
    for (const batchSize of [1, 3, 1000]) {
      assert.equal(classificationError(model, x, classes, batchSize), 0.5);
      assert.equal(classificationError(model, x, oneHot, batchSize), 0.5);
    }
    assert.throws(() => classificationError(model, x, classes, 0), {
      message: "classificationError: batchSize must be an integer ≥ 1, got 0",
    });
    assert.throws(
      () => classificationError(model, x, classes, Number.NaN),
      /batchSize must be an integer ≥ 1, got NaN/,
    );
    assert.throws(
      () => classificationError(model, x, tf.tensor1d([0, 1])),
      /labels must be 4 rows, one per example of x/,
    );
    const empty = tf.zeros([0, 2]);
    assert.throws(() => classificationError(model, empty, tf.zeros([0], "int32")), {
      message:
        "classificationError: x must be a tensor of rank ≥ 1 with at least one example (an empty set has no error rate), got a tensor of shape [0, 2]",
    });
    empty.dispose();
    tf.dispose([x, classes, oneHot]);
    model.dispose();
  });

  test("runs each chunk of batchSize examples as one batch in inference mode, and a set that is one batch uncut", () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
    const apply = model.apply.bind(model);
    const calls: { input: tf.Tensor; training: unknown }[] = [];
    model.apply = (input, kwargs) => {
      calls.push({ input: input as tf.Tensor, training: kwargs?.training });
      return apply(input, kwargs);
    };
    model.predict = () => assert.fail("predict cuts its input into batches of 32 rows unless told otherwise");
    const x = tf.randomNormal([250, 4], 0, 1, "float32", 1);
    const labels = tf.zeros([250], "int32");
    classificationError(model, x, labels, 100);
    assert.deepEqual(
      calls.map(({ input, training }) => [input.shape[0], training]),
      [
        [100, false],
        [100, false],
        [50, false],
      ],
    );
    calls.length = 0;
    classificationError(model, x, labels);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].input, x, "the whole set is passed as it is, not sliced");
    calls.length = 0;
    const [larger, largerLabels] = [tf.zeros([2001, 4]), tf.zeros([2001], "int32")];
    classificationError(model, larger, largerLabels);
    assert.deepEqual(
      calls.map(({ input }) => input.shape[0]),
      [2000, 1],
      "the default chunk is 2,000 rows",
    );
    tf.dispose([x, labels, larger, largerLabels]);
    model.dispose();
  });

  test("modelExpectedDensity needs an L0 layer; modelExpectedL0 is 0 without one", () => {
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], name: "plain_dense" })] });
    assert.throws(
      () => modelExpectedDensity(plain),
      /modelExpectedDensity: model must be a model with at least one L0 layer/,
    );
    const before = tf.memory().numTensors;
    const zero = modelExpectedL0(plain);
    assert.equal(zero.dataSync()[0], 0);
    zero.dispose();
    assert.equal(tf.memory().numTensors, before);
    plain.dispose();
  });
});

describe("pruneToDense", () => {
  test("the pruned dense model predicts the same and the parameter count drops by the amount reported", async () => {
    for (const gatePerWeight of [false, true]) {
      const model = tf.sequential({
        layers: [
          l0Dense({ units: 7, activation: "relu", inputShape: [10], seed: 20, gatePerWeight }),
          l0Dense({ units: 5, activation: "tanh", seed: 21, gatePerWeight }),
          tf.layers.dense({ units: 3 }),
        ],
      });
      const [first, second] = l0Layers(model);
      first.logAlpha.write(tf.randomNormal(first.logAlpha.shape as number[], -1, 3, "float32", 22));
      second.logAlpha.write(tf.randomNormal(second.logAlpha.shape as number[], -1, 3, "float32", 23));
      const pruned = pruneToDense(model);
      const x = tf.randomNormal([20, 10], 0, 1, "float32", 24);
      const expected = model.predict(x) as tf.Tensor;
      const actual = pruned.model.predict(selectInputs(x as tf.Tensor2D, pruned.inputIndices)) as tf.Tensor;
      const diff = tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0];
      assert.ok(diff < 1e-5, `max difference ${diff}`);
      assert.equal(pruned.parametersBefore, 10 * 7 + 7 + 7 * 5 + 5 + 5 * 3 + 3);
      assert.equal(pruned.parametersAfter, pruned.model.countParams());
      const [k0, k1, k2] = pruned.architecture;
      assert.equal(pruned.parametersAfter, k0 * k1 + k1 + k1 * k2 + k2 + k2 * 3 + 3);
      // Per unit and per weight alike: an input stays while its test-time gate (any of its weights' gates) is open.
      assert.deepEqual(pruned.architecture, [first.unitsLeft(), second.unitsLeft(), 5, 3]);
      if (!gatePerWeight) assert.ok(pruned.parametersAfter < pruned.parametersBefore);
      assert.equal(pruned.inputIndices.length, k0);
      assert.throws(() => selectInputs(x as tf.Tensor2D, [0, 10]), {
        message: "selectInputs: inputIndices[1] must be an integer in [0, 9] (a column of x), got 10",
      });
      assert.throws(() => selectInputs(x as tf.Tensor2D, [-1]), /inputIndices\[0\] must be an integer in \[0, 9\]/);
      tf.dispose([x, expected, actual]);
      model.dispose();
      pruned.model.dispose();
    }
  });

  test("magnitudePruneToDense keeps the inputs with the largest kernel rows", () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: "relu" }), tf.layers.dense({ units: 2 })],
    });
    model.layers[0].setWeights([
      tf.tensor2d([0.1, 0, 0, 3, 0, 0, 0.2, 0.2, 0, 0, 0, 2], [4, 3]),
      tf.tensor1d([0.5, -0.5, 0.1]),
    ]);
    model.layers[1].setWeights([tf.tensor2d([1, 1, 0.01, 0, 2, -2], [3, 2]), tf.tensor1d([0, 0])]);
    const pruned = magnitudePruneToDense(model, [2, 2]);
    assert.deepEqual(pruned.inputIndices, [1, 3]);
    assert.deepEqual(pruned.architecture, [2, 2, 2]);
    assert.equal(pruned.parametersAfter, 2 * 2 + 2 + 2 * 2 + 2);
    // Unit 1 of the hidden layer (smallest outgoing row) is removed with its bias.
    assert.deepEqual(Array.from(pruned.model.layers[0].getWeights()[1].dataSync()), [0.5, Math.fround(0.1)]);
    assert.throws(
      () => magnitudePruneToDense(model, [5, 2]),
      /inputsToKeep\[0\] must be an integer in \[1, 4\], got 5/,
    );
    model.dispose();
    pruned.model.dispose();
  });

  test("rejects models it cannot export", () => {
    const model = tf.sequential({
      layers: [
        l0Dense({ units: 4, inputShape: [3], seed: 30 }),
        tf.layers.dropout({ rate: 0.1 }),
        l0Dense({ units: 2 }),
      ],
    });
    assert.throws(() => pruneToDense(model), /layer dropout.* is not a dense layer/);
    const closed = tf.sequential({ layers: [l0Dense({ units: 2, inputShape: [3], seed: 31 })] });
    (closed.layers[0] as L0Dense).logAlpha.write(tf.fill([3], -10));
    assert.throws(() => pruneToDense(closed), /every input of layer .* is pruned/);
    model.dispose();
    closed.dispose();
  });

  test("refuses, naming the layer and the entry, a model whose weights or log α are not finite", () => {
    const model = () =>
      tf.sequential({
        layers: [l0Dense({ units: 2, inputShape: [3], seed: 32 }), tf.layers.dense({ units: 2 })],
      });
    const nanKernel = model();
    const gated = nanKernel.layers[0] as L0Dense;
    gated.kernelVariable.write(tf.tensor2d([1, 2, 3, Number.NaN, 5, 6], [3, 2]));
    assert.throws(
      () => pruneToDense(nanKernel),
      /^RangeError: pruneToDense: layer \S+'s kernel \(with ẑ folded in\)\[3\] must be finite \(did training diverge\?\), got NaN$/,
    );
    gated.logAlpha.write(tf.tensor1d([0, Number.NaN, 0]));
    assert.throws(() => pruneToDense(nanKernel), /testTimeGate: logAlpha\[1\] .* got NaN/);
    const infiniteBias = model();
    const [kernel] = infiniteBias.layers[1].getWeights();
    const bias = tf.tensor1d([0, Number.POSITIVE_INFINITY]);
    infiniteBias.layers[1].setWeights([kernel, bias]);
    for (const [call, where] of [
      [() => pruneToDense(infiniteBias), "pruneToDense"],
      [() => magnitudePruneToDense(infiniteBias, [3, 2]), "magnitudePruneToDense"],
    ] as const) {
      assert.throws(
        call,
        new RegExp(`^RangeError: ${where}: layer \\S+'s bias\\[1\\] must be finite .*, got Infinity$`),
      );
    }
    bias.dispose(); // getWeights gives the layer's own kernel: not disposed here
    nanKernel.dispose();
    infiniteBias.dispose();
  });
});

describe("LagrangianController", () => {
  test("ascends on the constraint gap and adds μ·gap + (ρ/2)·gap² to the loss", () => {
    const controller = new LagrangianController({ target: 0.2, learningRate: 0.5, quadratic: 4, initialMultiplier: 1 });
    const term = controller.term(tf.scalar(0.5));
    assert.ok(Math.abs(term.dataSync()[0] - (1 * 0.3 + 2 * 0.09)) < 1e-6);
    assert.ok(Math.abs(controller.update(0.5) - 1.15) < 1e-12);
    assert.ok(Math.abs(controller.update(0.1) - 1.1) < 1e-12);
    term.dispose();
    const huge = new LagrangianController({ target: 0.5, learningRate: 1e308, initialMultiplier: 1.5e308 });
    assert.throws(
      () => huge.update(1),
      /^RangeError: LagrangianController.update: the multiplier μ must be finite: learningRate 1e\+308 is too large, got Infinity$/,
    );
    assert.equal(huge.multiplier, 1.5e308, "μ is left as it was");
    assert.throws(
      () => new LagrangianController({ target: 0.2, quadratic: -1 }),
      /quadratic must be a finite number ≥ 0/,
    );
  });
});

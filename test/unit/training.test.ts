import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  AUTHORS_LOG_ALPHA_RANGE,
  classificationError,
  type L0Dense,
  LagrangianController,
  l0Dense,
  l0Layers,
  l0Penalty,
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
  test("is (1/N)·Σ_l (λ_l·E[L0_l] + expected L2_l), with λ per model, per layer or by name", () => {
    const model = mlp(1);
    const [a, b] = l0Layers(model);
    const l0 = [a.expectedL0().dataSync()[0], b.expectedL0().dataSync()[0]];
    const l2 = [a.expectedL2(0.01).dataSync()[0], b.expectedL2(0.01).dataSync()[0]];
    const expected = (0.5 * l0[0] + 2 * l0[1] + l2[0] + l2[1]) / 50;
    const perLayer = l0Penalty([a, b], { lambda: [0.5, 2], weightDecay: 0.01, datasetSize: 50 });
    const byName = l0Penalty([a, b], { lambda: { [a.name]: 0.5, [b.name]: 2 }, weightDecay: 0.01, datasetSize: 50 });
    const single = l0Penalty([a, b], { lambda: 3, datasetSize: 10 });
    assert.ok(Math.abs(perLayer.dataSync()[0] - expected) < 1e-6 * Math.max(1, expected));
    assert.ok(Math.abs(byName.dataSync()[0] - expected) < 1e-6 * Math.max(1, expected));
    assert.ok(Math.abs(single.dataSync()[0] - (3 * (l0[0] + l0[1])) / 10) < 1e-4);
    tf.dispose([perLayer, byName, single]);
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
      /datasetSize must be a finite number > 0, got 0/,
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
    const before = tf.memory().numTensors;
    const result = await trainL0(model, train, { epochs: 2, batchSize: 50, seed: 15, averageDecay: 0.9 });
    assert.ok(result.averager !== null);
    result.averager!.dispose();
    assert.equal(
      tf.memory().numTensors,
      before,
      "training with averaging leaves no tensors once the averager is disposed",
    );
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
    tf.dispose([x, classes, oneHot]);
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
      if (!gatePerWeight) {
        assert.deepEqual(pruned.architecture, [first.unitsLeft(), second.unitsLeft(), 5, 3]);
        assert.ok(pruned.parametersAfter < pruned.parametersBefore);
      }
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
});

describe("LagrangianController", () => {
  test("ascends on the constraint gap and adds μ·gap + (ρ/2)·gap² to the loss", () => {
    const controller = new LagrangianController({ target: 0.2, learningRate: 0.5, quadratic: 4, initialMultiplier: 1 });
    const term = controller.term(tf.scalar(0.5));
    assert.ok(Math.abs(term.dataSync()[0] - (1 * 0.3 + 2 * 0.09)) < 1e-6);
    assert.ok(Math.abs(controller.update(0.5) - 1.15) < 1e-12);
    assert.ok(Math.abs(controller.update(0.1) - 1.1) < 1e-12);
    term.dispose();
    assert.throws(
      () => new LagrangianController({ target: 0.2, quadratic: -1 }),
      /quadratic must be a finite number ≥ 0/,
    );
  });
});

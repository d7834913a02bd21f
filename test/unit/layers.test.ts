import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  AUTHORS_LOG_ALPHA_RANGE,
  L0Conv2D,
  L0Dense,
  l0Conv2d,
  l0Dense,
  l0Layers,
  l0Summary,
  modelExpectedDensity,
  probNonZero,
  registerFastMatMulGradient,
  testTimeGate,
  useBackend,
} from "l0-hard-concrete";
import { trainableConv2d } from "l0-hard-concrete/internal/layers/conv";
import { matMulFastGradient } from "l0-hard-concrete/internal/layers/matMul";

before(async () => {
  await useBackend();
});

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

describe("L0Dense", () => {
  test("gradients reach log α and the weights in training mode", () => {
    const model = smallMlp();
    const x = tf.randomNormal([8, 6], 0, 1, "float32", 1);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)));
    assert.ok(Number.isFinite(value.dataSync()[0]));
    for (const layer of l0Layers(model)) {
      for (const variable of [layer.logAlpha, layer.kernelVariable]) {
        const grad = grads[(variable.read() as tf.Variable).name];
        assert.ok(grad !== undefined, `no gradient for ${variable.name}`);
        const norm = tf.tidy(() => tf.sum(tf.abs(grad)).dataSync()[0]);
        assert.ok(norm > 0 && Number.isFinite(norm), `${variable.name}: gradient norm ${norm}`);
      }
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    model.dispose();
  });

  test("log α starts at log((1 − p)/p) with spread 0.01", () => {
    const model = smallMlp();
    const [first, second] = l0Layers(model);
    const a = first.logAlpha.read().dataSync();
    const b = second.logAlpha.read().dataSync();
    for (const v of a) assert.ok(Math.abs(v - Math.log(4)) < 0.05, `${v}`);
    for (const v of b) assert.ok(Math.abs(v) < 0.05, `${v}`);
    assert.equal(first.logAlpha.shape.join(), "6");
    model.dispose();
    // 4000 draws: the sample mean is within 5 standard errors (0.01/√4000) of log((1 − p)/p)
    // and the sample standard deviation within 10% of 0.01 (its standard error is about 1.1%).
    const wide = tf.sequential({ layers: [l0Dense({ units: 1, inputShape: [4000], dropRateInit: 0.3, seed: 5 })] });
    const values = Array.from(l0Layers(wide)[0].logAlpha.read().dataSync());
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
    assert.ok(Math.abs(mean - Math.log(0.7 / 0.3)) < 5 * (0.01 / Math.sqrt(4000)), `mean ${mean}`);
    assert.ok(Math.abs(sd - 0.01) < 0.001, `standard deviation ${sd}`);
    wide.dispose();
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
    layer.logAlpha.write(tf.tensor1d([5, -5, 5, 5, -5, 5]));
    const x = tf.randomNormal([4, 6], 0, 1, "float32", 2);
    const changed = tf.tidy(() => tf.add(x, tf.mul(tf.tensor1d([0, 100, 0, 0, -50, 0]), tf.onesLike(x))));
    assert.ok(maxAbsDiff(model.predict(x) as tf.Tensor, model.predict(changed) as tf.Tensor) < 1e-6);
    assert.equal(layer.unitsLeft(), 4);
    const expected = tf.tidy(() =>
      tf.relu(
        tf.add(
          tf.matMul(tf.mul(x, testTimeGate(layer.logAlpha.read(), layer.params)), layer.kernelVariable.read()),
          layer.biasVariable!.read(),
        ),
      ),
    );
    const actual = layer.apply(x) as tf.Tensor;
    assert.ok(maxAbsDiff(expected, actual) < 1e-5);
    tf.dispose([x, changed, expected, actual]);
    model.dispose();
  });

  test("training draws one gate sample per call, the same for every example of the minibatch", () => {
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

  test("one gate per weight: log α has the kernel's shape and gradients reach it", () => {
    const model = smallMlp({ gatePerWeight: true });
    const layer = l0Layers(model)[0];
    assert.deepEqual(layer.logAlpha.shape, [6, 5]);
    assert.equal(layer.weightsPerGate(), 1);
    const x = tf.randomNormal([3, 6], 0, 1, "float32", 3);
    const { grads, value } = tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor));
    const g = grads[(layer.logAlpha.read() as tf.Variable).name];
    assert.ok(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]) > 0);
    tf.dispose([x, value, ...Object.values(grads)]);
    model.dispose();
  });

  test("expected L0, expected L2 and the counts follow the closed forms", () => {
    const model = smallMlp();
    const [layer, second] = l0Layers(model);
    const logAlpha = [2, -3, 0, 1, -1, 0.5];
    layer.logAlpha.write(tf.tensor1d(logAlpha));
    const p = logAlpha.map((a) => probNonZero(a, layer.params));
    const pSum = p.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(layer.expectedL0().dataSync()[0] - 5 * pSum) < 1e-4);
    const w = layer.kernelVariable.read().arraySync() as number[][];
    const b = layer.biasVariable!.read().arraySync() as number[];
    const wd = 0.3;
    let l2 = 0;
    w.forEach((row, i) => {
      for (const v of row) l2 += 0.5 * wd * p[i] * v * v;
    });
    for (const v of b) l2 += 0.5 * wd * v * v;
    assert.ok(Math.abs(layer.expectedL2(wd).dataSync()[0] - l2) < 1e-5 * Math.max(1, l2));
    // ẑ > 0 iff log α > −log 11 ≈ −2.398: 5 inputs left.
    assert.equal(layer.unitsLeft(), 5);
    assert.equal(layer.unitCount(), 6);
    assert.deepEqual(layer.parameterCounts().actual, 5 * 5 + 5);
    assert.ok(Math.abs(layer.parameterCounts().expected - (pSum * 5 + 5)) < 1e-3);
    assert.equal(layer.flopCounts().actual, 2 * 5 * 5);
    const summary = l0Summary(model);
    assert.equal(summary.length, 2);
    assert.equal(summary[0].unitsLeft, 5);
    assert.equal(summary[1].units, 5);
    assert.equal(summary[0].parameters.total, 35);
    const density = modelExpectedDensity(model).dataSync()[0];
    const secondL0 = second.expectedL0().dataSync()[0];
    assert.ok(Math.abs(density - (5 * pSum + secondL0) / (30 + 15)) < 1e-5);
    model.dispose();
  });

  test("save and tf.loadLayersModel give identical predictions", async () => {
    for (const options of [{}, { gatePerWeight: true }, { testGate: "median" as const }]) {
      const model = smallMlp(options);
      const layer = l0Layers(model)[0];
      layer.logAlpha.write(tf.randomNormal(layer.logAlpha.shape as number[], 0, 3, "float32", 12));
      await assertSameAfterRoundTrip(model, tf.randomNormal([5, 6], 0, 1, "float32", 4), L0Dense);
    }
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
    assert.throws(() => l0Dense({ units: 2, activation: "gelu" as "relu" }), /activation must be one of/);
    assert.throws(() => l0Dense({ units: 2, seed: 0.5 }), /seed must be a safe integer, got 0.5/);
    const model = smallMlp();
    const wrong = tf.zeros([2, 7]);
    assert.throws(
      () => model.layers[0].apply(wrong),
      /must be a tensor of shape \[batch, 6\], got a tensor of shape \[2, 7\]/,
    );
    assert.throws(() => new L0Dense({ units: 2 }).logAlpha, /has no weights yet/);
    assert.throws(() => l0Layers(model)[0].clampLogAlpha(1, -1), /min must be a number < max/);
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
  function convModel(gatePerWeight = false) {
    return tf.sequential({
      layers: [
        l0Conv2d({ filters: 4, kernelSize: 3, activation: "relu", inputShape: [6, 6, 2], seed: 21, gatePerWeight }),
        tf.layers.flatten(),
        l0Dense({ units: 3, seed: 22 }),
      ],
    });
  }

  test("output shape, one gate per feature map, and gradients reach log α and the kernel", () => {
    const model = convModel();
    const conv = model.layers[0] as L0Conv2D;
    assert.deepEqual(conv.logAlpha.shape, [4]);
    assert.deepEqual(model.outputs[0].shape, [null, 3]);
    assert.equal(conv.weightsPerGate(), 3 * 3 * 2);
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, "float32", 6);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)));
    for (const variable of [conv.logAlpha, conv.kernelVariable]) {
      const norm = tf.tidy(() => tf.sum(tf.abs(grads[(variable.read() as tf.Variable).name])).dataSync()[0]);
      assert.ok(norm > 0 && Number.isFinite(norm), `${variable.name}: ${norm}`);
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    model.dispose();
  });

  test("a closed gate zeroes its whole feature map; counts use the output size", () => {
    const model = convModel();
    const conv = model.layers[0] as L0Conv2D;
    conv.logAlpha.write(tf.tensor1d([5, -5, 5, -5]));
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, "float32", 7);
    const maps = conv.apply(x) as tf.Tensor4D;
    const perMap = tf.tidy(() => tf.sum(tf.abs(maps), [0, 1, 2]).dataSync());
    assert.equal(perMap[1], 0);
    assert.equal(perMap[3], 0);
    assert.ok(perMap[0] > 0 || perMap[2] > 0);
    assert.equal(conv.unitsLeft(), 2);
    assert.equal(conv.flopCounts().actual, 2 * 18 * 2 * 16);
    assert.equal(conv.parameterCounts().actual, 2 * 18 + 4);
    tf.dispose([x, maps]);
    model.dispose();
  });

  test("save and load give identical predictions (per map and per weight gates)", async () => {
    for (const gatePerWeight of [false, true]) {
      const model = convModel(gatePerWeight);
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
    registerFastMatMulGradient();
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
});

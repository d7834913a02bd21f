// Long runs: 1,000 training steps with trainL0 and with tfjs's model.fit, with
// every per-step path switched on (layer penalties, a separate log α optimizer,
// the Lagrangian, weight averaging, the log α clamp). After a warm-up, the number
// of live tensors and their bytes must not change from one step to the next
// (trainL0: from one epoch to the next at the same step of the epoch, since it keeps
// each step's loss on the device until the epoch's end, where it reads them at once).
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { LagrangianController, l0Callbacks, l0Dense, trainL0, useBackend } from "l0-hard-concrete";

before(async () => {
  await useBackend();
});

const STEPS = 1000;
const WARM_UP = 20;

/** A 12-8-3 MLP whose L0 layers carry their own penalty. */
function model(seed: number): tf.Sequential {
  const penalty = { lambda: 0.5, datasetSize: 100, weightDecay: 5e-4, weightDecayDividedByN: false };
  return tf.sequential({
    layers: [
      l0Dense({ units: 8, activation: "relu", inputShape: [12], seed, ...penalty }),
      l0Dense({ units: 3, seed: seed + 1, gateSampling: "perExample", ...penalty }),
    ],
  });
}

function data(seed: number): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const x = tf.randomNormal([100, 12], 0, 1, "float32", seed);
    return { x, y: tf.oneHot(tf.argMax(tf.slice(x, [0, 0], [100, 3]), 1), 3).toFloat() };
  });
}

/**
 * Asserts that the memory recorded after every step is the same from the warm-up on,
 * comparing each step with the step `period` steps earlier (1: every step alike).
 */
function assertConstant(records: { numTensors: number; numBytes: number }[], period = 1): void {
  assert.equal(records.length, STEPS);
  records.slice(WARM_UP).forEach((record, i) => {
    const reference = records[WARM_UP + (i % period)];
    assert.deepEqual(
      record,
      reference,
      `step ${WARM_UP + i + 1}: ${JSON.stringify(record)} vs ${JSON.stringify(reference)}`,
    );
  });
}

describe("no leak over 1,000 training steps", () => {
  test("trainL0 (layer penalties, separate log α optimizer, Lagrangian, averaging, clamp)", async () => {
    const net = model(1);
    const train = data(2);
    const records: { numTensors: number; numBytes: number }[] = [];
    const before = tf.memory().numTensors;
    await trainL0(net, train, {
      epochs: STEPS / 10,
      batchSize: 10,
      gateLearningRate: 1e-2,
      lagrangian: new LagrangianController({ target: 0.5, learningRate: 0.01 }),
      averageDecay: 0.99,
      seed: 3,
      onStep: () => {
        const { numTensors, numBytes } = tf.memory();
        records.push({ numTensors, numBytes });
      },
    });
    assertConstant(records, 10);
    assert.equal(tf.memory().numTensors, before, "nothing left after the call");
    tf.dispose(train);
    net.dispose();
  });

  test("model.fit with l0Callbacks (layer penalties, Lagrangian, averaging, clamp)", async () => {
    const net = model(4);
    const train = data(5);
    net.compile({
      optimizer: tf.train.adam(1e-2),
      loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits),
    });
    const records: { numTensors: number; numBytes: number }[] = [];
    const recorder = new tf.CustomCallback({
      onBatchEnd: async () => {
        const { numTensors, numBytes } = tf.memory();
        records.push({ numTensors, numBytes });
      },
      // tfjs's History keeps every epoch's loss as a scalar tensor until fit returns, unless a
      // callback with onEpochEnd has the logs read back (tfjs's CustomCallback does): that
      // growth, one scalar per epoch and freed at the end, is tfjs's, so it is switched off here.
      onEpochEnd: async () => {},
    });
    const before = tf.memory().numTensors;
    const callbacks = l0Callbacks(net, {
      lagrangian: new LagrangianController({ target: 0.5, learningRate: 0.01 }),
      averageDecay: 0.99,
    });
    await net.fit(train.x, train.y, {
      epochs: STEPS / 10,
      batchSize: 10,
      shuffle: false,
      verbose: 0,
      callbacks: [callbacks, recorder],
    });
    assertConstant(records);
    // Left after fit: Adam's two slots per weight (kept by the compiled optimizer) and nothing else.
    assert.equal(tf.memory().numTensors, before + 2 * net.getWeights().length);
    tf.dispose(train);
    net.dispose();
  });
});

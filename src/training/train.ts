/**
 * A training loop for models with L0-gated layers (Louizos, Welling & Kingma 2018,
 * Sec. 4 and the authors' recipe): minibatches in a seeded random order, gate
 * samples drawn by the layers, loss = data loss + the model's layer losses (the
 * layers' own penalties, as `model.fit` adds them) or `l0Penalty` from the options,
 * Adam (optionally a separate one for log α), and after every step the work of
 * `l0Callbacks` (log α clamp, Lagrangian, weight averaging).
 */
import * as tf from "@tensorflow/tfjs";
import { inNotebook } from "../display/jupyter";
import { type Metrics, progress } from "../display/progress";
import { checkTensor } from "../gates/checks";
import { checkPenaltySettings, L0Layer } from "../layers/l0Layer";
import { l0Layers } from "../layers/l0Model";
import { Random } from "../random";
import { checkGreater, fail } from "../validate";
import { HostBatches } from "./batches";
import { L0Callback } from "./callbacks";
import { classificationError } from "./evaluate";
import { FusedAdam } from "./fusedAdam";
import type { LagrangianController } from "./lagrangian";
import { type LambdaSetting, l0Penalty, lambdasPerLayer, type PenaltyOptions } from "./penalty";

/** Inputs and targets held as tensors (targets one-hot for cross-entropy). */
export interface TensorData {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
}

/** What is known at the end of an epoch. */
export interface EpochRecord {
  readonly epoch: number;
  /** Mean training loss (data loss + penalties) over the epoch's steps. */
  readonly loss: number;
  /** Error on `evalData` (classification error, or mean squared error), NaN without it. */
  readonly evalError: number;
  /** Σ E[L0] of the L0 layers at the end of the epoch. */
  readonly expectedL0: number;
  /** Units left by the test-time gate, per L0 layer. */
  readonly unitsLeft: number[];
  /** Gates whose test-time gate is fractional, 0 < ẑ < 1, per L0 layer (`L0Layer.fractionalGates`). */
  readonly fractionalGates: number[];
  /** Lagrange multiplier μ (NaN without a controller). */
  readonly multiplier: number;
  /** Wall-clock seconds of the epoch's training steps (evaluation excluded). */
  readonly seconds: number;
}

/** Options of `trainL0`. */
export interface TrainOptions {
  /** Number of passes over the data (≥ 1). */
  epochs: number;
  /** Minibatch size (default 100). */
  batchSize?: number;
  /** `"softmaxCrossEntropy"` (default; the model outputs logits, y is one-hot) or `"meanSquaredError"`. */
  loss?: "softmaxCrossEntropy" | "meanSquaredError";
  /** Optimizer (default Adam with `learningRate`). */
  optimizer?: tf.Optimizer;
  /** Adam's learning rate when no optimizer is given (default 1e-3). */
  learningRate?: number;
  /**
   * A separate Adam learning rate for the gate parameters log α (default: log α is
   * trained with the weights by the same optimizer, as in the authors' code).
   */
  gateLearningRate?: number;
  /**
   * Cost per non-zero weight of `l0Penalty`, Nλ (the authors' code's unit; λ is the paper's), for
   * L0 layers that carry no penalty of their own (default 0.1). Leave it out, with
   * `weightDecay`, `datasetSize` and `weightDecayDividedByN`, when the layers were
   * built with their own `lambda` and `datasetSize`.
   */
  lambda?: LambdaSetting;
  /** Weight decay of the expected L2 term (default 0; the authors use 5e-4). */
  weightDecay?: number;
  /** N of the penalty (default: the number of training examples). */
  datasetSize?: number;
  /** Whether the expected L2 term is divided by N (default true; see `L0PenaltySettings`). */
  weightDecayDividedByN?: boolean;
  /** Range log α is clamped to after each step; `false` for none (default `AUTHORS_LOG_ALPHA_RANGE`). */
  clampLogAlpha?: readonly [number, number] | false;
  /** Drives the expected density to a target (added to the loss; μ updated after each step). */
  lagrangian?: LagrangianController;
  /** A further differentiable penalty added to the loss (e.g. L1 for a baseline). */
  extraPenalty?: () => tf.Scalar;
  /** Decay of the running average of the weights used for evaluation (e.g. 0.999); none by default. */
  averageDecay?: number;
  /** Held-out data evaluated at the end of every `evalEvery`-th epoch and of the last one. */
  evalData?: TensorData;
  /** Evaluate every this many epochs (default 1). */
  evalEvery?: number;
  /** Seed of the minibatch order (default 0). */
  seed?: number;
  /** Show progress: an updating display in a notebook, a line per epoch in a terminal (default false). */
  progress?: boolean | string;
  /**
   * Called after every step with the step number (from 1) and the step's loss. Reading the
   * loss costs a read from the device per step; without `onStep` training reads once per epoch.
   */
  onStep?: (step: number, loss: number) => void;
  /** Called after every epoch. */
  onEpoch?: (record: EpochRecord) => void;
}

/** The result of `trainL0`. */
export interface TrainResult {
  readonly history: EpochRecord[];
  readonly steps: number;
}

/**
 * Trains `model` on `data`; see `TrainOptions`. The objective is the data loss
 * plus the model's layer losses (`layer.calculateLosses()`: the penalties of L0
 * layers built with `lambda` and `datasetSize`, tfjs regularisers, a Lagrangian
 * term), exactly what `model.fit` adds, plus `l0Penalty` from `lambda`,
 * `weightDecay` and `datasetSize` for L0 layers without a penalty of their own,
 * plus `extraPenalty`. With `averageDecay` the model ends holding the averaged
 * weights (as the authors evaluate); the per-epoch evaluation uses them too.
 * The data are read from the device once, at the start, and the minibatches cut
 * from that host copy (`HostBatches`: tfjs's gather is slow on the wasm backend).
 */
export async function trainL0(model: tf.LayersModel, data: TensorData, options: TrainOptions): Promise<TrainResult> {
  const where = "trainL0";
  const { epochs, batchSize = 100, loss = "softmaxCrossEntropy", evalEvery = 1, seed = 0 } = options;
  if (!Number.isInteger(epochs) || epochs < 1) fail(where, "epochs", epochs, "an integer ≥ 1");
  if (!Number.isInteger(batchSize) || batchSize < 1) fail(where, "batchSize", batchSize, "an integer ≥ 1");
  if (!Number.isInteger(evalEvery) || evalEvery < 1) fail(where, "evalEvery", evalEvery, "an integer ≥ 1");
  if (!Number.isSafeInteger(seed)) fail(where, "seed", seed, "a safe integer");
  if (loss !== "softmaxCrossEntropy" && loss !== "meanSquaredError") {
    fail(where, "loss", loss, '"softmaxCrossEntropy" or "meanSquaredError"');
  }
  checkTensor(where, "data.x", data?.x);
  checkTensor(where, "data.y", data.y);
  const n = data.x.shape[0];
  if (data.y.shape[0] !== n) fail(where, "data.y", data.y, `${n} rows, one per example of data.x`);
  if (n < 1) fail(where, "data.x", data.x, "a tensor with at least one example");
  if (options.evalData !== undefined) {
    const { x, y } = options.evalData;
    checkTensor(where, "evalData.x", x);
    checkTensor(where, "evalData.y", y);
    if (!(x.shape[0] >= 1)) fail(where, "evalData.x", x, "a tensor with at least one example");
    if (y.shape[0] !== x.shape[0]) fail(where, "evalData.y", y, `${x.shape[0]} rows, one per example of evalData.x`);
  }
  const layers = l0Layers(model);
  const penaltyOptions = optionsPenalty(where, model, n, options);
  if (options.optimizer === undefined && options.learningRate !== undefined) {
    checkGreater(where, "learningRate", options.learningRate, 0);
  }
  // Before any optimizer exists: a rejected call allocates nothing.
  if (options.gateLearningRate !== undefined) checkGreater(where, "gateLearningRate", options.gateLearningRate, 0);
  const hooks = new L0Callback(
    model,
    { clampLogAlpha: options.clampLogAlpha, lagrangian: options.lagrangian, averageDecay: options.averageDecay },
    where,
  );
  const ownOptimizer = options.optimizer === undefined;
  const optimizer = options.optimizer ?? defaultOptimizer(options.learningRate ?? 1e-3);
  const gateVariables = new Set(layers.map((layer) => layer.logAlpha.read() as tf.Variable));
  const separateGates = options.gateLearningRate !== undefined;
  const gateOptimizer = separateGates ? defaultOptimizer(options.gateLearningRate!) : null;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const random = new Random(seed);
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const notebook = inNotebook();
  const label = typeof options.progress === "string" ? options.progress : "training";
  const bar = options.progress ? progress({ total: epochs * stepsPerEpoch, label }) : null;
  let lastMetrics: Metrics = {};

  const objective = trainingObjective(model, loss, penaltyOptions, options.extraPenalty);

  const history: EpochRecord[] = [];
  let step = 0;
  // No read from the device inside an epoch (unless `onStep` wants each loss): the layers skip
  // their per-call finiteness checks, and `checkEpoch` reads the losses and weights once per epoch.
  const checks = layers.map((layer) => layer.finitenessChecks);
  for (const layer of layers) layer.finitenessChecks = false;
  const losses: tf.Scalar[] = [];
  const batches = new HostBatches(data);
  hooks.begin();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = random.shuffle(Int32Array.from({ length: n }, (_, i) => i));
      const started = performance.now();
      for (let start = 0; start < n; start += batchSize) {
        const { x: xb, y: yb } = batches.batch(order.subarray(start, Math.min(start + batchSize, n)));
        try {
          if (gateOptimizer === null) {
            losses.push(optimizer.minimize(() => objective(xb, yb), true, variables)!);
          } else {
            const { value: cost, grads } = tf.variableGrads(() => objective(xb, yb), variables);
            losses.push(cost);
            const weightGrads: { name: string; tensor: tf.Tensor }[] = [];
            const gateGrads: { name: string; tensor: tf.Tensor }[] = [];
            for (const variable of variables) {
              (gateVariables.has(variable) ? gateGrads : weightGrads).push({
                name: variable.name,
                tensor: grads[variable.name],
              });
            }
            optimizer.applyGradients(weightGrads);
            gateOptimizer.applyGradients(gateGrads);
            tf.dispose(grads);
          }
        } finally {
          tf.dispose([xb, yb]);
        }
        hooks.afterStep();
        step++;
        if (options.onStep) options.onStep(step, losses[losses.length - 1].dataSync()[0]);
        if (bar && notebook) bar.update(step, lastMetrics);
      }
      const stepLosses = checkEpoch(where, model, losses, epoch, step);
      tf.dispose(losses.splice(0));
      const seconds = (performance.now() - started) / 1000;
      const evaluate = options.evalData !== undefined && (epoch % evalEvery === 0 || epoch === epochs);
      const summarise = (): EpochRecord => ({
        epoch,
        loss: stepLosses.reduce((sum, value) => sum + value, 0) / stepsPerEpoch,
        evalError: evaluate ? errorOf(model, options.evalData!, loss) : Number.NaN,
        expectedL0: layers.reduce((sum, layer) => sum + tf.tidy(() => layer.expectedL0().dataSync()[0]), 0),
        unitsLeft: layers.map((layer) => layer.unitsLeft()),
        fractionalGates: layers.map((layer) => layer.fractionalGates()),
        multiplier: options.lagrangian ? options.lagrangian.multiplier : Number.NaN,
        seconds,
      });
      const record = hooks.averager === null ? summarise() : hooks.averager.withAveraged(summarise);
      history.push(record);
      lastMetrics = progressMetrics(record);
      options.onEpoch?.(record);
      if (bar) bar.update(step, lastMetrics);
      await tf.nextFrame();
    }
    hooks.end();
  } finally {
    tf.dispose(losses);
    layers.forEach((layer, i) => {
      layer.finitenessChecks = checks[i];
    });
    hooks.release();
    if (ownOptimizer) optimizer.dispose();
    gateOptimizer?.dispose();
  }
  if (bar) bar.done(progressMetrics(history[history.length - 1]));
  return { history, steps: step };
}

/**
 * The end-of-epoch check of `trainL0`, with one read from the device: the loss of
 * every step of the epoch and Σ log α and Σ of the other weights of every layer.
 * Throws an error naming the first step whose loss is not finite and every layer
 * whose log α or other weights are not finite; returns the step losses.
 */
function checkEpoch(where: string, model: tf.LayersModel, losses: tf.Scalar[], epoch: number, step: number): number[] {
  const layers = model.layers;
  const values = tf.tidy(() => {
    const sums = layers.flatMap((layer) => {
      const logAlpha = layer instanceof L0Layer ? layer.logAlpha.read() : null;
      const others = layer.trainableWeights.map((w) => w.read()).filter((w) => w !== logAlpha);
      return [
        logAlpha === null ? tf.scalar(0) : tf.sum(logAlpha),
        tf.addN([tf.scalar(0), ...others.map((w) => tf.sum(w))]),
      ];
    });
    return tf.concat([tf.stack(losses), tf.stack(sums)]).dataSync();
  });
  const stepLosses = Array.from(values.subarray(0, losses.length));
  const problems: string[] = [];
  const bad = stepLosses.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) problems.push(`the loss is ${stepLosses[bad]} at step ${step - losses.length + bad + 1}`);
  layers.forEach((layer, i) => {
    const [logAlpha, others] = [values[losses.length + 2 * i], values[losses.length + 2 * i + 1]];
    if (!Number.isFinite(logAlpha)) problems.push(`log α of layer ${layer.name} is ${logAlpha} after step ${step}`);
    if (!Number.isFinite(others))
      problems.push(`the weights of layer ${layer.name} are not finite (Σ = ${others}) after step ${step}`);
  });
  if (problems.length > 0) {
    throw new Error(`${where}: training stops in epoch ${epoch}: ${problems.join("; ")}`);
  }
  return stepLosses;
}

/** The optimizer `trainL0` uses when none is given: Adam with `learningRate`, fused over all variables (library-internal). */
export function defaultOptimizer(learningRate: number): tf.Optimizer {
  return new FusedAdam(learningRate);
}

/**
 * The training objective of `trainL0` (library-internal): the data loss of the
 * model's training-mode output, plus the layers' own losses (as tfjs's `fit` adds
 * them; a Sequential's `calculateLosses()` misses them), plus `l0Penalty` with
 * `penaltyOptions` when given, plus `extraPenalty`.
 */
export function trainingObjective(
  model: tf.LayersModel,
  loss: "softmaxCrossEntropy" | "meanSquaredError",
  penaltyOptions: PenaltyOptions | null,
  extraPenalty: (() => tf.Scalar) | undefined,
): (xb: tf.Tensor, yb: tf.Tensor) => tf.Scalar {
  const layers = l0Layers(model);
  return (xb, yb) => {
    const output = model.apply(xb, { training: true }) as tf.Tensor;
    let total: tf.Tensor =
      loss === "softmaxCrossEntropy"
        ? tf.losses.softmaxCrossEntropy(yb, output)
        : tf.losses.meanSquaredError(yb, output);
    for (const layer of model.layers) for (const term of layer.calculateLosses()) total = tf.add(total, term);
    if (penaltyOptions !== null) total = tf.add(total, l0Penalty(layers, penaltyOptions));
    if (extraPenalty) total = tf.add(total, extraPenalty());
    return total as tf.Scalar;
  };
}

/**
 * The options' penalty for L0 layers that carry none of their own (λ default
 * 0.1, N default the number of examples), or null: without L0 layers, or when the
 * layers carry their own (the penalty options must then be left out).
 */
function optionsPenalty(where: string, model: tf.LayersModel, n: number, options: TrainOptions): PenaltyOptions | null {
  const layers = l0Layers(model);
  const names = ["lambda", "weightDecay", "datasetSize", "weightDecayDividedByN"] as const;
  const given = names.filter((name) => options[name] !== undefined);
  const own = layers.filter((layer) => layer.penaltySettings !== null);
  if (own.length > 0) {
    if (given.length > 0) {
      fail(where, given[0], options[given[0]], `left out: layer ${own[0].name} carries its own penalty`);
    }
    const bare = layers.find((layer) => layer.penaltySettings === null);
    if (bare !== undefined) {
      fail(
        where,
        "model",
        model.name,
        `a model whose L0 layers all carry their own penalty or none does (${bare.name} carries none)`,
      );
    }
    return null;
  }
  if (layers.length === 0) return null;
  const penalty: PenaltyOptions = {
    lambda: options.lambda ?? 0.1,
    weightDecay: options.weightDecay,
    datasetSize: options.datasetSize ?? n,
    weightDecayDividedByN: options.weightDecayDividedByN,
  };
  lambdasPerLayer(where, layers, penalty.lambda);
  checkPenaltySettings(where, { ...penalty, lambda: 0 });
  return penalty;
}

/** The metrics shown by the progress display. */
function progressMetrics(record: EpochRecord): Metrics {
  const metrics: Metrics = { epoch: record.epoch, loss: record.loss };
  if (record.unitsLeft.length > 0) metrics.expectedL0 = Math.round(record.expectedL0);
  if (!Number.isNaN(record.evalError)) metrics.error = record.evalError;
  record.unitsLeft.forEach((units, i) => {
    metrics[`units${i}`] = units;
  });
  return metrics;
}

/** Classification error, or mean squared error, on held-out data (test-time gates). */
function errorOf(model: tf.LayersModel, data: TensorData, loss: TrainOptions["loss"]): number {
  if (loss === "softmaxCrossEntropy") return classificationError(model, data.x, data.y);
  // One batch, uncut: tfjs-layers' predict would slice it into batches (see classificationError).
  return tf.tidy(
    () => tf.losses.meanSquaredError(data.y, model.apply(data.x, { training: false }) as tf.Tensor).dataSync()[0],
  );
}

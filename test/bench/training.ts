/**
 * Benchmark (not a test): milliseconds per training step of the 784-300-100-10
 * MLP at batch 100 (forward, penalty, backward, Adam update) with L0 gates on
 * every layer's inputs, next to the same MLP without gates, on every backend
 * present. Median of repeated steps after warm-up. The plain MLP is timed with
 * tfjs's own matrix-product gradient and with `registerFastMatMulGradient`; the
 * L0 step is split into forward, forward + penalty, and gradients, to show where
 * the time goes.
 */
import * as tf from "@tensorflow/tfjs";
import {
  availableBackends,
  l0Dense,
  l0Layers,
  l0Penalty,
  registerFastMatMulGradient,
  useBackend,
} from "l0-hard-concrete";

const BATCH = 100;

/** Median wall time in milliseconds of `runs` calls of `f` after `warmup` calls. */
function medianMs(f: () => void, runs: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

function mlp(gated: boolean): tf.Sequential {
  const sizes = [300, 100, 10];
  return tf.sequential({
    layers: sizes.map((units, i) => {
      const activation = i < 2 ? "relu" : "linear";
      const inputShape = i === 0 ? [784] : undefined;
      return gated
        ? l0Dense({ units, activation, inputShape, dropRateInit: i === 0 ? 0.2 : 0.5, seed: i })
        : tf.layers.dense({ units, activation, inputShape });
    }),
  });
}

/** The timings of one backend, in milliseconds. */
interface Row {
  backend: string;
  plainTfjsGrad: number;
  plain: number;
  l0Forward: number;
  l0ForwardPenalty: number;
  l0Gradients: number;
  l0Step: number;
}

async function benchBackend(backend: string): Promise<Row> {
  await useBackend(backend as "wasm");
  const runs = backend === "cpu" ? 5 : 40;
  const warmup = backend === "cpu" ? 2 : 10;
  const x = tf.randomUniform([BATCH, 784], 0, 1, "float32", 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32", 2), 10).toFloat());
  const stepOf = (model: tf.LayersModel, penalty: boolean) => {
    const optimizer = tf.train.adam(1e-3);
    const layers = l0Layers(model);
    const loss = () =>
      tf.tidy(() => {
        const data = tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor);
        return (
          penalty ? tf.add(data, l0Penalty(layers, { lambda: 0.1, weightDecay: 5e-4, datasetSize: 8000 })) : data
        ) as tf.Scalar;
      });
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    return {
      optimizer,
      loss,
      variables,
      step: () => tf.dispose(optimizer.minimize(loss, true, variables) ?? []),
    };
  };
  const plainModel = mlp(false);
  const plain = stepOf(plainModel, false);
  const plainTfjsGrad = medianMs(plain.step, runs, warmup);
  registerFastMatMulGradient();
  const plainFast = medianMs(plain.step, runs, warmup);
  const l0Model = mlp(true);
  const gated = stepOf(l0Model, true);
  const forward = medianMs(
    () => tf.tidy(() => void (l0Model.apply(x, { training: true }) as tf.Tensor).dataSync()),
    runs,
    warmup,
  );
  const forwardPenalty = medianMs(() => tf.tidy(() => void gated.loss().dataSync()), runs, warmup);
  const gradients = medianMs(
    () => tf.tidy(() => void tf.variableGrads(gated.loss, gated.variables).value.dataSync()),
    runs,
    warmup,
  );
  const step = medianMs(gated.step, runs, warmup);
  plain.optimizer.dispose();
  gated.optimizer.dispose();
  tf.dispose([x, y]);
  plainModel.dispose();
  l0Model.dispose();
  return {
    backend,
    plainTfjsGrad,
    plain: plainFast,
    l0Forward: forward,
    l0ForwardPenalty: forwardPenalty,
    l0Gradients: gradients,
    l0Step: step,
  };
}

/** Runs the training-step benchmark on every backend present and prints its table. */
export async function benchTraining(): Promise<void> {
  const rows: Row[] = [];
  for (const backend of await availableBackends()) rows.push(await benchBackend(backend));
  const header = [
    "backend",
    "plain MLP step (tfjs grad)",
    "plain MLP step",
    "L0 forward",
    "L0 fwd+penalty",
    "L0 fwd+pen+backward",
    "L0 step (with Adam)",
    "gate overhead",
  ];
  const lines = rows.map((r) => [
    r.backend,
    r.plainTfjsGrad.toFixed(2),
    r.plain.toFixed(2),
    r.l0Forward.toFixed(2),
    r.l0ForwardPenalty.toFixed(2),
    r.l0Gradients.toFixed(2),
    r.l0Step.toFixed(2),
    `${(100 * (r.l0Step / r.plain - 1)).toFixed(0)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(" | ")} |`;
  console.log(`\nTraining step of the 784-300-100-10 MLP, batch ${BATCH}: median ms per step`);
  console.log(format(header));
  console.log(format(widths.map((w) => "-".repeat(w))));
  for (const line of lines) console.log(format(line));
  console.log(
    "(reference: the authors' PyTorch code, about 6 ms per step with an optimised BLAS, 26 ms with reference BLAS)",
  );
}

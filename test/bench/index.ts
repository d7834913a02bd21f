/**
 * Benchmarks (not tests), `npm run bench`: time sampling 10^6 hard concrete gates and the forward
 * plus backward pass of the expected-L0 penalty for 10^6 log α, on every backend
 * present, fused library functions against a naive chain of tfjs ops measured in
 * the same run. Prints the median of repeated runs. Kernels on the wasm and cpu
 * backends run synchronously, so the timings include all the work without a read.
 * Then the training-step benchmark of test/bench/training.ts.
 */
import * as tf from "@tensorflow/tfjs";
import {
  availableBackends,
  DEFAULT_PARAMS,
  expectedL0,
  Random,
  sampleHardConcrete,
  useBackend,
} from "l0-hard-concrete";
import { benchTraining } from "./training";

const SIZE = 1_000_000;
const { beta, gamma, zeta } = DEFAULT_PARAMS;

/** Median wall time in milliseconds of `runs` calls of `f` after `warmup` calls; disposes results. */
function medianMs(f: () => tf.Tensor, runs: number, warmup = 3): number {
  for (let i = 0; i < warmup; i++) f().dispose();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const out = f();
    times.push(performance.now() - start);
    out.dispose();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

/** The naive sampler: tfjs's own seeded uniform noise and the formula op by op. */
function naiveSample(logAlpha: tf.Tensor, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const u = tf.randomUniform(logAlpha.shape, 1e-6, 1 - 1e-6, "float32", seed);
    const s = tf.sigmoid(tf.div(tf.add(tf.sub(tf.log(u), tf.log(tf.sub(1, u))), logAlpha), beta));
    return tf.minimum(1, tf.maximum(0, tf.add(tf.mul(s, zeta - gamma), gamma)));
  });
}

/** The naive penalty gradient: autodiff through Σ σ(log α − β log(−γ/ζ)). */
const naivePenaltyGrad = tf.grad((logAlpha: tf.Tensor) =>
  tf.sum(tf.sigmoid(tf.sub(logAlpha, beta * Math.log(-gamma / zeta)))),
);
const fusedPenaltyGrad = tf.grad((logAlpha: tf.Tensor) => expectedL0(logAlpha));

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const backend of await availableBackends()) {
    await useBackend(backend);
    const runs = backend === "cpu" ? 7 : 31;
    const logAlpha = tf.randomNormal([SIZE], 0, 1, "float32", 1);
    const random = new Random(1);
    const sampleFused = medianMs(() => sampleHardConcrete(logAlpha, DEFAULT_PARAMS, random), runs);
    const sampleNaive = medianMs(() => naiveSample(logAlpha, 1), runs);
    const penaltyFused = medianMs(() => fusedPenaltyGrad(logAlpha), runs);
    const penaltyNaive = medianMs(() => naivePenaltyGrad(logAlpha), runs);
    logAlpha.dispose();
    const ratio = (naive: number, fused: number) => `${(naive / fused).toFixed(1)}x`;
    rows.push(
      `| ${backend} | sample 10^6 gates | ${sampleFused.toFixed(2)} | ${sampleNaive.toFixed(2)} | ${ratio(sampleNaive, sampleFused)} |`,
      `| ${backend} | expected-L0 forward + backward, 10^6 log α | ${penaltyFused.toFixed(2)} | ${penaltyNaive.toFixed(2)} | ${ratio(penaltyNaive, penaltyFused)} |`,
    );
  }
  console.log(`Median of repeated runs (ms), Node ${process.version}, tfjs ${tf.version.tfjs}`);
  console.log("| backend | task | library (fused) | naive tfjs chain | speed-up |");
  console.log("|---|---|---|---|---|");
  for (const row of rows) console.log(row);
  console.log("");
  await benchTraining();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

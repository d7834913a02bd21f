/**
 * Benchmarks (not tests), `npm run bench [-- options]`, on one backend (default
 * wasm): sampling 10^6 hard concrete gates, the forward plus backward pass of the
 * expected-L0 penalty for 10^6 log α (library functions, beside the naive chain of
 * tfjs ops), the training step of the 784-300-100-10 MLP with and without L0 gates
 * (test/bench/training.ts) and the seconds per full-recipe epoch. Medians over
 * repeated runs, then the median over `--rounds` rounds. Kernels on the wasm and
 * cpu backends run synchronously, so the timings include all the work without a read.
 *
 * Options:
 *   --json FILE       also write the figures as JSON (ms unless named; see `BenchResult`)
 *   --backend NAME    wasm (default), cpu or tensorflow
 *   --rounds N        rounds (default 1)
 *   --torch SCRIPT    run ../shared/peer-bench/torch_reference.py (or SCRIPT) with /usr/bin/python3
 *                     before each round, interleaved, and report its medians beside ours
 *   --no-profile      skip the per-kernel profile
 *   --cpu-time        time with the process's CPU time instead of wall time (a loaded machine)
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  type BackendName,
  DEFAULT_PARAMS,
  expectedL0,
  Random,
  registerFastMatMul,
  sampleHardConcrete,
  useBackend,
} from "l0-hard-concrete";
import {
  CLOCK,
  type EpochShares,
  type KernelProfile,
  median,
  medianMs,
  medianShares,
  profileSteps,
  timeEpochs,
  timeSteps,
} from "./training";

const SIZE = 1_000_000;
const { beta, gamma, zeta } = DEFAULT_PARAMS;

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
const libraryPenaltyGrad = tf.grad((logAlpha: tf.Tensor) => expectedL0(logAlpha));

/** The figures of one round (ms unless named). */
interface Round {
  sample1e6: number;
  sample1e6Naive: number;
  penalty1e6: number;
  penalty1e6Naive: number;
  l0Step: number;
  l0Forward: number;
  l0ForwardPenalty: number;
  l0ForwardPenaltyBackward: number;
  plainStep: number;
  epochSeconds: number;
  epochShares: EpochShares;
  epochSecondsDigits: number;
  epochSharesDigits: EpochShares;
}

/** The JSON written by `--json`: medians over rounds, ms unless named. */
interface BenchResult {
  backend: string;
  /** "wall", or "cpu" with --cpu-time (the PyTorch figures are always wall time). */
  clock: string;
  rounds: number;
  date: string;
  loadAverage: number[];
  l0Step: number;
  /** Time of each phase (increments, summing to `l0Step` up to the noise of separate loops). */
  l0StepPhases: { forward: number; penalty: number; backward: number; optimizer: number };
  plainStep: number;
  l0OverPlain: number;
  sample1e6: number;
  sample1e6Naive: number;
  penalty1e6: number;
  penalty1e6Naive: number;
  epochSeconds: number;
  fullRecipeSeconds: number;
  /** Shares of an epoch's wall time: its optimizer steps, what trainL0 adds around them, the end of the epoch (see `EpochShares`). */
  epochShares: EpochShares;
  /** The same on the course's digits, most of whose pixels are 0 (the products leave those out). */
  epochSecondsDigits: number;
  fullRecipeSecondsDigits: number;
  epochSharesDigits: EpochShares;
  /** Per kernel of each cumulative phase: count and summed kernel time (ms) of one profiled call. */
  profile: Record<string, KernelProfile> | null;
  /** torch_reference.py's JSON, the median of each figure over the same rounds (null without --torch). */
  torch: Record<string, unknown> | null;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function runTorch(script: string): Record<string, unknown> {
  const file = join(tmpdir(), `torch-bench-${process.pid}.json`);
  const result = spawnSync("/usr/bin/python3", [script, "--json", file], { stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error(`bench: ${script} failed (exit ${result.status})`);
  const figures = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  rmSync(file);
  return figures;
}

/** The median over rounds of every numeric leaf of torch's JSON (other leaves from the first round). */
function medianOfObjects(objects: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(objects[0])) {
    if (typeof value === "number") out[key] = median(objects.map((o) => o[key] as number));
    else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      out[key] = medianOfObjects(objects.map((o) => o[key] as Record<string, unknown>));
    } else out[key] = value;
  }
  return out;
}

async function round(): Promise<Round> {
  const logAlpha = tf.randomNormal([SIZE], 0, 1, "float32", 1);
  const random = new Random(1);
  const runs = tf.getBackend() === "cpu" ? 7 : 31;
  const timed = (f: () => tf.Tensor) => medianMs(() => f().dispose(), runs, 3);
  const figures = {
    sample1e6: timed(() => sampleHardConcrete(logAlpha, DEFAULT_PARAMS, random)),
    sample1e6Naive: timed(() => naiveSample(logAlpha, 1)),
    penalty1e6: timed(() => libraryPenaltyGrad(logAlpha)),
    penalty1e6Naive: timed(() => naivePenaltyGrad(logAlpha)),
  };
  logAlpha.dispose();
  const steps = timeSteps();
  return {
    ...figures,
    l0Step: steps.l0.step,
    l0Forward: steps.l0.forward,
    l0ForwardPenalty: steps.l0.forwardPenalty,
    l0ForwardPenaltyBackward: steps.l0.forwardPenaltyBackward,
    plainStep: steps.plain,
    ...epochFigures(await timeEpochs("random"), await timeEpochs("digits")),
  };
}

function epochFigures(random: Awaited<ReturnType<typeof timeEpochs>>, digits: typeof random) {
  return {
    epochSeconds: random.seconds,
    epochShares: random.shares,
    epochSecondsDigits: digits.seconds,
    epochSharesDigits: digits.shares,
  };
}

/** "… 12.1% outside the optimizer steps (5.4% around them, 6.7% at the end of the epoch)". */
function describeShares({ steps, aroundSteps, endOfEpoch }: EpochShares): string {
  const percent = (share: number) => `${(100 * share).toFixed(1)}%`;
  return `${percent(1 - steps)} outside the optimizer steps (${percent(aroundSteps)} around them, ${percent(endOfEpoch)} at the end of the epoch: evaluation, summary, shuffle)`;
}

function printProfile(profile: Record<string, KernelProfile>): void {
  console.log("\nKernels per phase (one profiled call; cumulative phases; ms are kernel times summed by name):");
  for (const [phase, { kernels, byName }] of Object.entries(profile)) {
    const rows = Object.entries(byName)
      .filter(([name]) => name !== "unnamed scope")
      .sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((sum, [, r]) => sum + r.ms, 0);
    const top = rows
      .slice(0, 8)
      .map(([name, r]) => `${name} ${r.count}× ${r.ms.toFixed(2)}`)
      .join(", ");
    console.log(`- ${phase}: ${kernels} kernels, ${total.toFixed(2)} ms; ${top}`);
  }
}

async function main(): Promise<void> {
  const backend = (option("--backend") ?? "wasm") as BackendName;
  const rounds = Number(option("--rounds") ?? 1);
  const torchScript = process.argv.includes("--torch")
    ? (option("--torch") ?? join("..", "shared", "peer-bench", "torch_reference.py"))
    : null;
  await useBackend(backend);
  // The plain MLP is trained as the experiment trains its baselines (the L0 layers do not use this).
  registerFastMatMul();
  const ours: Round[] = [];
  const torch: Record<string, unknown>[] = [];
  for (let r = 0; r < rounds; r++) {
    if (torchScript !== null) torch.push(runTorch(torchScript));
    ours.push(await round());
    console.log(
      `round ${r + 1}/${rounds}: ${JSON.stringify(ours[r], (_, v) => (typeof v === "number" ? +v.toFixed(3) : v))}`,
    );
  }
  const m = (key: Exclude<keyof Round, "epochShares" | "epochSharesDigits">) => median(ours.map((o) => o[key]));
  const profile = process.argv.includes("--no-profile") ? null : await profileSteps();
  const result: BenchResult = {
    backend: tf.getBackend(),
    clock: CLOCK,
    rounds,
    date: new Date().toISOString(),
    loadAverage: (await import("node:os")).loadavg(),
    l0Step: m("l0Step"),
    l0StepPhases: {
      forward: m("l0Forward"),
      penalty: m("l0ForwardPenalty") - m("l0Forward"),
      backward: m("l0ForwardPenaltyBackward") - m("l0ForwardPenalty"),
      optimizer: m("l0Step") - m("l0ForwardPenaltyBackward"),
    },
    plainStep: m("plainStep"),
    l0OverPlain: m("l0Step") / m("plainStep"),
    sample1e6: m("sample1e6"),
    sample1e6Naive: m("sample1e6Naive"),
    penalty1e6: m("penalty1e6"),
    penalty1e6Naive: m("penalty1e6Naive"),
    epochSeconds: m("epochSeconds"),
    fullRecipeSeconds: 200 * m("epochSeconds"),
    epochShares: medianShares(ours.map((o) => o.epochShares)),
    epochSecondsDigits: m("epochSecondsDigits"),
    fullRecipeSecondsDigits: 200 * m("epochSecondsDigits"),
    epochSharesDigits: medianShares(ours.map((o) => o.epochSharesDigits)),
    profile,
    torch: torch.length > 0 ? medianOfObjects(torch) : null,
  };
  const t = result.torch as Record<string, number & Record<string, number>> | null;
  const rows: [string, number, number | undefined][] = [
    ["L0 step (fwd + penalty + bwd + Adam)", result.l0Step, t?.l0Step_ms],
    ["… forward", m("l0Forward"), t?.l0StepPhases_ms?.forward],
    ["… + penalty", m("l0ForwardPenalty"), t?.l0StepPhases_ms?.forwardPenalty],
    ["… + backward", m("l0ForwardPenaltyBackward"), t?.l0StepPhases_ms?.forwardPenaltyBackward],
    ["plain MLP step", result.plainStep, t?.plainStep_ms],
    ["sample 10^6 gates", result.sample1e6, t?.sample1e6_ms],
    ["expected-L0 fwd + bwd, 10^6 log α", result.penalty1e6, t?.penalty1e6_ms],
  ];
  console.log(
    `\n${backend}, Node ${process.version}, tfjs ${tf.version.tfjs}, ${CLOCK} time, ${rounds} round(s), load ${result.loadAverage.map((l) => l.toFixed(2)).join(" ")}`,
  );
  console.log("| task | tfjs (ms) | PyTorch (ms) | ratio |\n|---|---|---|---|");
  for (const [task, value, reference] of rows) {
    const ratio = reference === undefined ? "" : `${(value / reference).toFixed(2)}×`;
    console.log(`| ${task} | ${value.toFixed(2)} | ${reference?.toFixed(2) ?? ""} | ${ratio} |`);
  }
  console.log(`L0 step / plain step: ${result.l0OverPlain.toFixed(2)}`);
  console.log(
    `naive tfjs chains: sample ${result.sample1e6Naive.toFixed(2)} ms, expected-L0 fwd + bwd ${result.penalty1e6Naive.toFixed(2)} ms`,
  );
  console.log(
    `full-recipe epoch (80 steps + evaluation on 2,000 + averaging): ${result.epochSeconds.toFixed(3)} s; 200 epochs ≈ ${result.fullRecipeSeconds.toFixed(0)} s; ${describeShares(result.epochShares)}`,
  );
  console.log(
    `… on the course's digits: ${result.epochSecondsDigits.toFixed(3)} s; 200 epochs ≈ ${result.fullRecipeSecondsDigits.toFixed(0)} s; ${describeShares(result.epochSharesDigits)}`,
  );
  if (profile !== null) printProfile(profile);
  const json = option("--json");
  if (json !== undefined) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

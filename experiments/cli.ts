/**
 * Command line of the experiments (through `npm run experiment --`):
 *
 *   mnist-mlp [--full] [--seeds 1,2,3] [--models all|l0] [--ablation NAME]
 *             [--epochs N] [--idx DIR] [--out FILE]
 *   mnist-mlp-compare FILE.json...   (one table over results written by mnist-mlp)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { useBackend } from "l0-hard-concrete";
import {
  ABLATIONS,
  type Ablation,
  formatComparison,
  formatMnistMlpTables,
  type MnistMlpResult,
  type ModelSet,
  mnistMlpSettings,
  runMnistMlp,
} from "./mnistMlp";

const USAGE = [
  "usage: npm run experiment -- mnist-mlp [--full] [--seeds 1,2,3] [--models all|l0] [--ablation NAME]",
  "                                       [--epochs N] [--idx DIR] [--out FILE]",
  "       npm run experiment -- mnist-mlp-compare FILE.json...",
  `ablations: ${Object.entries(ABLATIONS)
    .map(([name, what]) => `\n  ${name}: ${what}`)
    .join("")}`,
].join("\n");

/** Parses the arguments and runs the experiment; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === "mnist-mlp-compare" && rest.length > 0) {
    const results = rest.map((file) => JSON.parse(readFileSync(file, "utf8")) as MnistMlpResult);
    console.log(formatComparison(results));
    return 0;
  }
  if (name !== "mnist-mlp") {
    console.error(name === undefined ? USAGE : `unknown experiment ${JSON.stringify(name)}\n${USAGE}`);
    return 2;
  }
  const refuse = (message: string) => {
    console.error(`${message}\n${USAGE}`);
    return 2;
  };
  let full = false;
  let idx: string | null = null;
  let epochs: number | null = null;
  let seeds: number[] = [1];
  let models: ModelSet = "all";
  let ablation: Ablation | null = null;
  let out: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = i + 1 < rest.length ? rest[i + 1] : undefined;
    if (arg === "--full") full = true;
    else if (value === undefined) return refuse(`unknown argument or missing value: ${JSON.stringify(arg)}`);
    else if (arg === "--idx") idx = rest[++i];
    else if (arg === "--out") out = rest[++i];
    else if (arg === "--epochs") {
      epochs = Number(rest[++i]);
      if (!Number.isInteger(epochs) || epochs < 1) return refuse(`--epochs must be an integer ≥ 1, got ${value}`);
    } else if (arg === "--seeds") {
      seeds = rest[++i].split(",").map(Number);
      if (seeds.length === 0 || !seeds.every(Number.isSafeInteger)) {
        return refuse(`--seeds must be integers separated by commas, got ${value}`);
      }
    } else if (arg === "--models") {
      if (value !== "all" && value !== "l0") return refuse(`--models must be "all" or "l0", got ${value}`);
      models = value;
      i++;
    } else if (arg === "--ablation") {
      if (!Object.hasOwn(ABLATIONS, value))
        return refuse(`--ablation must be one of the ablations below, got ${value}`);
      ablation = value as Ablation;
      i++;
    } else return refuse(`unknown argument ${JSON.stringify(arg)}`);
  }
  const mode = full ? "full" : "quick";
  const base = mnistMlpSettings(mode, { idxFolder: idx, seeds, models, ablation });
  const settings = epochs === null ? base : { ...base, epochs };
  const file = `mnist-mlp-${mode}${models === "l0" ? "-l0" : ""}${ablation === null ? "" : `-${ablation}`}.json`;
  const output = out ?? join(process.cwd(), "build", "experiments", file);
  const backend = await useBackend();
  console.log(`mnist-mlp: ${mode} setting, ${settings.epochs} epochs, seeds ${seeds.join(", ")}, backend ${backend}`);
  const result = await runMnistMlp(settings, output);
  console.log(`\n${formatMnistMlpTables(result)}\n\nwritten ${output}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exitCode = 1;
    },
  );
}

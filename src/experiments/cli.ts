/**
 * Command line of the experiments: `node dist/experiments/cli.js mnist-mlp
 * [--full] [--idx DIR] [--epochs N] [--out FILE]` (through `npm run experiment --`).
 */
import { join } from "node:path";
import { useBackend } from "../backend";
import { formatMnistMlpTable, mnistMlpSettings, runMnistMlp } from "./mnistMlp";

const USAGE = "usage: npm run experiment -- mnist-mlp [--full] [--idx DIR] [--epochs N] [--out FILE]";

/** Parses the arguments and runs the experiment; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name !== "mnist-mlp") {
    console.error(name === undefined ? USAGE : `unknown experiment ${JSON.stringify(name)}\n${USAGE}`);
    return 2;
  }
  let full = false;
  let idx: string | null = null;
  let epochs: number | null = null;
  let out = join(process.cwd(), "build", "experiments", "mnist-mlp.json");
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--full") full = true;
    else if (arg === "--idx" && i + 1 < rest.length) idx = rest[++i];
    else if (arg === "--out" && i + 1 < rest.length) out = rest[++i];
    else if (arg === "--epochs" && i + 1 < rest.length) {
      epochs = Number(rest[++i]);
      if (!Number.isInteger(epochs) || epochs < 1) {
        console.error(`--epochs must be an integer ≥ 1, got ${rest[i]}`);
        return 2;
      }
    } else {
      console.error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
      return 2;
    }
  }
  const backend = await useBackend();
  const base = mnistMlpSettings(full ? "full" : "quick", idx);
  const settings = epochs === null ? base : { ...base, epochs };
  console.log(`mnist-mlp: ${settings.mode} setting, ${settings.epochs} epochs, backend ${backend}`);
  const result = await runMnistMlp(settings, out);
  console.log(`\n${formatMnistMlpTable(result)}\n\nwritten ${out}`);
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

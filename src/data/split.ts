/**
 * A seeded, stratified train/test split: every class contributes to the test
 * set in proportion to its size (largest remainders settle the rounding so the
 * test set has exactly the size asked for), and the same seed gives the same split.
 */
import { randomFrom, type Seed } from "../random";
import { fail } from "../validate";
import { checkDataset, type ImageDataset, subsetDataset } from "./dataset";

/** Indices of the training and test examples. */
export interface SplitIndices {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/**
 * Splits example indices 0 … labels.length−1 into `testCount` test examples and
 * the rest for training, stratified by label. Both index lists are shuffled.
 */
export function stratifiedSplit(labels: ArrayLike<number>, testCount: number, seed: Seed): SplitIndices {
  return split("stratifiedSplit", labels, testCount, seed);
}

/** `stratifiedSplit`, its errors naming `caller`. */
function split(caller: string, labels: ArrayLike<number>, testCount: number, seed: Seed): SplitIndices {
  const n = labels.length;
  if (!Number.isInteger(testCount) || testCount < 1 || testCount >= n) {
    fail(caller, "testCount", testCount, `an integer in [1, ${n - 1}]`);
  }
  const random = randomFrom(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (!Number.isInteger(label)) fail(caller, `labels[${i}]`, label, "an integer");
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label)!.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quotas = classes.map((c) => (byClass.get(c)!.length * testCount) / n);
  const take = quotas.map(Math.floor);
  let missing = testCount - take.reduce((a, b) => a + b, 0);
  const order = classes.map((_, k) => k).sort((a, b) => quotas[b] - take[b] - (quotas[a] - take[a]) || a - b);
  for (const k of order) {
    if (missing === 0) break;
    take[k]++;
    missing--;
  }
  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((c, k) => {
    const members = byClass.get(c)!;
    random.shuffle(members);
    test.push(...members.slice(0, take[k]));
    train.push(...members.slice(take[k]));
  });
  random.shuffle(train);
  random.shuffle(test);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** A data set split with `stratifiedSplit` into a training and a test data set. */
export function splitDataset(
  data: ImageDataset,
  testCount: number,
  seed: Seed,
): { train: ImageDataset; test: ImageDataset } {
  checkDataset("splitDataset", data);
  const { train, test } = split("splitDataset", data.labels, testCount, seed);
  return { train: subsetDataset(data, train), test: subsetDataset(data, test) };
}

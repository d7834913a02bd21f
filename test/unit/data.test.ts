import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs";
import {
  classCounts,
  datasetTensors,
  splitDataset,
  stratifiedSplit,
  subsetDataset,
  useBackend,
} from "l0-hard-concrete";
import { batchTensors } from "l0-hard-concrete/internal/data/dataset";
import { parseIdx } from "l0-hard-concrete/internal/data/idx";
import { loadIdxDataset, loadMnistDigits, readIdx } from "l0-hard-concrete/node";

before(async () => {
  await useBackend();
});

/** The bytes of an unsigned-byte IDX file with the given shape and values. */
function idxBytes(shape: number[], values: ArrayLike<number>, type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = type;
  header[3] = shape.length;
  shape.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i);
  });
  return Buffer.concat([header, Buffer.from(Uint8Array.from(values))]);
}

describe("loadMnistDigits", () => {
  const digits = loadMnistDigits();

  test("reads the 10,000 digits of the mnist package, 863 … 1,127 per class, pixels in [0, 1]", () => {
    assert.equal(digits.count, 10000);
    assert.equal(digits.images.length, 10000 * 784);
    const counts = classCounts(digits);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      10000,
    );
    assert.equal(Math.min(...counts), 863);
    assert.equal(Math.max(...counts), 1127);
    let min = Infinity;
    let max = -Infinity;
    for (const v of digits.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    assert.equal(min, 0);
    assert.ok(max > 0.99 && max <= 1);
  });

  test("the seeded stratified 8,000 / 2,000 split is exact, disjoint, proportional and reproducible", () => {
    const { train, test: held } = stratifiedSplit(digits.labels, 2000, 42);
    assert.equal(train.length, 8000);
    assert.equal(held.length, 2000);
    const all = new Set([...train, ...held]);
    assert.equal(all.size, 10000);
    const counts = classCounts(digits);
    const heldCounts = classCounts({ labels: Int32Array.from(held, (i) => digits.labels[i]), classes: 10 });
    heldCounts.forEach((c, k) => {
      assert.ok(Math.abs(c - counts[k] / 5) < 1, `class ${k}: ${c} of ${counts[k]}`);
    });
    const again = stratifiedSplit(digits.labels, 2000, 42);
    assert.deepEqual(again.test, held);
    assert.notDeepEqual(stratifiedSplit(digits.labels, 2000, 43).test, held);
    const split = splitDataset(digits, 2000, 42);
    assert.equal(split.test.labels[0], digits.labels[held[0]]);
    assert.deepEqual(split.test.images.subarray(0, 784), digits.images.subarray(held[0] * 784, held[0] * 784 + 784));
  });

  test("bad split arguments give clear errors", () => {
    assert.throws(
      () => stratifiedSplit([0, 1, 1], 3, 1),
      /stratifiedSplit: testCount must be an integer in \[1, 2\], got 3/,
    );
    assert.throws(() => stratifiedSplit([0, 0.5, 1], 1, 1), /labels\[1\] must be an integer, got 0.5/);
    assert.throws(
      () => subsetDataset(digits, [10000]),
      /subsetDataset: indices\[0\] must be an integer in \[0, 9999\], got 10000/,
    );
  });

  test("bad batch arguments and labels give clear errors", () => {
    const small = subsetDataset(digits, [0, 5000, 9999]);
    const before = tf.memory().numTensors;
    assert.throws(() => batchTensors(small, 3, 1), {
      message: "batchTensors: start must be an integer in [0, 2], got 3",
    });
    assert.throws(() => batchTensors(small, 0.5, 1), /batchTensors: start must be an integer in \[0, 2\], got 0.5/);
    assert.throws(() => batchTensors(small, 0, 0), { message: "batchTensors: size must be an integer ≥ 1, got 0" });
    assert.throws(() => batchTensors(small, 0, Number.NaN), /batchTensors: size must be an integer ≥ 1, got NaN/);
    assert.throws(
      () => batchTensors(small, 0, 2, [1, 3]),
      /batchTensors: indices\[1\] must be an integer in \[0, 2\], got 3/,
    );
    assert.equal(tf.memory().numTensors, before);
    assert.throws(
      () => classCounts({ labels: Int32Array.from([0, 3]), classes: 3 }),
      /classCounts: labels\[1\] must be an integer in \[0, 2\], got 3/,
    );
    assert.deepEqual(classCounts({ labels: Int32Array.from([0, 2, 2]), classes: 3 }), [1, 0, 2]);
  });

  test("batchTensors and datasetTensors give inputs and one-hot targets without leaks", () => {
    const small = subsetDataset(digits, [0, 5000, 9999]);
    const before = tf.memory().numTensors;
    const { x, y } = datasetTensors(small);
    assert.deepEqual(x.shape, [3, 784]);
    const classes = tf.argMax(y, 1);
    assert.deepEqual(Array.from(classes.dataSync()), Array.from(small.labels));
    const batch = batchTensors(small, 1, 5, [2, 1, 0]);
    const predicted = tf.argMax(batch.y, 1);
    assert.deepEqual(Array.from(predicted.dataSync()), [small.labels[1], small.labels[0]]);
    tf.dispose([x, y, batch.x, batch.y, predicted, classes]);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe("IDX files", () => {
  let folder = "";
  before(() => {
    folder = mkdtempSync(join(tmpdir(), "l0-idx-"));
  });
  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  test("parseIdx reads every element type in big-endian order", () => {
    const u8 = parseIdx(idxBytes([2, 3], [0, 1, 2, 3, 254, 255]));
    assert.deepEqual(u8.shape, [2, 3]);
    assert.deepEqual(Array.from(u8.data), [0, 1, 2, 3, 254, 255]);
    const header = Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 2]);
    const body = Buffer.alloc(8);
    body.writeFloatBE(1.5, 0);
    body.writeFloatBE(-2, 4);
    assert.deepEqual(Array.from(parseIdx(Buffer.concat([header, body])).data), [1.5, -2]);
    const ints = Buffer.alloc(8);
    ints.writeInt32BE(-7, 0);
    ints.writeInt32BE(70000, 4);
    assert.deepEqual(
      Array.from(parseIdx(Buffer.concat([Buffer.from([0, 0, 0x0c, 1, 0, 0, 0, 2]), ints])).data),
      [-7, 70000],
    );
    assert.deepEqual(Array.from(parseIdx(gzipSync(idxBytes([2], [9, 8]))).data), [9, 8]);
  });

  test("malformed files give clear errors", () => {
    assert.throws(
      () => parseIdx(Buffer.from([1, 2, 3, 4]), "x.idx"),
      /parseIdx: x.idx is not an IDX file: .* got 01 02 03 04/,
    );
    assert.throws(() => parseIdx(Buffer.alloc(0), "e"), /got an empty file/);
    assert.throws(
      () => parseIdx(Buffer.from([0, 0, 8, 2, 0, 0]), "h"),
      /h is truncated: its header needs 12 bytes, the file has 6/,
    );
    assert.throws(
      () => parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5]), "short"),
      /short has 17 bytes, but its header \(unsigned byte, shape \[2, 3\]\) needs 18/,
    );
    assert.throws(() => parseIdx(Buffer.from([0x1f, 0x8b, 1, 2, 3]), "bad.gz"), /bad.gz is not valid gzip data/);
    assert.throws(() => readIdx(join(folder, "nothing")), /readIdx: no such file .*nothing/);
  });

  test("loadIdxDataset reads a folder of (gzipped) IDX files and checks they agree", () => {
    const images = Array.from({ length: 3 * 4 }, (_, i) => i * 20);
    writeFileSync(join(folder, "train-images-idx3-ubyte"), idxBytes([3, 2, 2], images));
    writeFileSync(join(folder, "train-labels-idx1-ubyte"), idxBytes([3], [2, 0, 9]));
    writeFileSync(join(folder, "t10k-images-idx3-ubyte.gz"), gzipSync(idxBytes([1, 2, 2], [255, 0, 0, 51])));
    writeFileSync(join(folder, "t10k-labels-idx1-ubyte.gz"), gzipSync(idxBytes([1], [7])));
    const { train, test: held } = loadIdxDataset(folder);
    assert.equal(train.count, 3);
    assert.equal(train.height, 2);
    assert.deepEqual(Array.from(train.labels), [2, 0, 9]);
    assert.ok(Math.abs(train.images[11] - 220 / 255) < 1e-7);
    assert.deepEqual(Array.from(held.images), [1, 0, 0, Math.fround(0.2)]);
    assert.deepEqual(Array.from(held.labels), [7]);

    writeFileSync(join(folder, "t10k-labels-idx1-ubyte.gz"), gzipSync(idxBytes([2], [7, 1])));
    assert.throws(
      () => loadIdxDataset(folder),
      /t10k-images-idx3-ubyte.gz has 1 images but .*t10k-labels-idx1-ubyte.gz has 2 labels/,
    );
    writeFileSync(join(folder, "t10k-labels-idx1-ubyte.gz"), gzipSync(idxBytes([1], [10])));
    assert.throws(() => loadIdxDataset(folder), /label 0 is 10, expected 0 … 9/);
    writeFileSync(join(folder, "t10k-labels-idx1-ubyte.gz"), gzipSync(idxBytes([1, 1], [1])));
    assert.throws(() => loadIdxDataset(folder), /must hold unsigned bytes of shape \[count\], got rank 2/);
    rmSync(join(folder, "t10k-labels-idx1-ubyte.gz"));
    assert.throws(
      () => loadIdxDataset(folder),
      /loadIdxDataset: no file t10k-labels-idx1-ubyte\[.gz\] or t10k-labels.idx1-ubyte\[.gz\] in /,
    );
    assert.throws(() => loadIdxDataset(join(folder, "missing")), /loadIdxDataset: no such folder/);
  });
});

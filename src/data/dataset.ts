/**
 * An in-memory image classification data set: images as one flat float32
 * array (pixel values in [0, 1]), integer labels, and helpers to take subsets
 * and turn them into tensors.
 */
import * as tf from "@tensorflow/tfjs";
import { fail } from "../validate";

/** Images stored row after row, `count` images of `height`·`width` pixels in [0, 1], with labels 0 … classes−1. */
export interface ImageDataset {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly classes: number;
}

/** The number of pixels of one image, height·width. */
export function pixelsPerImage(data: ImageDataset): number {
  return data.height * data.width;
}

/** Whether `value` is an array or a typed array (anything with a numeric `length` that is an object). */
function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { length?: unknown }).length === "number";
}

/** Checks `classes` (an integer ≥ 1) and that `labels` is array-like. */
function checkLabels(where: string, data: Pick<ImageDataset, "labels" | "classes">): void {
  if (data === null || typeof data !== "object") fail(where, "data", data, "a data set { images, labels, count, … }");
  if (!Number.isInteger(data.classes) || data.classes < 1) fail(where, "data.classes", data.classes, "an integer ≥ 1");
  if (!isArrayLike(data.labels)) fail(where, "data.labels", data.labels, "an array of labels");
}

/**
 * Checks that `data` is a consistent data set: `count`, `height`, `width` and
 * `classes` integers, `labels` of length `count` and `images` of `count`·`height`·`width` pixels.
 */
export function checkDataset(where: string, data: ImageDataset): void {
  checkLabels(where, data);
  if (!Number.isInteger(data.count) || data.count < 0) fail(where, "data.count", data.count, "an integer ≥ 0");
  for (const name of ["height", "width"] as const) {
    if (!Number.isInteger(data[name]) || data[name] < 1) fail(where, `data.${name}`, data[name], "an integer ≥ 1");
  }
  if (data.labels.length !== data.count) {
    fail(where, "data.labels", `${data.labels.length} labels`, `one label per image (${data.count})`);
  }
  const pixels = data.count * pixelsPerImage(data);
  if (!isArrayLike(data.images) || data.images.length !== pixels) {
    const got = isArrayLike(data.images) ? `${data.images.length} pixels` : data.images;
    fail(where, "data.images", got, `count·height·width = ${pixels} pixels`);
  }
}

/** The images at `indices`, in that order, as a new data set (the pixels are copied). */
export function subsetDataset(data: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  checkDataset("subsetDataset", data);
  if (!isArrayLike(indices)) fail("subsetDataset", "indices", indices, "an array of example indices");
  const size = pixelsPerImage(data);
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= data.count) {
      fail("subsetDataset", `indices[${i}]`, j, `an integer in [0, ${data.count - 1}]`);
    }
    images.set(data.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = data.labels[j];
  }
  return { images, labels, count: indices.length, height: data.height, width: data.width, classes: data.classes };
}

/** The number of images of each class. */
export function classCounts(data: Pick<ImageDataset, "labels" | "classes">): number[] {
  checkLabels("classCounts", data);
  const counts = new Array<number>(data.classes).fill(0);
  for (let i = 0; i < data.labels.length; i++) {
    const label = data.labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= data.classes) {
      fail("classCounts", `labels[${i}]`, label, `an integer in [0, ${data.classes - 1}]`);
    }
    counts[label]++;
  }
  return counts;
}

/**
 * The images `start` … `start + size − 1` (or those at `indices[start …]` when
 * `indices` is given) as tensors: `x` of shape [n, height·width] and one-hot
 * `y` of shape [n, classes]; the batch is cut short at the end of the data.
 */
export function batchTensors(
  data: ImageDataset,
  start: number,
  size: number,
  indices?: ArrayLike<number>,
): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tensorsOf("batchTensors", data, start, size, indices);
}

/** `batchTensors`, with errors naming `where` (the exported function the caller called). */
function tensorsOf(
  where: string,
  data: ImageDataset,
  start: number,
  size: number,
  indices?: ArrayLike<number>,
): { x: tf.Tensor2D; y: tf.Tensor2D } {
  checkDataset(where, data);
  const total = indices === undefined ? data.count : indices.length;
  if (!Number.isInteger(start) || start < 0 || start >= total) {
    fail(where, "start", start, `an integer in [0, ${total - 1}]`);
  }
  if (!Number.isInteger(size) || size < 1) fail(where, "size", size, "an integer ≥ 1");
  const end = Math.min(start + size, total);
  const n = end - start;
  const pixels = pixelsPerImage(data);
  let images: Float32Array;
  const labels = new Int32Array(n);
  if (indices === undefined) {
    images = data.images.subarray(start * pixels, end * pixels);
    labels.set(data.labels.subarray(start, end));
  } else {
    images = new Float32Array(n * pixels);
    for (let i = 0; i < n; i++) {
      const j = indices[start + i];
      if (!Number.isInteger(j) || j < 0 || j >= data.count) {
        fail(where, `indices[${start + i}]`, j, `an integer in [0, ${data.count - 1}]`);
      }
      images.set(data.images.subarray(j * pixels, (j + 1) * pixels), i * pixels);
      labels[i] = data.labels[j];
    }
  }
  // One-hot rows built here rather than with tf.oneHot, which needs at least 2 classes
  // and gives a zero row for a label out of range; such a label is an error here.
  const oneHot = new Float32Array(n * data.classes);
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (!(label >= 0 && label < data.classes)) {
      const j = indices === undefined ? start + i : indices[start + i];
      fail(where, `data.labels[${j}]`, label, `an integer in [0, ${data.classes - 1}]`);
    }
    oneHot[i * data.classes + label] = 1;
  }
  return { x: tf.tensor2d(images, [n, pixels]), y: tf.tensor2d(oneHot, [n, data.classes]) };
}

/** The whole data set as tensors: `x` [count, height·width] and one-hot `y` [count, classes]. */
export function datasetTensors(data: ImageDataset): { x: tf.Tensor2D; y: tf.Tensor2D } {
  checkDataset("datasetTensors", data);
  if (data.count === 0) fail("datasetTensors", "data.count", 0, "an integer ≥ 1 (a data set with images)");
  return tensorsOf("datasetTensors", data, 0, data.count);
}

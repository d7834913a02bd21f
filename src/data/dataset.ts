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

/** The images at `indices`, in that order, as a new data set (the pixels are copied). */
export function subsetDataset(data: ImageDataset, indices: ArrayLike<number>): ImageDataset {
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
  const where = "batchTensors";
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
  return tf.tidy(() => ({
    x: tf.tensor2d(images, [n, pixels]),
    y: tf.oneHot(tf.tensor1d(labels, "int32"), data.classes).toFloat() as tf.Tensor2D,
  }));
}

/** The whole data set as tensors: `x` [count, height·width] and one-hot `y` [count, classes]. */
export function datasetTensors(data: ImageDataset): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return batchTensors(data, 0, data.count);
}

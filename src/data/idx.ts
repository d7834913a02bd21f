/**
 * A reader for the IDX files of LeCun's MNIST distribution (also used by
 * Fashion-MNIST, e.g. Debian's `dataset-fashion-mnist`): a 4-byte magic number
 * (two zero bytes, a type code, the number of dimensions), the dimensions as
 * big-endian 32-bit integers, then the values in big-endian order. Files may
 * be gzip-compressed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fail } from "../validate";
import type { ImageDataset } from "./dataset";

/** The content of one IDX file. */
export interface IdxArray {
  readonly shape: number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { bytes: number; name: string }> = {
  8: { bytes: 1, name: "unsigned byte" },
  9: { bytes: 1, name: "signed byte" },
  11: { bytes: 2, name: "short" },
  12: { bytes: 4, name: "int" },
  13: { bytes: 4, name: "float" },
  14: { bytes: 8, name: "double" },
};

/** Parses the bytes of an IDX file (gunzipped first when they start with the gzip magic); `source` names it in errors. */
export function parseIdx(bytes: Uint8Array, source = "IDX data"): IdxArray {
  let buffer = bytes;
  if (buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) {
    try {
      buffer = gunzipSync(buffer);
    } catch (error) {
      throw new Error(`parseIdx: ${source} is not valid gzip data: ${(error as Error).message}`);
    }
  }
  if (buffer.length < 4 || buffer[0] !== 0 || buffer[1] !== 0 || TYPES[buffer[2]] === undefined || buffer[3] === 0) {
    const head = Array.from(buffer.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new Error(
      `parseIdx: ${source} is not an IDX file: the magic number must be 00 00 <type 08|09|0b|0c|0d|0e> <dimensions ≥ 1>, got ${head || "an empty file"}`,
    );
  }
  const type = TYPES[buffer[2]];
  const rank = buffer[3];
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const headerBytes = 4 + 4 * rank;
  if (buffer.length < headerBytes) {
    throw new Error(
      `parseIdx: ${source} is truncated: its header needs ${headerBytes} bytes, the file has ${buffer.length}`,
    );
  }
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const size = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + size * type.bytes;
  if (buffer.length !== expected) {
    throw new Error(
      `parseIdx: ${source} has ${buffer.length} bytes, but its header (${type.name}, shape [${shape.join(", ")}]) needs ${expected}`,
    );
  }
  const body = headerBytes;
  let data: IdxArray["data"];
  switch (buffer[2]) {
    // A copy of the bytes into their own ArrayBuffer: a Node Buffer's slice is a view of a
    // larger (often pooled) ArrayBuffer, and an Int8Array over that would read all of it.
    case 0x08:
      data = new Uint8Array(buffer.subarray(body, expected));
      break;
    case 0x09:
      data = new Int8Array(new Uint8Array(buffer.subarray(body, expected)).buffer);
      break;
    case 0x0b:
      data = Int16Array.from({ length: size }, (_, i) => view.getInt16(body + 2 * i, false));
      break;
    case 0x0c:
      data = Int32Array.from({ length: size }, (_, i) => view.getInt32(body + 4 * i, false));
      break;
    case 0x0d:
      data = Float32Array.from({ length: size }, (_, i) => view.getFloat32(body + 4 * i, false));
      break;
    default:
      data = Float64Array.from({ length: size }, (_, i) => view.getFloat64(body + 8 * i, false));
  }
  return { shape, data };
}

/** Reads one IDX file (plain or gzip-compressed). */
export function readIdx(path: string): IdxArray {
  if (!existsSync(path)) throw new Error(`readIdx: no such file ${path}`);
  return parseIdx(readFileSync(path), path);
}

/** The first of `names` (each also tried with `.gz`) present in `folder`. */
function findFile(folder: string, names: string[]): string {
  for (const name of names) {
    for (const candidate of [name, `${name}.gz`]) {
      const path = join(folder, candidate);
      if (existsSync(path)) return path;
    }
  }
  throw new Error(`loadIdxDataset: no file ${names.map((n) => `${n}[.gz]`).join(" or ")} in ${folder}`);
}

/** Reads one images file and its labels file as a data set, checking they agree. */
function readPair(imagesPath: string, labelsPath: string, classes: number): ImageDataset {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.shape.length !== 3 || !(images.data instanceof Uint8Array)) {
    throw new Error(
      `loadIdxDataset: ${imagesPath} must hold unsigned bytes of shape [count, height, width], got rank ${images.shape.length}`,
    );
  }
  if (labels.shape.length !== 1 || !(labels.data instanceof Uint8Array)) {
    throw new Error(
      `loadIdxDataset: ${labelsPath} must hold unsigned bytes of shape [count], got rank ${labels.shape.length}`,
    );
  }
  const [count, height, width] = images.shape;
  if (labels.shape[0] !== count) {
    throw new Error(
      `loadIdxDataset: ${imagesPath} has ${count} images but ${labelsPath} has ${labels.shape[0]} labels`,
    );
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (labels.data[i] >= classes) {
      throw new Error(`loadIdxDataset: ${labelsPath} label ${i} is ${labels.data[i]}, expected 0 … ${classes - 1}`);
    }
    out[i] = labels.data[i];
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  return { images: pixels, labels: out, count, height, width, classes };
}

/**
 * The standard train and test sets from a folder of IDX files named as in the
 * MNIST distribution (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz`;
 * the `.idx3-ubyte` spelling is accepted too). Pixels are scaled to [0, 1].
 */
export function loadIdxDataset(folder: string, classes = 10): { train: ImageDataset; test: ImageDataset } {
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    fail("loadIdxDataset", "classes", classes, "an integer in [1, 256] (labels are bytes)");
  }
  if (!existsSync(folder)) throw new Error(`loadIdxDataset: no such folder ${folder}`);
  const file = (set: string, kind: "images" | "labels") => {
    const rank = kind === "images" ? 3 : 1;
    return findFile(folder, [`${set}-${kind}-idx${rank}-ubyte`, `${set}-${kind}.idx${rank}-ubyte`]);
  };
  return {
    train: readPair(file("train", "images"), file("train", "labels"), classes),
    test: readPair(file("t10k", "images"), file("t10k", "labels"), classes),
  };
}

/**
 * Tensors to plain numbers for notebooks: the computation runs inside `tf.tidy`
 * and every tensor it made is freed, so a chapter reads numbers without any
 * `tf.dispose` bookkeeping. A tensor that existed before (a variable, a tensor
 * the notebook holds) can be returned too: it is read, not freed.
 *
 *   const samples = numbersOf(() => sampleBinaryConcrete(tf.fill([1000], 0), 2 / 3, 7));
 */
import * as tf from "@tensorflow/tfjs";
import { fail } from "../validate";

function read(
  where: string,
  compute: () => tf.Tensor,
): { values: Float32Array | Int32Array | Uint8Array; shape: number[] } {
  if (typeof compute !== "function") fail(where, "compute", compute, "a function returning a tensor");
  // Tensor ids only grow: a tensor with an id above this one was made by `compute`.
  const lastOldId = tf.tidy(() => tf.scalar(0).id);
  const result = tf.tidy(compute);
  if (!(result instanceof tf.Tensor)) fail(where, "compute", result, "a function returning a tensor");
  try {
    return { values: result.dataSync() as Float32Array | Int32Array | Uint8Array, shape: result.shape };
  } finally {
    if (result.id > lastOldId) result.dispose();
  }
}

/** The entries of the tensor that `compute` returns, flattened in row-major order, as plain numbers. */
export function numbersOf(compute: () => tf.Tensor): number[] {
  return Array.from(read("numbersOf", compute).values);
}

/** The single entry of the tensor that `compute` returns (a scalar or a tensor of size 1). */
export function numberOf(compute: () => tf.Tensor): number {
  const { values, shape } = read("numberOf", compute);
  if (values.length !== 1) fail("numberOf", "compute", { shape }, "a function returning a tensor of one entry");
  return values[0];
}

/**
 * Argument checks for tensors (library-internal): finiteness of every entry and
 * shape agreement, with errors that name the function, the parameter, the value
 * and the expectation, like the checks in src/validate.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { finitenessProbe } from "../kernels/finite";
import { checkFinite, describe, fail } from "../validate";

/** Checks that `x` is a tensor. */
export function checkTensor(where: string, name: string, x: unknown): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) fail(where, name, x, "a tf.Tensor");
}

/** Checks that every entry of a float tensor is finite (reads its values: `dataSync`). */
export function checkTensorFinite(where: string, name: string, x: tf.Tensor): void {
  checkTensor(where, name, x);
  const values = x.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) fail(where, `${name}[${i}] (flat index)`, v, "a finite number");
  }
}

/**
 * Checks that every entry of a float tensor is finite with one read of the sum
 * Σ (x − x) (`finitenessProbe`: NaN when an entry is not finite, else 0), then entry
 * by entry (naming the first bad one) only when that sum is not finite.
 */
export function checkTensorFiniteBySum(where: string, name: string, x: tf.Tensor): void {
  const probe = tf.tidy(() => finitenessProbe(x).dataSync()[0]);
  if (!Number.isFinite(probe)) checkTensorFinite(where, name, x);
}

/** Checks a number, or every entry of a tensor, for finiteness. */
export function checkFiniteValue(where: string, name: string, x: tf.Tensor | number): void {
  if (x instanceof tf.Tensor) checkTensorFinite(where, name, x);
  else checkFinite(where, name, x);
}

/** Checks that `x` has exactly the shape `shape` (described as `what`). */
export function checkShape(where: string, name: string, x: tf.Tensor, shape: readonly number[], what: string): void {
  const same = x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i]);
  if (!same) fail(where, name, x, `a tensor of shape ${describe([...shape])} (${what})`);
}

/** Normalises a possibly negative `axis` for a tensor of rank `rank`. */
export function checkAxis(where: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    fail(where, "axis", axis, `an integer in [${-rank}, ${rank - 1}] (the weights have rank ${rank})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Checks the noise margin ε of U(ε, 1 − ε): a number in [0, 0.5) (see `Random.fillUniform`). */
export function checkEpsilon(where: string, epsilon: number): void {
  if (typeof epsilon !== "number" || !(epsilon >= 0 && epsilon < 0.5))
    fail(where, "epsilon", epsilon, "a number in [0, 0.5)");
}

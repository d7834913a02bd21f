/**
 * The Lq norms and the L0 "norm" (the count of non-zeros), for tfjs tensors and
 * for plain number arrays. Louizos, Welling & Kingma (2018, Sec. 1) penalise
 * ‖θ‖₀; the Lq family explains where that count comes from.
 */
import * as tf from "@tensorflow/tfjs";
import { checkAllFinite, checkGreater } from "./validate";

/** Plain numbers accepted wherever a tensor is: computed in float64. */
export type Numbers = readonly number[] | Float32Array | Float64Array;

/**
 * The power sum ‖x‖_q^q = Σᵢ |xᵢ|^q, for q > 0.
 *
 * As q → 0⁺ each term |xᵢ|^q tends to 1 when xᵢ ≠ 0 and stays 0 when xᵢ = 0, so
 * ‖x‖_q^q → ‖x‖₀ (the count of non-zeros). For q < 1 the function is not convex.
 * A tensor gives a float32 scalar tensor; plain numbers give a float64 number.
 */
export function lqPowerSum(x: tf.Tensor, q: number): tf.Scalar;
export function lqPowerSum(x: Numbers, q: number): number;
export function lqPowerSum(x: tf.Tensor | Numbers, q: number): tf.Scalar | number {
  checkGreater("lqPowerSum", "q", q, 0);
  if (x instanceof tf.Tensor) return tf.tidy(() => tf.sum(tf.pow(tf.abs(x), q)) as tf.Scalar);
  checkAllFinite("lqPowerSum", "x", x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]) ** q;
  return sum;
}

/**
 * The Lq norm ‖x‖_q = (Σᵢ |xᵢ|^q)^(1/q), for q > 0 (a quasi-norm when q < 1:
 * the triangle inequality fails). q = 1 is the L1 norm, q = 2 the Euclidean.
 */
export function lqNorm(x: tf.Tensor, q: number): tf.Scalar;
export function lqNorm(x: Numbers, q: number): number;
export function lqNorm(x: tf.Tensor | Numbers, q: number): tf.Scalar | number {
  checkGreater("lqNorm", "q", q, 0);
  if (x instanceof tf.Tensor) return tf.tidy(() => tf.pow(lqPowerSum(x, q), 1 / q) as tf.Scalar);
  return lqPowerSum(x, q) ** (1 / q);
}

/**
 * The L0 "norm" ‖x‖₀ = Σᵢ 1[xᵢ ≠ 0], the number of non-zero entries
 * (Louizos et al. 2018, Sec. 1). It is not a norm (‖2x‖₀ = ‖x‖₀) and it is
 * piecewise constant, so its gradient is 0 wherever it exists.
 *
 * The tensor version is built as Σ sign(|x|), which autodiff differentiates to
 * exactly 0 everywhere: the gradient carries no information.
 */
export function l0Count(x: tf.Tensor): tf.Scalar;
export function l0Count(x: Numbers): number;
export function l0Count(x: tf.Tensor | Numbers): tf.Scalar | number {
  if (x instanceof tf.Tensor) return tf.tidy(() => tf.sum(tf.sign(tf.abs(x))) as tf.Scalar);
  checkAllFinite("l0Count", "x", x);
  let count = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) count++;
  return count;
}

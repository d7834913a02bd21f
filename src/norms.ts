/**
 * The Lq norms and the L0 "norm" (the count of non-zeros), for tfjs tensors and
 * for plain number arrays. Louizos, Welling & Kingma (2018, Sec. 1) penalise
 * ‖θ‖₀; the Lq family explains where that count comes from.
 */
import * as tf from "@tensorflow/tfjs";
import { checkTensorFiniteBySum } from "./gates/checks";
import { checkAllFinite, checkGreater, fail } from "./validate";

/** Plain numbers accepted wherever a tensor is: computed in float64. */
export type Numbers = readonly number[] | Float32Array | Float64Array;

/**
 * Σ of the entries as a scalar; 0 for an empty tensor (the wasm backend's sum of an
 * empty tensor is not 0, but whatever its buffer holds).
 */
function sumOf(x: tf.Tensor): tf.Scalar {
  return x.size === 0 ? tf.scalar(0) : (tf.sum(x) as tf.Scalar);
}

/** The number of non-zero entries of `x`, with a zero gradient. */
function countNonZero(x: tf.Tensor): tf.Scalar {
  const count = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = inputs[0] as tf.Tensor;
    return {
      value: sumOf(tf.cast(tf.notEqual(input, 0), "float32")),
      gradFunc: () => tf.zerosLike(input),
    };
  });
  return count(x) as tf.Scalar;
}

/**
 * Σ|xᵢ| of a float32 tensor, with the gradient tfjs's autodiff gives `tf.sum(tf.abs(x))`
 * (and `tf.sum(tf.pow(tf.abs(x), 1))`), ∂/∂xᵢ = 1 where xᵢ > 0 and −1 elsewhere (tf.abs's
 * gradient, `tf.step(x, −1)`), the same bits, as two kernels (the step, then its product
 * with the upstream gradient): tfjs's gradient of `tf.sum` fills a tensor of ones in
 * JavaScript at every call (about 0.7 ms per step for the kernels of the 784-300-100-10
 * MLP), and `tf.pow`'s gradient adds passes of its own.
 */
function absoluteSum(x: tf.Tensor): tf.Scalar {
  const sum = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = inputs[0] as tf.Tensor;
    return { value: sumOf(tf.abs(input)), gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.step(input, -1)) };
  });
  return sum(x) as tf.Scalar;
}

/**
 * Checks that every entry of `x`, a tensor (one read of one number, `checkTensorFiniteBySum`:
 * an L1 penalty calls it at every training step) or plain numbers, is finite.
 */
function checkNumbers(where: string, x: tf.Tensor | Numbers): void {
  if (x instanceof tf.Tensor) checkTensorFiniteBySum(where, "x", x);
  else if (x === null || typeof x !== "object" || typeof x.length !== "number") {
    fail(where, "x", x, "a tf.Tensor or an array of numbers");
  } else checkAllFinite(where, "x", x);
}

/**
 * The power sum ‖x‖_q^q = Σᵢ |xᵢ|^q, for q > 0.
 *
 * As q → 0⁺ each term |xᵢ|^q tends to 1 when xᵢ ≠ 0 and stays 0 when xᵢ = 0, so
 * ‖x‖_q^q → ‖x‖₀ (the count of non-zeros). For q < 1 the function is not convex.
 * A tensor gives a float32 scalar tensor; plain numbers give a float64 number. For
 * q = 1 (an L1 penalty) a float32 tensor's gradient costs two kernels (`absoluteSum`).
 */
export function lqPowerSum(x: tf.Tensor, q: number): tf.Scalar;
export function lqPowerSum(x: Numbers, q: number): number;
export function lqPowerSum(x: tf.Tensor | Numbers, q: number): tf.Scalar | number {
  checkGreater("lqPowerSum", "q", q, 0);
  checkNumbers("lqPowerSum", x);
  if (x instanceof tf.Tensor) {
    return tf.tidy(() => (q === 1 && x.dtype === "float32" ? absoluteSum(x) : sumOf(tf.pow(tf.abs(x), q))));
  }
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]) ** q;
  return sum;
}

/**
 * The Lq norm ‖x‖_q = (Σᵢ |xᵢ|^q)^(1/q), for q > 0 (a quasi-norm when q < 1:
 * the triangle inequality fails). q = 1 is the L1 norm, q = 2 the Euclidean.
 * Plain numbers are computed as m·(Σᵢ (|xᵢ|/m)^q)^(1/q) with m = maxᵢ |xᵢ| (the
 * scaling of LAPACK's dnrm2), so that the result neither overflows nor underflows
 * where the norm itself is representable (unscaled, ‖(3·10²⁰⁰, 4·10²⁰⁰)‖₂ is
 * infinite and ‖(3·10⁻²⁰⁰, 4·10⁻²⁰⁰)‖₂ zero). A tensor is computed unscaled, in
 * float32, so that its autodiff gradient is the plain formula's (the scaled form's
 * is NaN at x = 0, where an L1 fit from zero starts): its entries must stay below
 * about 10^(38/q) and, unless all zero, not all below 10^(−45/q).
 */
export function lqNorm(x: tf.Tensor, q: number): tf.Scalar;
export function lqNorm(x: Numbers, q: number): number;
export function lqNorm(x: tf.Tensor | Numbers, q: number): tf.Scalar | number {
  checkGreater("lqNorm", "q", q, 0);
  checkNumbers("lqNorm", x);
  if (x instanceof tf.Tensor) return tf.tidy(() => tf.pow(lqPowerSum(x, q), 1 / q) as tf.Scalar);
  let largest = 0;
  for (let i = 0; i < x.length; i++) largest = Math.max(largest, Math.abs(x[i]));
  if (largest === 0) return 0;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (Math.abs(x[i]) / largest) ** q;
  return largest * sum ** (1 / q);
}

/**
 * The L0 "norm" ‖x‖₀ = Σᵢ 1[xᵢ ≠ 0], the number of non-zero entries
 * (Louizos et al. 2018, Sec. 1). It is not a norm (‖2x‖₀ = ‖x‖₀) and it is
 * piecewise constant, so its gradient is 0 wherever it exists.
 *
 * The tensor version counts the entries with x ≠ 0 and declares the gradient
 * exactly 0 everywhere: the gradient carries no information. (Not as Σ sign(|x|):
 * the wasm backend's sign is 0 for 0 < |x| < 1e-6.)
 */
export function l0Count(x: tf.Tensor): tf.Scalar;
export function l0Count(x: Numbers): number;
export function l0Count(x: tf.Tensor | Numbers): tf.Scalar | number {
  checkNumbers("l0Count", x);
  if (x instanceof tf.Tensor) return tf.tidy(() => countNonZero(x));
  let count = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) count++;
  return count;
}

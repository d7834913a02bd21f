/**
 * The noise behind every gate sample: uniform u, logistic noise logit(u) and the
 * exact Bernoulli gate obtained by thresholding it (Louizos et al. 2018, Sec. 2.2;
 * Maddison et al. 2017, Sec. 3).
 */
import * as tf from "@tensorflow/tfjs";
import { drawUniform } from "../kernels/noise";
import { sizeOf } from "../kernels/wasmModule";
import { randomFrom, type Seed } from "../random";
import { checkFinite, checkInInterval, fail } from "../validate";
import { checkEpsilon, checkFiniteValue, checkTensorFinite } from "./checks";
import { logitUnclamped } from "./logistic";

/** The smallest normal float32, 2⁻¹²⁶: the floor of u and 1 − u inside the tensor `logit`. */
const FLOAT32_TINY = 2 ** -126;

/** Checks a shape: an array of non-negative integers. */
function checkShapeArg(where: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(where, "shape", shape, "an array of non-negative integers");
  }
}

/**
 * Uniform noise u ~ U(ε, 1 − ε) of shape `shape`, float32, drawn by the seeded
 * generator (so identical on every backend; on the wasm backend drawn straight
 * into its memory, see src/kernels/noise.ts). Keeping u away from 0 and 1 by
 * ε = 1e-6 is the authors' guard against infinite logit(u) (Louizos et al. 2018,
 * code). See `Random.fillUniform` for the exact grid.
 */
export function uniformNoise(shape: readonly number[], seed: Seed, epsilon = 1e-6): tf.Tensor {
  checkShapeArg("uniformNoise", shape);
  checkEpsilon("uniformNoise", epsilon);
  return drawUniform(randomFrom(seed), [...shape], epsilon);
}

/**
 * The logit, logit(u) = log u − log(1 − u), the inverse of σ. Applied to
 * u ~ U(0, 1) it gives standard Logistic(0, 1) noise (Louizos et al. 2018, Sec. 2.2).
 *
 * Saturating, so that no input gives NaN or ±Infinity: a number is computed in
 * float64 as log u − log1p(−u) with u and 1 − u floored at the smallest positive
 * double (range ±744.44; u must lie in [0, 1]); a tensor is computed in float32 with
 * u and 1 − u floored at 2⁻¹²⁶ (range ±87.34; finite entries outside [0, 1] saturate;
 * a NaN or ±Infinity entry is an error).
 */
export function logit(u: tf.Tensor): tf.Tensor;
export function logit(u: number): number;
export function logit(u: tf.Tensor | number): tf.Tensor | number {
  if (u instanceof tf.Tensor) {
    checkTensorFinite("logit", "u", u);
    return tf.tidy(() => tf.sub(tf.log(tf.maximum(u, FLOAT32_TINY)), tf.log(tf.maximum(tf.sub(1, u), FLOAT32_TINY))));
  }
  checkInInterval("logit", "u", u, 0, 1);
  const floor = Math.log(Number.MIN_VALUE);
  if (u === 0) return floor;
  if (u === 1) return -floor;
  return Math.log(u) - Math.log1p(-u);
}

/**
 * Standard logistic noise logit(u), u ~ U(ε, 1 − ε), of shape `shape`: a draw
 * from Logistic(0, 1), whose CDF is σ(x), truncated to |x| ≤ logit(1 − ε)
 * (≈ 13.8 for ε = 1e-6). Computed in float64 in JavaScript, then stored as float32.
 */
export function logisticNoise(shape: readonly number[], seed: Seed, epsilon = 1e-6): tf.Tensor {
  checkShapeArg("logisticNoise", shape);
  checkEpsilon("logisticNoise", epsilon);
  const values = randomFrom(seed).fillUniform(new Float32Array(sizeOf(shape)), epsilon) as Float32Array;
  for (let i = 0; i < values.length; i++) {
    values[i] = logitUnclamped(values[i]);
  }
  return tf.tensor(values, [...shape], "float32");
}

/**
 * The exact Bernoulli gate by thresholding logistic noise:
 * 1[logit(u) + log α > 0] ~ Bernoulli(σ(log α)), since P(logit(u) > −log α) = σ(log α)
 * (Maddison et al. 2017, Prop. 1b (rounding); Louizos et al. 2018, Sec. 2.2). Returns 0 or 1
 * (float32 for tensors); `logAlpha` broadcasts against `noise`.
 */
export function bernoulliFromLogisticNoise(logAlpha: tf.Tensor | number, noise: tf.Tensor): tf.Tensor;
export function bernoulliFromLogisticNoise(logAlpha: number, noise: number): number;
export function bernoulliFromLogisticNoise(
  logAlpha: tf.Tensor | number,
  noise: tf.Tensor | number,
): tf.Tensor | number {
  checkFiniteValue("bernoulliFromLogisticNoise", "logAlpha", logAlpha);
  if (typeof noise === "number") {
    if (typeof logAlpha !== "number") fail("bernoulliFromLogisticNoise", "noise", noise, "a tensor when logAlpha is");
    checkFinite("bernoulliFromLogisticNoise", "noise", noise);
    return noise + logAlpha > 0 ? 1 : 0;
  }
  checkTensorFinite("bernoulliFromLogisticNoise", "noise", noise);
  return tf.tidy(() => tf.cast(tf.greater(tf.add(noise, logAlpha), 0), "float32"));
}

/**
 * The binary concrete distribution (Maddison, Mnih & Teh 2017, Sec. 3.3, the
 * "BinConcrete(α, λ)" with temperature λ = β), the un-stretched base of the hard
 * concrete gate (Louizos et al. 2018, Sec. 2.2). Location log α, temperature β > 0.
 */
import * as tf from "@tensorflow/tfjs";
import type { Seed } from "../random";
import { checkFinite, checkGreater, checkInInterval, fail } from "../validate";
import { checkEpsilon, checkFiniteValue, checkTensor, checkTensorFinite } from "./checks";
import { logitUnclamped, logSigmoid, sigmoid } from "./logistic";
import { logit, uniformNoise } from "./noise";

/**
 * A binary concrete sample from given uniform noise:
 * s = σ((logit(u) + log α)/β) (Maddison et al. 2017, Sec. 3.3; Louizos et al. 2018,
 * Sec. 2.2; β divides the whole sum). Differentiable in log α (tf.grad):
 * ∂s/∂log α = s(1 − s)/β. `logAlpha` broadcasts against `u`.
 */
export function binaryConcreteFromNoise(logAlpha: tf.Tensor | number, u: tf.Tensor, beta: number): tf.Tensor;
export function binaryConcreteFromNoise(logAlpha: number, u: number, beta: number): number;
export function binaryConcreteFromNoise(
  logAlpha: tf.Tensor | number,
  u: tf.Tensor | number,
  beta: number,
): tf.Tensor | number {
  checkGreater("binaryConcreteFromNoise", "beta", beta, 0);
  checkFiniteValue("binaryConcreteFromNoise", "logAlpha", logAlpha);
  if (typeof u === "number") {
    if (typeof logAlpha !== "number") fail("binaryConcreteFromNoise", "u", u, "a tensor when logAlpha is");
    checkInInterval("binaryConcreteFromNoise", "u", u, 0, 1);
    return sigmoid((logit(u) + logAlpha) / beta);
  }
  checkTensorFinite("binaryConcreteFromNoise", "u", u);
  return tf.tidy(() => tf.sigmoid(tf.div(tf.add(logit(u), logAlpha), beta)));
}

/**
 * Draws s ~ BinConcrete(log α, β), one per entry of `logAlpha`:
 * s = σ((logit(u) + log α)/β), u ~ U(ε, 1 − ε) from `seed` (Maddison et al. 2017,
 * Sec. 3.3). Values in (0, 1); gradients flow to `logAlpha`.
 */
export function sampleBinaryConcrete(logAlpha: tf.Tensor, beta: number, seed: Seed, epsilon = 1e-6): tf.Tensor {
  checkTensor("sampleBinaryConcrete", "logAlpha", logAlpha);
  checkGreater("sampleBinaryConcrete", "beta", beta, 0);
  checkEpsilon("sampleBinaryConcrete", epsilon);
  return tf.tidy(() => binaryConcreteFromNoise(logAlpha, uniformNoise(logAlpha.shape, seed, epsilon), beta));
}

/**
 * The CDF of the binary concrete: P(s ≤ x) = σ(β logit(x) − log α) for x ∈ (0, 1),
 * 0 for x ≤ 0 and 1 for x ≥ 1 (Maddison et al. 2017, Sec. 3.3, inverting the sampler).
 */
export function binaryConcreteCdf(x: tf.Tensor, logAlpha: tf.Tensor | number, beta: number): tf.Tensor;
export function binaryConcreteCdf(x: number, logAlpha: number, beta: number): number;
export function binaryConcreteCdf(
  x: tf.Tensor | number,
  logAlpha: tf.Tensor | number,
  beta: number,
): tf.Tensor | number {
  checkGreater("binaryConcreteCdf", "beta", beta, 0);
  checkFiniteValue("binaryConcreteCdf", "logAlpha", logAlpha);
  if (typeof x === "number") {
    checkFinite("binaryConcreteCdf", "x", x);
    if (typeof logAlpha !== "number") fail("binaryConcreteCdf", "x", x, "a tensor when logAlpha is");
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    return sigmoid(beta * logitUnclamped(x) - logAlpha);
  }
  checkTensorFinite("binaryConcreteCdf", "x", x);
  return tf.tidy(() => {
    const inside = tf.clipByValue(x, 0, 1);
    return tf.sigmoid(tf.sub(tf.mul(beta, tf.sub(tf.log(inside), tf.log1p(tf.neg(inside)))), logAlpha));
  });
}

/**
 * The log-density of the binary concrete on (0, 1). The paper's density
 * p(x) = β α x^(−β−1) (1 − x)^(−β−1) / (α x^(−β) + (1 − x)^(−β))² (Maddison et al. 2017,
 * Sec. 3.3) is computed in the equivalent, overflow-free form
 * log p(x) = log β + log σ(y) + log σ(−y) − log x − log(1 − x), y = β logit(x) − log α.
 * −Infinity outside (0, 1) (the density is 0 there); finite inside for finite log α.
 */
export function binaryConcreteLogDensity(x: tf.Tensor, logAlpha: tf.Tensor | number, beta: number): tf.Tensor;
export function binaryConcreteLogDensity(x: number, logAlpha: number, beta: number): number;
export function binaryConcreteLogDensity(
  x: tf.Tensor | number,
  logAlpha: tf.Tensor | number,
  beta: number,
): tf.Tensor | number {
  checkGreater("binaryConcreteLogDensity", "beta", beta, 0);
  checkFiniteValue("binaryConcreteLogDensity", "logAlpha", logAlpha);
  if (typeof x === "number") {
    checkFinite("binaryConcreteLogDensity", "x", x);
    if (typeof logAlpha !== "number") fail("binaryConcreteLogDensity", "x", x, "a tensor when logAlpha is");
    if (!(x > 0 && x < 1)) return Number.NEGATIVE_INFINITY;
    const logX = Math.log(x);
    const log1mX = Math.log1p(-x);
    const y = beta * (logX - log1mX) - logAlpha;
    return Math.log(beta) + logSigmoid(y) + logSigmoid(-y) - logX - log1mX;
  }
  checkTensorFinite("binaryConcreteLogDensity", "x", x);
  return tf.tidy(() => {
    const inside = tf.logicalAnd(tf.greater(x, 0), tf.less(x, 1));
    const safe = tf.clipByValue(x, 2 ** -126, 1 - 2 ** -24);
    const logX = tf.log(safe);
    const log1mX = tf.log1p(tf.neg(safe));
    const y = tf.sub(tf.mul(beta, tf.sub(logX, log1mX)), logAlpha);
    const value = tf.sub(tf.sub(Math.log(beta), tf.add(tf.softplus(y), tf.softplus(tf.neg(y)))), tf.add(logX, log1mX));
    return tf.where(inside, value, tf.fill(value.shape, Number.NEGATIVE_INFINITY));
  });
}

/**
 * The quantile (inverse CDF) of the binary concrete: F⁻¹(p) = σ((logit(p) + log α)/β),
 * the sampler itself with u = p (Maddison et al. 2017, Sec. 3.3). p ∈ [0, 1]
 * (tensor entries are clipped to it); F⁻¹(0) = 0 and F⁻¹(1) = 1.
 */
export function binaryConcreteQuantile(p: tf.Tensor, logAlpha: tf.Tensor | number, beta: number): tf.Tensor;
export function binaryConcreteQuantile(p: number, logAlpha: number, beta: number): number;
export function binaryConcreteQuantile(
  p: tf.Tensor | number,
  logAlpha: tf.Tensor | number,
  beta: number,
): tf.Tensor | number {
  checkGreater("binaryConcreteQuantile", "beta", beta, 0);
  checkFiniteValue("binaryConcreteQuantile", "logAlpha", logAlpha);
  if (typeof p === "number") {
    checkInInterval("binaryConcreteQuantile", "p", p, 0, 1);
    if (typeof logAlpha !== "number") fail("binaryConcreteQuantile", "p", p, "a tensor when logAlpha is");
    return sigmoid((logitUnclamped(p) + logAlpha) / beta);
  }
  checkTensorFinite("binaryConcreteQuantile", "p", p);
  return tf.tidy(() => {
    const inside = tf.clipByValue(p, 0, 1);
    return tf.sigmoid(tf.div(tf.add(tf.sub(tf.log(inside), tf.log1p(tf.neg(inside))), logAlpha), beta));
  });
}

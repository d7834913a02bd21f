/**
 * Closed forms of the hard concrete gate z = min(1, max(0, s̄)) (Louizos et al.
 * 2018, Sec. 2.2): the CDF of the stretched sample s̄ and the masses of
 * z at 0, at 1, strictly between and away from 0. All are written as one or two
 * sigmoids of log α minus a constant, so log α = ±1000 gives finite, correct values.
 */
import * as tf from "@tensorflow/tfjs";
import { checkFinite, fail } from "../validate";
import { binaryConcreteLogDensity } from "./binaryConcrete";
import { checkFiniteValue, checkTensorFinite } from "./checks";
import { sigmoid } from "./logistic";
import { checkParams, DEFAULT_PARAMS, type HardConcreteParams } from "./params";

/**
 * The two thresholds on the logistic variable x = logit(u) + log α at which the
 * clamp engages: z = 0 iff x ≤ `zero` = β log(−γ/ζ), and z = 1 iff
 * x ≥ `one` = β log((1 − γ)/(ζ − 1)); always zero < one. With the defaults,
 * ∓1.5986. (They follow from s̄ ≤ 0 ⇔ s ≤ −γ/(ζ − γ), Louizos et al. 2018, Sec. 2.2.)
 */
export function gateThresholds(params: HardConcreteParams = DEFAULT_PARAMS): { zero: number; one: number } {
  checkParams("gateThresholds", params);
  const { beta, gamma, zeta } = params;
  return { zero: beta * Math.log(-gamma / zeta), one: beta * Math.log((1 - gamma) / (zeta - 1)) };
}

/** Validates the common arguments of a closed form and returns the thresholds. */
function prepare(where: string, logAlpha: tf.Tensor | number, params: HardConcreteParams) {
  checkParams(where, params);
  checkFiniteValue(where, "logAlpha", logAlpha);
  return gateThresholds(params);
}

/**
 * The CDF of the stretched sample s̄ = s (ζ − γ) + γ: for γ < x < ζ,
 * Q(x) = σ(β logit((x − γ)/(ζ − γ)) − log α) (Louizos et al. 2018, Sec. 2.2), with
 * Q = 0 for x ≤ γ and Q = 1 for x ≥ ζ. The gate's CDF is Q on [0, 1).
 * `logAlpha` broadcasts against `x`.
 */
export function stretchedCdf(x: tf.Tensor, logAlpha: tf.Tensor | number, params?: HardConcreteParams): tf.Tensor;
export function stretchedCdf(x: number, logAlpha: number, params?: HardConcreteParams): number;
export function stretchedCdf(
  x: tf.Tensor | number,
  logAlpha: tf.Tensor | number,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Tensor | number {
  prepare("stretchedCdf", logAlpha, params);
  const { beta, gamma, zeta } = params;
  if (typeof x === "number") {
    checkFinite("stretchedCdf", "x", x);
    if (typeof logAlpha !== "number") fail("stretchedCdf", "x", x, "a tensor when logAlpha is");
    if (x <= gamma) return 0;
    if (x >= zeta) return 1;
    return sigmoid(beta * (Math.log(x - gamma) - Math.log(zeta - x)) - logAlpha);
  }
  checkTensorFinite("stretchedCdf", "x", x);
  return tf.tidy(() => {
    const inside = tf.clipByValue(x, gamma, zeta);
    const logitS = tf.sub(tf.log(tf.sub(inside, gamma)), tf.log(tf.sub(zeta, inside)));
    return tf.sigmoid(tf.sub(tf.mul(beta, logitS), logAlpha));
  });
}

/**
 * The log-density of the stretched sample s̄ = s (ζ − γ) + γ on (γ, ζ): the change of
 * variables q(x) = p((x − γ)/(ζ − γ)) / (ζ − γ), with p the binary concrete density
 * (Louizos et al. 2018, Sec. 2.2; Maddison et al. 2017, Sec. 3.3), so
 * log q(x) = binaryConcreteLogDensity((x − γ)/(ζ − γ), log α, β) − log(ζ − γ).
 * It is the derivative of `stretchedCdf`; −Infinity outside (γ, ζ). On (0, 1) it is
 * also the density of the continuous part of the gate z.
 */
export function stretchedLogDensity(x: tf.Tensor, logAlpha: tf.Tensor | number, params?: HardConcreteParams): tf.Tensor;
export function stretchedLogDensity(x: number, logAlpha: number, params?: HardConcreteParams): number;
export function stretchedLogDensity(
  x: tf.Tensor | number,
  logAlpha: tf.Tensor | number,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Tensor | number {
  prepare("stretchedLogDensity", logAlpha, params);
  const { beta, gamma, zeta } = params;
  const width = zeta - gamma;
  if (typeof x === "number") {
    checkFinite("stretchedLogDensity", "x", x);
    if (typeof logAlpha !== "number") fail("stretchedLogDensity", "x", x, "a tensor when logAlpha is");
    return binaryConcreteLogDensity((x - gamma) / width, logAlpha, beta) - Math.log(width);
  }
  checkTensorFinite("stretchedLogDensity", "x", x);
  return tf.tidy(() =>
    tf.sub(binaryConcreteLogDensity(tf.div(tf.sub(x, gamma), width), logAlpha, beta), Math.log(width)),
  );
}

/**
 * P(z = 0) = Q(0) = σ(β log(−γ/ζ) − log α) (Louizos et al. 2018, Sec. 2.2): the
 * probability that the gate is exactly closed. 0.168 at log α = 0 with the defaults.
 */
export function probZero(logAlpha: tf.Tensor, params?: HardConcreteParams): tf.Tensor;
export function probZero(logAlpha: number, params?: HardConcreteParams): number;
export function probZero(
  logAlpha: tf.Tensor | number,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Tensor | number {
  const { zero } = prepare("probZero", logAlpha, params);
  if (typeof logAlpha === "number") return sigmoid(zero - logAlpha);
  return tf.tidy(() => tf.sigmoid(tf.sub(zero, logAlpha)));
}

/**
 * P(z = 1) = 1 − Q(1) = σ(log α − β log((1 − γ)/(ζ − 1))) (Louizos et al. 2018,
 * Sec. 2.2): the probability that the gate is exactly open. 0.168 at log α = 0 with
 * the defaults; P(z = 1 | log α) = P(z = 0 | −log α) when γ = 1 − ζ.
 */
export function probOne(logAlpha: tf.Tensor, params?: HardConcreteParams): tf.Tensor;
export function probOne(logAlpha: number, params?: HardConcreteParams): number;
export function probOne(logAlpha: tf.Tensor | number, params: HardConcreteParams = DEFAULT_PARAMS): tf.Tensor | number {
  const { one } = prepare("probOne", logAlpha, params);
  if (typeof logAlpha === "number") return sigmoid(logAlpha - one);
  return tf.tidy(() => tf.sigmoid(tf.sub(logAlpha, one)));
}

/**
 * P(0 < z < 1) = 1 − P(z = 0) − P(z = 1) = σ(log α − t₀) − σ(log α − t₁), with
 * t₀ = β log(−γ/ζ) < t₁ = β log((1 − γ)/(ζ − 1)) (Louizos et al. 2018, Sec. 2.2),
 * computed without cancellation as (1 − e^(t₀ − t₁)) σ(log α − t₀) σ(t₁ − log α).
 * 0.537 at log α = 0 with β = 0.5 (the paper's Fig. 2: P(z ∈ {0, 1}) = 0.463).
 */
export function probFractional(logAlpha: tf.Tensor, params?: HardConcreteParams): tf.Tensor;
export function probFractional(logAlpha: number, params?: HardConcreteParams): number;
export function probFractional(
  logAlpha: tf.Tensor | number,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Tensor | number {
  const { zero, one } = prepare("probFractional", logAlpha, params);
  const factor = -Math.expm1(zero - one);
  if (typeof logAlpha === "number") return factor * sigmoid(logAlpha - zero) * sigmoid(one - logAlpha);
  return tf.tidy(() => tf.mul(factor, tf.mul(tf.sigmoid(tf.sub(logAlpha, zero)), tf.sigmoid(tf.sub(one, logAlpha)))));
}

/**
 * P(z ≠ 0) = 1 − Q(0) = σ(log α − β log(−γ/ζ)) (Louizos et al. 2018, Sec. 2.2): the
 * expected L0 norm of one gate, σ(log α + 1.5986) with the defaults (0.832 at
 * log α = 0). Increasing in log α; ∂/∂log α = P(z ≠ 0) P(z = 0).
 */
export function probNonZero(logAlpha: tf.Tensor, params?: HardConcreteParams): tf.Tensor;
export function probNonZero(logAlpha: number, params?: HardConcreteParams): number;
export function probNonZero(
  logAlpha: tf.Tensor | number,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Tensor | number {
  const { zero } = prepare("probNonZero", logAlpha, params);
  if (typeof logAlpha === "number") return sigmoid(logAlpha - zero);
  return tf.tidy(() => tf.sigmoid(tf.sub(logAlpha, zero)));
}

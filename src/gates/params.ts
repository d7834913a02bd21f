/**
 * The parameters of a hard concrete gate and the conversions between a drop
 * rate, a keep probability and log α (Louizos, Welling & Kingma 2018, Sec. 2.2).
 */
import * as tf from "@tensorflow/tfjs";
import { checkFinite, fail } from "../validate";
import { checkFiniteValue } from "./checks";
import { sigmoid } from "./logistic";

/**
 * The shape parameters shared by every gate of a layer:
 * - `beta` (β > 0), the temperature of the binary concrete (Maddison et al. 2017);
 * - `gamma` (γ < 0) and `zeta` (ζ > 1), the stretch interval (γ, ζ) that lets the
 *   clamped gate reach exactly 0 and exactly 1 (Louizos et al. 2018, Sec. 2.2).
 */
export interface HardConcreteParams {
  readonly beta: number;
  readonly gamma: number;
  readonly zeta: number;
}

/** The paper's and the authors' code's values: β = 2/3, γ = −0.1, ζ = 1.1. */
export const DEFAULT_PARAMS: HardConcreteParams = Object.freeze({ beta: 2 / 3, gamma: -0.1, zeta: 1.1 });

/**
 * Checks β > 0, γ < 0 and ζ > 1 (all finite), naming the calling function in the
 * error, e.g. `probNonZero: beta must be a finite number > 0, got -1`.
 */
export function checkParams(where: string, params: HardConcreteParams): void {
  if (typeof params !== "object" || params === null) fail(where, "params", params, "an object {beta, gamma, zeta}");
  const { beta, gamma, zeta } = params;
  if (typeof beta !== "number" || !Number.isFinite(beta) || !(beta > 0)) {
    fail(where, "beta", beta, "a finite number > 0");
  }
  if (typeof gamma !== "number" || !Number.isFinite(gamma) || !(gamma < 0)) {
    fail(where, "gamma", gamma, "a finite number < 0 (else no gate is ever exactly 0)");
  }
  if (typeof zeta !== "number" || !Number.isFinite(zeta) || !(zeta > 1)) {
    fail(where, "zeta", zeta, "a finite number > 1 (else no gate is ever exactly 1)");
  }
}

/** `DEFAULT_PARAMS` with `overrides` applied, validated (β > 0, γ < 0, ζ > 1). */
export function hardConcreteParams(overrides: Partial<HardConcreteParams> = {}): HardConcreteParams {
  const params = Object.freeze({ ...DEFAULT_PARAMS, ...overrides });
  checkParams("hardConcreteParams", params);
  return params;
}

/** Checks that `p` is a finite number strictly between 0 and 1. */
function checkOpenUnit(where: string, name: string, p: number): void {
  if (typeof p !== "number" || !(p > 0 && p < 1)) fail(where, name, p, "a number in (0, 1)");
}

/**
 * log α from a DROP rate p (the probability that a gate is closed):
 * log α = log((1 − p)/p), the authors' initialisation mean (log α₀ ~ N(log((1 − p)/p), 0.01)).
 * A larger drop rate gives a smaller log α.
 */
export function logAlphaFromDropRate(dropRate: number): number {
  checkOpenUnit("logAlphaFromDropRate", "dropRate", dropRate);
  return Math.log1p(-dropRate) - Math.log(dropRate);
}

/**
 * log α from a KEEP probability k = 1 − p: log α = logit(k) = log(k/(1 − k)).
 * A larger keep probability gives a larger log α.
 */
export function logAlphaFromKeepProbability(keepProbability: number): number {
  checkOpenUnit("logAlphaFromKeepProbability", "keepProbability", keepProbability);
  return Math.log(keepProbability) - Math.log1p(-keepProbability);
}

/**
 * The KEEP probability σ(log α) of the Bernoulli gate that log α describes: the
 * β → 0 limit of the binary concrete (Maddison et al. 2017, Prop. 1c) and the
 * inverse of `logAlphaFromKeepProbability`. It is not the hard concrete gate's
 * P(z ≠ 0): use `probNonZero` for that.
 */
export function keepProbabilityFromLogAlpha(logAlpha: tf.Tensor): tf.Tensor;
export function keepProbabilityFromLogAlpha(logAlpha: number): number;
export function keepProbabilityFromLogAlpha(logAlpha: tf.Tensor | number): tf.Tensor | number {
  checkFiniteValue("keepProbabilityFromLogAlpha", "logAlpha", logAlpha);
  if (logAlpha instanceof tf.Tensor) return tf.tidy(() => tf.sigmoid(logAlpha));
  return sigmoid(logAlpha);
}

/** The DROP rate σ(−log α) = 1 − σ(log α) of the Bernoulli gate; the inverse of `logAlphaFromDropRate`. */
export function dropRateFromLogAlpha(logAlpha: number): number {
  checkFinite("dropRateFromLogAlpha", "logAlpha", logAlpha);
  return keepProbabilityFromLogAlpha(-logAlpha);
}

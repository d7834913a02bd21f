/**
 * The two deterministic steps that turn a binary concrete sample into a hard
 * concrete gate (Louizos et al. 2018, Sec. 2.2): stretch, then clamp.
 */
import * as tf from "@tensorflow/tfjs";
import { checkFinite } from "../validate";
import { checkTensorFinite } from "./checks";
import { checkParams, DEFAULT_PARAMS, type HardConcreteParams } from "./params";

/**
 * Stretches s ∈ (0, 1) to s̄ = s (ζ − γ) + γ ∈ (γ, ζ) (Louizos et al. 2018, Sec. 2.2),
 * so that a fraction of the mass falls below 0 and above 1.
 */
export function stretch(s: tf.Tensor, params?: HardConcreteParams): tf.Tensor;
export function stretch(s: number, params?: HardConcreteParams): number;
export function stretch(s: tf.Tensor | number, params: HardConcreteParams = DEFAULT_PARAMS): tf.Tensor | number {
  checkParams("stretch", params);
  const { gamma, zeta } = params;
  if (typeof s === "number") {
    checkFinite("stretch", "s", s);
    return s * (zeta - gamma) + gamma;
  }
  checkTensorFinite("stretch", "s", s);
  return tf.tidy(() => tf.add(tf.mul(s, zeta - gamma), gamma));
}

/**
 * The hard sigmoid z = min(1, max(0, s̄)) (Louizos et al. 2018, Sec. 2.2): clamps the
 * stretched sample to [0, 1], putting point masses at exactly 0 and exactly 1. The
 * tensor gradient is 1 inside [0, 1] and 0 outside.
 */
export function clampToUnit(sBar: tf.Tensor): tf.Tensor;
export function clampToUnit(sBar: number): number;
export function clampToUnit(sBar: tf.Tensor | number): tf.Tensor | number {
  if (typeof sBar === "number") {
    checkFinite("clampToUnit", "sBar", sBar);
    return Math.min(1, Math.max(0, sBar));
  }
  checkTensorFinite("clampToUnit", "sBar", sBar);
  return tf.tidy(() => tf.clipByValue(sBar, 0, 1));
}

/**
 * The hard concrete gate z = min(1, max(0, σ((logit(u) + log α)/β)(ζ − γ) + γ)),
 * u ~ U(0, 1) (Louizos et al. 2018, Sec. 2.2): a reparameterised sample,
 * so gradients flow to log α (and, through the mask, to the weights it gates).
 */
import * as tf from "@tensorflow/tfjs";
import type { Seed } from "../random";
import { checkFinite, checkInInterval, fail } from "../validate";
import { binaryConcreteFromNoise } from "./binaryConcrete";
import { checkEpsilon, checkTensor, checkTensorFinite, checkTensorFiniteBySum } from "./checks";
import { sampleHardConcreteUnchecked } from "./fused";
import { checkParams, DEFAULT_PARAMS, type HardConcreteParams } from "./params";
import { clampToUnit, stretch } from "./stretch";

/**
 * The hard concrete gate from given uniform noise, as the chain of named steps
 * z = clampToUnit(stretch(binaryConcreteFromNoise(log α, u, β))) (Louizos et al. 2018,
 * Sec. 2.2). Differentiable in log α by ordinary autodiff:
 * ∂z/∂log α = (ζ − γ) s (1 − s)/β where 0 < z < 1, and 0 where the clamp holds.
 * `logAlpha` broadcasts against `u`.
 */
export function hardConcreteFromNoise(
  logAlpha: tf.Tensor | number,
  u: tf.Tensor,
  params?: HardConcreteParams,
): tf.Tensor;
export function hardConcreteFromNoise(logAlpha: number, u: number, params?: HardConcreteParams): number;
export function hardConcreteFromNoise(
  logAlpha: tf.Tensor | number,
  u: tf.Tensor | number,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Tensor | number {
  checkParams("hardConcreteFromNoise", params);
  if (typeof u === "number") {
    if (logAlpha instanceof tf.Tensor) fail("hardConcreteFromNoise", "u", u, "a tensor when logAlpha is");
    checkFinite("hardConcreteFromNoise", "logAlpha", logAlpha);
    checkInInterval("hardConcreteFromNoise", "u", u, 0, 1);
    return clampToUnit(stretch(binaryConcreteFromNoise(logAlpha, u, params.beta), params));
  }
  checkTensorFinite("hardConcreteFromNoise", "u", u);
  return tf.tidy(() => clampToUnit(stretch(binaryConcreteFromNoise(logAlpha, u, params.beta), params)));
}

/**
 * Draws one hard concrete gate per entry of `logAlpha` (Louizos et al. 2018,
 * Sec. 2.2): u ~ U(ε, 1 − ε) from `seed` (generated in JavaScript, so the
 * same on every backend), then z = min(1, max(0, σ((logit(u) + log α)/β)(ζ − γ) + γ)):
 * the same values as `hardConcreteFromNoise(logAlpha, uniformNoise(shape, seed, ε),
 * params)` up to float32 rounding.
 *
 * Fused for speed: the forward pass uses fewer kernels (logit(u) = log(u/(1 − u)))
 * and a `tf.customGrad` backward pass computes the closed form
 * ∂z/∂log α = (z − γ)(ζ − z)/((ζ − γ) β) where 0 < z < 1 (= (ζ − γ) s (1 − s)/β), and 0
 * at the clamps, from the saved z alone. Every entry of `logAlpha` must be finite
 * (checked through Σ log α, then entry by entry when that sum is not finite).
 */
export function sampleHardConcrete(
  logAlpha: tf.Tensor,
  params: HardConcreteParams,
  seed: Seed,
  epsilon = 1e-6,
): tf.Tensor {
  const where = "sampleHardConcrete";
  checkTensor(where, "logAlpha", logAlpha);
  checkParams(where, params);
  checkEpsilon(where, epsilon);
  checkTensorFiniteBySum(where, "logAlpha", logAlpha);
  return sampleHardConcreteUnchecked(logAlpha, params, seed, epsilon);
}

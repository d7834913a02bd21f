/**
 * The training penalties of L0 regularisation as functions of log α (and the
 * weights), following the authors' code (Louizos et al. 2018, Sec. 2.2 for the
 * expected L0 and Sec. 2.3, "combining the L0 norm with other norms"):
 *   penalty = Σ_g P(z_g ≠ 0) · Σ_{i∈g} (`lambda` + ½·wd·θ̃ᵢ²)
 *           = `lambda` · expectedL0(logAlpha, groupSize) + expectedL2(logAlpha, weights, wd, axis).
 * The 1/N of the objective (N training examples) is left to the caller: `lambda`
 * is the cost per non-zero weight in the authors' code's unit, Nλ, where λ is the
 * paper's (`lambda` = 0.1 is the paper's λ = 0.1/N).
 */
import type * as tf from "@tensorflow/tfjs";
import { fail } from "../validate";
import { checkAxis, checkShape, checkTensor, checkTensorFiniteBySum } from "./checks";
import { expectedL0Unchecked, expectedL2Unchecked } from "./fused";
import { checkParams, DEFAULT_PARAMS, type HardConcreteParams } from "./params";

/**
 * The expected L0 norm of the gated weights, Σ_g groupSize · P(z_g ≠ 0) with
 * P(z ≠ 0) = σ(log α − β log(−γ/ζ)) (Louizos et al. 2018, Sec. 2.2), one log α per
 * group of `groupSize` weights, an integer ≥ 1 (1: one gate per weight; with one gate per input of
 * a dense layer, the layer's number of outputs, the weights in that input's row;
 * h·w·in for a convolution's output channel). A scalar.
 *
 * Fused for speed: the forward pass keeps p = P(z ≠ 0) and a `tf.customGrad`
 * returns the closed-form gradient groupSize · (p − p²) = groupSize · P(z ≠ 0) P(z = 0)
 * instead of differentiating the chain. Every entry of `logAlpha` must be finite
 * (checked through Σ log α, then entry by entry when that sum is not finite).
 */
export function expectedL0(logAlpha: tf.Tensor, groupSize = 1, params: HardConcreteParams = DEFAULT_PARAMS): tf.Scalar {
  const where = "expectedL0";
  checkTensor(where, "logAlpha", logAlpha);
  if (logAlpha.size === 0) fail(where, "logAlpha", logAlpha, "a tensor with at least one gate");
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    fail(where, "groupSize", groupSize, "an integer ≥ 1 (the number of weights per gate)");
  }
  checkParams(where, params);
  checkTensorFiniteBySum(where, "logAlpha", logAlpha);
  return expectedL0Unchecked(logAlpha, groupSize, params);
}

/**
 * The expected L2 term of the authors' code: ½·wd · Σ_g P(z_g ≠ 0) Σ_{i∈g} θ̃ᵢ²
 * (Louizos et al. 2018, Sec. 2.3: a weight pays weight decay only while its gate
 * is open). `axis` null: one gate per weight (`logAlpha` has the shape of
 * `weights`); `axis` a number: one gate per index of `weights` along `axis`
 * (`logAlpha` of shape [weights.shape[axis]]). A scalar, differentiable in both
 * `logAlpha` and `weights`; no 1/N scaling.
 */
export function expectedL2(
  logAlpha: tf.Tensor,
  weights: tf.Tensor,
  weightDecay: number,
  axis: number | null = null,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Scalar {
  const where = "expectedL2";
  checkTensor(where, "logAlpha", logAlpha);
  checkTensor(where, "weights", weights);
  if (logAlpha.size === 0) fail(where, "logAlpha", logAlpha, "a tensor with at least one gate");
  if (typeof weightDecay !== "number" || !(weightDecay >= 0) || !Number.isFinite(weightDecay)) {
    fail(where, "weightDecay", weightDecay, "a finite number ≥ 0");
  }
  checkParams(where, params);
  const dim = axis === null ? null : checkAxis(where, axis, weights.rank);
  if (dim === null) {
    checkShape(where, "logAlpha", logAlpha, weights.shape, "the shape of weights: one gate per weight");
  } else {
    checkShape(where, "logAlpha", logAlpha, [weights.shape[dim]], `one gate per index of weights along axis ${dim}`);
  }
  checkTensorFiniteBySum(where, "logAlpha", logAlpha);
  return expectedL2Unchecked(logAlpha, weights, weightDecay, dim, params);
}

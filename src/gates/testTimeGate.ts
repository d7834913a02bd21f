/**
 * Deterministic gates for evaluation and pruning: the paper's estimator (Eq. 13),
 * the median gate, and top-k by the expected number of zeros.
 */
import * as tf from "@tensorflow/tfjs";
import { fail } from "../validate";
import { checkFiniteValue, checkTensor, checkTensorFinite } from "./checks";
import { sigmoid } from "./logistic";
import { checkParams, DEFAULT_PARAMS, type HardConcreteParams } from "./params";

/**
 * The paper's test-time gate, Eq. 13: ẑ = min(1, max(0, σ(log α)(ζ − γ) + γ))
 * (Louizos et al. 2018, Eq. 13; no β). Exactly 0 iff σ(log α) ≤ −γ/(ζ − γ)
 * (log α ≤ −log 11 ≈ −2.398 with the defaults), exactly 1 iff
 * σ(log α) ≥ (1 − γ)/(ζ − γ); in between a fractional scale, not an on/off mask.
 * Count pruned units by ẑ = 0, not by the expected L0.
 */
export function testTimeGate(logAlpha: tf.Tensor, params?: HardConcreteParams): tf.Tensor;
export function testTimeGate(logAlpha: number, params?: HardConcreteParams): number;
export function testTimeGate(
  logAlpha: tf.Tensor | number,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Tensor | number {
  checkParams("testTimeGate", params);
  checkFiniteValue("testTimeGate", "logAlpha", logAlpha);
  const { gamma, zeta } = params;
  if (typeof logAlpha === "number") return Math.min(1, Math.max(0, sigmoid(logAlpha) * (zeta - gamma) + gamma));
  return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(tf.sigmoid(logAlpha), zeta - gamma), gamma), 0, 1));
}

/**
 * The median of the hard concrete gate: min(1, max(0, σ(log α/β)(ζ − γ) + γ)), the
 * sampler at u = ½ (logit(½) = 0), since stretch and clamp are monotone (the
 * test-time gate of the constrained_sparsity and l0-python code; Louizos et al.
 * 2018, Sec. 2.2 for the sampler).
 */
export function medianGate(logAlpha: tf.Tensor, params?: HardConcreteParams): tf.Tensor;
export function medianGate(logAlpha: number, params?: HardConcreteParams): number;
export function medianGate(
  logAlpha: tf.Tensor | number,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Tensor | number {
  checkParams("medianGate", params);
  checkFiniteValue("medianGate", "logAlpha", logAlpha);
  const { beta, gamma, zeta } = params;
  if (typeof logAlpha === "number") {
    return Math.min(1, Math.max(0, sigmoid(logAlpha / beta) * (zeta - gamma) + gamma));
  }
  return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(tf.sigmoid(tf.div(logAlpha, beta)), zeta - gamma), gamma), 0, 1));
}

/**
 * A 0/1 mask keeping the k gates with the FEWEST expected zeros, i.e. the largest
 * P(z ≠ 0) = σ(log α − β log(−γ/ζ)) (Louizos et al. 2018, Sec. 2.2), as in the
 * top-k pruning of FLOP, CoFi and Sheared-LLaMA. P(z ≠ 0) is increasing in log α,
 * so the ranking is by log α itself (exact even where P(z ≠ 0) rounds to 1 in
 * float32). Ties are broken by the lower flat (row-major) index, so the result is
 * the same on every backend. Returns a float32 tensor of the shape of `logAlpha`.
 */
export function topKGate(logAlpha: tf.Tensor, k: number, params: HardConcreteParams = DEFAULT_PARAMS): tf.Tensor {
  checkParams("topKGate", params);
  checkTensor("topKGate", "logAlpha", logAlpha);
  checkTensorFinite("topKGate", "logAlpha", logAlpha);
  const values = logAlpha.dataSync();
  if (!Number.isInteger(k) || k < 0 || k > values.length) {
    fail("topKGate", "k", k, `an integer in [0, ${values.length}] (the number of gates)`);
  }
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((i, j) => (values[j] as number) - (values[i] as number) || i - j);
  const mask = new Float32Array(values.length);
  for (let r = 0; r < k; r++) mask[order[r]] = 1;
  return tf.tensor(mask, logAlpha.shape, "float32");
}

/**
 * The fused gate kernels behind `sampleHardConcrete` and `expectedL0`, without
 * argument checks (library-internal): the training hot path calls these, so that
 * no step reads a value back from the device; `trainL0` checks finiteness once per
 * epoch instead. Same formulas and gradients as the exported, checked functions.
 */
import * as tf from "@tensorflow/tfjs";
import {
  gatedRowsGradient,
  gateFromUniform,
  hardConcreteDerivative,
  layerPenalty,
  layerPenaltyGradient,
  openProbabilityGradient,
} from "../kernels/gates";
import { drawUniform } from "../kernels/noise";
import { randomFrom, type Seed } from "../random";
import { gateThresholds } from "./closedForms";
import type { HardConcreteParams } from "./params";

/**
 * One hard concrete gate per entry of `logAlpha` (Louizos et al. 2018, Sec. 2.2),
 * u ~ U(ε, 1 − ε) from `seed`, z = min(1, max(0, σ((log(u/(1 − u)) + log α)/β)(ζ − γ) + γ)),
 * with the closed-form gradient ∂z/∂log α = (z − γ)(ζ − z)/((ζ − γ) β) where 0 < z < 1,
 * 0 at the clamps, computed from the saved z alone. See `sampleHardConcrete`.
 */
export function sampleHardConcreteUnchecked(
  logAlpha: tf.Tensor,
  params: HardConcreteParams,
  seed: Seed,
  epsilon = 1e-6,
): tf.Tensor {
  const noise = drawUniform(randomFrom(seed), logAlpha.shape, epsilon);
  const sample = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor;
    const save = inputs[1] as tf.GradSaveFunc;
    const z = gateFromUniform(noise, x, params);
    save([z]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor =>
      tf.tidy(() => tf.mul(dy, hardConcreteDerivative(saved[0], params)));
    return { value: z, gradFunc };
  });
  const z = sample(logAlpha);
  noise.dispose();
  return z;
}

/**
 * A dense kernel with its rows gated by one fresh hard concrete sample per row,
 * diag(z) W with z drawn from log α as `sampleHardConcreteUnchecked` draws it (same
 * noise for the same seed), in one customGrad: given ∂L/∂(diag(z) W) = G,
 * ∂L/∂W = diag(z) G, ∂L/∂zᵢ = Σⱼ Gᵢⱼ Wᵢⱼ and ∂L/∂log αᵢ = ∂L/∂zᵢ · ∂zᵢ/∂log αᵢ (closed form).
 * With x (diag(z) W) = (x ⊙ z) W, G = xᵀδ is the weight gradient backpropagation computes
 * anyway (issue 11: a cheaper backward pass for gated layers). `kernel` must stay alive
 * until the gradient is computed (the layers pass their variable): the backward pass
 * reads it as it is instead of from a copy (tfjs copies what a customGrad saves, on the
 * wasm backend a pass over the whole kernel per step).
 */
export function gatedRowsUnchecked(
  logAlpha: tf.Tensor,
  kernel: tf.Tensor,
  params: HardConcreteParams,
  seed: Seed,
  epsilon = 1e-6,
): tf.Tensor {
  const noise = drawUniform(randomFrom(seed), logAlpha.shape, epsilon);
  const gated = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, w] = inputs as tf.Tensor[];
    const save = inputs[2] as tf.GradSaveFunc;
    const [z, out] = tf.tidy(() => {
      const gates = tf.reshape(gateFromUniform(noise, a, params), [a.size, 1]);
      return [gates, tf.mul(w, gates)];
    });
    save([z]); // not w: see the doc comment
    z.dispose();
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => gatedRowsGradient(dy, w, saved[0], params);
    return { value: out, gradFunc };
  });
  const gatedKernel = gated(logAlpha, kernel);
  noise.dispose();
  return gatedKernel;
}

/**
 * The expected L0 norm Σ_g groupSize · P(z_g ≠ 0), P(z ≠ 0) = σ(log α − β log(−γ/ζ))
 * (Louizos et al. 2018, Sec. 2.2), with the closed-form gradient
 * groupSize · P(z ≠ 0) P(z = 0) = groupSize · (p − p²). See `expectedL0`.
 */
export function expectedL0Unchecked(logAlpha: tf.Tensor, groupSize: number, params: HardConcreteParams): tf.Scalar {
  const { zero } = gateThresholds(params);
  const penalty = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor;
    const save = inputs[1] as tf.GradSaveFunc;
    const open = tf.sigmoid(tf.sub(x, zero));
    const total = tf.tidy(() => tf.mul(tf.sum(open), groupSize));
    save([open]);
    open.dispose();
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor =>
      tf.tidy(() => openProbabilityGradient(saved[0], tf.mul(dy, groupSize) as tf.Scalar));
    return { value: total as tf.Scalar, gradFunc };
  });
  return penalty(logAlpha) as tf.Scalar;
}

/**
 * The expected L2 term ½·wd · Σ_g P(z_g ≠ 0) Σ_{i∈g} θ̃ᵢ² (Louizos et al. 2018, Sec. 2.3,
 * authors' code), one gate per weight (`axis` null) or per index of `weights` along
 * `axis` (a non-negative axis). See `expectedL2`.
 */
export function expectedL2Unchecked(
  logAlpha: tf.Tensor,
  weights: tf.Tensor,
  weightDecay: number,
  axis: number | null,
  params: HardConcreteParams,
): tf.Scalar {
  const { zero } = gateThresholds(params);
  return tf.tidy(() => {
    const open = tf.sigmoid(tf.sub(logAlpha, zero));
    const squares = tf.square(weights);
    const perGate =
      axis === null
        ? squares
        : tf.sum(
            squares,
            weights.shape.map((_, i) => i).filter((i) => i !== axis),
          );
    return tf.mul(0.5 * weightDecay, tf.sum(tf.mul(open, perGate))) as tf.Scalar;
  });
}

/** The constants of `layerPenaltyUnchecked`. */
export interface LayerPenaltyTerms {
  /** The cost of one open gate, λ·|g|/N (|g| the parameters it controls). */
  readonly perGate: number;
  /** ½·wd, divided by N or not. */
  readonly halfDecay: number;
  /** The kernel axis along which the gates lie (non-negative), or null: one gate per weight. */
  readonly axis: number | null;
  /** Whether gate g also gates bias b_g (a convolution's maps) or the bias pays ½·wd·b² always. */
  readonly biasGated: boolean;
}

/**
 * A layer's whole penalty in one differentiable function (the sum that
 * `L0Layer.penalty` describes, Louizos et al. 2018, Sec. 2.2 and 2.3, authors' code):
 *
 *   penalty = Σ_g p_g c_g (+ halfDecay · Σ b² for an ungated bias),
 *   c_g = perGate + halfDecay · (Σ_{i∈g} θ̃ᵢ² + b_g² where the bias is gated),
 *   p_g = P(z_g ≠ 0) = σ(log α_g − β log(−γ/ζ)),
 *
 * with the closed-form gradients ∂/∂log α_g = c_g p_g (1 − p_g), ∂/∂θ̃ᵢ = 2·halfDecay·p_g θ̃ᵢ
 * and ∂/∂b = 2·halfDecay·(p_g) b, instead of autodiff through some thirty small ops;
 * on the wasm backend each way is one WebAssembly kernel with the chain's bits
 * (`layerPenalty` and `layerPenaltyGradient` in ../kernels/gates.ts).
 * `kernel` and `bias` must stay alive until the gradient is computed (the layers pass
 * their variables): the backward pass reads them as they are, not from copies.
 */
export function layerPenaltyUnchecked(
  logAlpha: tf.Tensor,
  kernel: tf.Tensor,
  bias: tf.Tensor | null,
  terms: LayerPenaltyTerms,
  params: HardConcreteParams,
): tf.Scalar {
  const { zero } = gateThresholds(params);
  const penalty = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [a, w, b = null] = args.slice(0, -1) as tf.Tensor[];
    const [open, cost, total] = layerPenalty(a, w, b, terms, zero);
    save([open, cost]); // not w and b: see the doc comment
    tf.dispose([open, cost]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      layerPenaltyGradient(dy, saved[0], saved[1], w, b, terms);
    return { value: total, gradFunc };
  });
  return (bias === null ? penalty(logAlpha, kernel) : penalty(logAlpha, kernel, bias)) as tf.Scalar;
}

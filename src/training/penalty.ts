/**
 * The regulariser added to the data loss when training L0-gated layers
 * (Louizos, Welling & Kingma 2018, the expected L0 of Sec. 2.2 with the expected L2 of Sec. 2.3, in the
 * form of the authors' code), summed over layers (each term is `L0Layer.penalty`):
 *
 *   penalty = Σ_layers [ lambda_l · E‖θ̃_l‖₀ / N + L2_l / N ]   (weightDecayDividedByN, default)
 *   penalty = Σ_layers [ lambda_l · E‖θ̃_l‖₀ / N + L2_l ]       (otherwise)
 *
 * with L2_l = Σ_g P(z_g ≠ 0) Σ_{i ∈ g} ½·wd·θ̃ᵢ² plus the bias term. `lambda` is the cost per
 * non-zero weight in the authors' code's unit, Nλ, where λ is the paper's (`lambda` = 0.1
 * is the paper's λ = 0.1/N); wd is the weight decay and N the number of training examples.
 */
import * as tf from "@tensorflow/tfjs";
import { checkPenaltySettings, type L0Layer } from "../layers/l0Layer";
import { fail } from "../validate";

/** `lambda` for the whole model (one number), per L0 layer (an array in layer order), or by layer name. */
export type LambdaSetting = number | readonly number[] | Readonly<Record<string, number>>;

/** Options of `l0Penalty`. */
export interface PenaltyOptions {
  /** Cost per non-zero weight, Nλ (the authors' code's unit; λ is the paper's). */
  lambda: LambdaSetting;
  /** Weight decay wd of the expected L2 term (default 0). */
  weightDecay?: number;
  /** N, the number of training examples the penalty is divided by (a positive integer). */
  datasetSize: number;
  /** Whether the expected L2 term is divided by N too (default true; see `L0PenaltySettings`). */
  weightDecayDividedByN?: boolean;
}

/** `lambda` of each layer, checked (finite, ≥ 0; one per layer; every layer named). */
export function lambdasPerLayer(where: string, layers: readonly L0Layer[], lambda: LambdaSetting): number[] {
  let values: number[];
  if (typeof lambda === "number") values = layers.map(() => lambda);
  else if (Array.isArray(lambda)) {
    if (lambda.length !== layers.length) {
      fail(
        where,
        "lambda",
        lambda,
        `one number per L0 layer (${layers.length}: ${layers.map((l) => l.name).join(", ")})`,
      );
    }
    values = [...lambda];
  } else if (typeof lambda === "object" && lambda !== null) {
    const byName = lambda as Readonly<Record<string, number>>;
    values = layers.map((layer) => {
      if (!(layer.name in byName))
        fail(where, `lambda["${layer.name}"]`, undefined, "a number (every L0 layer needs one)");
      return byName[layer.name];
    });
  } else return fail(where, "lambda", lambda, "a number, an array of numbers or an object {layerName: number}");
  values.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
      fail(where, `lambda of ${layers[i].name}`, v, "a finite number ≥ 0");
  });
  return values;
}

/** The penalty above, a differentiable scalar (gradients reach log α and the weights). */
export function l0Penalty(layers: readonly L0Layer[], options: PenaltyOptions): tf.Scalar {
  const where = "l0Penalty";
  const lambdas = lambdasPerLayer(where, layers, options.lambda);
  const settings = checkPenaltySettings(where, { ...options, lambda: 0 });
  if (layers.length === 0) return tf.scalar(0);
  return tf.tidy(
    () => tf.addN(layers.map((layer, i) => layer.penalty({ ...settings, lambda: lambdas[i] }))) as tf.Scalar,
  );
}

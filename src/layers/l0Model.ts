/**
 * Model-level views of the L0 layers of a tfjs model: which layers are gated,
 * their expected L0 and the units the test-time gate leaves (Louizos, Welling &
 * Kingma 2018, Sec. 4; units are counted by ẑ, not by the expected L0).
 */
import * as tf from "@tensorflow/tfjs";
import { checkModel, fail } from "../validate";
import { L0Layer } from "./l0Layer";

/** The L0-gated layers of `model`, in order; `where` names the caller in the error for a non-model. */
function layersOf(where: string, model: tf.LayersModel): L0Layer[] {
  checkModel(where, model);
  return model.layers.filter((layer): layer is L0Layer => layer instanceof L0Layer);
}

/** The L0-gated layers of `model`, in order. */
export function l0Layers(model: tf.LayersModel): L0Layer[] {
  return layersOf("l0Layers", model);
}

/** One layer's line of `l0Summary`. */
export interface L0LayerSummary {
  readonly name: string;
  /** Units the gates act on (inputs of a dense layer, feature maps of a convolution). */
  readonly units: number;
  /** Units left open by the test-time gate. */
  readonly unitsLeft: number;
  /** Σ P(z ≠ 0) over the gates. */
  readonly expectedGatesOpen: number;
  /** Σ |g|·P(z_g ≠ 0): the expected number of non-zero gated weights. */
  readonly expectedL0: number;
  readonly parameters: { readonly expected: number; readonly actual: number; readonly total: number };
  readonly flops: { readonly expected: number; readonly actual: number };
  /** The layer's own penalty term (`L0Layer.penalty`), or null when it carries none; `model.evaluate` leaves it out. */
  readonly penalty: number | null;
}

/** Per-layer counts of the L0 layers of `model` (gates read once per layer; no tensors are kept). */
export function l0Summary(model: tf.LayersModel): L0LayerSummary[] {
  return layersOf("l0Summary", model).map((layer) => ({
    name: layer.name,
    units: layer.unitCount(),
    unitsLeft: layer.unitsLeft(),
    expectedGatesOpen: layer.expectedGatesOpen(),
    expectedL0: tf.tidy(() => layer.expectedL0().dataSync()[0]),
    parameters: { ...layer.parameterCounts(), total: layer.countParams() - layer.gateCount() },
    flops: layer.flopCounts(),
    penalty: layer.penaltySettings === null ? null : tf.tidy(() => layer.penalty().dataSync()[0]),
  }));
}

/**
 * Σ over the L0 layers of their expected L0, Σ_l Σ_g |g|·P(z_g ≠ 0) (Louizos et al.
 * 2018, Sec. 2.2; a differentiable scalar; 0 for a model without L0 layers).
 */
export function modelExpectedL0(model: tf.LayersModel): tf.Scalar {
  const layers = layersOf("modelExpectedL0", model);
  if (layers.length === 0) return tf.scalar(0);
  return tf.tidy(() => tf.addN(layers.map((layer) => layer.expectedL0())) as tf.Scalar);
}

/**
 * The expected density of the gated weights, Σ_l Σ_g |g|·P(z_g ≠ 0) / Σ_l (gated weights of l),
 * in [0, 1] (Louizos et al. 2018, Sec. 2.2, normalised): the quantity a Lagrangian
 * controller drives to a target. The model must have at least one L0 layer.
 */
export function modelExpectedDensity(model: tf.LayersModel): tf.Scalar {
  const layers = layersOf("modelExpectedDensity", model);
  if (layers.length === 0) fail("modelExpectedDensity", "model", model.name, "a model with at least one L0 layer");
  const total = layers.reduce((sum, layer) => sum + layer.gateCount() * layer.weightsPerGate(), 0);
  return tf.tidy(() => tf.div(modelExpectedL0(model), total) as tf.Scalar);
}

/**
 * Pruning export: turns a trained chain of dense layers with L0-gated inputs into
 * a plain tfjs dense model without the units the test-time gate ẑ closes
 * (Louizos, Welling & Kingma 2018, Eq. 13). The gates are folded into the
 * weights (W' = diag(ẑ)·W, or W ⊙ Ẑ with one gate per weight); a closed input of
 * layer l + 1 removes that unit from layer l, and closed inputs of the first
 * layer become input features the pruned model no longer reads.
 */
import * as tf from "@tensorflow/tfjs";
import { checkTensor } from "../gates/checks";
import { applyGroupMask, applyMask } from "../gates/mask";
import { L0Dense } from "../layers/l0Dense";
import { checkModel, fail } from "../validate";

/** The result of `pruneToDense`. */
export interface PrunedModel {
  /** Plain dense model reading only the input features at `inputIndices`. */
  readonly model: tf.Sequential;
  /** The input features still read, in order (select them with `selectInputs`). */
  readonly inputIndices: number[];
  /** Units per layer boundary: inputs kept, then each layer's outputs kept. */
  readonly architecture: number[];
  /** Weights and biases before (gates not counted) and after pruning. */
  readonly parametersBefore: number;
  readonly parametersAfter: number;
}

interface DenseParts {
  name: string;
  kernel: Float32Array;
  bias: Float32Array | null;
  inputs: number;
  units: number;
  activation: string;
  /** Row j is kept iff keep[j]. */
  keep: boolean[];
}

/** The kernel with the test-time gates folded in, and which inputs stay; errors name `where`. */
function partsOf(where: string, layer: tf.layers.Layer): DenseParts {
  const weights = layer.getWeights();
  const name = layer.name;
  if (!(layer instanceof L0Dense) && (layer.getClassName() !== "Dense" || weights.length === 0)) {
    throw new Error(
      `${where}: layer ${name} (${layer.getClassName()}) is not a dense layer; only chains of L0Dense and Dense layers can be exported`,
    );
  }
  const [inputs, units] = weights[0].shape;
  if (layer instanceof L0Dense) {
    const [folded, open] = tf.tidy(() => {
      const z = layer.testTimeGates();
      const product = layer.gatePerWeight ? applyMask(weights[0], z) : applyGroupMask(weights[0], z, 0);
      return [product, layer.gatePerWeight ? tf.max(tf.abs(product), 1) : z];
    });
    const kernel = folded.dataSync() as Float32Array;
    const keep = Array.from(open.dataSync() as Float32Array, (v) => v > 0);
    tf.dispose([folded, open]);
    const bias = layer.useBias ? (weights[1].dataSync() as Float32Array) : null;
    return { name, kernel, bias, inputs, units, activation: layer.activation, keep };
  }
  const config = layer.getConfig();
  return {
    name,
    kernel: weights[0].dataSync() as Float32Array,
    bias: config.useBias === false ? null : (weights[1].dataSync() as Float32Array),
    inputs,
    units,
    activation: String(config.activation ?? "linear"),
    keep: new Array<boolean>(inputs).fill(true),
  };
}

/** The indices where `keep` is true. */
function kept(keep: boolean[]): number[] {
  return keep.flatMap((k, i) => (k ? [i] : []));
}

/** Builds the plain dense chain from the layers' folded kernels and kept inputs. */
function exportChain(where: string, parts: DenseParts[]): PrunedModel {
  for (let i = 1; i < parts.length; i++) {
    if (parts[i].inputs !== parts[i - 1].units) {
      throw new Error(
        `${where}: layer ${parts[i].name} has ${parts[i].inputs} inputs but ${parts[i - 1].name} has ${parts[i - 1].units} units; the layers must form a chain`,
      );
    }
  }
  const keptInputs = parts.map((p) => kept(p.keep));
  const empty = keptInputs.findIndex((k) => k.length === 0);
  if (empty >= 0)
    throw new Error(`${where}: every input of layer ${parts[empty].name} is pruned; the model outputs constants`);
  const pruned = tf.sequential();
  let parametersBefore = 0;
  parts.forEach((p, i) => {
    const rows = keptInputs[i];
    const columns = i + 1 < parts.length ? keptInputs[i + 1] : Array.from({ length: p.units }, (_, j) => j);
    const kernel = new Float32Array(rows.length * columns.length);
    rows.forEach((r, a) => {
      columns.forEach((c, b) => {
        kernel[a * columns.length + b] = p.kernel[r * p.units + c];
      });
    });
    const dense = tf.layers.dense({
      units: columns.length,
      activation: p.activation as "linear",
      useBias: p.bias !== null,
      inputShape: i === 0 ? [rows.length] : undefined,
      name: `${p.name}_pruned`,
    });
    pruned.add(dense);
    const weights: tf.Tensor[] = [tf.tensor2d(kernel, [rows.length, columns.length])];
    if (p.bias !== null) weights.push(tf.tensor1d(Float32Array.from(columns, (c) => p.bias![c])));
    dense.setWeights(weights);
    tf.dispose(weights);
    parametersBefore += p.inputs * p.units + (p.bias === null ? 0 : p.units);
  });
  return {
    model: pruned,
    inputIndices: keptInputs[0],
    architecture: [...keptInputs.map((k) => k.length), parts[parts.length - 1].units],
    parametersBefore,
    parametersAfter: pruned.countParams(),
  };
}

/** The layers of `model` other than its input layer, as dense parts. */
function chainParts(where: string, model: tf.LayersModel): DenseParts[] {
  checkModel(where, model);
  const layers = model.layers.filter((layer) => layer.getClassName() !== "InputLayer");
  if (layers.length === 0) throw new Error(`${where}: the model has no layers`);
  const parts = layers.map((layer) => partsOf(where, layer));
  // A diverged training run leaves NaN or ±Infinity in the weights, which the export would copy into a
  // model that predicts NaN (a non-finite log α is refused before, by testTimeGate).
  parts.forEach(({ name, kernel, bias }, k) => {
    const kernelName = layers[k] instanceof L0Dense ? "kernel (with ẑ folded in)" : "kernel";
    for (const [what, values] of [
      [kernelName, kernel],
      ["bias", bias ?? new Float32Array(0)],
    ] as const) {
      const i = values.findIndex((v) => !Number.isFinite(v));
      if (i >= 0) fail(where, `layer ${name}'s ${what}[${i}]`, values[i], "finite (did training diverge?)");
    }
  });
  return parts;
}

/**
 * Exports `model` (a chain of `L0Dense` and `tf.layers.dense` layers) as a plain
 * dense model without the pruned units. `pruned.model.predict(selectInputs(x,
 * pruned.inputIndices))` equals `model.predict(x)` up to float32 rounding.
 */
export function pruneToDense(model: tf.LayersModel): PrunedModel {
  return exportChain("pruneToDense", chainParts("pruneToDense", model));
}

/**
 * Magnitude pruning of units, the baseline L0 is compared with: in each layer of
 * a dense chain, keeps the `inputsToKeep[l]` inputs whose kernel rows have the
 * largest L2 norms (ties to the lower index), removes the others (and the units
 * that produced them), and exports the rest as in `pruneToDense`.
 */
export function magnitudePruneToDense(model: tf.LayersModel, inputsToKeep: readonly number[]): PrunedModel {
  const where = "magnitudePruneToDense";
  const parts = chainParts(where, model);
  if (!Array.isArray(inputsToKeep)) fail(where, "inputsToKeep", inputsToKeep, "an array of counts, one per layer");
  if (inputsToKeep.length !== parts.length) {
    fail(where, "inputsToKeep", inputsToKeep, `one count per layer (${parts.length} counts)`);
  }
  parts.forEach((p, i) => {
    const k = inputsToKeep[i];
    if (!Number.isInteger(k) || k < 1 || k > p.inputs) {
      throw new RangeError(`${where}: inputsToKeep[${i}] must be an integer in [1, ${p.inputs}], got ${k}`);
    }
    const norms = Array.from({ length: p.inputs }, (_, r) => {
      let sum = 0;
      for (let c = 0; c < p.units; c++) sum += p.kernel[r * p.units + c] ** 2;
      return p.keep[r] ? sum : -1;
    });
    const order = norms.map((_, r) => r).sort((a, b) => norms[b] - norms[a] || a - b);
    p.keep = new Array<boolean>(p.inputs).fill(false);
    for (const r of order.slice(0, k)) p.keep[r] = true;
  });
  return exportChain(where, parts);
}

/** The columns `inputIndices` of `x` [batch, features]: the input of a pruned model. */
export function selectInputs(x: tf.Tensor2D, inputIndices: readonly number[]): tf.Tensor2D {
  const where = "selectInputs";
  checkTensor(where, "x", x);
  if (x.rank !== 2) fail(where, "x", x, "a tensor of shape [batch, features]");
  const features = x.shape[1];
  if (!Array.isArray(inputIndices)) fail(where, "inputIndices", inputIndices, "an array of column indices");
  inputIndices.forEach((j, i) => {
    if (!Number.isInteger(j) || j < 0 || j >= features) {
      fail(where, `inputIndices[${i}]`, j, `an integer in [0, ${features - 1}] (a column of x)`);
    }
  });
  return tf.tidy(() => tf.gather(x, tf.tensor1d(inputIndices as number[], "int32"), 1) as tf.Tensor2D);
}

/**
 * A dense layer with L0-gated inputs (Louizos, Welling & Kingma 2018, Sec. 4 and
 * the authors' code): one hard concrete gate per input neuron, so a closed gate
 * removes a whole row of the kernel (and, for a hidden layer, the unit of the
 * layer below); with `gatePerWeight`, one gate per weight. The bias is not gated
 * and pays a plain ½·wd·‖b‖² (authors' `L0Dense`).
 *
 *   y = act(x (diag(z) W) + b)  (one gate per input, z per pass; equal to (x ⊙ z) W)
 *   y = act((x ⊙ Z) W + b)      (one gate per input and example, Z of shape [batch, inputs])
 *   y = act(x (W ⊙ Z) + b)      (one gate per weight)
 */
import * as tf from "@tensorflow/tfjs";
import { applyGroupMask, applyMask } from "../gates/mask";
import { fail } from "../validate";
import { type Activation, type ActivationIdentifier, resolveActivation } from "./activation";
import { type L0GateArgs, L0Layer } from "./l0Layer";
import { matMulFastGradient as matMul } from "./matMul";

/** Arguments of `l0Dense`. */
export interface L0DenseArgs extends L0GateArgs {
  /** Number of output units (> 0). */
  units: number;
  /** Activation: any name tfjs accepts (default `"linear"`). */
  activation?: ActivationIdentifier;
  /** Whether to add a bias (default true; the bias is not gated). */
  useBias?: boolean;
  /** Input shape [features] when this is the model's first layer. */
  inputShape?: number[];
  /** Layer name. */
  name?: string;
}

/**
 * An L0-gated dense layer for the tfjs Layers API (registered for
 * `tf.loadLayersModel`). Built with `lambda` and `datasetSize` it carries its own
 * penalty, so `model.compile` + `model.fit` minimise data loss + penalty (tfjs adds
 * layer losses to the training objective); `model.evaluate` reports the data term
 * only (tfjs leaves layer losses out of it): `l0Summary` gives each layer's penalty
 * (`layer.penalty()`) and counts.
 */
export class L0Dense extends L0Layer {
  static className = "L0Dense";
  readonly units: number;
  /** The activation's identifier, as given. */
  readonly activation: ActivationIdentifier;
  readonly useBias: boolean;
  private readonly activationFunction: Activation;

  constructor(args: L0DenseArgs) {
    super("L0Dense", args as L0DenseArgs & tf.serialization.ConfigDict);
    if (!Number.isInteger(args.units) || args.units < 1) fail("L0Dense", "units", args.units, "an integer ≥ 1");
    this.units = args.units;
    this.activationFunction = resolveActivation("L0Dense", args.activation ?? "linear");
    this.activation = this.activationFunction.identifier;
    this.useBias = args.useBias ?? true;
    if (typeof this.useBias !== "boolean") fail("L0Dense", "useBias", this.useBias, "a boolean");
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1];
    if (shape.length !== 2 || inputDim === null || inputDim < 1) {
      fail("L0Dense", "input shape", shape, "[batch, features] with features ≥ 1");
    }
    const kernelShape = [inputDim, this.units];
    this.addGatedWeights(
      kernelShape,
      inputDim,
      this.useBias ? [this.units] : null,
      this.gatePerWeight ? kernelShape : [inputDim],
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const inputDim = this.kernelVariable.shape[0];
      if (x.rank !== 2 || x.shape[1] !== inputDim)
        fail(this.name, "input", x, `a tensor of shape [batch, ${inputDim}]`);
      const training = kwargs?.training === true;
      const kernel = this.kernelVariable.read();
      // One gate per input shared by the batch: (x ⊙ z) W = x (diag(z) W), so gate the kernel's
      // rows; their gradient gives ∂L/∂zᵢ = Σⱼ (xᵀδ)ᵢⱼ Wᵢⱼ from xᵀδ, which the weight gradient needs
      // anyway, and the first layer computes no gradient of its input at all (see matMul.ts).
      let y: tf.Tensor;
      if (training && !this.gatePerWeight && this.gateSampling === "perPass") {
        y = matMul(x as tf.Tensor2D, this.sampleGatedRows(kernel) as tf.Tensor2D);
      } else {
        const z = this.gates(training, x.shape[0]);
        if (this.gatePerWeight) y = matMul(x as tf.Tensor2D, applyMask(kernel, z) as tf.Tensor2D);
        else if (z.rank === 1) y = matMul(x as tf.Tensor2D, applyGroupMask(kernel, z, 0) as tf.Tensor2D);
        else y = matMul(applyMask(x, z) as tf.Tensor2D, kernel as tf.Tensor2D);
      }
      if (this.bias !== null) y = tf.add(y, this.bias.read());
      return this.activationFunction.apply(y);
    });
  }

  protected gateAxis(): number {
    return 0;
  }

  protected biasGated(): boolean {
    return false;
  }

  /** 2 FLOPs per multiply-add of an open weight, plus one per bias (authors' count). */
  protected flops(openGates: number): number {
    const multiplyAdds = this.gatePerWeight ? openGates : openGates * this.units;
    return 2 * multiplyAdds - (this.useBias ? 0 : this.units);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias };
  }
}
tf.serialization.registerClass(L0Dense);

/** Creates an `L0Dense` layer (like `tf.layers.dense`). */
export function l0Dense(args: L0DenseArgs): L0Dense {
  return new L0Dense(args);
}

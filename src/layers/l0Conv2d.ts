/**
 * A 2-D convolution with L0-gated output feature maps (Louizos, Welling & Kingma
 * 2018, Sec. 4: one gate per output channel, as in their LeNet-5 experiments), or
 * with one gate per weight (`gatePerWeight`). Channels-last (NHWC), like tfjs.
 *
 *   y = act(z ⊙ (x ⋆ W + b))    (one gate per feature map, broadcast over positions; per pass or per example)
 *   y = act(x ⋆ (W ⊙ Z) + b)    (one gate per weight)
 *
 * A map's bias is gated with the map, in training and at test time alike, so a
 * closed gate removes the whole map; the penalty counts the bias as one more
 * parameter of the map's group (λ·P(z ≠ 0) and ½·wd·P(z ≠ 0)·b²). The authors'
 * `L0Conv2d` differs: by default it drops the bias from the training forward pass,
 * adds it (gated) only at evaluation, and its regulariser gives the bias
 * P(z ≠ 0)·(½·wd·b² − λ), a λ of the opposite sign to the weights'. Gating the bias
 * in both passes keeps training and inference the same function, and the
 * ordinary sign keeps a closed map from being rewarded.
 */
import * as tf from "@tensorflow/tfjs";
import { applyGroupMask, applyMask } from "../gates/mask";
import { fail } from "../validate";
import { type Activation, type ActivationIdentifier, resolveActivation } from "./activation";
import { trainableConv2d } from "./conv";
import { type L0GateArgs, L0Layer } from "./l0Layer";

/** Arguments of `l0Conv2d`. */
export interface L0Conv2DArgs extends L0GateArgs {
  /** Number of output feature maps (> 0). */
  filters: number;
  /** Kernel height and width (one number for a square kernel). */
  kernelSize: number | [number, number];
  /** Strides (default 1). */
  strides?: number | [number, number];
  /** `"valid"` (default) or `"same"`. */
  padding?: "valid" | "same";
  /** Activation: any name tfjs accepts (default `"linear"`). */
  activation?: ActivationIdentifier;
  /** Whether to add a bias (default true; gated with its map). */
  useBias?: boolean;
  /** Input shape [height, width, channels] when this is the model's first layer. */
  inputShape?: number[];
  /** Layer name. */
  name?: string;
}

function pair(where: string, name: string, value: number | [number, number]): [number, number] {
  const p: [number, number] = typeof value === "number" ? [value, value] : value;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => Number.isInteger(v) && v >= 1)) {
    fail(where, name, value, "an integer ≥ 1 or a pair of them");
  }
  return p;
}

/**
 * An L0-gated 2-D convolution for the tfjs Layers API (registered for
 * `tf.loadLayersModel`); with `lambda` and `datasetSize` it carries its own penalty
 * for `model.fit`, as `L0Dense` (`model.evaluate` reports the data term only).
 */
export class L0Conv2D extends L0Layer {
  static className = "L0Conv2D";
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: "valid" | "same";
  /** The activation's identifier, as given. */
  readonly activation: ActivationIdentifier;
  readonly useBias: boolean;
  private readonly activationFunction: Activation;
  /** Output height·width, known once built on an input of known size (else null). */
  private positions: number | null = null;

  constructor(args: L0Conv2DArgs) {
    super("L0Conv2D", args as L0Conv2DArgs & tf.serialization.ConfigDict);
    if (!Number.isInteger(args.filters) || args.filters < 1)
      fail("L0Conv2D", "filters", args.filters, "an integer ≥ 1");
    this.filters = args.filters;
    this.kernelSize = pair("L0Conv2D", "kernelSize", args.kernelSize);
    this.strides = pair("L0Conv2D", "strides", args.strides ?? 1);
    this.padding = args.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same") {
      fail("L0Conv2D", "padding", this.padding, '"valid" or "same"');
    }
    this.activationFunction = resolveActivation("L0Conv2D", args.activation ?? "linear");
    this.activation = this.activationFunction.identifier;
    this.useBias = args.useBias ?? true;
    if (typeof this.useBias !== "boolean") fail("L0Conv2D", "useBias", this.useBias, "a boolean");
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[3];
    if (shape.length !== 4 || channels === null || channels < 1) {
      fail("L0Conv2D", "input shape", shape, "[batch, height, width, channels] with channels ≥ 1");
    }
    const kernelShape = [this.kernelSize[0], this.kernelSize[1], channels, this.filters];
    this.addGatedWeights(
      kernelShape,
      this.kernelSize[0] * this.kernelSize[1] * channels,
      this.useBias ? [this.filters] : null,
      this.gatePerWeight ? kernelShape : [this.filters],
    );
    const out = this.computeOutputShape(shape);
    this.positions = out[1] === null || out[2] === null ? null : out[1] * out[2];
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const size = (n: number | null, d: 0 | 1) => {
      if (n === null) return null;
      const span = this.padding === "same" ? n : n - this.kernelSize[d] + 1;
      return Math.ceil(span / this.strides[d]);
    };
    return [shape[0], size(shape[1], 0), size(shape[2], 1), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const channels = this.kernelVariable.shape[2];
      if (x.rank !== 4 || x.shape[3] !== channels) {
        fail(this.name, "input", x, `a tensor of shape [batch, height, width, ${channels}]`);
      }
      const z = this.gates(kwargs?.training === true, x.shape[0]);
      const kernel = this.kernelVariable.read();
      const conv = (w: tf.Tensor) => trainableConv2d(x as tf.Tensor4D, w as tf.Tensor4D, this.strides, this.padding);
      let y: tf.Tensor;
      if (this.gatePerWeight) {
        y = conv(applyMask(kernel, z));
        if (this.bias !== null) y = tf.add(y, this.bias.read());
      } else {
        y = conv(kernel);
        if (this.bias !== null) y = tf.add(y, this.bias.read());
        // One gate per map: [filters] broadcast over batch and positions, or [batch, filters] per example.
        y = z.rank === 1 ? applyGroupMask(y, z, -1) : tf.mul(y, tf.reshape(z, [z.shape[0], 1, 1, this.filters]));
      }
      return this.activationFunction.apply(y);
    });
  }

  protected gateAxis(): number {
    return 3;
  }

  protected biasGated(): boolean {
    return !this.gatePerWeight;
  }

  /** Per example: 2 FLOPs per multiply-add of an open weight at every output position (authors' count). */
  protected flops(openGates: number): number {
    if (this.positions === null) return Number.NaN;
    const fanIn = this.kernelSize[0] * this.kernelSize[1] * (this.kernelVariable.shape[2] as number);
    const multiplyAdds = this.gatePerWeight ? openGates : openGates * fanIn;
    const perMap = this.gatePerWeight ? this.filters : openGates;
    return (2 * multiplyAdds - (this.useBias ? 0 : perMap)) * this.positions;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      activation: this.activation,
      useBias: this.useBias,
    };
  }
}
tf.serialization.registerClass(L0Conv2D);

/** Creates an `L0Conv2D` layer (like `tf.layers.conv2d`). */
export function l0Conv2d(args: L0Conv2DArgs): L0Conv2D {
  return new L0Conv2D(args);
}

/**
 * What the L0-gated layers share: one hard concrete gate z per group of weights
 * (Louizos, Welling & Kingma 2018, Sec. 4), with parameters log α trained
 * alongside the weights. Training draws one gate sample per call (one per
 * minibatch); inference uses a deterministic test-time gate (Eq. 13 by default).
 */
import * as tf from "@tensorflow/tfjs";
import { sampleHardConcrete } from "../gates/hardConcrete";
import { type HardConcreteParams, hardConcreteParams, logAlphaFromDropRate } from "../gates/params";
import { expectedL0, expectedL2 } from "../gates/penalty";
import { medianGate, testTimeGate, topKGate } from "../gates/testTimeGate";
import { Random } from "../random";
import { fail } from "../validate";

/**
 * The deterministic gate used at inference:
 * - `"eq13"`: ẑ = min(1, max(0, σ(log α)(ζ − γ) + γ)) (Louizos et al. 2018, Eq. 13);
 * - `"median"`: the median of the hard concrete, σ(log α / β) stretched and clamped;
 * - `"topk"`: the k gates with the fewest expected zeros kept (open), the others closed.
 */
export type TestGateKind = "eq13" | "median" | "topk";
export const TEST_GATE_KINDS: readonly TestGateKind[] = ["eq13", "median", "topk"];

/** Gate options shared by `L0Dense` and `L0Conv2D`. */
export interface L0GateArgs {
  /**
   * Initial DROP rate p of the gates: log α₀ ~ N(log((1 − p)/p), 0.01²) (authors' code;
   * 0.2 for an MLP's input layer, 0.5 elsewhere). Default 0.5.
   */
  dropRateInit?: number;
  /** Hard concrete temperature β (default 2/3). */
  beta?: number;
  /** Lower stretch limit γ < 0 (default −0.1). */
  gamma?: number;
  /** Upper stretch limit ζ > 1 (default 1.1). */
  zeta?: number;
  /** The test-time gate (default `"eq13"`). */
  testGate?: TestGateKind;
  /** Number of gates kept by the `"topk"` test-time gate. */
  testGateK?: number;
  /** One gate per weight instead of one per unit (default false). */
  gatePerWeight?: boolean;
  /** Seed of the weight initialisers and of the gate noise (default 0). */
  seed?: number;
}

/** The expected and actual (by the test-time gate) counts of a layer or model. */
export interface ExpectedAndActual {
  readonly expected: number;
  readonly actual: number;
}

/** The number of entries of a (fully known) weight shape. */
function sizeOf(shape: readonly (number | null)[]): number {
  return shape.reduce((a: number, b) => a * (b as number), 1);
}

/** Checks that `value` is one of the allowed values. */
function checkOneOf<T>(where: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    fail(where, name, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  return value as T;
}

/**
 * The base class of the L0-gated layers. Subclasses create `kernel`, `bias` and
 * `logAlpha` in `build` and say how gates map to weights.
 */
export abstract class L0Layer extends tf.layers.Layer {
  readonly dropRateInit: number;
  readonly params: HardConcreteParams;
  readonly testGate: TestGateKind;
  readonly testGateK: number | null;
  readonly gatePerWeight: boolean;
  readonly seed: number;
  /** The generator of the gate noise; advances with every training call. */
  readonly random: Random;
  protected kernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;
  protected logAlphaVariable: tf.LayerVariable | null = null;

  constructor(where: string, args: L0GateArgs & tf.serialization.ConfigDict) {
    super(args as object);
    const dropRateInit = args.dropRateInit ?? 0.5;
    if (typeof dropRateInit !== "number" || !(dropRateInit > 0 && dropRateInit < 1)) {
      fail(where, "dropRateInit", dropRateInit, "a number in (0, 1)");
    }
    this.dropRateInit = dropRateInit;
    const overrides: Partial<HardConcreteParams> = {};
    if (args.beta !== undefined) Object.assign(overrides, { beta: args.beta });
    if (args.gamma !== undefined) Object.assign(overrides, { gamma: args.gamma });
    if (args.zeta !== undefined) Object.assign(overrides, { zeta: args.zeta });
    this.params = hardConcreteParams(overrides);
    this.testGate = checkOneOf(where, "testGate", args.testGate ?? "eq13", TEST_GATE_KINDS);
    const k = args.testGateK ?? null;
    if (this.testGate === "topk" && (k === null || !Number.isInteger(k) || k < 0)) {
      fail(where, "testGateK", k, 'an integer ≥ 0 when testGate is "topk"');
    }
    this.testGateK = k;
    this.gatePerWeight = args.gatePerWeight ?? false;
    if (typeof this.gatePerWeight !== "boolean") fail(where, "gatePerWeight", this.gatePerWeight, "a boolean");
    const seed = args.seed ?? 0;
    if (!Number.isSafeInteger(seed)) fail(where, "seed", seed, "a safe integer");
    this.seed = seed;
    this.random = new Random(seed + 2);
  }

  /** The log α initialiser: N(log((1 − p)/p), 0.01²) with p = `dropRateInit` (authors' code). */
  protected logAlphaInitializer(): ReturnType<typeof tf.initializers.randomNormal> {
    return tf.initializers.randomNormal({
      mean: logAlphaFromDropRate(this.dropRateInit),
      stddev: 0.01,
      seed: this.seed + 1,
    });
  }

  /** Throws unless the layer has been built (its weights exist). */
  protected checkBuilt(where: string): void {
    if (this.logAlphaVariable === null || this.kernel === null) {
      throw new Error(
        `${this.name}.${where}: the layer has no weights yet; call it on an input (or build the model) first`,
      );
    }
  }

  /** The gate parameters log α (one per unit, or one per weight with `gatePerWeight`). */
  get logAlpha(): tf.LayerVariable {
    this.checkBuilt("logAlpha");
    return this.logAlphaVariable!;
  }

  /** The gated weights θ̃ (before gating). */
  get kernelVariable(): tf.LayerVariable {
    this.checkBuilt("kernel");
    return this.kernel!;
  }

  /** The bias, or null without one. */
  get biasVariable(): tf.LayerVariable | null {
    return this.bias;
  }

  /** The number of gates. */
  gateCount(): number {
    return sizeOf(this.logAlpha.shape);
  }

  /** How many weights of the kernel one gate controls (1 with `gatePerWeight`). */
  weightsPerGate(): number {
    const kernelSize = sizeOf(this.kernelVariable.shape);
    return kernelSize / this.gateCount();
  }

  /** The kernel axis along which the gates lie (with one gate per unit). */
  protected abstract gateAxis(): number;

  /** Multiply-adds and additions per example, given the number of open gates (per unit) or non-zero weights (per weight). */
  protected abstract flops(openGates: number): number;

  /**
   * The gates to apply: one hard concrete sample z (Louizos et al. 2018,
   * Sec. 4; gradients reach log α) when `training`, else the test-time gate ẑ.
   */
  gates(training: boolean): tf.Tensor {
    const logAlpha = this.logAlpha.read();
    if (training) return sampleHardConcrete(logAlpha, this.params, this.random);
    return this.testTimeGates();
  }

  /** The test-time gate ẑ chosen by `testGate` (Eq. 13 by default). */
  testTimeGates(): tf.Tensor {
    const logAlpha = this.logAlpha.read();
    switch (this.testGate) {
      case "eq13":
        return testTimeGate(logAlpha, this.params);
      case "median":
        return medianGate(logAlpha, this.params);
      case "topk":
        return topKGate(logAlpha, this.testGateK!, this.params);
    }
  }

  /**
   * The expected L0 norm of the gated weights, Σ_g |g|·P(z_g ≠ 0)
   * (Louizos et al. 2018, Sec. 2.2): each gate's probability of being non-zero,
   * counted once per weight it controls. Differentiable in log α.
   */
  expectedL0(): tf.Scalar {
    return expectedL0(this.logAlpha.read(), this.weightsPerGate(), this.params) as tf.Scalar;
  }

  /**
   * The expected L2 term Σ_g P(z_g ≠ 0)·Σ_{i ∈ g} ½·wd·θ̃ᵢ² (authors' code: a weight
   * pays weight decay only while its gate is open), plus ½·wd·‖b‖² for the ungated bias.
   */
  expectedL2(weightDecay: number): tf.Scalar {
    return tf.tidy(() => {
      const axis = this.gatePerWeight ? null : this.gateAxis();
      let term = expectedL2(this.logAlpha.read(), this.kernelVariable.read(), weightDecay, axis, this.params);
      if (this.bias !== null) term = tf.add(term, tf.mul(0.5 * weightDecay, tf.sum(tf.square(this.bias.read()))));
      return term as tf.Scalar;
    });
  }

  /** The expected number of open gates Σ_g P(z_g ≠ 0) (expected units left, or weights with `gatePerWeight`). */
  expectedGatesOpen(): number {
    return tf.tidy(() => expectedL0(this.logAlpha.read(), 1, this.params).dataSync()[0]);
  }

  /** The number of gates the test-time gate leaves open (ẑ > 0): units left, or weights left with `gatePerWeight`. */
  gatesOpen(): number {
    const z = tf.tidy(() => this.testTimeGates().dataSync());
    let count = 0;
    for (const v of z) if (v > 0) count++;
    return count;
  }

  /** Units (inputs of a dense layer, feature maps of a convolution) with an open test-time gate; with one gate per weight, the units with any open weight. */
  unitsLeft(): number {
    if (!this.gatePerWeight) return this.gatesOpen();
    return tf.tidy(() => {
      const z = this.testTimeGates();
      const axis = this.gateAxis();
      const others = z.shape.map((_, i) => i).filter((i) => i !== (axis + z.rank) % z.rank);
      return tf.sum(tf.cast(tf.greater(tf.max(z, others), 0), "int32")).dataSync()[0];
    });
  }

  /** The number of units the gates act on (inputs of a dense layer, feature maps of a convolution). */
  unitCount(): number {
    const axis = this.gateAxis();
    const shape = this.kernelVariable.shape;
    return shape[(axis + shape.length) % shape.length] as number;
  }

  /** Parameters: expected Σ|g|·P(z_g ≠ 0) + bias, and actual (weights whose test-time gate is non-zero) + bias. */
  parameterCounts(): ExpectedAndActual {
    const biasCount = this.bias === null ? 0 : sizeOf(this.bias.shape);
    const perGate = this.weightsPerGate();
    return {
      expected: this.expectedGatesOpen() * perGate + biasCount,
      actual: this.gatesOpen() * perGate + biasCount,
    };
  }

  /** FLOPs per example (a multiply-add counts 2): expected from Σ P(z ≠ 0), actual from the test-time gate. */
  flopCounts(): ExpectedAndActual {
    return { expected: this.flops(this.expectedGatesOpen()), actual: this.flops(this.gatesOpen()) };
  }

  /** Clamps log α into [min, max] in place (authors' code: [log 0.01, log 100] after every step). */
  clampLogAlpha(min: number, max: number): void {
    if (!(min < max)) fail(`${this.name}.clampLogAlpha`, "min", min, `a number < max (${max})`);
    const variable = this.logAlpha;
    tf.tidy(() => {
      variable.write(tf.clipByValue(variable.read(), min, max));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      dropRateInit: this.dropRateInit,
      beta: this.params.beta,
      gamma: this.params.gamma,
      zeta: this.params.zeta,
      testGate: this.testGate,
      testGateK: this.testGateK,
      gatePerWeight: this.gatePerWeight,
      seed: this.seed,
    };
  }
}

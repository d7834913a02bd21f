/**
 * What the L0-gated layers share: one hard concrete gate z per group of weights
 * (Louizos, Welling & Kingma 2018, Sec. 4), with parameters log α trained
 * alongside the weights. Training draws one gate sample per forward pass (the
 * authors' default) or one per example (their `local_rep`); inference uses a
 * deterministic test-time gate (Eq. 13 by default). A layer given `lambda` and
 * `datasetSize` carries its own penalty, so tfjs's `model.fit` minimises it.
 */
import * as tf from "@tensorflow/tfjs";
import { checkTensorFiniteBySum } from "../gates/checks";
import {
  expectedL0Unchecked,
  expectedL2Unchecked,
  gatedRowsUnchecked,
  layerPenaltyUnchecked,
  sampleHardConcreteUnchecked,
} from "../gates/fused";
import { sampleHardConcrete } from "../gates/hardConcrete";
import { checkParams, DEFAULT_PARAMS, type HardConcreteParams, logAlphaFromDropRate } from "../gates/params";
import { expectedL0, expectedL2 } from "../gates/penalty";
import { medianGate, testTimeGate, topKGate } from "../gates/testTimeGate";
import { deriveSeed, freshSeed, Random } from "../random";
import { fail } from "../validate";
import {
  authorsKernelInitializer,
  type InitializerIdentifier,
  resolveInitializer,
  serializeInitializer,
} from "./initializer";

/**
 * The deterministic gate used at inference:
 * - `"eq13"`: ẑ = min(1, max(0, σ(log α)(ζ − γ) + γ)) (Louizos et al. 2018, Eq. 13);
 * - `"median"`: the median of the hard concrete, σ(log α / β) stretched and clamped;
 * - `"topk"`: the k gates with the fewest expected zeros kept (open), the others closed.
 */
export type TestGateKind = "eq13" | "median" | "topk";
export const TEST_GATE_KINDS: readonly TestGateKind[] = ["eq13", "median", "topk"];

/**
 * How training draws the gates of a layer with one gate per unit:
 * - `"perPass"`: one gate vector per forward pass, shared by every example of the
 *   minibatch (the authors' default, `local_rep=False` in their `L0Dense`/`L0Conv2d`);
 * - `"perExample"`: an independent gate vector for every example (their `--local_rep`),
 *   a lower-variance gradient for log α at the price of batch × gates noise draws.
 */
export type GateSampling = "perPass" | "perExample";
export const GATE_SAMPLINGS: readonly GateSampling[] = ["perPass", "perExample"];

/**
 * The layer's own term of the training objective (see `L0Layer.penalty`):
 * (λ·E[L0] + L2) / N, with the expected L2 term divided by N or not.
 */
export interface L0PenaltySettings {
  /** Per-weight L0 cost λ (authors' code units; the paper's λ is λ/N), finite, ≥ 0. */
  readonly lambda: number;
  /** N, the number of training examples (a positive integer). */
  readonly datasetSize: number;
  /** Weight decay wd of the expected L2 term (finite, ≥ 0; default 0; the authors use 5e-4). */
  readonly weightDecay?: number;
  /**
   * Whether the expected L2 term is divided by N like the L0 term (default true).
   * true: (½·wd·Σ π θ̃²)/N, as the authors' LeNet-5, which passes wd to layers that
   * divide their whole regulariser by N; false: ½·wd·Σ π θ̃² per step, ordinary weight
   * decay, as the authors' MLP and wide ResNet, which pass N·wd to the same layers.
   */
  readonly weightDecayDividedByN?: boolean;
}

/** Gate, initialisation and penalty options shared by `L0Dense` and `L0Conv2D`. */
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
  /** How training draws the gates (default `"perPass"`, the authors' default; see `GateSampling`). */
  gateSampling?: GateSampling;
  /**
   * Seed of the kernel, bias and log α initialisers and of the gate noise (any safe
   * integer, 0 included). Each stream is derived from the seed, the layer's class
   * and its kernel shape, so a layer's streams never coincide with each other or
   * with those of a layer of another shape. Without a seed, fresh randomness, as
   * tfjs layers without seeded initialisers.
   */
  seed?: number;
  /** Kernel initialiser: any tfjs initialiser, its name or `{ className, config }`. Default: the authors' He-normal on fan-in (`authorsKernelInitializer`). */
  kernelInitializer?: InitializerIdentifier;
  /** Bias initialiser, as `kernelInitializer`. Default zeros (authors' code). */
  biasInitializer?: InitializerIdentifier;
  /** With `datasetSize`: the layer carries its own penalty, λ·E[L0]/N + expected L2 (see `L0PenaltySettings`). */
  lambda?: number;
  /** N, the number of training examples; required with `lambda`. */
  datasetSize?: number;
  /** Weight decay of the layer's expected L2 term (default 0; needs `lambda` and `datasetSize`). */
  weightDecay?: number;
  /** Whether the layer's L2 term is divided by N (default true; see `L0PenaltySettings`). */
  weightDecayDividedByN?: boolean;
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

/** Checks penalty settings (λ finite ≥ 0, N a positive integer, wd finite ≥ 0, a boolean) and fills the defaults. */
export function checkPenaltySettings(where: string, settings: L0PenaltySettings): Required<L0PenaltySettings> {
  const { lambda, datasetSize, weightDecay = 0, weightDecayDividedByN = true } = settings;
  if (typeof lambda !== "number" || !Number.isFinite(lambda) || lambda < 0) {
    fail(where, "lambda", lambda, "a finite number ≥ 0");
  }
  if (!Number.isInteger(datasetSize) || datasetSize < 1) {
    fail(where, "datasetSize", datasetSize, "a positive integer (the number of training examples)");
  }
  if (typeof weightDecay !== "number" || !Number.isFinite(weightDecay) || weightDecay < 0) {
    fail(where, "weightDecay", weightDecay, "a finite number ≥ 0");
  }
  if (typeof weightDecayDividedByN !== "boolean") {
    fail(where, "weightDecayDividedByN", weightDecayDividedByN, "a boolean");
  }
  return { lambda, datasetSize, weightDecay, weightDecayDividedByN };
}

/**
 * The base class of the L0-gated layers. Subclasses call `addGatedWeights` in
 * `build`, say along which kernel axis the gates lie and whether the bias is gated.
 */
export abstract class L0Layer extends tf.layers.Layer {
  readonly dropRateInit: number;
  readonly params: HardConcreteParams;
  readonly testGate: TestGateKind;
  readonly testGateK: number | null;
  readonly gatePerWeight: boolean;
  readonly gateSampling: GateSampling;
  /** The seed given, or null (fresh randomness). */
  readonly seed: number | null;
  /** The layer's own penalty settings, or null when it carries none. */
  readonly penaltySettings: Required<L0PenaltySettings> | null;
  /**
   * The generator of the gate noise, created in `build`; advances with every
   * training call. Assign a clone (`Random.clone`) taken earlier to replay samples.
   */
  random: Random | null = null;
  /**
   * Whether training calls check log α and the penalty for finiteness, reading
   * values back from the device (on by default, so that `model.fit` stops at a
   * non-finite gate or penalty). `trainL0` turns the checks off while it runs and
   * checks once per epoch instead (library-internal).
   */
  finitenessChecks = true;
  protected kernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;
  protected logAlphaVariable: tf.LayerVariable | null = null;
  private readonly baseSeed: number;
  private readonly kernelInitializerArg: InitializerIdentifier | null;
  private readonly biasInitializerArg: InitializerIdentifier | null;

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
    this.params = Object.freeze({ ...DEFAULT_PARAMS, ...overrides });
    checkParams(where, this.params);
    this.testGate = checkOneOf(where, "testGate", args.testGate ?? "eq13", TEST_GATE_KINDS);
    const k = args.testGateK ?? null;
    if (this.testGate === "topk" && (k === null || !Number.isInteger(k) || k < 0)) {
      fail(where, "testGateK", k, 'an integer ≥ 0 when testGate is "topk"');
    }
    this.testGateK = k;
    this.gatePerWeight = args.gatePerWeight ?? false;
    if (typeof this.gatePerWeight !== "boolean") fail(where, "gatePerWeight", this.gatePerWeight, "a boolean");
    this.gateSampling = checkOneOf(where, "gateSampling", args.gateSampling ?? "perPass", GATE_SAMPLINGS);
    if (this.gatePerWeight && this.gateSampling === "perExample") {
      fail(
        where,
        "gateSampling",
        this.gateSampling,
        '"perPass" with gatePerWeight (one gate per weight and example is not supported)',
      );
    }
    const seed = args.seed ?? null;
    if (seed !== null && !Number.isSafeInteger(seed)) fail(where, "seed", seed, "a safe integer");
    this.seed = seed;
    this.baseSeed = seed ?? freshSeed();
    this.kernelInitializerArg = args.kernelInitializer ?? null;
    this.biasInitializerArg = args.biasInitializer ?? null;
    // Resolved again in `build` with the derived seeds; here only to reject a bad option at once.
    if (this.kernelInitializerArg !== null)
      resolveInitializer(where, "kernelInitializer", this.kernelInitializerArg, 1);
    if (this.biasInitializerArg !== null) resolveInitializer(where, "biasInitializer", this.biasInitializerArg, 1);
    const { lambda, datasetSize, weightDecay, weightDecayDividedByN } = args;
    const anyPenalty = [lambda, datasetSize, weightDecay, weightDecayDividedByN].some(
      (v) => v !== undefined && v !== null,
    );
    if (anyPenalty && (lambda === undefined || lambda === null || datasetSize === undefined || datasetSize === null)) {
      if (lambda === undefined || lambda === null) {
        fail(
          where,
          "lambda",
          lambda,
          "a finite number ≥ 0 given with datasetSize (weightDecay needs both), so that the layer carries its own penalty",
        );
      }
      fail(
        where,
        "datasetSize",
        datasetSize,
        "a positive integer given with lambda (weightDecay needs both), so that the layer carries its own penalty",
      );
    }
    this.penaltySettings = anyPenalty
      ? checkPenaltySettings(where, {
          lambda: lambda as number,
          datasetSize: datasetSize as number,
          weightDecay: weightDecay ?? undefined,
          weightDecayDividedByN: weightDecayDividedByN ?? undefined,
        })
      : null;
  }

  /** The seed of one random stream of this layer (see `L0GateArgs.seed`). */
  private streamSeed(stream: string, kernelShape: readonly number[]): number {
    return deriveSeed(this.baseSeed, `${this.getClassName()}[${kernelShape.join(",")}]:${stream}`);
  }

  /**
   * Creates the kernel (initialised by `kernelInitializer`, by default the authors'
   * He-normal on `fanIn`), the bias (zeros by default) and log α ~ N(log((1 − p)/p), 0.01²)
   * (authors' code), seeds the gate noise, and registers the layer's penalty with
   * `addLoss` when it carries one. Called by the subclasses' `build`.
   */
  protected addGatedWeights(
    kernelShape: number[],
    fanIn: number,
    biasShape: number[] | null,
    gateShape: number[],
  ): void {
    const where = this.getClassName();
    const kernelInit =
      this.kernelInitializerArg === null
        ? authorsKernelInitializer(fanIn, this.streamSeed("kernel", kernelShape))
        : resolveInitializer(
            where,
            "kernelInitializer",
            this.kernelInitializerArg,
            this.streamSeed("kernel", kernelShape),
          );
    this.kernel = this.addWeight("kernel", kernelShape, "float32", kernelInit);
    if (biasShape !== null) {
      const biasInit =
        this.biasInitializerArg === null
          ? tf.initializers.zeros()
          : resolveInitializer(where, "biasInitializer", this.biasInitializerArg, this.streamSeed("bias", kernelShape));
      this.bias = this.addWeight("bias", biasShape, "float32", biasInit);
    }
    const logAlphaInit = tf.initializers.randomNormal({
      mean: logAlphaFromDropRate(this.dropRateInit),
      stddev: 0.01,
      seed: this.streamSeed("logAlpha", kernelShape),
    });
    this.logAlphaVariable = this.addWeight("logAlpha", gateShape, "float32", logAlphaInit);
    this.random = new Random(this.streamSeed("noise", kernelShape));
    if (this.penaltySettings !== null) this.addLoss(() => this.checkedPenalty());
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

  /**
   * How many parameters one gate controls: the kernel weights of its group (1 with
   * `gatePerWeight`), plus the group's bias where the bias is gated (a convolution's
   * feature map).
   */
  weightsPerGate(): number {
    const kernelSize = sizeOf(this.kernelVariable.shape);
    return kernelSize / this.gateCount() + (this.bias !== null && this.biasGated() ? 1 : 0);
  }

  /** The kernel axis along which the gates lie (with one gate per unit). */
  protected abstract gateAxis(): number;

  /** Whether a unit's gate also multiplies its bias (true for a convolution's feature maps). */
  protected abstract biasGated(): boolean;

  /** Multiply-adds and additions per example, given the number of open gates (per unit) or non-zero weights (per weight). */
  protected abstract flops(openGates: number): number;

  /**
   * The gates to apply: hard concrete samples z (Louizos et al. 2018, Sec. 4;
   * gradients reach log α) when `training`, else the test-time gate ẑ. Training
   * draws one sample of log α's shape per call (`"perPass"`), or `batchSize` of them,
   * shape [batchSize, gates] (`"perExample"`).
   */
  gates(training: boolean, batchSize = 1): tf.Tensor {
    if (!training) return this.testTimeGates();
    const logAlpha = this.logAlpha.read();
    try {
      const sample = this.finitenessChecks ? sampleHardConcrete : sampleHardConcreteUnchecked;
      if (this.gateSampling === "perPass") return sample(logAlpha, this.params, this.random!);
      return tf.tidy(() => sample(tf.broadcastTo(logAlpha, [batchSize, ...logAlpha.shape]), this.params, this.random!));
    } catch (error) {
      throw new Error(`${this.name}: cannot sample the gates: ${(error as Error).message}`);
    }
  }

  /**
   * A kernel whose rows (axis 0) are gated by a fresh training sample of this layer's
   * gates, one per row and per pass: diag(z) W, drawn and differentiated in one fused
   * kernel (`gatedRowsUnchecked`; the same z as `gates(true)` for the same noise).
   */
  protected sampleGatedRows(kernel: tf.Tensor): tf.Tensor {
    const logAlpha = this.logAlpha.read();
    if (this.finitenessChecks) {
      try {
        checkTensorFiniteBySum("sampleHardConcrete", "logAlpha", logAlpha);
      } catch (error) {
        throw new Error(`${this.name}: cannot sample the gates: ${(error as Error).message}`);
      }
    }
    return gatedRowsUnchecked(logAlpha, kernel, this.params, this.random!);
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
   * The expected L0 norm of the gated parameters, Σ_g |g|·P(z_g ≠ 0)
   * (Louizos et al. 2018, Sec. 2.2): each gate's probability of being non-zero,
   * counted once per parameter it controls (`weightsPerGate`). Differentiable in log α.
   */
  expectedL0(): tf.Scalar {
    const expected = this.finitenessChecks ? expectedL0 : expectedL0Unchecked;
    return expected(this.logAlpha.read(), this.weightsPerGate(), this.params);
  }

  /**
   * The expected L2 term Σ_g P(z_g ≠ 0)·Σ_{i ∈ g} ½·wd·θ̃ᵢ² (authors' code: a weight
   * pays weight decay only while its gate is open). The bias pays ½·wd·b² while its
   * gate is open where it is gated (a convolution's maps), else always (a dense
   * layer's bias, as in the authors' `L0Dense`).
   */
  expectedL2(weightDecay: number): tf.Scalar {
    return tf.tidy(() => {
      const axis = this.gatePerWeight ? null : this.gateAxis();
      const logAlpha = this.logAlpha.read();
      const expected = this.finitenessChecks ? expectedL2 : expectedL2Unchecked;
      let term = expected(logAlpha, this.kernelVariable.read(), weightDecay, axis, this.params);
      if (this.bias !== null) {
        const bias = this.bias.read();
        const biasTerm = this.biasGated()
          ? expected(logAlpha, bias, weightDecay, 0, this.params)
          : tf.mul(0.5 * weightDecay, tf.sum(tf.square(bias)));
        term = tf.add(term, biasTerm);
      }
      return term as tf.Scalar;
    });
  }

  /**
   * This layer's term of the training objective (Louizos et al. 2018, Eq. 12 with
   * the expected L2 of Sec. 2.3, as the authors' code computes it):
   *
   *   penalty = λ·E‖θ̃‖₀ / N + L2 / N   (weightDecayDividedByN, default)
   *   penalty = λ·E‖θ̃‖₀ / N + L2       (otherwise)
   *
   * with L2 = `expectedL2(wd)`. `settings` defaults to the layer's own (`lambda`,
   * `datasetSize`, `weightDecay` options); `l0Penalty` sums this over layers. A scalar,
   * differentiable in log α and the weights.
   */
  penalty(settings: L0PenaltySettings | null = this.penaltySettings): tf.Scalar {
    if (settings === null) {
      fail(`${this.name}.penalty`, "settings", settings, "given, or the layer built with lambda and datasetSize");
    }
    const { lambda, datasetSize, weightDecay, weightDecayDividedByN } = checkPenaltySettings(
      `${this.name}.penalty`,
      settings,
    );
    const logAlpha = this.logAlpha.read();
    if (this.finitenessChecks) checkTensorFiniteBySum(`${this.name}.penalty`, "logAlpha", logAlpha);
    // Fused (one customGrad): the same sum as λ·expectedL0()/N + expectedL2(wd) (/N), see gates/fused.ts.
    return layerPenaltyUnchecked(
      logAlpha,
      this.kernelVariable.read(),
      this.bias?.read() ?? null,
      {
        perGate: (lambda * this.weightsPerGate()) / datasetSize,
        halfDecay: (0.5 * weightDecay) / (weightDecayDividedByN ? datasetSize : 1),
        axis: this.gatePerWeight ? null : this.gateAxis(),
        biasGated: this.biasGated(),
      },
      this.params,
    );
  }

  /**
   * The layer's own penalty as registered with `addLoss` (what `model.fit` and
   * `trainL0` add to the data loss): stops training with an error naming the layer
   * when it is not finite (reading one number back per call) unless `finitenessChecks` is off.
   */
  private checkedPenalty(): tf.Scalar {
    let value: tf.Scalar;
    try {
      value = this.penalty();
    } catch (error) {
      throw new Error(`${this.name}: the L0 penalty cannot be computed: ${(error as Error).message}`);
    }
    if (!this.finitenessChecks) return value;
    const number = value.dataSync()[0];
    if (!Number.isFinite(number)) {
      value.dispose();
      throw new Error(
        `${this.name}: the L0 penalty is ${number}, not finite (NaN or ±Infinity in the weights); training stops`,
      );
    }
    return value;
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

  /** The number of open gates that are fractional, 0 < ẑ < 1: a scale on their unit, not an on/off mask. */
  fractionalGates(): number {
    const z = tf.tidy(() => this.testTimeGates().dataSync());
    let count = 0;
    for (const v of z) if (v > 0 && v < 1) count++;
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

  /** Parameters: expected Σ|g|·P(z_g ≠ 0) + ungated bias, and actual (parameters whose test-time gate is non-zero) + ungated bias. */
  parameterCounts(): ExpectedAndActual {
    const ungatedBias = this.bias === null || this.biasGated() ? 0 : sizeOf(this.bias.shape);
    const perGate = this.weightsPerGate();
    return {
      expected: this.expectedGatesOpen() * perGate + ungatedBias,
      actual: this.gatesOpen() * perGate + ungatedBias,
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
    const penalty = this.penaltySettings;
    return {
      ...super.getConfig(),
      dropRateInit: this.dropRateInit,
      beta: this.params.beta,
      gamma: this.params.gamma,
      zeta: this.params.zeta,
      testGate: this.testGate,
      testGateK: this.testGateK,
      gatePerWeight: this.gatePerWeight,
      gateSampling: this.gateSampling,
      seed: this.seed,
      kernelInitializer: serializeInitializer(this.kernelInitializerArg),
      biasInitializer: serializeInitializer(this.biasInitializerArg),
      lambda: penalty?.lambda ?? null,
      datasetSize: penalty?.datasetSize ?? null,
      weightDecay: penalty?.weightDecay ?? null,
      weightDecayDividedByN: penalty?.weightDecayDividedByN ?? null,
    };
  }
}

/**
 * The work around every optimizer step of a model with L0 layers, as one tfjs
 * callback for `model.fit` (`trainL0` runs the same callback in its own loop):
 * - log α clamped after every batch (authors' code: [log 0.01, log 100]);
 * - a target-density Lagrangian (`LagrangianController`): while training runs, its
 *   term μ·(d − target) + (ρ/2)·(d − target)² joins the training objective as a
 *   layer loss, and μ ascends after every batch;
 * - temporal averaging of the weights (Louizos, Welling & Kingma 2018, Sec. 4;
 *   authors' decay 0.999): updated after every batch and swapped into the model
 *   when training ends (the last raw weights are then freed).
 *
 * tfjs's `fit` applies no weight constraints (tfjs issues #3979, #3345), which is
 * why the clamp is a callback. Validation metrics that `fit` computes during
 * training use the current, not the averaged, weights.
 */
import * as tf from "@tensorflow/tfjs";
import { l0Layers, modelExpectedDensity } from "../layers/l0Model";
import { fail } from "../validate";
import { WeightAverager } from "./averaging";
import type { LagrangianController } from "./lagrangian";

/** The authors' clamp of log α after every step: [log 0.01, log 100]. */
export const AUTHORS_LOG_ALPHA_RANGE: readonly [number, number] = [Math.log(0.01), Math.log(100)];

/** Options of `l0Callbacks`. */
export interface L0CallbackOptions {
  /** Range log α is clamped to after each step; `false` for none (default `AUTHORS_LOG_ALPHA_RANGE`). */
  clampLogAlpha?: readonly [number, number] | false;
  /** Drives the expected density to a target (its term is added to the objective; μ updated after each step). */
  lagrangian?: LagrangianController;
  /** Decay of the running average of the weights (e.g. 0.999); none by default. */
  averageDecay?: number;
}

/** The callback described above; see `l0Callbacks`. */
export class L0Callback extends tf.Callback {
  readonly clamp: readonly [number, number] | false;
  readonly lagrangian: LagrangianController | null;
  readonly averageDecay: number | null;
  /** While training with `averageDecay`, the running averages (null otherwise). */
  averager: WeightAverager | null = null;
  private readonly target: tf.LayersModel;
  private detachTerm: (() => void) | null = null;

  /** `where` names the caller in error messages. */
  constructor(model: tf.LayersModel, options: L0CallbackOptions = {}, where = "l0Callbacks") {
    super();
    if (!(model instanceof tf.LayersModel)) fail(where, "model", model, "a tf.LayersModel");
    const clamp = options.clampLogAlpha ?? AUTHORS_LOG_ALPHA_RANGE;
    if (clamp !== false && (!Array.isArray(clamp) || clamp.length !== 2 || !(clamp[0] < clamp[1]))) {
      fail(where, "clampLogAlpha", clamp, "false or [min, max] with min < max");
    }
    const decay = options.averageDecay;
    if (decay !== undefined && !(typeof decay === "number" && decay > 0 && decay < 1)) {
      fail(where, "averageDecay", decay, "a number in (0, 1)");
    }
    if (options.lagrangian !== undefined && l0Layers(model).length === 0) {
      fail(where, "lagrangian", "a controller", "used with a model that has at least one L0 layer");
    }
    this.target = model;
    this.clamp = clamp;
    this.lagrangian = options.lagrangian ?? null;
    this.averageDecay = decay ?? null;
  }

  override async onTrainBegin(): Promise<void> {
    this.begin();
  }

  override async onBatchEnd(): Promise<void> {
    this.afterStep();
  }

  override async onTrainEnd(): Promise<void> {
    this.end();
  }

  /** Attaches the Lagrangian term to the objective and starts the averages at the current weights. */
  begin(): void {
    this.release();
    const model = this.target;
    if (this.lagrangian !== null) {
      const controller = this.lagrangian;
      const layer = l0Layers(model)[0];
      const term = () => controller.term(modelExpectedDensity(model));
      layer.addLoss(term);
      this.detachTerm = () => {
        const index = layer.losses.indexOf(term);
        if (index >= 0) layer.losses.splice(index, 1);
      };
    }
    if (this.averageDecay !== null) this.averager = new WeightAverager(model, this.averageDecay);
  }

  /** After one optimizer step: clamp log α, one ascent step of μ, update the averages. */
  afterStep(): void {
    if (this.clamp !== false) {
      for (const layer of l0Layers(this.target)) layer.clampLogAlpha(this.clamp[0], this.clamp[1]);
    }
    if (this.lagrangian !== null) {
      this.lagrangian.update(tf.tidy(() => modelExpectedDensity(this.target).dataSync()[0]));
    }
    this.averager?.update();
  }

  /** Leaves the averaged weights in the model, then detaches the Lagrangian term and frees the averages. */
  end(): void {
    this.averager?.swap();
    this.release();
  }

  /** Detaches the Lagrangian term and frees the averages, leaving the model's weights as they are. */
  release(): void {
    this.detachTerm?.();
    this.detachTerm = null;
    this.averager?.dispose();
    this.averager = null;
  }
}

/**
 * The tfjs callback that trains `model` as the authors do around each step (see
 * above): `model.fit(x, y, { callbacks: l0Callbacks(model, { averageDecay: 0.999 }) })`,
 * or inside an array with other callbacks. The penalty itself comes from the
 * layers (`l0Dense({ lambda, datasetSize, … })`); `fit` adds it to the data loss.
 */
export function l0Callbacks(model: tf.LayersModel, options: L0CallbackOptions = {}): L0Callback {
  return new L0Callback(model, options);
}

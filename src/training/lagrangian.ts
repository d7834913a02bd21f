/**
 * A Lagrangian controller that drives the expected density of the gates to a
 * target (the constrained form used by CoFi, FLOP, Sheared-LLaMA and Cooper,
 * applied to the hard concrete gates of Louizos, Welling & Kingma 2018):
 *
 *   min_θ max_μ  L(θ) + μ · (d(θ) − target) + (ρ/2) · (d(θ) − target)²
 *
 * where d is the expected density Σ E[L0] / Σ (gated weights). The weights descend
 * the gradient; the multiplier μ ascends it: μ ← μ + η · (d − target). The
 * optional quadratic term (an augmented Lagrangian, ρ ≥ 0; CoFi uses one) damps
 * the oscillation of plain gradient descent–ascent.
 */
import * as tf from "@tensorflow/tfjs";
import { checkFinite, checkGreater, fail } from "../validate";

/** Options of `LagrangianController`. */
export interface LagrangianOptions {
  /** The target expected density, in (0, 1). */
  target: number;
  /** Step size η of the multiplier's gradient ascent (default 0.01). */
  learningRate?: number;
  /** Starting multiplier μ₀ (default 0). */
  initialMultiplier?: number;
  /**
   * `"equality"` (default): μ may take either sign, so the density is pulled to the
   * target from both sides; `"atMost"`: μ ≥ 0, the density is only pushed down.
   */
  constraint?: "equality" | "atMost";
  /** Weight ρ ≥ 0 of the quadratic term (default 0). */
  quadratic?: number;
}

/** Holds the multiplier μ and updates it by gradient ascent on (density − target). */
export class LagrangianController {
  readonly target: number;
  readonly learningRate: number;
  readonly constraint: "equality" | "atMost";
  readonly quadratic: number;
  private mu: number;

  constructor(options: LagrangianOptions) {
    const where = "LagrangianController";
    const { target, learningRate = 0.01, initialMultiplier = 0, constraint = "equality", quadratic = 0 } = options;
    if (typeof target !== "number" || !(target > 0 && target < 1)) fail(where, "target", target, "a number in (0, 1)");
    checkGreater(where, "learningRate", learningRate, 0);
    checkFinite(where, "initialMultiplier", initialMultiplier);
    if (constraint !== "equality" && constraint !== "atMost") {
      fail(where, "constraint", constraint, '"equality" or "atMost"');
    }
    checkFinite(where, "quadratic", quadratic);
    if (quadratic < 0) fail(where, "quadratic", quadratic, "a finite number ≥ 0");
    this.quadratic = quadratic;
    this.target = target;
    this.learningRate = learningRate;
    this.constraint = constraint;
    this.mu = constraint === "atMost" ? Math.max(0, initialMultiplier) : initialMultiplier;
  }

  /** The current multiplier μ. */
  get multiplier(): number {
    return this.mu;
  }

  /** The term μ·(density − target) + (ρ/2)·(density − target)² to add to the loss (μ is a constant here). */
  term(density: tf.Scalar): tf.Scalar {
    return tf.tidy(() => {
      const gap = tf.sub(density, this.target);
      return tf.add(tf.mul(this.mu, gap), tf.mul(0.5 * this.quadratic, tf.square(gap))) as tf.Scalar;
    });
  }

  /** One ascent step μ ← μ + η·(density − target) (clipped at 0 for `"atMost"`); returns the new μ. */
  update(density: number): number {
    checkFinite("LagrangianController.update", "density", density);
    const mu = this.mu + this.learningRate * (density - this.target);
    // Only a learning rate near the largest float can overflow μ; the loss would then be ±Infinity.
    if (!Number.isFinite(mu)) {
      fail(
        "LagrangianController.update",
        "the multiplier μ",
        mu,
        `finite: learningRate ${this.learningRate} is too large`,
      );
    }
    this.mu = this.constraint === "atMost" ? Math.max(0, mu) : mu;
    return this.mu;
  }
}

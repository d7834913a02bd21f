/**
 * Temporal averaging of the weights for evaluation, as in the authors' recipe
 * (Louizos, Welling & Kingma 2018, Sec. 4: "temporal averaging"; their code keeps
 * a running average with decay 0.999): after every step a ← d·a + (1 − d)·θ.
 */
import * as tf from "@tensorflow/tfjs";
import { fail } from "../validate";

/** Running averages of a model's trainable weights, and a way to swap them in. */
export class WeightAverager {
  readonly decay: number;
  private readonly variables: tf.LayerVariable[];
  private readonly averages: tf.Variable[];

  /** Starts the averages at the current weights of `model`. */
  constructor(model: tf.LayersModel, decay: number) {
    if (typeof decay !== "number" || !(decay > 0 && decay < 1))
      fail("WeightAverager", "decay", decay, "a number in (0, 1)");
    this.decay = decay;
    this.variables = model.trainableWeights;
    // The clone only seeds the variable: tidy frees it, the variable keeps the values.
    this.averages = tf.tidy(() => this.variables.map((v) => tf.variable(v.read().clone(), false)));
  }

  /** a ← d·a + (1 − d)·θ for every weight. */
  update(): void {
    tf.tidy(() => {
      this.averages.forEach((average, i) => {
        average.assign(tf.add(tf.mul(this.decay, average), tf.mul(1 - this.decay, this.variables[i].read())));
      });
    });
  }

  /** Exchanges the model's weights and the averages (call twice to swap back). */
  swap(): void {
    tf.tidy(() => {
      this.averages.forEach((average, i) => {
        const current = this.variables[i].read().clone();
        this.variables[i].write(average);
        average.assign(current);
      });
    });
  }

  /** Runs `fn` with the averaged weights in the model, then restores the current ones. */
  withAveraged<T>(fn: () => T): T {
    this.swap();
    try {
      return fn();
    } finally {
      this.swap();
    }
  }

  /** Frees the averages. */
  dispose(): void {
    for (const average of this.averages) average.dispose();
  }
}

/**
 * Temporal averaging of the weights for evaluation, as in the authors' recipe
 * (Louizos, Welling & Kingma 2018, Sec. 4: "temporal averaging"; their code keeps
 * a running average with decay 0.999): after every step a ← d·a + (1 − d)·θ.
 */
import * as tf from "@tensorflow/tfjs";
import { averageUpdate } from "../kernels/average";
import { fail } from "../validate";

/**
 * Running averages of a model's trainable weights, and a way to swap them in. The
 * averages are kept as one vector over all the weights (in `trainableWeights` order),
 * so that an update is one kernel whatever the number of weights (see kernels/average.ts).
 */
export class WeightAverager {
  readonly decay: number;
  private readonly variables: tf.LayerVariable[];
  private readonly average: tf.Variable;

  /** Starts the averages at the current weights of `model`. */
  constructor(model: tf.LayersModel, decay: number) {
    if (typeof decay !== "number" || !(decay > 0 && decay < 1))
      fail("WeightAverager", "decay", decay, "a number in (0, 1)");
    this.decay = decay;
    this.variables = model.trainableWeights;
    // tidy frees the concatenation; the variable keeps the values.
    this.average = tf.tidy(() => tf.variable(this.flatWeights(), false));
  }

  /** The model's current weights as one vector. */
  private flatWeights(): tf.Tensor {
    return tf.concat(this.variables.map((v) => tf.reshape(v.read(), [-1])));
  }

  /** a ← d·a + (1 − d)·θ for every weight (one WebAssembly kernel on the wasm backend: kernels/average.ts). */
  update(): void {
    tf.tidy(() => {
      this.average.assign(
        averageUpdate(
          this.average,
          this.variables.map((v) => v.read()),
          this.decay,
        ),
      );
    });
  }

  /** Exchanges the model's weights and the averages (call twice to swap back). */
  swap(): void {
    tf.tidy(() => {
      const current = this.flatWeights();
      const parts = tf.split(
        this.average,
        this.variables.map((v) => v.read().size),
      );
      this.variables.forEach((variable, i) => {
        variable.write(tf.reshape(parts[i], variable.shape as number[]));
      });
      this.average.assign(current);
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
    this.average.dispose();
  }
}

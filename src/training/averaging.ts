/**
 * Temporal averaging of the weights for evaluation, as in the authors' recipe
 * (Louizos, Welling & Kingma 2018, Sec. 4: "temporal averaging"; their code keeps
 * a running average with decay 0.999): after every step a ← d·a + (1 − d)·θ.
 */
import * as tf from "@tensorflow/tfjs";
import { averageUpdate } from "../kernels/average";
import { fail } from "../validate";

/**
 * Running averages of a model's trainable weights, and a way to swap them in. Each
 * weight tensor has its average in a variable of its own, so that a swap exchanges
 * which data the model's variables and the averages hold, without copying any (on
 * the wasm backend, joining the weights into one vector and splitting it again took
 * about 8 ms a swap for the 784-300-100-10 MLP); an update is still one kernel for
 * all of them (kernels/average.ts).
 */
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
    // A variable made from a tensor holds the same data (nothing is copied); the
    // weights' own variables move to new data at every optimizer step.
    this.averages = this.variables.map((v) => tf.variable(v.read(), false));
  }

  /** a ← d·a + (1 − d)·θ for every weight (one WebAssembly kernel on the wasm backend: kernels/average.ts). */
  update(): void {
    tf.tidy(() => {
      const next = averageUpdate(
        this.averages,
        this.variables.map((v) => v.read()),
        this.decay,
      );
      this.averages.forEach((average, i) => {
        average.assign(next[i]);
      });
    });
  }

  /** Exchanges the model's weights and the averages (call twice to swap back). */
  swap(): void {
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        // A reshape to the same shape is a second handle on the same data, not a copy:
        // it keeps the weights' data alive while the variable takes the average's.
        const current = tf.reshape(variable.read(), variable.shape as number[]);
        variable.write(this.averages[i]);
        this.averages[i].assign(current);
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
    tf.dispose(this.averages);
  }
}

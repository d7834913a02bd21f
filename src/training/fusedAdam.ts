/**
 * Adam (Kingma & Ba 2015, Algorithm 1, as tfjs's `tf.train.adam` computes it) over
 * all the variables of a model at once: the gradients are concatenated into one
 * vector and the moments are kept as one vector each, so that one step runs about
 * a dozen kernels on the whole parameter vector, plus one split and one add per
 * variable, instead of about fourteen kernels per variable. Per entry:
 *
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
 *   θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
 */
import * as tf from "@tensorflow/tfjs";
import { checkGreater, fail } from "../validate";

/** A tensor with the name of its variable, as optimizers exchange gradients and weights. */
type NamedTensor = { name: string; tensor: tf.Tensor };

/** Adam over all variables in a few kernels; the same update as `tf.train.adam`. */
export class FusedAdam extends tf.Optimizer {
  static get className(): string {
    return "FusedAdam";
  }
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** The variables' names in the order of the first `applyGradients` call, and their sizes. */
  private names: string[] | null = null;
  private sizes: number[] = [];
  private firstMoment: tf.Variable | null = null;
  private secondMoment: tf.Variable | null = null;
  private readonly accBeta1: tf.Variable;
  private readonly accBeta2: tf.Variable;

  /** `learningRate` > 0; β₁, β₂ in [0, 1) (defaults 0.9, 0.999); ε > 0 (default: the backend's, as tfjs). */
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super();
    checkGreater("FusedAdam", "learningRate", learningRate, 0);
    for (const [name, value] of [
      ["beta1", beta1],
      ["beta2", beta2],
    ] as const) {
      if (typeof value !== "number" || !(value >= 0 && value < 1)) fail("FusedAdam", name, value, "a number in [0, 1)");
    }
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon ?? tf.backend().epsilon();
    checkGreater("FusedAdam", "epsilon", this.epsilon, 0);
    // tidy frees the initial values; the variables survive it.
    [this.accBeta1, this.accBeta2] = tf.tidy(() => [
      tf.variable(tf.scalar(beta1), false),
      tf.variable(tf.scalar(beta2), false),
    ]);
  }

  /**
   * One Adam step for the variables named in `variableGradients`: the same variables,
   * in the same order, at every call (the moments are one vector over all of them).
   */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: [string, tf.Tensor][] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    const names = entries.map(([name]) => name);
    const variables = names.map((name) => tf.engine().registeredVariables[name]);
    entries.forEach(([name, gradient], i) => {
      if (variables[i] === undefined) fail("FusedAdam.applyGradients", "variableGradients", name, "names of variables");
      if (!(gradient instanceof tf.Tensor))
        fail("FusedAdam.applyGradients", `gradient of ${name}`, gradient, "a tensor");
    });
    if (this.names === null) {
      this.names = names;
      this.sizes = variables.map((v) => v.size);
      const total = this.sizes.reduce((a, b) => a + b, 0);
      [this.firstMoment, this.secondMoment] = tf.tidy(() => [
        tf.variable(tf.zeros([total]), false),
        tf.variable(tf.zeros([total]), false),
      ]);
    } else if (names.length !== this.names.length || names.some((name, i) => name !== this.names![i])) {
      fail(
        "FusedAdam.applyGradients",
        "variableGradients",
        names,
        `gradients of [${this.names.join(", ")}] in this order`,
      );
    }
    const firstMoment = this.firstMoment!;
    const secondMoment = this.secondMoment!;
    tf.tidy(() => {
      const gradient = tf.concat(entries.map(([, g]) => tf.reshape(g, [-1])));
      const newFirstMoment = tf.add(tf.mul(firstMoment, this.beta1), tf.mul(gradient, 1 - this.beta1));
      const newSecondMoment = tf.add(tf.mul(secondMoment, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
      const correctedFirst = tf.div(newFirstMoment, tf.sub(1, this.accBeta1));
      const correctedSecond = tf.div(newSecondMoment, tf.sub(1, this.accBeta2));
      firstMoment.assign(newFirstMoment);
      secondMoment.assign(newSecondMoment);
      const steps = tf.mul(tf.div(correctedFirst, tf.add(tf.sqrt(correctedSecond), this.epsilon)), -this.learningRate);
      const parts = variables.length === 1 ? [steps] : tf.split(steps, this.sizes);
      variables.forEach((variable, i) => {
        variable.assign(tf.add(tf.reshape(parts[i], variable.shape), variable));
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  override dispose(): void {
    tf.dispose([this.accBeta1, this.accBeta2]);
    tf.dispose([this.firstMoment, this.secondMoment].filter((v): v is tf.Variable => v !== null));
    this.firstMoment = null;
    this.secondMoment = null;
    this.names = null;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const moments = this.firstMoment === null ? [] : [this.firstMoment, this.secondMoment!];
    return [await this.saveIterations(), ...moments.map((tensor, i) => ({ name: i === 0 ? "m" : "v", tensor }))];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const [m, v] = await this.extractIterations(weightValues);
    tf.tidy(() => {
      this.accBeta1.assign(tf.pow(this.beta1, this.iterations + 1));
      this.accBeta2.assign(tf.pow(this.beta2, this.iterations + 1));
    });
    if (m !== undefined) {
      this.firstMoment?.dispose();
      this.secondMoment?.dispose();
      this.firstMoment = tf.variable(m.tensor, false);
      this.secondMoment = tf.variable(v.tensor, false);
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config.learningRate, config.beta1, config.beta2, config.epsilon);
  }
}
tf.serialization.registerClass(FusedAdam);

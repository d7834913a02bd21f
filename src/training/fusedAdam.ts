/**
 * Adam (Kingma & Ba 2015, Algorithm 1, as tfjs's `tf.train.adam` computes it) over
 * the variables of a model in few kernels: one kernel updates every variable and its
 * two moments on the wasm backend (`adamUpdate`, src/kernels/adam.ts), instead of
 * about fifteen kernels per variable. Per entry:
 *
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
 *   θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
 */
import * as tf from "@tensorflow/tfjs";
import { adamUpdate } from "../kernels/adam";
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
  /** The variables' names in the order of the first `applyGradients` call, and their moments. */
  private names: string[] | null = null;
  private firsts: tf.Variable[] = [];
  private seconds: tf.Variable[] = [];
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
   * in the same order, at every call.
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
      // tidy frees the zeros; the variables survive it.
      [this.firsts, this.seconds] = tf.tidy(() =>
        [0, 1].map(() => variables.map((variable) => tf.variable(tf.zerosLike(variable), false))),
      );
    } else if (names.length !== this.names.length || names.some((name, i) => name !== this.names![i])) {
      fail(
        "FusedAdam.applyGradients",
        "variableGradients",
        names,
        `gradients of [${this.names.join(", ")}] in this order`,
      );
    }
    tf.tidy(() => {
      const update = adamUpdate(
        variables,
        entries.map(([, gradient]) => gradient),
        this.firsts,
        this.seconds,
        tf.sub(1, this.accBeta1),
        tf.sub(1, this.accBeta2),
        this,
      );
      variables.forEach((variable, i) => {
        variable.assign(update.values[i]);
        this.firsts[i].assign(update.firsts[i]);
        this.seconds[i].assign(update.seconds[i]);
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  override dispose(): void {
    tf.dispose([this.accBeta1, this.accBeta2, ...this.firsts, ...this.seconds]);
    this.firsts = [];
    this.seconds = [];
    this.names = null;
  }

  /** The iteration count, then the first moments of the variables and their second moments, as `tf.train.adam`'s. */
  override async getWeights(): Promise<NamedTensor[]> {
    const names = this.names ?? [];
    const moments = [
      ...this.firsts.map((tensor, i) => ({ name: `${names[i]}/m`, tensor })),
      ...this.seconds.map((tensor, i) => ({ name: `${names[i]}/v`, tensor })),
    ];
    return [await this.saveIterations(), ...moments];
  }

  /** Restores `getWeights` of an optimizer that stepped the same variables (this one must have stepped them too). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const moments = await this.extractIterations(weightValues);
    const count = this.firsts.length;
    if (moments.length !== 2 * count) {
      fail("FusedAdam.setWeights", "weightValues", moments.length, `${2 * count} moments (two per variable)`);
    }
    tf.tidy(() => {
      this.accBeta1.assign(tf.pow(this.beta1, this.iterations + 1));
      this.accBeta2.assign(tf.pow(this.beta2, this.iterations + 1));
      moments.forEach(({ tensor }, k) => {
        (k < count ? this.firsts[k] : this.seconds[k - count]).assign(tensor);
      });
    });
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

/**
 * Adam (Kingma & Ba 2015, Algorithm 1, as tfjs's `tf.train.adam` computes it) over
 * the variables of a model in few kernels: the gradients of all small variables
 * (biases, log α, small kernels) are concatenated into one vector with one pair of
 * moment vectors, so that they take about a dozen kernels together, plus one split
 * and one add per variable, instead of about fourteen kernels each. A large variable
 * (more than `LARGE` entries) is updated on its own: splitting a vector on the wasm
 * backend copies the whole vector once per part (tfjs-wasm 4.22's slice reads its
 * input back), which costs more than the kernels saved. Per entry, θ ← θ + step with
 * the moments and step of `adamMoments` (src/kernels/adam.ts: one WebAssembly
 * kernel on the wasm backend):
 *
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
 *   θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
 */
import * as tf from "@tensorflow/tfjs";
import { adamMoments } from "../kernels/adam";
import { checkGreater, fail } from "../validate";

/** Variables with more entries than this are updated on their own (see above). */
const LARGE = 65536;

/** Variables updated together, with their moments as one vector each. */
interface Group {
  readonly indices: number[];
  readonly sizes: number[];
  readonly first: tf.Variable;
  readonly second: tf.Variable;
}

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
  /** The variables' names in the order of the first `applyGradients` call, and their groups. */
  private names: string[] | null = null;
  private groups: Group[] = [];
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
      const small = variables.map((_, i) => i).filter((i) => variables[i].size <= LARGE);
      const large = variables.map((_, i) => i).filter((i) => variables[i].size > LARGE);
      const sets = [...(small.length > 0 ? [small] : []), ...large.map((i) => [i])];
      this.groups = sets.map((indices) => {
        const sizes = indices.map((i) => variables[i].size);
        const total = sizes.reduce((a, b) => a + b, 0);
        // tidy frees the zeros; the variables survive it.
        const [first, second] = tf.tidy(() => [
          tf.variable(tf.zeros([total]), false),
          tf.variable(tf.zeros([total]), false),
        ]);
        return { indices, sizes, first, second };
      });
    } else if (names.length !== this.names.length || names.some((name, i) => name !== this.names![i])) {
      fail(
        "FusedAdam.applyGradients",
        "variableGradients",
        names,
        `gradients of [${this.names.join(", ")}] in this order`,
      );
    }
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, this.accBeta1) as tf.Scalar;
      const oneMinusAccBeta2 = tf.sub(1, this.accBeta2) as tf.Scalar;
      for (const { indices, sizes, first, second } of this.groups) {
        // A single variable's gradient is only reshaped (concatenating one tensor copies it).
        const vectors = indices.map((i) => tf.reshape(entries[i][1], [-1]) as tf.Tensor1D);
        const gradient = vectors.length === 1 ? vectors[0] : tf.concat(vectors);
        const [newFirst, newSecond, steps] = adamMoments(
          gradient,
          first as tf.Tensor as tf.Tensor1D,
          second as tf.Tensor as tf.Tensor1D,
          oneMinusAccBeta1,
          oneMinusAccBeta2,
          this,
        );
        first.assign(newFirst);
        second.assign(newSecond);
        const parts = indices.length === 1 ? [steps] : tf.split(steps, sizes);
        indices.forEach((i, k) => {
          variables[i].assign(tf.add(tf.reshape(parts[k], variables[i].shape), variables[i]));
        });
      }
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  override dispose(): void {
    tf.dispose([this.accBeta1, this.accBeta2, ...this.groups.flatMap((g) => [g.first, g.second])]);
    this.groups = [];
    this.names = null;
  }

  /** The iteration count, then the two moment vectors of each group. */
  override async getWeights(): Promise<NamedTensor[]> {
    const moments = this.groups.flatMap((g, k) => [
      { name: `m${k}`, tensor: g.first },
      { name: `v${k}`, tensor: g.second },
    ]);
    return [await this.saveIterations(), ...moments];
  }

  /** Restores `getWeights` of an optimizer that stepped the same variables (this one must have stepped them too). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const moments = await this.extractIterations(weightValues);
    if (moments.length !== 2 * this.groups.length) {
      fail("FusedAdam.setWeights", "weightValues", moments.length, `${2 * this.groups.length} moment vectors`);
    }
    tf.tidy(() => {
      this.accBeta1.assign(tf.pow(this.beta1, this.iterations + 1));
      this.accBeta2.assign(tf.pow(this.beta2, this.iterations + 1));
      this.groups.forEach((g, k) => {
        g.first.assign(moments[2 * k].tensor);
        g.second.assign(moments[2 * k + 1].tensor);
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

/** The element-wise activations the L0 layers accept, by their Keras/tfjs names. */
import * as tf from "@tensorflow/tfjs";
import { fail } from "../validate";

/** Activation names understood by `L0Dense` and `L0Conv2D`. */
export const ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax", "elu"] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Checks that `name` is one of `ACTIVATIONS`. */
export function checkActivation(where: string, name: unknown): ActivationName {
  if (!ACTIVATIONS.includes(name as ActivationName))
    fail(where, "activation", name, `one of ${ACTIVATIONS.join(", ")}`);
  return name as ActivationName;
}

/** Applies the named activation (softmax over the last axis). */
export function applyActivation(x: tf.Tensor, name: ActivationName): tf.Tensor {
  switch (name) {
    case "linear":
      return x;
    case "relu":
      return tf.relu(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "tanh":
      return tf.tanh(x);
    case "softmax":
      return tf.softmax(x);
    case "elu":
      return tf.elu(x);
  }
}

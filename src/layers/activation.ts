/**
 * Activations of the L0 layers, taken from tfjs's own activation registry (the
 * one `tf.layers.dense({ activation })` uses), so every name tfjs accepts works
 * here and custom activations registered with `tf.serialization.registerClass` too.
 */
import * as tf from "@tensorflow/tfjs";
import { fail } from "../validate";

/** An activation identifier tfjs accepts (`"relu"`, `"gelu"`, `"softmax"`, …). */
export type ActivationIdentifier = Parameters<typeof tf.layers.activation>[0]["activation"];

/** A resolved activation: its identifier and a function applying it. */
export interface Activation {
  readonly identifier: ActivationIdentifier;
  apply(x: tf.Tensor): tf.Tensor;
}

/**
 * Resolves `identifier` through tfjs (a `tf.layers.activation` layer holds it and
 * applies it); an unknown name is an error naming `where` and the parameter.
 */
export function resolveActivation(where: string, identifier: unknown): Activation {
  if (typeof identifier !== "string") fail(where, "activation", identifier, "the name of a tfjs activation");
  let layer: tf.layers.Layer;
  try {
    layer = tf.layers.activation({ activation: identifier as ActivationIdentifier });
  } catch {
    return fail(
      where,
      "activation",
      identifier,
      'the name of a tfjs activation (e.g. "linear", "relu", "gelu", "softmax")',
    );
  }
  return {
    identifier: identifier as ActivationIdentifier,
    apply: (x) => layer.call(x, {}) as tf.Tensor,
  };
}

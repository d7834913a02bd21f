/**
 * Weight initialisers of the L0 layers: any tfjs initialiser (an object, its
 * name, or its serialised `{ className, config }`), and the authors' default for
 * kernels (Louizos, Welling & Kingma 2018, code: `kaiming_normal`).
 */
import * as tf from "@tensorflow/tfjs";
import { fail } from "../validate";

/** A tfjs initialiser object (what `tf.initializers.*` return). */
export type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** What the `kernelInitializer` and `biasInitializer` options accept. */
export type InitializerIdentifier =
  | Parameters<typeof tf.layers.dense>[0]["kernelInitializer"]
  | { className: string; config: tf.serialization.ConfigDict };

/**
 * The authors' kernel initialiser: He-normal on the fan-in, an (untruncated)
 * normal with standard deviation √(2 / fanIn), where fanIn is the number of inputs
 * of a dense layer and kh·kw·(input channels) of a convolution. The authors call
 * `kaiming_normal(mode='fan_out')` on their dense kernel of shape (in, out), whose
 * "fan_out" in PyTorch's convention is `in`, and `mode='fan_in'` on their
 * convolution kernels (out, in, kh, kw): both give √(2 / fanIn). (tfjs's
 * `heNormal` truncates at two standard deviations, which shrinks the spread by
 * about 12%, so a plain normal is used.)
 */
export function authorsKernelInitializer(fanIn: number, seed: number): Initializer {
  return tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fanIn), seed });
}

function isInitializer(value: unknown): value is Initializer {
  return typeof value === "object" && value !== null && typeof (value as Initializer).apply === "function";
}

/**
 * The tfjs initialiser for `identifier`: an initialiser object as given; a name
 * (`"heNormal"`, `"glorotUniform"`, `"zeros"`, … the names of `tf.initializers`)
 * made with `seed`; a serialised `{ className, config }` rebuilt through tfjs's
 * serialisation registry. Anything else is an error naming `where` and `name`.
 */
export function resolveInitializer(where: string, name: string, identifier: unknown, seed: number): Initializer {
  if (isInitializer(identifier)) return identifier;
  const factories = tf.initializers as unknown as Record<string, (args: object) => Initializer>;
  if (typeof identifier === "string") {
    if (!Object.hasOwn(factories, identifier)) {
      fail(where, name, identifier, `a tfjs initializer or one of its names (${Object.keys(factories).join(", ")})`);
    }
    return factories[identifier]({ seed });
  }
  if (typeof identifier === "object" && identifier !== null && "className" in identifier) {
    const { className, config } = identifier as { className: string; config?: tf.serialization.ConfigDict };
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
    if (entry !== undefined) {
      const made = entry[1](entry[0], config ?? {});
      if (isInitializer(made)) return made;
    }
    fail(where, `${name}.className`, className, "the class name of a registered tfjs initializer");
  }
  return fail(where, name, identifier, "a tfjs initializer, its name or its { className, config }");
}

/** The serialised form of an initialiser option for `getConfig` (a name stays a name). */
export function serializeInitializer(identifier: unknown): tf.serialization.ConfigDictValue {
  if (isInitializer(identifier)) return { className: identifier.getClassName(), config: identifier.getConfig() };
  return (identifier ?? null) as tf.serialization.ConfigDictValue;
}

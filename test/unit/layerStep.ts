/**
 * A test helper (not library code): the kernels one training step of a small
 * L0Dense layer runs, as `tf.profile` names them, after checking that the step
 * leaves no tensor behind. The kernel tests use it to show that the layer runs
 * their kernel, not the tfjs chain it replaces.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { l0Dense } from "l0-hard-concrete";

/** The kernel names of one gradient step of an L0Dense layer (`units` outputs, `inputs` inputs, batch 16). */
export async function kernelsOfL0DenseStep(units: number, inputs: number, seed: number): Promise<string[]> {
  const layer = l0Dense({ units, inputShape: [inputs], seed });
  const model = tf.sequential({ layers: [layer] });
  const x = tf.randomNormal([16, inputs], 0, 1, "float32", seed + 1);
  const variables = [layer.logAlpha, layer.kernelVariable].map((v) => v.read() as tf.Variable);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor), variables);
    tf.dispose([value, grads]);
  };
  step();
  const before = tf.memory().numTensors;
  const profile = await tf.profile(step);
  assert.equal(tf.memory().numTensors, before, "the step leaves tensors behind");
  tf.dispose(x);
  model.dispose();
  return profile.kernels.map((k) => k.name);
}

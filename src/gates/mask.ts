/**
 * Applying gates: θ = θ̃ ⊙ z (Louizos et al. 2018, Sec. 2.1), elementwise or with one
 * gate per group (an input neuron of a dense layer, an output channel of a
 * convolution, as in the authors' code). Gradients flow to both factors.
 */
import * as tf from "@tensorflow/tfjs";
import { checkAxis, checkShape, checkTensor } from "./checks";

/**
 * x ⊙ mask, elementwise: weights or activations times gates of exactly the same
 * shape (Louizos et al. 2018, Sec. 2.1: θ = θ̃ ⊙ z).
 */
export function applyMask(x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  checkTensor("applyMask", "x", x);
  checkTensor("applyMask", "mask", mask);
  checkShape("applyMask", "mask", mask, x.shape, "the shape of x");
  return tf.tidy(() => tf.mul(x, mask));
}

/**
 * Group gating: multiplies every slice of `weights` at index g along `axis` by
 * gates[g] (Louizos et al. 2018, Sec. 2.4: group sparsity; the authors'
 * code gates the input neurons of dense layers, axis 0 of a [in, out] kernel,
 * and the output feature maps of convolutions, axis 3 of a tfjs [h, w, in, out]
 * kernel). `gates` must be rank 1 of length weights.shape[axis]; `axis` may be
 * negative (counted from the end).
 */
export function applyGroupMask(weights: tf.Tensor, gates: tf.Tensor, axis: number): tf.Tensor {
  checkTensor("applyGroupMask", "weights", weights);
  checkTensor("applyGroupMask", "gates", gates);
  const dim = checkAxis("applyGroupMask", axis, weights.rank);
  checkShape("applyGroupMask", "gates", gates, [weights.shape[dim]], `one gate per index of weights along axis ${dim}`);
  const shape = weights.shape.map((d, i) => (i === dim ? d : 1));
  return tf.tidy(() => tf.mul(weights, tf.reshape(gates, shape)));
}

/** Evaluation of a classifier with its test-time gates (Louizos et al. 2018, Eq. 13 by default). */
import * as tf from "@tensorflow/tfjs";
import { checkTensor } from "../gates/checks";
import { fail } from "../validate";

/**
 * The classification error (share of examples whose arg-max output differs from
 * the label) of `model` in inference mode, (1/n) Σᵢ 1[arg max f(xᵢ) ≠ yᵢ]. `x` holds
 * the inputs, `labels` integer classes (rank 1) or one-hot rows (rank 2); the
 * examples are run `batchSize` (an integer ≥ 1) at a time, each chunk as one call of
 * `model.apply` in inference mode. Not `model.predict`: it cuts its input again into
 * batches, of 32 rows unless told otherwise (its `predictLoop`; on the wasm backend
 * 324 ms for 1,000 rows of the 784-300-100-10 MLP against 52 ms in one batch), and
 * each batch is a `tf.slice`, a copy of its rows (1 to 4 ms per 1,000 rows of 784 on
 * the wasm backend), even when one batch holds them all. A set that is one chunk is
 * not cut at all. The default, 2,000, holds the course's held-out digits in one batch
 * while keeping a convolutional network's activations for one chunk in the tens of
 * megabytes (a LeNet-5's first layer: 92 MB for 2,000 digits); larger sets are cut.
 * An empty `x` is an error: an empty test set has no error rate.
 */
export function classificationError(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor, batchSize = 2000): number {
  const where = "classificationError";
  checkTensor(where, "x", x);
  checkTensor(where, "labels", labels);
  if (!Number.isInteger(batchSize) || batchSize < 1) fail(where, "batchSize", batchSize, "an integer ≥ 1");
  const n = x.shape[0];
  if (!(n >= 1)) fail(where, "x", x, "a tensor of rank ≥ 1 with at least one example (an empty set has no error rate)");
  if (labels.shape[0] !== n) fail(where, "labels", labels, `${n} rows, one per example of x`);
  if (labels.rank !== 1 && labels.rank !== 2) {
    fail(where, "labels", labels, "a tensor of rank 1 (classes) or 2 (one-hot rows)");
  }
  let wrong = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    wrong += tf.tidy(() => {
      const [xb, yb] = size === n ? [x, labels] : [tf.slice(x, start, size), tf.slice(labels, start, size)];
      const truth = yb.rank === 2 ? tf.argMax(yb, 1) : yb;
      const predicted = tf.argMax(model.apply(xb, { training: false }) as tf.Tensor, -1);
      return tf.sum(tf.cast(tf.notEqual(predicted, tf.cast(truth, "int32")), "int32")).dataSync()[0];
    });
  }
  return wrong / n;
}

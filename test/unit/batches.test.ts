// trainL0's minibatches, cut from a host copy of the data (src/training/batches.ts):
// the same tensors as tfjs's gather, for every dtype and rank the data may have.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "l0-hard-concrete";
import { HostBatches } from "l0-hard-concrete/internal/training/batches";

before(async () => {
  await useBackend();
});

test("a batch holds the rows tf.gather picks, in the order asked, with the data's shape and dtype", () => {
  const data = {
    x: tf.randomNormal([13, 4, 3, 2], 0, 1, "float32", 7), // images, channels last
    y: tf.randomUniform([13, 5], -50, 50, "int32", 8),
  };
  const batches = new HostBatches(data);
  for (const indices of [[3, 0, 12, 3], [12], Array.from({ length: 13 }, (_, i) => 12 - i)]) {
    const { x, y } = batches.batch(Int32Array.from(indices));
    for (const [name, got, source] of [
      ["x", x, data.x],
      ["y", y, data.y],
    ] as const) {
      const want = tf.gather(source, indices);
      assert.deepEqual(got.shape, want.shape, `${name}'s shape for rows ${indices}`);
      assert.equal(got.dtype, source.dtype, `${name}'s dtype`);
      assert.deepEqual(got.arraySync(), want.arraySync(), `${name}'s rows ${indices}`);
      tf.dispose([got, want]);
    }
  }
  tf.dispose([data.x, data.y]);
});

test("labels of rank 1 (one number per example) come out of rank 1", () => {
  const data = {
    x: tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
    y: tf.tensor1d([0.5, 1.5, 2.5]),
  };
  const { x, y } = new HostBatches(data).batch([2, 0]);
  assert.deepEqual(
    [x.arraySync(), y.arraySync()],
    [
      [
        [5, 6],
        [1, 2],
      ],
      [2.5, 0.5],
    ],
  );
  tf.dispose([x, y, data.x, data.y]);
});

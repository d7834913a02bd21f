/**
 * Minibatches assembled in host memory. `trainL0` used to cut each minibatch with
 * `tf.gather(data.x, indices)`; on the tfjs wasm backend (4.22) that kernel took
 * about 4 ms for 100 rows of 784 floats (and the labels' gather about 2 ms more),
 * a fifth of a training step of the 784-300-100-10 MLP, while copying the same rows
 * out of a host copy of the data and making a tensor of them takes a fraction of a
 * millisecond. The price is one read of the data from the device and one host copy
 * of it while training runs.
 */
import * as tf from "@tensorflow/tfjs";
import type { TensorData } from "./train";

/** Host copy of one tensor, cut into rows along its first axis. */
class HostRows {
  private readonly values: tf.TypedArray;
  private readonly rowSize: number;
  private readonly rowShape: number[];
  private readonly dtype: tf.DataType;

  constructor(tensor: tf.Tensor) {
    this.values = tensor.dataSync() as tf.TypedArray;
    this.rowShape = tensor.shape.slice(1);
    this.rowSize = this.rowShape.reduce((size, d) => size * d, 1);
    this.dtype = tensor.dtype;
  }

  /** The rows at `indices` as a new tensor of shape [indices.length, ...rowShape]. */
  gather(indices: ArrayLike<number>): tf.Tensor {
    const { values, rowSize } = this;
    const out = new (values.constructor as { new (length: number): tf.TypedArray })(indices.length * rowSize);
    for (let k = 0; k < indices.length; k++) {
      const start = indices[k] * rowSize;
      out.set(values.subarray(start, start + rowSize), k * rowSize);
    }
    return tf.tensor(out, [indices.length, ...this.rowShape], this.dtype);
  }
}

/**
 * The examples of `data` (x and y, one example per row of the first axis), read
 * from the device once; `batch(indices)` returns the same tensors as
 * `tf.gather(data.x, indices)` and `tf.gather(data.y, indices)` (library-internal).
 */
export class HostBatches {
  private readonly x: HostRows;
  private readonly y: HostRows;

  constructor(data: TensorData) {
    this.x = new HostRows(data.x);
    this.y = new HostRows(data.y);
  }

  /** The examples at `indices` (integers in [0, n)), in that order; the caller disposes the tensors. */
  batch(indices: ArrayLike<number>): TensorData {
    return { x: this.x.gather(indices), y: this.y.gather(indices) };
  }
}

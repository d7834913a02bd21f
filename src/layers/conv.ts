/**
 * A 2-D convolution that can be trained on every tfjs backend. The wasm backend
 * of tfjs 4.22 has no Conv2DBackpropFilter kernel, so tf.conv2d cannot be
 * differentiated with respect to its filter there; on such a backend the
 * convolution is computed as a matrix product of image patches (im2col) with the
 * reshaped filter, whose gradients use only slices, concatenation and matrix products.
 */
import * as tf from "@tensorflow/tfjs";
import { matMulFastGradient } from "./matMul";

/** The kh·kw shifted (and strided) views of `x` [batch, h, w, c] stacked on the channel axis. */
function patches(
  x: tf.Tensor4D,
  kernel: [number, number],
  strides: [number, number],
  padding: "valid" | "same",
): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const [kh, kw] = kernel;
  const [sh, sw] = strides;
  const outH = padding === "same" ? Math.ceil(height / sh) : Math.ceil((height - kh + 1) / sh);
  const outW = padding === "same" ? Math.ceil(width / sw) : Math.ceil((width - kw + 1) / sw);
  // Pad so that every shifted window of size (sh·outH, sw·outW) exists.
  const needH = sh * (outH - 1) + kh;
  const needW = sw * (outW - 1) + kw;
  const top = padding === "same" ? Math.floor(Math.max(needH - height, 0) / 2) : 0;
  const left = padding === "same" ? Math.floor(Math.max(needW - width, 0) / 2) : 0;
  const bottom = Math.max(sh * outH + kh - 1 - height - top, 0);
  const right = Math.max(sw * outW + kw - 1 - width - left, 0);
  const padded =
    top + bottom + left + right > 0
      ? tf.pad(x, [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ])
      : x;
  const views: tf.Tensor4D[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      let view: tf.Tensor = tf.slice(padded, [0, i, j, 0], [batch, sh * outH, sw * outW, channels]);
      if (sh > 1 || sw > 1) {
        view = tf.slice(
          tf.reshape(view, [batch, outH, sh, outW, sw, channels]),
          [0, 0, 0, 0, 0, 0],
          [batch, outH, 1, outW, 1, channels],
        );
      }
      views.push(tf.reshape(view, [batch, outH, outW, channels]) as tf.Tensor4D);
    }
  }
  return tf.concat(views, 3);
}

/**
 * conv2d(x, filter) with channels-last x [batch, h, w, c] and filter [kh, kw, c, f],
 * differentiable in both on every backend (see above).
 */
export function trainableConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  padding: "valid" | "same",
): tf.Tensor4D {
  if (tf.getKernel("Conv2DBackpropFilter", tf.getBackend()) !== undefined) {
    return tf.conv2d(x, filter, strides, padding);
  }
  return tf.tidy(() => {
    const [kh, kw, c, f] = filter.shape;
    const columns = patches(x, [kh, kw], strides, padding);
    const [batch, outH, outW, depth] = columns.shape;
    const flat = tf.reshape(columns, [batch * outH * outW, depth]) as tf.Tensor2D;
    const product = matMulFastGradient(flat, tf.reshape(filter, [kh * kw * c, f]) as tf.Tensor2D);
    return tf.reshape(product, [batch, outH, outW, f]) as tf.Tensor4D;
  });
}

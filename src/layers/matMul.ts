/**
 * Matrix products whose backward pass avoids transposed products. On the tfjs
 * wasm backend (4.22) a product with transposeA or transposeB set runs about ten
 * times slower than a plain one, and the standard gradient of C = A·B uses both
 * (∂A = ∂C·Bᵀ, ∂B = Aᵀ·∂C). Transposing explicitly first costs far less.
 */
import * as tf from "@tensorflow/tfjs";

/** The gradient of C = A·B for rank-2 A and B, with explicit transposes: ∂A = ∂C·Bᵀ, ∂B = Aᵀ·∂C. */
function gradients(dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return [tf.matMul(dy, tf.transpose(b)), tf.matMul(tf.transpose(a), dy)];
}

const product = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradients(dy, saved[0], saved[1]),
  };
});

/** A·B for rank-2 tensors, with the fast backward pass described above (same values and gradients as tf.matMul). */
export function matMulFastGradient(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return product(a, b) as tf.Tensor2D;
}

let registered = false;

/**
 * Replaces tfjs's gradient of the BatchMatMul kernel (used by tf.matMul and the
 * tf.layers dense layers) by one built from explicit transposes and plain
 * products, for rank-2 operands (others keep tfjs's gradient); the values are the
 * same. This changes tfjs's global gradient registry for the whole process, so
 * it is opt-in: call it once to speed up training of plain tfjs models on the
 * wasm backend (the L0 layers do not need it). Calling it again does nothing.
 */
export function registerFastMatMulGradient(): void {
  if (registered) return;
  registered = true;
  const original = tf.getGradient(tf.BatchMatMul);
  tf.registerGradient({
    ...original,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [a, b] = saved;
      if (a.rank !== 2 || b.rank !== 2) return original.gradFunc(dy, saved, attrs);
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const g = dy as tf.Tensor2D;
      const A = transposeA ? tf.transpose(a) : a;
      const B = transposeB ? tf.transpose(b) : b;
      // With C = op(a)·op(b): ∂op(a) = ∂C·op(b)ᵀ, ∂op(b) = op(a)ᵀ·∂C, transposed back where op transposed.
      return {
        a: () => (transposeA ? tf.matMul(B, tf.transpose(g)) : tf.matMul(g, tf.transpose(B))),
        b: () => (transposeB ? tf.matMul(tf.transpose(g), A) : tf.matMul(tf.transpose(A), g)),
      };
    },
  });
}

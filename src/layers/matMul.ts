/**
 * Matrix products whose backward pass avoids transposed products. On the tfjs
 * wasm backend (4.22) a product with transposeA or transposeB set runs about ten
 * times slower than a plain one, and the standard gradient of C = A·B uses both
 * (∂A = ∂C·Bᵀ, ∂B = Aᵀ·∂C). Here ∂A transposes B first, and ∂B and the product
 * itself run the library's product kernel on the wasm backend (../kernels/matMul.ts:
 * no copy of either operand; the same values).
 */
import * as tf from "@tensorflow/tfjs";
import { product, registerProductAs, routeBatchMatMul } from "../kernels/matMul";

/**
 * The kernel behind `matMulFastGradient`, whose gradient for C = A·B (rank 2) is
 * ∂A = ∂C·(Bᵀ), ∂B = Aᵀ·∂C, computed by `product`. On the wasm backend it is the
 * library's product kernel, elsewhere the backend's own BatchMatMul registered
 * under a second name, so that it can carry the gradient above. tfjs calls a
 * kernel's gradient per input, only for inputs on the path to the variables, so
 * the product of a model's first layer never computes the gradient of its input
 * (∂A = ∂C·Bᵀ, the largest product of the backward pass of a 784-input layer).
 */
const KERNEL = "L0MatMul";

registerProductAs(KERNEL);

tf.registerGradient({
  kernelName: KERNEL,
  inputsToSave: ["a", "b"],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [a, b] = saved as tf.Tensor2D[];
    return {
      a: () => tf.tidy(() => product(dy as tf.Tensor2D, tf.transpose(b))),
      b: () => product(a, dy as tf.Tensor2D, true),
    };
  },
});

/** Registers `KERNEL` for `backend` from its BatchMatMul, once (the wasm backend has its own, above). */
function registerKernelFor(backend: string): void {
  if (tf.getKernel(KERNEL, backend) !== undefined) return;
  const base = tf.getKernel(tf.BatchMatMul, backend);
  if (base === undefined) throw new Error(`matMulFastGradient: backend ${backend} has no BatchMatMul kernel`);
  tf.registerKernel({ ...base, kernelName: KERNEL });
}

/**
 * A·B for rank-2 float32 tensors, with the fast backward pass described above
 * (same values and gradients as tf.matMul; an input's gradient only when needed).
 */
export function matMulFastGradient(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[0]) {
    throw new Error(`matMulFastGradient: inner dimensions must agree, got shapes ${a.shape} and ${b.shape}`);
  }
  registerKernelFor(tf.getBackend());
  return tf.engine().runKernel(KERNEL, { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor2D;
}

let registered = false;

/**
 * Faster matrix products for plain tfjs models, with the same values: on the wasm
 * backend, tfjs's BatchMatMul kernel (tf.matMul, and the tf.layers dense layers while
 * training) runs the library's product kernel for rank-2 float32 products without
 * transposes (../kernels/matMul.ts: the same bits, without XNNPACK's repacking of
 * weights that change at every step), and on every backend tfjs's gradient of
 * BatchMatMul is built from explicit transposes and `product`, for rank-2 operands
 * (others keep tfjs's gradient). This changes tfjs's global kernel and gradient
 * registries for the whole process, so it is opt-in: call it once, after the backend
 * is set (`useBackend`), to speed up training of plain tfjs models (the L0 layers do
 * not need it). Calling it again does nothing.
 */
export function registerFastMatMul(): void {
  if (registered) return;
  registered = true;
  routeBatchMatMul();
  const original = tf.getGradient(tf.BatchMatMul);
  tf.registerGradient({
    ...original,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [a, b] = saved as tf.Tensor2D[];
      if (a.rank !== 2 || b.rank !== 2) return original.gradFunc(dy, saved, attrs);
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const g = dy as tf.Tensor2D;
      const A = transposeA ? tf.transpose(a) : a;
      const B = transposeB ? tf.transpose(b) : b;
      // With C = op(a)·op(b): ∂op(a) = ∂C·op(b)ᵀ, ∂op(b) = op(a)ᵀ·∂C, transposed back where op transposed.
      return {
        a: () => tf.tidy(() => (transposeA ? product(B, tf.transpose(g)) : product(g, tf.transpose(B)))),
        b: () => (transposeB ? product(g, A, true) : product(A, g, true)),
      };
    },
  });
}

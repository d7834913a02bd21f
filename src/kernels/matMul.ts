/**
 * Matrix products C = A·B and C = Aᵀ·B of rank-2 float32 tensors that read their
 * operands where they are. On the wasm backend they are one kernel, `L0Product`
 * (matMul.wat, compiled with wabt by the build), which sums every entry in
 * XNNPACK's order (the GEMM behind tfjs-backend-wasm's BatchMatMul), so the same
 * bits as `tf.matMul`; what it avoids is the backend's copies. tfjs-backend-wasm
 * (4.22) hands XNNPACK a product's right operand to pack once per tensor, and a
 * layer's weights, or its gated weights, are a new tensor at every training step,
 * so each step repacked them: 1.3 of 3.4 ms for the MLP's 100×784 by 784×300
 * product. And its products with a transposed operand run a scalar loop, about
 * ten times slower, so Aᵀ·B was a transpose and then a product. It also leaves
 * out, with the same bits, the k whose terms are all ±0: the rows of diag(z)·W
 * whose gate is closed, where the other operand is finite (see matMul.wat), so a
 * sparse L0 layer's product costs what its open rows cost; and the rows of op(A)
 * that are all ±0 where B is finite (a pixel that is 0 in every example of the
 * minibatch, in the kernel's gradient Xᵀ·δ of a first layer), whose rows of C are +0.
 * Where op(A) is mostly ±0 (a minibatch of digits, about a quarter of whose pixels are
 * not 0) and B finite, it sums each row over its entries that are not ±0 only, with the
 * same bits: 100×784 digits by 784×300 in 0.72 of the time, their Xᵀ·δ in 0.64,
 * 2,000 digits in 0.37 (in one process, alternating with the kernel before).
 *
 * Other backends, and a wasm backend whose memory this module cannot import (a
 * threaded build's shared memory), run `tf.matMul` (of `tf.transpose(A)` for Aᵀ·B).
 */
import * as tf from "@tensorflow/tfjs";
import { MATMUL_WASM_BASE64 } from "./matMulWasm";
import { offsetOf, registerWasmKernel, type WasmKernelBody } from "./wasmModule";

const KERNEL = "L0Product";

/** matMul.wat's export: byte offsets of A, B and C, then M, N, K, the byte steps of op(A)'s rows and of k, and its scratch (see the body). */
type ProductFunction = (...args: number[]) => void;

/** The kernel's body: op(A)·B into a new output, op = transpose when `transposeA`. */
const body: WasmKernelBody = (exports, wasm, { a, b }, attrs) => {
  const { transposeA } = attrs as unknown as { transposeA: boolean };
  const [K, N] = b.shape;
  const M = transposeA ? a.shape[1] : a.shape[0];
  // The output first: allocating may grow the memory, which moves nothing (offsets stay valid).
  const out = wasm.makeOutput([M, N], "float32");
  // op(A)'s entry (i, k) is at i·aRow + k·aK bytes: A is M×K, or K×M read transposed.
  const [aRow, aK] = transposeA ? [4, 4 * M] : [4 * K, 4];
  // Scratch, the larger of the tiles' and the sparse path's (matMul.wat): the list of the k whose
  // terms can be non-zero (K int32) and their rows of B, then the list of op(A)'s rows that are not
  // all ±0 (M int32), those rows (M×K) and their product (M×N); or M + 1 int32, K bytes rounded up
  // to eight and up to M·K pairs of 8 bytes.
  const tiles = 4 * (Math.max(K, 1) * (1 + N) + M * (1 + K + N));
  const sparse = 4 * (M + 1) + 8 * Math.ceil(K / 8) + 8 * M * K;
  const scratch = wasm.wasm._malloc(Math.max(tiles, sparse));
  (exports.matMul as ProductFunction)(
    offsetOf(wasm, a),
    offsetOf(wasm, b),
    offsetOf(wasm, out),
    M,
    N,
    K,
    aRow,
    aK,
    scratch,
  );
  wasm.wasm._free(scratch);
  return out;
};

/** True when `product` runs the WebAssembly kernel on the current backend. */
export const productKernelActive = registerWasmKernel(KERNEL, MATMUL_WASM_BASE64, body);

/**
 * Registers `kernelName` for the wasm backend as this kernel for A·B of rank-2
 * float32 tensors (inputs `a`, `b`; `transposeA` and `transposeB` false), or the
 * backend's BatchMatMul where the kernel cannot run: how the L0 layers' product,
 * which carries its own gradient, runs on the wasm backend.
 */
export function registerProductAs(kernelName: string): void {
  const batchMatMul: tf.KernelFunc = (args) => tf.getKernel(tf.BatchMatMul, "wasm")!.kernelFunc(args);
  registerWasmKernel(kernelName, MATMUL_WASM_BASE64, body, undefined, batchMatMul);
}

/**
 * Makes tfjs's own BatchMatMul kernel on the wasm backend run this kernel for
 * rank-2 float32 products without transposes (the same bits) and tfjs's kernel
 * for every other product, so that plain tfjs layers stop repacking their weights
 * at every training step. Changes tfjs's kernel registry for the whole process
 * (see `registerFastMatMul` in ../layers/matMul.ts, which calls it); does nothing
 * when the wasm backend's kernels are not registered.
 */
export function routeBatchMatMul(): void {
  const original = tf.getKernel(tf.BatchMatMul, "wasm");
  const fast = tf.getKernel(KERNEL, "wasm");
  if (original === undefined || fast === undefined) return;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const plain = a.shape.length === 2 && b.shape.length === 2 && !transposeA && !transposeB;
      return plain && a.dtype === "float32" && b.dtype === "float32" && productKernelActive()
        ? fast.kernelFunc({ ...args, attrs: { transposeA: false } })
        : original.kernelFunc(args);
    },
  });
}

/** op(A)·B as tfjs kernels (the formulation the kernel must equal). */
export function productChain(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false): tf.Tensor2D {
  return transposeA ? tf.tidy(() => tf.matMul(tf.transpose(a), b)) : tf.matMul(a, b);
}

/**
 * A·B, or Aᵀ·B with `transposeA`, for rank-2 float32 tensors whose inner
 * dimensions agree: one WebAssembly kernel on the wasm backend, `productChain`
 * elsewhere; the same values. No gradient: the L0 layers' product (../layers/matMul.ts)
 * runs it forward and backward.
 */
export function product(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false): tf.Tensor2D {
  const inner = transposeA ? a.shape[0] : a.shape[1];
  if (a.rank !== 2 || b.rank !== 2 || inner !== b.shape[0]) {
    throw new Error(
      `product: inner dimensions must agree, got shapes ${a.shape}${transposeA ? " (transposed)" : ""} and ${b.shape}`,
    );
  }
  if (!productKernelActive() || a.dtype !== "float32" || b.dtype !== "float32") return productChain(a, b, transposeA);
  return tf.engine().runKernel(KERNEL, { a, b }, { transposeA }) as tf.Tensor2D;
}

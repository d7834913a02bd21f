/**
 * The matrix product's WebAssembly kernel (src/kernels/matMul.wat, run by
 * src/kernels/matMul.ts): on the wasm backend it must run (not fall back to
 * tf.matMul), give tf.matMul's bits, A·B and Aᵀ·B, for every shape around its
 * four-row and eight-column tiles and for special values, after the backend's
 * memory has grown, be what the L0 layers' product runs forward and backward, and
 * leave no tensor behind. This file selects the wasm backend itself, so it tests
 * the kernel on every machine.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { registerFastMatMul, useBackend } from "l0-hard-concrete";
import { product, productChain, productKernelActive } from "l0-hard-concrete/internal/kernels/matMul";
import { matMulFastGradient } from "l0-hard-concrete/internal/layers/matMul";
import { firstDifferent } from "./bits";
import { kernelsOfL0DenseStep } from "./layerStep";

before(async () => {
  await useBackend("wasm");
});

/** Where kernel and chain differ for op(A)·B with A and B as given ("" when they agree). */
function difference(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean): string {
  const [kernel, chain] = tf.tidy(() => [product(a, b, transposeA), productChain(a, b, transposeA)]);
  const [k, c] = [kernel.dataSync() as Float32Array, chain.dataSync() as Float32Array];
  tf.dispose([kernel, chain]);
  assert.deepEqual(kernel.shape, chain.shape);
  const at = firstDifferent(k, c);
  return at === -1 ? "" : `${a.shape}${transposeA ? "ᵀ" : ""} · ${b.shape}, entry ${at}: ${k[at]} vs ${c[at]}`;
}

/** A normal M×N matrix from `seed`. */
const normal = (rows: number, columns: number, seed: number): tf.Tensor2D =>
  tf.randomNormal([rows, columns], 0, 1, "float32", seed);

describe("the matrix product's WebAssembly kernel", () => {
  test("runs on the wasm backend", () => {
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(productKernelActive(), "matMul.wat could not be instantiated on the wasm backend's memory");
  });

  test("gives tf.matMul's bits, A·B and Aᵀ·B, for shapes around its 4×8 tiles, its blocks of 128 rows and chunks of 128 k, and the MLP's", () => {
    let seed = 0;
    for (const M of [1, 2, 3, 4, 5, 7, 8, 9, 13, 100, 131, 259]) {
      for (const N of [1, 3, 4, 5, 8, 9, 12, 13, 17, 300]) {
        for (const K of [1, 2, 5, 33, 128, 129, 257, 784]) {
          if (M * N * K > 2e6 && !(M === 100 && N === 300)) continue; // the large products: the MLP's only
          tf.tidy(() => {
            const [a, b] = [normal(M, K, ++seed), normal(K, N, ++seed)];
            assert.equal(difference(a, b, false), "");
            assert.equal(difference(tf.transpose(a), b, true), "");
          });
        }
      }
    }
  });

  test("gives tf.matMul's bits for NaN, infinities, signed zeros, subnormals and overflow", () => {
    const specials = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-40, 3e38, -3e38, 1, -2.5, 1e-20];
    // Every special times every special, in sums of one to three products (the second and third rows of B
    // hold the specials in other orders).
    const n = specials.length;
    const a = tf.tensor2d(
      specials.flatMap((x, i) => [x, specials[(i + 5) % n], specials[(i + 7) % n]]),
      [n, 3],
    );
    const b = tf.tensor2d(
      [...specials, ...specials.map((_, j) => specials[(j + 3) % n]), ...[...specials].reverse()],
      [3, n],
    );
    for (const K of [1, 2, 3]) {
      tf.tidy(() => {
        const [aK, bK] = [tf.slice(a, [0, 0], [n, K]), tf.slice(b, [0, 0], [K, n])];
        assert.equal(difference(aK as tf.Tensor2D, bK as tf.Tensor2D, false), "", `K = ${K}`);
        assert.equal(difference(tf.transpose(aK) as tf.Tensor2D, bK as tf.Tensor2D, true), "", `K = ${K}`);
      });
    }
    tf.dispose([a, b]);
  });

  test("gives tf.matMul's bits where rows of B or columns of op(A) are all ±0 (the terms it leaves out)", () => {
    // Zero rows of B (a closed gate's row of diag(z)·W) and zero columns of A (a pixel that is 0 in
    // every example), -0 among them, some facing a NaN or an infinity (whose terms are NaN, not 0):
    // from none to all of K, so that the kernel takes both of its paths.
    const specials = [Number.NaN, Infinity, -Infinity, 3e38];
    let seed = 100;
    for (const [M, N, K] of [
      [4, 8, 8],
      [9, 13, 33],
      [5, 17, 16],
      [100, 300, 784],
      [12, 8, 1],
      [8, 16, 300],
      [259, 13, 300],
    ]) {
      for (const closed of [0, 0.1, 0.5, 0.9, 1]) {
        tf.tidy(() => {
          const random = () => Math.abs(Math.sin(++seed * 12.9898) * 43758.5453) % 1;
          const a = normal(M, K, ++seed).arraySync();
          const b = normal(K, N, ++seed).arraySync();
          for (let k = 0; k < K; k++) {
            const kind = random();
            if (kind < closed / 2) b[k] = b[k].map((_, j) => (j % 3 === 0 ? -0 : 0));
            else if (kind < closed) for (const row of a) row[k] = k % 2 === 0 ? -0 : 0;
            else continue;
            if (random() < 0.3) {
              const special = specials[k % specials.length];
              if (kind < closed / 2) a[k % M][k] = special;
              else b[k][k % N] = special;
            }
          }
          const [A, B] = [tf.tensor2d(a), tf.tensor2d(b)];
          const at = `M = ${M}, N = ${N}, K = ${K}, ${closed} closed`;
          assert.equal(difference(A, B, false), "", at);
          assert.equal(difference(tf.transpose(A), B, true), "", `${at}, Aᵀ`);
        });
      }
    }
  });

  test("gives tf.matMul's bits where whole rows of op(A) are ±0 (rows of C it writes as +0 where B is finite)", () => {
    // A pixel that is 0 in every example of a minibatch is a zero row of Xᵀ in a first layer's Xᵀ·δ.
    let seed = 300;
    for (const [M, N, K] of [
      [8, 8, 4],
      [13, 9, 33],
      [9, 17, 129],
      [784, 300, 100],
    ]) {
      for (const zeroRows of [0, 0.2, 0.5, 1]) {
        for (const special of [null, Number.NaN, -Infinity]) {
          tf.tidy(() => {
            const random = () => Math.abs(Math.sin(++seed * 78.233) * 43758.5453) % 1;
            const a = normal(M, K, ++seed).arraySync();
            const b = normal(K, N, ++seed).arraySync();
            for (let i = 0; i < M; i++) if (random() < zeroRows) a[i] = a[i].map((_, k) => (k % 2 === 0 ? -0 : 0));
            if (special !== null) b[K >> 1][N >> 1] = special; // then the zero rows' column N/2 is NaN
            const [A, B] = [tf.tensor2d(a), tf.tensor2d(b)];
            const at = `M = ${M}, N = ${N}, K = ${K}, ${zeroRows} of the rows ±0, B with ${special}`;
            assert.equal(difference(A, B, false), "", at);
            assert.equal(difference(tf.transpose(A), B, true), "", `${at}, Aᵀ`);
          });
        }
      }
    }
  });

  test("gives tf.matMul's bits where most entries of op(A) are ±0 (the terms its sparse path leaves out)", () => {
    // A minibatch of digits is about three quarters 0: each row of C is then summed over its own
    // entries that are not ±0. Densities around the path's third, -0 among the zeros, specials in A
    // (kept: 0·∞ is NaN) also facing rows of B that are all ±0 (a closed gate's), and column counts
    // around its tiles of 32, 4 and 1.
    const specials = [Number.NaN, Infinity, -Infinity, 3e38, 1e-45];
    let seed = 500;
    for (const [M, N, K] of [
      [1, 1, 1],
      [2, 33, 7],
      [5, 37, 64],
      [7, 100, 300],
      [100, 300, 784],
      [3, 31, 9],
      [9, 36, 40],
    ]) {
      for (const density of [0, 0.05, 0.2, 0.3, 0.4]) {
        tf.tidy(() => {
          const random = () => Math.abs(Math.sin(++seed * 4.1414) * 43758.5453) % 1;
          const a = normal(M, K, ++seed)
            .arraySync()
            .map((row) => row.map((x, k) => (random() < density ? x : k % 3 === 0 ? -0 : 0)));
          const b = normal(K, N, ++seed).arraySync();
          for (let k = 0; k < K; k++) if (random() < 0.2) b[k] = b[k].map((_, j) => (j % 2 === 0 ? -0 : 0));
          if (M * K > 4) a[M >> 1][K >> 1] = specials[seed % specials.length];
          const [A, B] = [tf.tensor2d(a, [M, K]), tf.tensor2d(b, [K, N])];
          const at = `M = ${M}, N = ${N}, K = ${K}, density ${density}`;
          assert.equal(difference(A, B, false), "", at);
          assert.equal(difference(tf.transpose(A), B, true), "", `${at}, Aᵀ`);
        });
      }
    }
  });

  test("gives +0 for an empty inner dimension (where XNNPACK refuses to run and tf.matMul leaves memory unwritten)", () => {
    const c = tf.tidy(() => product(tf.zeros([5, 0]) as tf.Tensor2D, tf.zeros([0, 9]) as tf.Tensor2D).dataSync());
    assert.equal(c.length, 45);
    assert.ok(
      c.every((x) => Object.is(x, 0)),
      `${c}`,
    );
  });

  test("still works after the backend's memory has grown (it imports the memory, not its buffer)", () => {
    const large = tf.zeros([64 * 1024 * 1024]); // 256 MB: more than the backend has allocated so far
    large.dispose();
    tf.tidy(() => {
      const [a, b] = [normal(37, 61, 101), normal(61, 43, 102)];
      assert.equal(difference(a, b, false), "");
      assert.equal(difference(tf.transpose(a), b, true), "");
    });
  });

  test("rejects operands whose inner dimensions disagree, naming the shapes", () => {
    const [a, b] = [tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([4, 5]) as tf.Tensor2D];
    assert.throws(() => product(a, b), /product: inner dimensions must agree, got shapes 2,3 and 4,5/);
    assert.throws(() => product(a, b, true), /got shapes 2,3 \(transposed\) and 4,5/);
    tf.dispose([a, b]);
  });

  test("is what an L0 layer's product runs forward and for its kernel's gradient, and frees what it makes", async () => {
    const names = await kernelsOfL0DenseStep(12, 20, 5);
    assert.equal(names.filter((name) => name === "L0MatMul").length, 1, names.join(", ")); // forward: A·B
    assert.equal(names.filter((name) => name === "L0Product").length, 1, names.join(", ")); // ∂W = xᵀ·δ
    assert.ok(
      !names.includes("BatchMatMul") && !names.includes("Transpose"),
      `tfjs's product ran: ${names.join(", ")}`,
    );
  });

  test("gives matMulFastGradient tf.matMul's forward bits and gradients", () => {
    tf.tidy(() => {
      const [a, b, w] = [normal(10, 30, 7), normal(30, 11, 8), normal(10, 11, 9)];
      assert.equal(
        firstDifferent(matMulFastGradient(a, b).dataSync() as Float32Array, tf.matMul(a, b).dataSync() as Float32Array),
        -1,
      );
      const loss = (f: (p: tf.Tensor2D, q: tf.Tensor2D) => tf.Tensor) => (p: tf.Tensor, q: tf.Tensor) =>
        tf.sum(tf.mul(w, f(p as tf.Tensor2D, q as tf.Tensor2D)));
      const fast = tf.grads(loss(matMulFastGradient))([a, b]);
      // The reference: tfjs's own gradient of tf.matMul, from explicit transposes (its transposed products
      // sum in another order on this backend).
      const reference = [tf.matMul(w, tf.transpose(b)), tf.matMul(tf.transpose(a), w)];
      for (let i = 0; i < 2; i++) {
        assert.equal(firstDifferent(fast[i].dataSync() as Float32Array, reference[i].dataSync() as Float32Array), -1);
      }
    });
  });

  // Last in this file: it reroutes tf.matMul itself, which the tests above compare the kernel with.
  test("registerFastMatMul makes tf.matMul on the wasm backend run it: the same bits, and zeros for an empty inner dimension", () => {
    const empty = () => tf.tidy(() => Array.from(tf.matMul(tf.zeros([5, 0]), tf.zeros([0, 9])).dataSync()));
    const [a, b] = [normal(13, 70, 201), normal(70, 19, 202)];
    const before = tf.tidy(() => tf.matMul(a, b).dataSync() as Float32Array);
    registerFastMatMul();
    const after = tf.tidy(() => tf.matMul(a, b).dataSync() as Float32Array);
    assert.equal(firstDifferent(after, before), -1);
    // XNNPACK refuses K = 0 and tfjs returns unwritten memory; the product kernel writes zeros.
    assert.deepEqual(empty(), new Array(45).fill(0));
    tf.dispose([a, b]);
  });
});

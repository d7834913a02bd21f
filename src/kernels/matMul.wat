;; Matrix products C = op(A)·B of float32 matrices, with op(A) = A or Aᵀ, four rows
;; by eight columns of C at a time with WebAssembly SIMD, reading A and B where they
;; are. Compiled by tools/build.mjs (wabt) into matMulWasm.ts; run by matMul.ts on
;; the memory of tfjs's wasm backend, whose tensors it reads and writes.
;;
;; matMul(a, b, c, M, N, K, aRow, aK, list): C (M×N, row-major, at byte offset c) =
;; op(A)·B, B (K×N, row-major, at b), where op(A)'s entry (i, k) is the float32 at
;; a + i·aRow + k·aK: aRow = 4K, aK = 4 for A itself (M×K), aRow = 4, aK = 4M for
;; Aᵀ with A stored K×M.
;;
;; Each entry is summed as XNNPACK's f32 GEMM microkernels, behind tfjs-backend-wasm's
;; BatchMatMul, sum it: c = 0, then c = c + op(A)[i][k]·B[k][j] for k = 0, 1, …, K − 1,
;; each product and each sum rounded to float32 (WebAssembly SIMD has no fused
;; multiply-add), so the result has the same bits. What it saves is XNNPACK's
;; packing: tfjs caches XNNPACK's packed copy of B per tensor, and a layer's weights
;; are a new tensor at every training step, so every product repacked them (a third
;; of the time of a 100×784 by 784×300 product); and tfjs's products with a
;; transposed operand run a scalar loop, about ten times slower, so their callers
;; transpose first. Here no operand is copied.
;;
;; It also skips the work of an L0 network's closed gates, exactly: a k whose row of B
;; is all ±0 (a row of diag(z)·W whose gate is closed, z = 0) while op(A)'s column k is
;; all finite, or the other way round, has only ±0 terms, and adding ±0 to a sum that
;; starts at +0 changes no bit. Where at least one k in eight is such, the main tiles
;; run over the other k only, their rows of B packed one after another (`matMul`'s
;; `list`: room for K int32 and K rows of B).
;;
;; And where op(A) is mostly ±0 (a minibatch of digits: about a quarter of the pixels are
;; not 0) and B is all finite, it sums over op(A)'s entries that are not ±0 only: each row
;; of C over its own list of k, in order (`matMul`; a term costs about twice a tile's, so
;; it does so when the terms are fewer than half of what the tiles would multiply). The
;; terms left out are ±0: the same bits.
;; The module imports the memory and has no data of its own.
(module
  (import "env" "memory" (memory 0))

  ;; The tiles: rows i to i + 3 (4×…) or row i (1×…) of C by columns j to j + 7,
  ;; j to j + 3 or j alone. $pa: op(A)[i][0]; $pb: B[0][j]; $pc: C[i][j]; $bRow:
  ;; the bytes of a row of B and of C (4N).
  ;; The 4×8 tiles add their K products to +0, or with $acc to the sums already in C
  ;; (a chunk of k after the first: see `matMul`).

  (func $tile4x8 (param $pa i32) (param $aRow i32) (param $aK i32) (param $pb i32) (param $bRow i32)
    (param $pc i32) (param $K i32) (param $acc i32)
    (local $k i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (if (local.get $acc)
      (then
        (local.set $c00 (v128.load (local.get $pc)))
        (local.set $c01 (v128.load offset=16 (local.get $pc)))
        (local.set $c10 (v128.load (i32.add (local.get $pc) (local.get $bRow))))
        (local.set $c11 (v128.load offset=16 (i32.add (local.get $pc) (local.get $bRow))))
        (local.set $c20 (v128.load (i32.add (local.get $pc) (i32.shl (local.get $bRow) (i32.const 1)))))
        (local.set $c21 (v128.load offset=16 (i32.add (local.get $pc) (i32.shl (local.get $bRow) (i32.const 1)))))
        (local.set $c30 (v128.load (i32.add (local.get $pc) (i32.mul (local.get $bRow) (i32.const 3)))))
        (local.set $c31 (v128.load offset=16 (i32.add (local.get $pc) (i32.mul (local.get $bRow) (i32.const 3)))))))
    (local.set $pa1 (i32.add (local.get $pa) (local.get $aRow)))
    (local.set $pa2 (i32.add (local.get $pa1) (local.get $aRow)))
    (local.set $pa3 (i32.add (local.get $pa2) (local.get $aRow)))
    (block $done
      (loop $products
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $x (v128.load32_splat (local.get $pa)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat (local.get $pa1)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat (local.get $pa2)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat (local.get $pa3)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (local.get $aK)))
        (local.set $pa1 (i32.add (local.get $pa1) (local.get $aK)))
        (local.set $pa2 (i32.add (local.get $pa2) (local.get $aK)))
        (local.set $pa3 (i32.add (local.get $pa3) (local.get $aK)))
        (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $products)))
    (v128.store (local.get $pc) (local.get $c00))
    (v128.store offset=16 (local.get $pc) (local.get $c01))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (v128.store (local.get $pc) (local.get $c10))
    (v128.store offset=16 (local.get $pc) (local.get $c11))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (v128.store (local.get $pc) (local.get $c20))
    (v128.store offset=16 (local.get $pc) (local.get $c21))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (v128.store (local.get $pc) (local.get $c30))
    (v128.store offset=16 (local.get $pc) (local.get $c31)))

;; $tile4x8Of: $tile4x8 over the `count` k listed (ascending i32) at byte offset $list only,
  ;; with B's rows of those k packed one after another from $pb. A loop of its own: the
  ;; dense products over an identity list took 15 to 25% longer than $tile4x8's pointer
  ;; steps (the MLP's four shapes, in one process, alternating).
  (func $tile4x8Of (param $pa i32) (param $aRow i32) (param $aK i32) (param $pb i32) (param $bRow i32)
    (param $pc i32) (param $list i32) (param $count i32) (param $acc i32)
    (local $t i32) (local $k i32) (local $at i32) (local $aRow2 i32) (local $aRow3 i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (if (local.get $acc)
      (then
        (local.set $c00 (v128.load (local.get $pc)))
        (local.set $c01 (v128.load offset=16 (local.get $pc)))
        (local.set $c10 (v128.load (i32.add (local.get $pc) (local.get $bRow))))
        (local.set $c11 (v128.load offset=16 (i32.add (local.get $pc) (local.get $bRow))))
        (local.set $c20 (v128.load (i32.add (local.get $pc) (i32.shl (local.get $bRow) (i32.const 1)))))
        (local.set $c21 (v128.load offset=16 (i32.add (local.get $pc) (i32.shl (local.get $bRow) (i32.const 1)))))
        (local.set $c30 (v128.load (i32.add (local.get $pc) (i32.mul (local.get $bRow) (i32.const 3)))))
        (local.set $c31 (v128.load offset=16 (i32.add (local.get $pc) (i32.mul (local.get $bRow) (i32.const 3)))))))
    (local.set $aRow2 (i32.shl (local.get $aRow) (i32.const 1)))
    (local.set $aRow3 (i32.add (local.get $aRow2) (local.get $aRow)))
    (block $done
      (loop $products
        (br_if $done (i32.ge_u (local.get $t) (local.get $count)))
        (local.set $k (i32.load (i32.add (local.get $list) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
        (local.set $at (i32.add (local.get $pa) (i32.mul (local.get $k) (local.get $aK))))
        (local.set $x (v128.load32_splat (local.get $at)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat (i32.add (local.get $at) (local.get $aRow))))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat (i32.add (local.get $at) (local.get $aRow2))))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat (i32.add (local.get $at) (local.get $aRow3))))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $products)))
    (v128.store (local.get $pc) (local.get $c00))
    (v128.store offset=16 (local.get $pc) (local.get $c01))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (v128.store (local.get $pc) (local.get $c10))
    (v128.store offset=16 (local.get $pc) (local.get $c11))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (v128.store (local.get $pc) (local.get $c20))
    (v128.store offset=16 (local.get $pc) (local.get $c21))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (v128.store (local.get $pc) (local.get $c30))
    (v128.store offset=16 (local.get $pc) (local.get $c31)))

  (func $tile4x4 (param $pa i32) (param $aRow i32) (param $aK i32) (param $pb i32) (param $bRow i32)
    (param $pc i32) (param $K i32)
    (local $k i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $b0 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local.set $pa1 (i32.add (local.get $pa) (local.get $aRow)))
    (local.set $pa2 (i32.add (local.get $pa1) (local.get $aRow)))
    (local.set $pa3 (i32.add (local.get $pa2) (local.get $aRow)))
    (block $done
      (loop $products
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $pa)) (local.get $b0))))
        (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (v128.load32_splat (local.get $pa1)) (local.get $b0))))
        (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (v128.load32_splat (local.get $pa2)) (local.get $b0))))
        (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (v128.load32_splat (local.get $pa3)) (local.get $b0))))
        (local.set $pa (i32.add (local.get $pa) (local.get $aK)))
        (local.set $pa1 (i32.add (local.get $pa1) (local.get $aK)))
        (local.set $pa2 (i32.add (local.get $pa2) (local.get $aK)))
        (local.set $pa3 (i32.add (local.get $pa3) (local.get $aK)))
        (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $products)))
    (v128.store (local.get $pc) (local.get $c0))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (v128.store (local.get $pc) (local.get $c1))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (v128.store (local.get $pc) (local.get $c2))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (v128.store (local.get $pc) (local.get $c3)))

  (func $tile4x1 (param $pa i32) (param $aRow i32) (param $aK i32) (param $pb i32) (param $bRow i32)
    (param $pc i32) (param $K i32)
    (local $k i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $b0 f32)
    (local $c0 f32) (local $c1 f32) (local $c2 f32) (local $c3 f32)
    (local.set $pa1 (i32.add (local.get $pa) (local.get $aRow)))
    (local.set $pa2 (i32.add (local.get $pa1) (local.get $aRow)))
    (local.set $pa3 (i32.add (local.get $pa2) (local.get $aRow)))
    (block $done
      (loop $products
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $b0 (f32.load (local.get $pb)))
        (local.set $c0 (f32.add (local.get $c0) (f32.mul (f32.load (local.get $pa)) (local.get $b0))))
        (local.set $c1 (f32.add (local.get $c1) (f32.mul (f32.load (local.get $pa1)) (local.get $b0))))
        (local.set $c2 (f32.add (local.get $c2) (f32.mul (f32.load (local.get $pa2)) (local.get $b0))))
        (local.set $c3 (f32.add (local.get $c3) (f32.mul (f32.load (local.get $pa3)) (local.get $b0))))
        (local.set $pa (i32.add (local.get $pa) (local.get $aK)))
        (local.set $pa1 (i32.add (local.get $pa1) (local.get $aK)))
        (local.set $pa2 (i32.add (local.get $pa2) (local.get $aK)))
        (local.set $pa3 (i32.add (local.get $pa3) (local.get $aK)))
        (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $products)))
    (f32.store (local.get $pc) (local.get $c0))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (f32.store (local.get $pc) (local.get $c1))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (f32.store (local.get $pc) (local.get $c2))
    (local.set $pc (i32.add (local.get $pc) (local.get $bRow)))
    (f32.store (local.get $pc) (local.get $c3)))

  (func $tile1x8 (param $pa i32) (param $aK i32) (param $pb i32) (param $bRow i32) (param $pc i32) (param $K i32)
    (local $k i32) (local $x v128) (local $c0 v128) (local $c1 v128)
    (block $done
      (loop $products
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $x (v128.load32_splat (local.get $pa)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (v128.load (local.get $pb)))))
        (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (local.get $aK)))
        (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $products)))
    (v128.store (local.get $pc) (local.get $c0))
    (v128.store offset=16 (local.get $pc) (local.get $c1)))

  (func $tile1x4 (param $pa i32) (param $aK i32) (param $pb i32) (param $bRow i32) (param $pc i32) (param $K i32)
    (local $k i32) (local $c0 v128)
    (block $done
      (loop $products
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $c0
          (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $pa)) (v128.load (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (local.get $aK)))
        (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $products)))
    (v128.store (local.get $pc) (local.get $c0)))

  (func $tile1x1 (param $pa i32) (param $aK i32) (param $pb i32) (param $bRow i32) (param $pc i32) (param $K i32)
    (local $k i32) (local $c0 f32)
    (block $done
      (loop $products
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $c0 (f32.add (local.get $c0) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (local.get $aK)))
        (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $products)))
    (f32.store (local.get $pc) (local.get $c0)))

;; Whether the n float32 from byte offset $at are all ±0 (`zero`) or all finite (not `zero`):
  ;; a row of B, four at a time.
  (func $rowAll (param $at i32) (param $n i32) (param $zero i32) (result i32)
    (local $end i32) (local $bits v128)
    (local.set $end (i32.add (local.get $at) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $no
      (loop $vectors
        (if (i32.lt_u (local.get $at) (local.get $end))
          (then
            (local.set $bits (v128.load (local.get $at)))
            (br_if $no
              (if (result i32) (local.get $zero)
                (then (v128.any_true (v128.and (local.get $bits) (i32x4.splat (i32.const 0x7fffffff)))))
                (else (v128.any_true
                  (i32x4.eq (v128.and (local.get $bits) (i32x4.splat (i32.const 0x7f800000))) (i32x4.splat (i32.const 0x7f800000)))))))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $vectors))))
      (return (call $columnAll (local.get $at) (i32.const 4) (i32.and (local.get $n) (i32.const 3)) (local.get $zero))))
    (i32.const 0))

  ;; The same for n float32 $step bytes apart: a column of op(A).
  (func $columnAll (param $at i32) (param $step i32) (param $n i32) (param $zero i32) (result i32)
    (local $bits i32)
    (block $no
      (loop $entries
        (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
        (local.set $bits (i32.load (local.get $at)))
        (br_if $no
          (if (result i32) (local.get $zero)
            (then (i32.and (local.get $bits) (i32.const 0x7fffffff)))
            (else (i32.eq (i32.and (local.get $bits) (i32.const 0x7f800000)) (i32.const 0x7f800000)))))
        (local.set $at (i32.add (local.get $at) (local.get $step)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $entries)))
    (i32.const 0))

  ;; Lists at byte offset $list, ascending, the k whose terms can be non-zero, and returns
  ;; their count: k is left out where row k of B is all ±0 and column k of op(A) all
  ;; finite, or the other way round. Every term a·b of a k left out is then ±0, and adding
  ;; ±0 to a sum that starts at +0 changes no bit (such a sum is never −0), so leaving it
  ;; out gives the same bits; a NaN or an infinity on either side keeps k (0·∞ is NaN).
  (func $nonZeroTerms (param $a i32) (param $b i32) (param $M i32) (param $N i32) (param $K i32)
    (param $aRow i32) (param $aK i32) (param $list i32) (result i32)
    (local $k i32) (local $count i32) (local $row i32) (local $column i32)
    (block $done
      (loop $ks
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $row (i32.add (local.get $b) (i32.mul (local.get $k) (i32.shl (local.get $N) (i32.const 2)))))
        (local.set $column (i32.add (local.get $a) (i32.mul (local.get $k) (local.get $aK))))
        (if (i32.eqz
              (select (i32.const 1)
                (if (result i32) (call $columnAll (local.get $column) (local.get $aRow) (local.get $M) (i32.const 1))
                  (then (call $rowAll (local.get $row) (local.get $N) (i32.const 0)))
                  (else (i32.const 0)))
                (if (result i32) (call $rowAll (local.get $row) (local.get $N) (i32.const 1))
                  (then (call $columnAll (local.get $column) (local.get $aRow) (local.get $M) (i32.const 0)))
                  (else (i32.const 0)))))
          (then
            (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (local.get $k))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $ks)))
    (local.get $count))

  ;; C = op(A)·B: the 4×8 tiles of the blocks of four rows (below), then the blocks'
  ;; last N mod 8 columns, a tile of four when at least four are left, then one at a
  ;; time; then the last M mod 4 rows one at a time, in tiles of eight, four and one.
  (func $product (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $N i32) (param $K i32)
    (param $aRow i32) (param $aK i32) (param $list i32)
    (local $i i32) (local $j i32) (local $bRow i32) (local $pa i32) (local $pc i32) (local $count i32)
    (local $sparse i32) (local $packed i32) (local $k0 i32) (local $n i32) (local $i0 i32) (local $iEnd i32)
    (local.set $bRow (i32.shl (local.get $N) (i32.const 2)))
    ;; Where at least one k in eight has only ±0 terms (a closed gate's row of diag(z)·W, a
    ;; pixel that is 0 in every example), the 4×8 tiles run over the other k only.
    (local.set $count (call $nonZeroTerms (local.get $a) (local.get $b) (local.get $M) (local.get $N) (local.get $K)
      (local.get $aRow) (local.get $aK) (local.get $list)))
    (local.set $sparse (i32.le_u (i32.shl (local.get $count) (i32.const 3)) (i32.mul (local.get $K) (i32.const 7))))
    ;; The listed rows of B packed one after another after the list (read in order, they
    ;; stream from memory as B's own rows do in the dense tiles).
    (local.set $packed (i32.add (local.get $list) (i32.shl (local.get $K) (i32.const 2))))
    (if (local.get $sparse)
      (then
        (local.set $i (i32.const 0))
        (block $packDone
          (loop $pack
            (br_if $packDone (i32.ge_u (local.get $i) (local.get $count)))
            (memory.copy
              (i32.add (local.get $packed) (i32.mul (local.get $i) (local.get $bRow)))
              (i32.add (local.get $b)
                (i32.mul (i32.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2)))) (local.get $bRow)))
              (local.get $bRow))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $pack)))
        (local.set $i (i32.const 0))))
    ;; The 4×8 tiles a panel of eight columns at a time, down every block of four rows,
    ;; in chunks of 128 k (of the listed k, when sparse): a chunk of the panel's rows of B,
    ;; 128 × 32 bytes, is read by every block while it is in the core's first cache,
    ;; instead of all K rows again for each tile (100×784 by 784×300: 17% less time,
    ;; in one process, alternating). A chunk after the first adds to the sums the one
    ;; before left in C; C holds them as float32, exactly what the registers held, so
    ;; each entry is still 0, then + op(A)[i][k]·B[k][j] for k in order: the same bits.
    ;; All of this for 128 rows of op(A) at a time (401 KB of them at K = 784), which
    ;; stay in the core's second cache while every panel reads them, instead of all M
    ;; rows again for each panel (2,000×784 by 784×300: 13% less time, in one process,
    ;; alternating; a minibatch of 100 rows is one such block). Each entry's sum is
    ;; unchanged.
    (local.set $i0 (i32.const 0))
    (block $rowBlocksDone
      (loop $rowBlocks
        (br_if $rowBlocksDone (i32.gt_u (i32.add (local.get $i0) (i32.const 4)) (local.get $M)))
        (local.set $iEnd (i32.add (local.get $i0) (i32.const 128)))
        (local.set $iEnd (select (local.get $iEnd) (local.get $M) (i32.lt_u (local.get $iEnd) (local.get $M))))
        (local.set $j (i32.const 0))
        (block $panelsDone
          (loop $panels
            (br_if $panelsDone (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
            (local.set $k0 (i32.const 0))
            (loop $chunks
              (local.set $n (i32.sub (select (local.get $count) (local.get $K) (local.get $sparse)) (local.get $k0)))
              (local.set $n (select (local.get $n) (i32.const 128) (i32.lt_u (local.get $n) (i32.const 128))))
              (local.set $i (local.get $i0))
              (block $tilesDone
                (loop $tiles
                  (br_if $tilesDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $iEnd)))
                  (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
                  (local.set $pc (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $bRow)))
                    (i32.shl (local.get $j) (i32.const 2))))
                  (if (local.get $sparse)
                    (then
                      (call $tile4x8Of (local.get $pa) (local.get $aRow) (local.get $aK)
                        (i32.add (i32.add (local.get $packed) (i32.mul (local.get $k0) (local.get $bRow)))
                          (i32.shl (local.get $j) (i32.const 2)))
                        (local.get $bRow) (local.get $pc)
                        (i32.add (local.get $list) (i32.shl (local.get $k0) (i32.const 2))) (local.get $n)
                        (local.get $k0)))
                    (else
                      (call $tile4x8 (i32.add (local.get $pa) (i32.mul (local.get $k0) (local.get $aK)))
                        (local.get $aRow) (local.get $aK)
                        (i32.add (i32.add (local.get $b) (i32.mul (local.get $k0) (local.get $bRow)))
                          (i32.shl (local.get $j) (i32.const 2)))
                        (local.get $bRow) (local.get $pc) (local.get $n) (local.get $k0))))
                  (local.set $i (i32.add (local.get $i) (i32.const 4)))
                  (br $tiles)))
              (local.set $k0 (i32.add (local.get $k0) (i32.const 128)))
              (br_if $chunks (i32.lt_u (local.get $k0) (select (local.get $count) (local.get $K) (local.get $sparse)))))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $panels)))
        (local.set $i0 (local.get $iEnd))
        (br $rowBlocks)))
    ;; Then the last N mod 8 columns of each block of four rows.
    (local.set $i (i32.const 0))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $M)))
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
        (local.set $pc (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $bRow))))
        (local.set $j (i32.and (local.get $N) (i32.const -8)))
        (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $N))
          (then
            (call $tile4x4 (local.get $pa) (local.get $aRow) (local.get $aK)
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $bRow)
              (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (local.get $K))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))))
        (block $onesDone
          (loop $ones
            (br_if $onesDone (i32.ge_u (local.get $j) (local.get $N)))
            (call $tile4x1 (local.get $pa) (local.get $aRow) (local.get $aK)
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $bRow)
              (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (local.get $K))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $ones)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $blocks)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
        (local.set $pc (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $bRow))))
        (local.set $j (i32.const 0))
        (block $eightsDone
          (loop $eights
            (br_if $eightsDone (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
            (call $tile1x8 (local.get $pa) (local.get $aK)
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $bRow)
              (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (local.get $K))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $eights)))
        (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $N))
          (then
            (call $tile1x4 (local.get $pa) (local.get $aK)
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $bRow)
              (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (local.get $K))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))))
        (block $onesDone
          (loop $ones
            (br_if $onesDone (i32.ge_u (local.get $j) (local.get $N)))
            (call $tile1x1 (local.get $pa) (local.get $aK)
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $bRow)
              (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (local.get $K))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $ones)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; The element-sparse path (see `matMul`): op(A)'s entries that are not ±0, listed row by
  ;; row as pairs (byte offset k·4N of B's row k, then the entry as float32), and the rows of
  ;; C summed over those pairs only, in order of k.

  ;; Whether at most a third of the n float32 from byte offset $at are not ±0, counted four
  ;; at a time; it stops at the first kilobyte boundary past which more than that are counted.
  (func $mostlyZero (param $at i32) (param $n i32) (result i32)
    (local $end i32) (local $limit i32) (local $counts v128) (local $count i32)
    (local.set $limit (i32.div_u (local.get $n) (i32.const 3)))
    (local.set $end (i32.add (local.get $at) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $at) (local.get $end)))
        ;; A lane that is not ±0 compares as -1: subtracting it counts it.
        (local.set $counts (i32x4.sub (local.get $counts)
          (i32x4.ne (v128.and (v128.load (local.get $at)) (i32x4.splat (i32.const 0x7fffffff))) (v128.const i32x4 0 0 0 0))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (if (i32.eqz (i32.and (local.get $at) (i32.const 1023)))
          (then (if (i32.gt_u (call $laneSum (local.get $counts)) (local.get $limit)) (then (return (i32.const 0))))))
        (br $vectors)))
    (local.set $count (call $laneSum (local.get $counts)))
    (local.set $n (i32.and (local.get $n) (i32.const 3)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.eqz (local.get $n)))
        (local.set $count (i32.add (local.get $count)
          (i32.ne (i32.and (i32.load (local.get $at)) (i32.const 0x7fffffff)) (i32.const 0))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $tail)))
    (i32.le_u (local.get $count) (local.get $limit)))

  ;; The sum of the four lanes.
  (func $laneSum (param $x v128) (result i32)
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $x)) (i32x4.extract_lane 1 (local.get $x)))
      (i32.add (i32x4.extract_lane 2 (local.get $x)) (i32x4.extract_lane 3 (local.get $x)))))

  ;; The larger of two unsigned integers.
  (func $maxU (param $x i32) (param $y i32) (result i32)
    (select (local.get $x) (local.get $y) (i32.gt_u (local.get $x) (local.get $y))))

  ;; Marks at $zeroRows (K bytes) the rows of B that are all ±0, and returns the number of
  ;; the other rows, or -1 when B is not all finite; one pass over B, four at a time.
  (func $rowsOfB (param $b i32) (param $K i32) (param $N i32) (param $zeroRows i32) (result i32)
    (local $k i32) (local $at i32) (local $end i32) (local $magnitudes v128) (local $largest v128)
    (local $any i32) (local $j i32) (local $finite i32) (local $open i32)
    (local.set $finite (i32.const 1))
    (local.set $at (local.get $b))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $end (i32.add (local.get $at) (i32.shl (i32.and (local.get $N) (i32.const -4)) (i32.const 2))))
        (local.set $largest (v128.const i32x4 0 0 0 0))
        (block $vectorsDone
          (loop $vectors
            (br_if $vectorsDone (i32.ge_u (local.get $at) (local.get $end)))
            (local.set $magnitudes (v128.and (v128.load (local.get $at)) (i32x4.splat (i32.const 0x7fffffff))))
            (local.set $largest (i32x4.max_u (local.get $largest) (local.get $magnitudes)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $vectors)))
        (local.set $any (call $maxU
          (call $maxU (i32x4.extract_lane 0 (local.get $largest)) (i32x4.extract_lane 1 (local.get $largest)))
          (call $maxU (i32x4.extract_lane 2 (local.get $largest)) (i32x4.extract_lane 3 (local.get $largest)))))
        (local.set $j (i32.and (local.get $N) (i32.const 3)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.eqz (local.get $j)))
            (local.set $any (call $maxU (local.get $any) (i32.and (i32.load (local.get $at)) (i32.const 0x7fffffff))))
            (local.set $at (i32.add (local.get $at) (i32.const 4)))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $tail)))
        ;; $any: the largest magnitude's bits of the row; ±0 when 0, not finite from 0x7f800000.
        (i32.store8 (i32.add (local.get $zeroRows) (local.get $k)) (i32.eqz (local.get $any)))
        (local.set $open (i32.add (local.get $open) (i32.ne (local.get $any) (i32.const 0))))
        (if (i32.ge_u (local.get $any) (i32.const 0x7f800000)) (then (local.set $finite (i32.const 0))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $rows)))
    (select (local.get $open) (i32.const -1) (local.get $finite)))

  ;; Lists op(A)'s entries whose terms can be non-zero as pairs from byte offset $pairs, row
  ;; i's from pair $starts[i] to pair $starts[i + 1], each row in order of k, and returns
  ;; their count: an entry is left out where it is ±0 (B being finite), or finite where its
  ;; row of B is all ±0 ($zeroRows).
  (func $listEntries (param $a i32) (param $M i32) (param $K i32) (param $aRow i32) (param $aK i32)
    (param $bRow i32) (param $zeroRows i32) (param $starts i32) (param $pairs i32) (result i32)
    (local $i i32) (local $k i32) (local $at i32) (local $bits i32) (local $count i32) (local $to i32)
    (block $rowsDone
      (loop $rows
        (i32.store (i32.add (local.get $starts) (i32.shl (local.get $i) (i32.const 2))) (local.get $count))
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $at (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
        (local.set $k (i32.const 0))
        (block $entriesDone
          (loop $entries
            (br_if $entriesDone (i32.ge_u (local.get $k) (local.get $K)))
            (local.set $bits (i32.load (local.get $at)))
            (if (i32.and (local.get $bits) (i32.const 0x7fffffff))
              (then
                (if (i32.eqz (i32.and (i32.load8_u (i32.add (local.get $zeroRows) (local.get $k)))
                      (i32.lt_u (i32.and (local.get $bits) (i32.const 0x7fffffff)) (i32.const 0x7f800000))))
                  (then
                    (local.set $to (i32.add (local.get $pairs) (i32.shl (local.get $count) (i32.const 3))))
                    (i32.store (local.get $to) (i32.mul (local.get $k) (local.get $bRow)))
                    (i32.store offset=4 (local.get $to) (local.get $bits))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
            (local.set $at (i32.add (local.get $at) (local.get $aK)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $entries)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $count))

  ;; Columns j to j + 31 of a row of C ($pc: C[i][j]) from the $count pairs at $pairs;
  ;; $pb: B[0][j].
  (func $sparse1x32 (param $pairs i32) (param $count i32) (param $pb i32) (param $pc i32)
    (local $end i32) (local $row i32) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local.set $end (i32.add (local.get $pairs) (i32.shl (local.get $count) (i32.const 3))))
    (block $done
      (loop $terms
        (br_if $done (i32.ge_u (local.get $pairs) (local.get $end)))
        (local.set $row (i32.add (local.get $pb) (i32.load (local.get $pairs))))
        (local.set $x (v128.load32_splat offset=4 (local.get $pairs)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (v128.load (local.get $row)))))
        (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $row)))))
        (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $x) (v128.load offset=32 (local.get $row)))))
        (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $x) (v128.load offset=48 (local.get $row)))))
        (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (local.get $x) (v128.load offset=64 (local.get $row)))))
        (local.set $c5 (f32x4.add (local.get $c5) (f32x4.mul (local.get $x) (v128.load offset=80 (local.get $row)))))
        (local.set $c6 (f32x4.add (local.get $c6) (f32x4.mul (local.get $x) (v128.load offset=96 (local.get $row)))))
        (local.set $c7 (f32x4.add (local.get $c7) (f32x4.mul (local.get $x) (v128.load offset=112 (local.get $row)))))
        (local.set $pairs (i32.add (local.get $pairs) (i32.const 8)))
        (br $terms)))
    (v128.store (local.get $pc) (local.get $c0))
    (v128.store offset=16 (local.get $pc) (local.get $c1))
    (v128.store offset=32 (local.get $pc) (local.get $c2))
    (v128.store offset=48 (local.get $pc) (local.get $c3))
    (v128.store offset=64 (local.get $pc) (local.get $c4))
    (v128.store offset=80 (local.get $pc) (local.get $c5))
    (v128.store offset=96 (local.get $pc) (local.get $c6))
    (v128.store offset=112 (local.get $pc) (local.get $c7)))

  ;; The same for columns j to j + 3.
  (func $sparse1x4 (param $pairs i32) (param $count i32) (param $pb i32) (param $pc i32)
    (local $end i32) (local $c0 v128)
    (local.set $end (i32.add (local.get $pairs) (i32.shl (local.get $count) (i32.const 3))))
    (block $done
      (loop $terms
        (br_if $done (i32.ge_u (local.get $pairs) (local.get $end)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat offset=4 (local.get $pairs))
          (v128.load (i32.add (local.get $pb) (i32.load (local.get $pairs)))))))
        (local.set $pairs (i32.add (local.get $pairs) (i32.const 8)))
        (br $terms)))
    (v128.store (local.get $pc) (local.get $c0)))

  ;; The same for column j alone.
  (func $sparse1x1 (param $pairs i32) (param $count i32) (param $pb i32) (param $pc i32)
    (local $end i32) (local $c0 f32)
    (local.set $end (i32.add (local.get $pairs) (i32.shl (local.get $count) (i32.const 3))))
    (block $done
      (loop $terms
        (br_if $done (i32.ge_u (local.get $pairs) (local.get $end)))
        (local.set $c0 (f32.add (local.get $c0) (f32.mul (f32.load offset=4 (local.get $pairs))
          (f32.load (i32.add (local.get $pb) (i32.load (local.get $pairs)))))))
        (local.set $pairs (i32.add (local.get $pairs) (i32.const 8)))
        (br $terms)))
    (f32.store (local.get $pc) (local.get $c0)))

  ;; C = op(A)·B from the pairs of $listEntries: 32 columns of every row at a time (a panel
  ;; of B, 128 bytes of each row, stays in the core's second cache while every row reads it:
  ;; 0.91 of the time of row after row for the MLP's 100×784 digits by 784×300, in one
  ;; process, alternating), then each row's last N mod 32 columns, four at a time, then one.
  (func $sparseProduct (param $b i32) (param $c i32) (param $M i32) (param $N i32) (param $starts i32) (param $pairs i32)
    (local $i i32) (local $j i32) (local $first i32) (local $count i32) (local $pb i32) (local $pc i32) (local $bRow i32)
    (local.set $bRow (i32.shl (local.get $N) (i32.const 2)))
    (block $wideDone
      (loop $wide
        (br_if $wideDone (i32.gt_u (i32.add (local.get $j) (i32.const 32)) (local.get $N)))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $M)))
            (local.set $first (i32.load (i32.add (local.get $starts) (i32.shl (local.get $i) (i32.const 2)))))
            (call $sparse1x32 (i32.add (local.get $pairs) (i32.shl (local.get $first) (i32.const 3)))
              (i32.sub (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $i) (i32.const 2)))) (local.get $first))
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $bRow))) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $wide)))
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $first (i32.load (i32.add (local.get $starts) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $count (i32.sub (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $i) (i32.const 2))))
          (local.get $first)))
        (local.set $first (i32.add (local.get $pairs) (i32.shl (local.get $first) (i32.const 3))))
        (local.set $j (i32.and (local.get $N) (i32.const -32)))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $pc (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $bRow))) (i32.shl (local.get $j) (i32.const 2))))
        (block $foursDone
          (loop $fours
            (br_if $foursDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $N)))
            (call $sparse1x4 (local.get $first) (local.get $count) (local.get $pb) (local.get $pc))
            (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
            (local.set $pc (i32.add (local.get $pc) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $fours)))
        (block $onesDone
          (loop $ones
            (br_if $onesDone (i32.ge_u (local.get $j) (local.get $N)))
            (call $sparse1x1 (local.get $first) (local.get $count) (local.get $pb) (local.get $pc))
            (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
            (local.set $pc (i32.add (local.get $pc) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $ones)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; matMul(a, b, c, M, N, K, aRow, aK, scratch): C = op(A)·B (see the top of this file).
  ;; Where at most a third of op(A)'s entries are not ±0 and B is all finite, each row of C
  ;; is summed over the entries of its row of op(A) whose terms can be non-zero, as listed by
  ;; $listEntries, when they are fewer than half of the terms of the tiles' k (the scratch:
  ;; M + 1 int32, K bytes rounded up to eight, then up to M·K pairs of 8 bytes). Otherwise:
  ;; A row of op(A) that is all ±0 (a pixel that is 0 in every example of a minibatch, in
  ;; the gradient Xᵀ·δ of a first layer's kernel) gives a row of C of +0 when B is all
  ;; finite: each of its terms is ±0, and a sum of ±0 from +0 is +0. Where at least one
  ;; row in eight is such and B is all finite, the other rows of op(A) are packed one after
  ;; another into a matrix A′, C′ = A′·B is computed, and its rows go to their places in C,
  ;; the rest of C being +0: the same bits, without the work of the zero rows. The
  ;; scratch: the product's own (K int32 and K rows of B), then M int32 (the rows kept),
  ;; A′ (M×K) and C′ (M×N).
  (func (export "matMul") (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $N i32) (param $K i32)
    (param $aRow i32) (param $aK i32) (param $scratch i32)
    (local $rows i32) (local $aPacked i32) (local $cPacked i32) (local $kept i32) (local $i i32) (local $k i32)
    (local $bRow i32) (local $from i32) (local $to i32) (local $zeroRows i32) (local $pairs i32)
    (local $openRows i32)
    (local.set $bRow (i32.shl (local.get $N) (i32.const 2)))
    (local.set $rows (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $K) (i32.add (local.get $N) (i32.const 1))) (i32.const 2))))
    (local.set $aPacked (i32.add (local.get $rows) (i32.shl (local.get $M) (i32.const 2))))
    (local.set $cPacked (i32.add (local.get $aPacked) (i32.shl (i32.mul (local.get $M) (local.get $K)) (i32.const 2))))
    ;; Where at most a third of op(A)'s entries are not ±0 and B is all finite, the products
    ;; of op(A)'s entries that are not ±0 only, when they are fewer than half of what the
    ;; tiles would multiply (a term of the tiles takes about half the time of one here).
    (if (call $mostlyZero (local.get $a) (i32.mul (local.get $M) (local.get $K)))
      (then
        (local.set $zeroRows (i32.add (local.get $scratch) (i32.shl (i32.add (local.get $M) (i32.const 1)) (i32.const 2))))
        (local.set $pairs (i32.add (local.get $zeroRows) (i32.and (i32.add (local.get $K) (i32.const 7)) (i32.const -8))))
        (local.set $openRows (call $rowsOfB (local.get $b) (local.get $K) (local.get $N) (local.get $zeroRows)))
        (if (i32.ge_s (local.get $openRows) (i32.const 0))
          (then
            (local.set $i (call $listEntries (local.get $a) (local.get $M) (local.get $K) (local.get $aRow) (local.get $aK)
              (local.get $bRow) (local.get $zeroRows) (local.get $scratch) (local.get $pairs)))
            (if (i32.le_u (i32.shl (local.get $i) (i32.const 1)) (i32.mul (local.get $M) (local.get $openRows)))
              (then
                (call $sparseProduct (local.get $b) (local.get $c) (local.get $M) (local.get $N) (local.get $scratch)
                  (local.get $pairs))
                (return)))
            (local.set $i (i32.const 0))))))
    ;; The rows of op(A) with an entry that is not ±0, in order.
    (block $listed
      (loop $scan
        (br_if $listed (i32.ge_u (local.get $i) (local.get $M)))
        (if (i32.eqz (call $columnAll (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))) (local.get $aK)
              (local.get $K) (i32.const 1)))
          (then
            (i32.store (i32.add (local.get $rows) (i32.shl (local.get $kept) (i32.const 2))) (local.get $i))
            (local.set $kept (i32.add (local.get $kept) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (if (if (result i32) (i32.gt_u (i32.shl (local.get $kept) (i32.const 3)) (i32.mul (local.get $M) (i32.const 7)))
          (then (i32.const 1))
          (else (i32.eqz (call $rowAll (local.get $b) (i32.mul (local.get $K) (local.get $N)) (i32.const 0)))))
      (then
        (call $product (local.get $a) (local.get $b) (local.get $c) (local.get $M) (local.get $N) (local.get $K)
          (local.get $aRow) (local.get $aK) (local.get $scratch))
        (return)))
    ;; A′: the kept rows of op(A), row-major.
    (local.set $i (i32.const 0))
    (local.set $to (local.get $aPacked))
    (block $packed
      (loop $rowsOfA
        (br_if $packed (i32.ge_u (local.get $i) (local.get $kept)))
        (local.set $from (i32.add (local.get $a)
          (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (local.get $aRow))))
        (local.set $k (i32.const 0))
        (block $rowDone
          (loop $entries
            (br_if $rowDone (i32.ge_u (local.get $k) (local.get $K)))
            (f32.store (local.get $to) (f32.load (local.get $from)))
            (local.set $from (i32.add (local.get $from) (local.get $aK)))
            (local.set $to (i32.add (local.get $to) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $entries)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rowsOfA)))
    (call $product (local.get $aPacked) (local.get $b) (local.get $cPacked) (local.get $kept) (local.get $N) (local.get $K)
      (i32.shl (local.get $K) (i32.const 2)) (i32.const 4) (local.get $scratch))
    ;; C: +0, then the rows of C′ in their places.
    (memory.fill (local.get $c) (i32.const 0) (i32.mul (local.get $M) (local.get $bRow)))
    (local.set $i (i32.const 0))
    (block $placed
      (loop $rowsOfC
        (br_if $placed (i32.ge_u (local.get $i) (local.get $kept)))
        (memory.copy
          (i32.add (local.get $c) (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (local.get $bRow)))
          (i32.add (local.get $cPacked) (i32.mul (local.get $i) (local.get $bRow)))
          (local.get $bRow))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rowsOfC))))
)

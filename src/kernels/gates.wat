;; The hard concrete gates' WebAssembly SIMD kernels, four entries at a time, on the
;; memory of tfjs's wasm backend (compiled by tools/build.mjs with wabt into
;; gatesWasm.ts; run by gates.ts):
;; - sample: a hard concrete gate per entry from uniform noise u and log α
;;   (Louizos et al. 2018, Sec. 2.2),
;;     z = min(1, max(0, σ((log(u/(1 − u)) + log α) · (1/β)) · (ζ − γ) + γ)),
;;   in place of nine tfjs kernels (Sub, Div, Log, Add, Mul, Sigmoid, Mul, Add, ClipByValue);
;; - openProbabilityGradient: (p − p²) · g for p = P(z ≠ 0), the closed-form gradient of the
;;   expected L0 norm (Sec. 2.2), in place of Square, Sub and Mul. (Its forward pass, Sub,
;;   Sigmoid and Sum, stays with tfjs: in one pass here it was slower than XNNPACK's
;;   sigmoid and tfjs's sum.)
;; - gatedRowsGradient: the backward pass of a dense kernel with gated rows, diag(z)·W
;;   (described with it, below);
;; - layerPenalty and layerPenaltyGradient: a layer's penalty and its gradients
;;   (described with them, at the end).
;;
;; Each gives the bits of the tfjs kernels it replaces, step by step:
;; - Sub, Div, Add, Mul in float32, as they are.
;; - Log: tfjs-backend-wasm calls its C library's logf (musl's, after ARM's
;;   optimized-routines, Szabolcs Nagy 2017), computed here by the same algorithm in the
;;   same float64 operations in the same order (WebAssembly has no fused multiply-add,
;;   so none is contracted), special cases included:
;;     x = 2^k · z with z in [0x3f330000, 2 · 0x3f330000) as float32 bit patterns,
;;     c the centre of z's sixteenth of that range (a table of 1/c and log c),
;;     r = z/c − 1, log x = (A₀r² + A₁r + A₂)·r² + ((log c + k·ln 2) + r).
;; - Sigmoid: tfjs-backend-wasm runs XNNPACK's f32 sigmoid, whose WebAssembly SIMD kernel
;;   (rr2_p5_div) computes, in float32, e = exp(−|x|) by range reduction
;;   (n = round(−|x|·log₂e), t = |x| + n·ln2_hi + n·ln2_lo, e = s + (t·s)·p(t), s = 2ⁿ, p
;;   of degree 5), then σ(−|x|) = e/(e + 1), 0 beyond the cutoff, and 1 − that for x ≥ 0.
;; - ClipByValue: XNNPACK's clamp, max then min in WebAssembly's pseudo-min/max
;;   (pmax(0, NaN) = 0: a NaN gate becomes 0, as in the chain).
;;
;; table(at): writes logf's 16 × (1/c, log c) float64 pairs (256 bytes) at byte offset
;;   `at`, which gates.ts allocates once in the backend's memory (the module imports the
;;   memory and has no data of its own).
;; Byte offsets of float32 tensors and counts are i32; constants are float32, rounded as
;; the chain rounds its scalars.
(module
  (import "env" "memory" (memory 0))

  (func (export "table") (param $at i32)
    (f64.store offset=0 (local.get $at) (f64.const 0x1.661ec79f8f3bep+0))
    (f64.store offset=8 (local.get $at) (f64.const -0x1.57bf7808caadep-2))
    (f64.store offset=16 (local.get $at) (f64.const 0x1.571ed4aaf883dp+0))
    (f64.store offset=24 (local.get $at) (f64.const -0x1.2bef0a7c06ddbp-2))
    (f64.store offset=32 (local.get $at) (f64.const 0x1.49539f0f010bp+0))
    (f64.store offset=40 (local.get $at) (f64.const -0x1.01eae7f513a67p-2))
    (f64.store offset=48 (local.get $at) (f64.const 0x1.3c995b0b80385p+0))
    (f64.store offset=56 (local.get $at) (f64.const -0x1.b31d8a68224e9p-3))
    (f64.store offset=64 (local.get $at) (f64.const 0x1.30d190c8864a5p+0))
    (f64.store offset=72 (local.get $at) (f64.const -0x1.6574f0ac07758p-3))
    (f64.store offset=80 (local.get $at) (f64.const 0x1.25e227b0b8eap+0))
    (f64.store offset=88 (local.get $at) (f64.const -0x1.1aa2bc79c81p-3))
    (f64.store offset=96 (local.get $at) (f64.const 0x1.1bb4a4a1a343fp+0))
    (f64.store offset=104 (local.get $at) (f64.const -0x1.a4e76ce8c0e5ep-4))
    (f64.store offset=112 (local.get $at) (f64.const 0x1.12358f08ae5bap+0))
    (f64.store offset=120 (local.get $at) (f64.const -0x1.1973c5a611cccp-4))
    (f64.store offset=128 (local.get $at) (f64.const 0x1.0953f419900a7p+0))
    (f64.store offset=136 (local.get $at) (f64.const -0x1.252f438e10c1ep-5))
    (f64.store offset=144 (local.get $at) (f64.const 0x1p+0))
    (f64.store offset=152 (local.get $at) (f64.const 0x0p+0))
    (f64.store offset=160 (local.get $at) (f64.const 0x1.e608cfd9a47acp-1))
    (f64.store offset=168 (local.get $at) (f64.const 0x1.aa5aa5df25984p-5))
    (f64.store offset=176 (local.get $at) (f64.const 0x1.ca4b31f026aap-1))
    (f64.store offset=184 (local.get $at) (f64.const 0x1.c5e53aa362eb4p-4))
    (f64.store offset=192 (local.get $at) (f64.const 0x1.b2036576afce6p-1))
    (f64.store offset=200 (local.get $at) (f64.const 0x1.526e57720db08p-3))
    (f64.store offset=208 (local.get $at) (f64.const 0x1.9c2d163a1aa2dp-1))
    (f64.store offset=216 (local.get $at) (f64.const 0x1.bc2860d22477p-3))
    (f64.store offset=224 (local.get $at) (f64.const 0x1.886e6037841edp-1))
    (f64.store offset=232 (local.get $at) (f64.const 0x1.1058bc8a07ee1p-2))
    (f64.store offset=240 (local.get $at) (f64.const 0x1.767dcf5534862p-1))
    (f64.store offset=248 (local.get $at) (f64.const 0x1.4043057b6ee09p-2)))

  ;; The last `left` (1 to 3) float32 at byte offset $at in the low lanes of `fill`.
  (func $loadRest (param $at i32) (param $left i32) (param $fill v128) (result v128)
    (local.set $fill (v128.load32_lane 0 (local.get $at) (local.get $fill)))
    (if (i32.gt_u (local.get $left) (i32.const 1))
      (then (local.set $fill (v128.load32_lane offset=4 1 (local.get $at) (local.get $fill)))))
    (if (i32.gt_u (local.get $left) (i32.const 2))
      (then (local.set $fill (v128.load32_lane offset=8 2 (local.get $at) (local.get $fill)))))
    (local.get $fill))

  ;; Stores the low `left` (1 to 3) lanes of $v at byte offset $at.
  (func $storeRest (param $at i32) (param $left i32) (param $v v128)
    (v128.store32_lane 0 (local.get $at) (local.get $v))
    (if (i32.gt_u (local.get $left) (i32.const 1))
      (then (v128.store32_lane offset=4 1 (local.get $at) (local.get $v))))
    (if (i32.gt_u (local.get $left) (i32.const 2))
      (then (v128.store32_lane offset=8 2 (local.get $at) (local.get $v)))))

  ;; σ(x) per lane, XNNPACK's rr2_p5_div (tfjs-backend-wasm's Sigmoid): e = exp(−|x|),
  ;; σ(−|x|) = e/(e + 1), 0 beyond the cutoff, and 1 − that for x ≥ 0.
  (func $sigmoid (param $x v128) (result v128)
    (local $abs v128) (local $e v128) (local $s v128) (local $t v128) (local $p v128)
    (local.set $abs (f32x4.abs (local.get $x)))
    (local.set $t
      (f32x4.add (f32x4.splat (f32.const 0x1.8000fep23))
        (f32x4.mul (local.get $abs) (f32x4.splat (f32.const -0x1.715476p+0)))))
    (local.set $s (i32x4.shl (local.get $t) (i32.const 23)))
    (local.set $t (f32x4.sub (local.get $t) (f32x4.splat (f32.const 0x1.8000fep23))))
    (local.set $e (f32x4.add (local.get $abs) (f32x4.mul (local.get $t) (f32x4.splat (f32.const 0x1.62e4p-1)))))
    (local.set $t (f32x4.add (local.get $e) (f32x4.mul (local.get $t) (f32x4.splat (f32.const 0x1.7f7d1cp-20)))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0x1.573a1ap-5)) (f32x4.mul (local.get $t) (f32x4.splat (f32.const -0x1.0f9f9cp-7)))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const -0x1.555a8p-3)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0x1.fffdc6p-2)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const -0x1.fffff6p-1)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $t (f32x4.mul (local.get $t) (local.get $s)))
    (local.set $e (f32x4.add (local.get $s) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $e
      (v128.andnot
        (f32x4.div (local.get $e) (f32x4.add (local.get $e) (f32x4.splat (f32.const 1))))
        (f32x4.gt (local.get $abs) (f32x4.splat (f32.const 0x1.5d589ep+6)))))
    (local.set $e
      (v128.bitselect (local.get $e) (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $e))
        (i32x4.shr_s (local.get $x) (i32.const 31))))
    (local.get $e))

  ;; sample(u, logAlpha, out, n, table, 1/β, ζ − γ, γ): z for the n entries of u and log α,
  ;; 1,024 entries at a time in two passes: x = (log(u/(1 − u)) + log α)·(1/β) into out, then
  ;; z = min(1, max(0, σ(x)·(ζ − γ) + γ)) in place while the chunk is in the first cache.
  ;; Each pass's loop is short enough for the core to run several of its iterations at
  ;; once; in one loop, the logarithm's and the sigmoid's long chains of dependent
  ;; operations left it waiting (10^6 entries: 0.88 of the time, in one process, alternating).
  ;; Every lane goes through the same operations: the same bits.
  (func (export "sample")
    (param $u i32) (param $logAlpha i32) (param $out i32) (param $n i32) (param $table i32)
    (param $inverseBeta f32) (param $zetaMinusGamma f32) (param $gamma f32)
    (local $i i32) (local $end i32) (local $left i32) (local $offset i32)
    (local $x v128) (local $alpha v128) (local $ix v128) (local $tmp v128) (local $at v128) (local $iz v128) (local $k v128)
    (local $half i32) (local $r v128) (local $r2 v128) (local $y v128) (local $low v128) (local $e v128)
    (block $chunksDone
      (loop $chunks
        (br_if $chunksDone (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $end (i32.add (local.get $i) (i32.const 1024)))
        (local.set $end (select (local.get $end) (local.get $n) (i32.lt_s (local.get $end) (local.get $n))))
        ;; Pass 1: x = (log(u/(1 − u)) + log α)·(1/β) into out.
        (local.set $offset (i32.shl (local.get $i) (i32.const 2)))
        (block $done
          (loop $vectors
            (local.set $left (i32.sub (local.get $end) (i32.shr_u (local.get $offset) (i32.const 2))))
            (br_if $done (i32.le_s (local.get $left) (i32.const 0)))
            (if (i32.ge_u (local.get $left) (i32.const 4))
              (then
                (local.set $x (v128.load (i32.add (local.get $u) (local.get $offset))))
                (local.set $alpha (v128.load (i32.add (local.get $logAlpha) (local.get $offset)))))
              (else
                (local.set $x (call $loadRest (i32.add (local.get $u) (local.get $offset)) (local.get $left) (f32x4.splat (f32.const 0.5))))
                (local.set $alpha (call $loadRest (i32.add (local.get $logAlpha) (local.get $offset)) (local.get $left) (f32x4.splat (f32.const 0))))))
            ;; x = u / (1 − u)
            (local.set $x (f32x4.div (local.get $x) (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $x))))
            ;; log x (logf), lane by lane. A subnormal x = 2⁻²³ · (x · 2²³) with x · 2²³ normal.
            (local.set $ix
              (v128.bitselect
                (i32x4.sub (f32x4.mul (local.get $x) (f32x4.splat (f32.const 0x1p23))) (i32x4.splat (i32.const 0x0b800000)))
                (local.get $x)
                (v128.and (i32x4.lt_u (local.get $x) (i32x4.splat (i32.const 0x00800000)))
                          (v128.not (i32x4.eq (local.get $x) (i32x4.splat (i32.const 0)))))))
            ;; x = 2^k · z, z in [0x3f330000, 2 · 0x3f330000) as bit patterns; $at: the byte offset of z's table entry.
            (local.set $tmp (i32x4.sub (local.get $ix) (i32x4.splat (i32.const 0x3f330000))))
            (local.set $at
              (i32x4.shl (v128.and (i32x4.shr_u (local.get $tmp) (i32.const 19)) (i32x4.splat (i32.const 15))) (i32.const 4)))
            (local.set $k (i32x4.shr_s (local.get $tmp) (i32.const 23)))
            (local.set $iz (i32x4.sub (local.get $ix) (v128.and (local.get $tmp) (i32x4.splat (i32.const 0xff800000)))))
            ;; Two lanes at a time in float64: lanes 0 and 1, then 2 and 3 (moved down).
            (local.set $half (i32.const 0))
            (loop $halves
              ;; r = z·(1/c) − 1; y = (A₀r² + A₁r + A₂)·r² + ((log c + k·ln 2) + r), in that order.
              (local.set $r
                (f64x2.sub
                  (f64x2.mul (f64x2.promote_low_f32x4 (local.get $iz))
                    (f64x2.replace_lane 1
                      (f64x2.splat (f64.load (i32.add (local.get $table) (i32x4.extract_lane 0 (local.get $at)))))
                      (f64.load (i32.add (local.get $table) (i32x4.extract_lane 1 (local.get $at))))))
                  (f64x2.splat (f64.const 1))))
              (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
              (local.set $y
                (f64x2.add (f64x2.mul (f64x2.splat (f64.const 0x1.5575b0be00b6ap-2)) (local.get $r))
                  (f64x2.splat (f64.const -0x1.ffffef20a4123p-2))))
              (local.set $y
                (f64x2.add (f64x2.mul (f64x2.splat (f64.const -0x1.00ea348b88334p-2)) (local.get $r2)) (local.get $y)))
              (local.set $y
                (f32x4.demote_f64x2_zero
                  (f64x2.add (f64x2.mul (local.get $y) (local.get $r2))
                    (f64x2.add
                      (f64x2.add
                        (f64x2.replace_lane 1
                          (f64x2.splat (f64.load offset=8 (i32.add (local.get $table) (i32x4.extract_lane 0 (local.get $at)))))
                          (f64.load offset=8 (i32.add (local.get $table) (i32x4.extract_lane 1 (local.get $at)))))
                        (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $k)) (f64x2.splat (f64.const 0x1.62e42fefa39efp-1))))
                      (local.get $r)))))
              (if (i32.eqz (local.get $half))
                (then
                  (local.set $low (local.get $y))
                  (local.set $iz (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $iz) (local.get $iz)))
                  (local.set $k (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $k) (local.get $k)))
                  (local.set $at (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $at) (local.get $at)))
                  (local.set $half (i32.const 1))
                  (br $halves))))
            (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $low) (local.get $y)))
            ;; The special cases, where the polynomial's lanes are meaningless, in reverse order of
            ;; logf's tests (the last select wins): NaN for negatives and NaN, +∞ for +∞, −∞ for ±0.
            (local.set $y
              (v128.bitselect
                (f32x4.div (f32x4.sub (local.get $x) (local.get $x)) (f32x4.sub (local.get $x) (local.get $x)))
                (local.get $y)
                (v128.or (i32x4.lt_s (local.get $x) (i32x4.splat (i32.const 0)))
                         (i32x4.ge_u (i32x4.shl (local.get $x) (i32.const 1)) (i32x4.splat (i32.const 0xff000000))))))
            (local.set $y
              (v128.bitselect (local.get $x) (local.get $y) (i32x4.eq (local.get $x) (i32x4.splat (i32.const 0x7f800000)))))
            (local.set $y
              (v128.bitselect (f32x4.splat (f32.const -inf)) (local.get $y)
                (i32x4.eq (i32x4.shl (local.get $x) (i32.const 1)) (i32x4.splat (i32.const 0)))))
            ;; x = (log(u / (1 − u)) + log α) · (1/β)
            (local.set $x (f32x4.mul (f32x4.add (local.get $y) (local.get $alpha)) (f32x4.splat (local.get $inverseBeta))))
            (if (i32.ge_u (local.get $left) (i32.const 4))
              (then (v128.store (i32.add (local.get $out) (local.get $offset)) (local.get $x)))
              (else (call $storeRest (i32.add (local.get $out) (local.get $offset)) (local.get $left) (local.get $x))))
            (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
            (br $vectors)))
        ;; Pass 2, in place: z = min(1, max(0, σ(x)·(ζ − γ) + γ)), XNNPACK's clamp.
        (local.set $offset (i32.shl (local.get $i) (i32.const 2)))
        (block $gatesDone
          (loop $gates
            (local.set $left (i32.sub (local.get $end) (i32.shr_u (local.get $offset) (i32.const 2))))
            (br_if $gatesDone (i32.le_s (local.get $left) (i32.const 0)))
            (if (i32.ge_u (local.get $left) (i32.const 4))
              (then (local.set $x (v128.load (i32.add (local.get $out) (local.get $offset)))))
              (else (local.set $x (call $loadRest (i32.add (local.get $out) (local.get $offset)) (local.get $left) (f32x4.splat (f32.const 0))))))
            (local.set $e (call $sigmoid (local.get $x)))
            (local.set $y
              (f32x4.pmin (f32x4.splat (f32.const 1))
                (f32x4.pmax (f32x4.splat (f32.const 0))
                  (f32x4.add (f32x4.mul (local.get $e) (f32x4.splat (local.get $zetaMinusGamma))) (f32x4.splat (local.get $gamma))))))
            (if (i32.ge_u (local.get $left) (i32.const 4))
              (then (v128.store (i32.add (local.get $out) (local.get $offset)) (local.get $y)))
              (else (call $storeRest (i32.add (local.get $out) (local.get $offset)) (local.get $left) (local.get $y))))
            (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
            (br $gates)))
        (local.set $i (local.get $end))
        (br $chunks))))

  ;; openProbabilityGradient(p, g, out, n): out = (p − p·p) · g for the n entries of p, g one float32.
  (func (export "openProbabilityGradient") (param $p i32) (param $g i32) (param $out i32) (param $n i32)
    (local $i i32) (local $left i32) (local $offset i32) (local $v v128)
    (block $done
      (loop $vectors
        (local.set $left (i32.sub (local.get $n) (local.get $i)))
        (br_if $done (i32.le_s (local.get $left) (i32.const 0)))
        (local.set $offset (i32.shl (local.get $i) (i32.const 2)))
        (local.set $v
          (if (result v128) (i32.ge_u (local.get $left) (i32.const 4))
            (then (v128.load (i32.add (local.get $p) (local.get $offset))))
            (else (call $loadRest (i32.add (local.get $p) (local.get $offset)) (local.get $left) (f32x4.splat (f32.const 0))))))
        (local.set $v
          (f32x4.mul (f32x4.sub (local.get $v) (f32x4.mul (local.get $v) (local.get $v))) (v128.load32_splat (local.get $g))))
        (if (i32.ge_u (local.get $left) (i32.const 4))
          (then (v128.store (i32.add (local.get $out) (local.get $offset)) (local.get $v)))
          (else (call $storeRest (i32.add (local.get $out) (local.get $offset)) (local.get $left) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors))))

;; gatedRowsGradient(dy, w, z, dLogAlpha, dW, n, m, γ, ζ, k): the backward pass of a
;; dense kernel whose n rows are gated, diag(z)·W (W n×m), given G = dy:
;;   dW = diag(z)·G,   dLogAlphaᵢ = (Σⱼ Gᵢⱼ Wᵢⱼ) · z′ᵢ,
;;   z′ = ((z − γ)(ζ − z)·k) · min((z(1 − z))·2¹⁰⁰, 1),  k = 1/((ζ − γ)β),
;; the closed-form ∂z/∂log α of the sample (0 at the clamps). In place of about a
;; dozen tfjs kernels and two extra passes over G, with their bits: the row sums one
;; product after another in float32, as tfjs-backend-wasm's Sum adds, and the minimum
;; as its Minimum takes it (1 < t ? 1 : t, so NaN stays NaN).
  (func (export "gatedRowsGradient")
    (param $dy i32) (param $w i32) (param $z i32) (param $dLogAlpha i32) (param $dW i32)
    (param $n i32) (param $m i32) (param $gamma f32) (param $zeta f32) (param $k f32)
    (local $i i32) (local $j i32) (local $vectorEnd i32) (local $gate f32) (local $gates v128)
    (local $g v128) (local $products v128) (local $one f32) (local $sum f32) (local $scaled f32)
    (local.set $vectorEnd (i32.and (local.get $m) (i32.const -4)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $gate (f32.load (local.get $z)))
        (local.set $gates (f32x4.splat (local.get $gate)))
        (local.set $sum (f32.const 0))
        (local.set $j (i32.const 0))
        (block $vectorsDone
          (loop $vectors
            (br_if $vectorsDone (i32.ge_u (local.get $j) (local.get $vectorEnd)))
            (local.set $g (v128.load (local.get $dy)))
            (local.set $products (f32x4.mul (local.get $g) (v128.load (local.get $w))))
            (v128.store (local.get $dW) (f32x4.mul (local.get $g) (local.get $gates)))
            (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 0 (local.get $products))))
            (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 1 (local.get $products))))
            (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 2 (local.get $products))))
            (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 3 (local.get $products))))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $w (i32.add (local.get $w) (i32.const 16)))
            (local.set $dW (i32.add (local.get $dW) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $vectors)))
        (block $restDone
          (loop $rest
            (br_if $restDone (i32.ge_u (local.get $j) (local.get $m)))
            (local.set $one (f32.load (local.get $dy)))
            (local.set $sum (f32.add (local.get $sum) (f32.mul (local.get $one) (f32.load (local.get $w)))))
            (f32.store (local.get $dW) (f32.mul (local.get $one) (local.get $gate)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
            (local.set $w (i32.add (local.get $w) (i32.const 4)))
            (local.set $dW (i32.add (local.get $dW) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $rest)))
        ;; z′ = ((z − γ)(ζ − z)·k)·min((z(1 − z))·2¹⁰⁰, 1), then Σ·z′.
        (local.set $scaled
          (f32.mul (f32.mul (local.get $gate) (f32.sub (f32.const 1) (local.get $gate))) (f32.const 0x1p100)))
        (f32.store (local.get $dLogAlpha)
          (f32.mul (local.get $sum)
            (f32.mul
              (f32.mul
                (f32.mul (f32.sub (local.get $gate) (local.get $gamma)) (f32.sub (local.get $zeta) (local.get $gate)))
                (local.get $k))
              (select (f32.const 1) (local.get $scaled) (f32.lt (f32.const 1) (local.get $scaled))))))
        (local.set $z (i32.add (local.get $z) (i32.const 4)))
        (local.set $dLogAlpha (i32.add (local.get $dLogAlpha) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

;; The layer penalty's two kernels (Louizos et al. 2018, Sec. 2.2 and 2.3, authors' code),
;; in place of the chain of about fifteen tfjs kernels forward and ten backward, with its bits:
;;   p_g = σ(log α_g − zero),   c_g = (Σ_k θ_{g,k}² (+ b_g²)) · halfDecay + perGate,
;;   total = Σ_g p_g c_g (+ (Σ_j b_j²) · halfDecay for an ungated bias),
;; each sum from +0, one term after another in float32 as tfjs-backend-wasm's Sum adds.
;; Gate g owns K weights: with $rows (a dense kernel gated by input) they are row g of a
;; G×K kernel, otherwise (one gate per weight, K = 1; a convolution's output channels)
;; column g of a K×G kernel.
;;
;; $load4(at, left, fill): four float32 at byte offset $at, or the `left` (< 4) there and `fill`.
  (func $load4 (param $at i32) (param $left i32) (param $fill v128) (result v128)
    (if (result v128) (i32.ge_u (local.get $left) (i32.const 4))
      (then (v128.load (local.get $at)))
      (else (call $loadRest (local.get $at) (local.get $left) (local.get $fill)))))

  ;; $store4(at, left, v): the four lanes of $v at byte offset $at, or the first `left` (< 4).
  (func $store4 (param $at i32) (param $left i32) (param $v v128)
    (if (i32.ge_u (local.get $left) (i32.const 4))
      (then (v128.store (local.get $at) (local.get $v)))
      (else (call $storeRest (local.get $at) (local.get $left) (local.get $v)))))

  ;; layerPenalty(logAlpha, w, b, p, c, total, G, K, rows, biasCount, biasGated, zero, halfDecay, perGate):
  ;; p and c (G entries each) and the total (one float32); b has biasCount entries (0: no bias).
  (func (export "layerPenalty")
    (param $logAlpha i32) (param $w i32) (param $b i32) (param $p i32) (param $c i32) (param $total i32)
    (param $G i32) (param $K i32) (param $rows i32) (param $biasCount i32) (param $biasGated i32)
    (param $zero f32) (param $halfDecay f32) (param $perGate f32)
    (local $g i32) (local $k i32) (local $left i32) (local $at i32) (local $end i32) (local $rowBytes i32)
    (local $x v128) (local $squares v128) (local $one f32) (local $cost f32) (local $sum f32)
    (local.set $rowBytes (i32.shl (local.get $K) (i32.const 2)))
    ;; p = σ(log α − zero) and c = +0, four gates at a time.
    (block $openDone
      (loop $open
        (local.set $left (i32.sub (local.get $G) (local.get $g)))
        (br_if $openDone (i32.le_s (local.get $left) (i32.const 0)))
        (local.set $at (i32.shl (local.get $g) (i32.const 2)))
        (call $store4 (i32.add (local.get $p) (local.get $at)) (local.get $left)
          (call $sigmoid
            (f32x4.sub
              (call $load4 (i32.add (local.get $logAlpha) (local.get $at)) (local.get $left) (f32x4.splat (f32.const 0)))
              (f32x4.splat (local.get $zero)))))
        (call $store4 (i32.add (local.get $c) (local.get $at)) (local.get $left) (f32x4.splat (f32.const 0)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (br $open)))
    ;; c_g = Σ_k θ_{g,k}², each sum in k's order.
    (if (local.get $rows)
      (then
        ;; Four rows at a time, row g + j in lane j.
        (local.set $g (i32.const 0))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.gt_s (i32.add (local.get $g) (i32.const 4)) (local.get $G)))
            (local.set $at (i32.add (local.get $w) (i32.mul (local.get $g) (local.get $rowBytes))))
            (local.set $end (i32.add (local.get $at) (local.get $rowBytes)))
            (local.set $squares (f32x4.splat (f32.const 0)))
            (block $weightsDone
              (loop $weights
                (br_if $weightsDone (i32.ge_u (local.get $at) (local.get $end)))
                (local.set $x
                  (f32x4.replace_lane 3
                    (f32x4.replace_lane 2
                      (f32x4.replace_lane 1 (f32x4.splat (f32.load (local.get $at)))
                        (f32.load (i32.add (local.get $at) (local.get $rowBytes))))
                      (f32.load (i32.add (local.get $at) (i32.shl (local.get $rowBytes) (i32.const 1)))))
                    (f32.load (i32.add (local.get $at) (i32.mul (local.get $rowBytes) (i32.const 3))))))
                (local.set $squares (f32x4.add (local.get $squares) (f32x4.mul (local.get $x) (local.get $x))))
                (local.set $at (i32.add (local.get $at) (i32.const 4)))
                (br $weights)))
            (v128.store (i32.add (local.get $c) (i32.shl (local.get $g) (i32.const 2))) (local.get $squares))
            (local.set $g (i32.add (local.get $g) (i32.const 4)))
            (br $quads)))
        ;; The last G mod 4 rows one at a time.
        (block $lastDone
          (loop $last
            (br_if $lastDone (i32.ge_u (local.get $g) (local.get $G)))
            (local.set $at (i32.add (local.get $w) (i32.mul (local.get $g) (local.get $rowBytes))))
            (local.set $end (i32.add (local.get $at) (local.get $rowBytes)))
            (local.set $cost (f32.const 0))
            (block $weightsDone
              (loop $weights
                (br_if $weightsDone (i32.ge_u (local.get $at) (local.get $end)))
                (local.set $one (f32.load (local.get $at)))
                (local.set $cost (f32.add (local.get $cost) (f32.mul (local.get $one) (local.get $one))))
                (local.set $at (i32.add (local.get $at) (i32.const 4)))
                (br $weights)))
            (f32.store (i32.add (local.get $c) (i32.shl (local.get $g) (i32.const 2))) (local.get $cost))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $last))))
      (else
        ;; Row k of the K×G kernel adds its squares to the G sums, four gates at a time.
        (local.set $at (local.get $w))
        (block $kernelRowsDone
          (loop $kernelRows
            (br_if $kernelRowsDone (i32.ge_u (local.get $k) (local.get $K)))
            (local.set $g (i32.const 0))
            (block $gatesDone
              (loop $gates
                (local.set $left (i32.sub (local.get $G) (local.get $g)))
                (br_if $gatesDone (i32.le_s (local.get $left) (i32.const 0)))
                (local.set $x (call $load4 (local.get $at) (local.get $left) (f32x4.splat (f32.const 0))))
                (local.set $end (i32.add (local.get $c) (i32.shl (local.get $g) (i32.const 2))))
                (call $store4 (local.get $end) (local.get $left)
                  (f32x4.add
                    (call $load4 (local.get $end) (local.get $left) (f32x4.splat (f32.const 0)))
                    (f32x4.mul (local.get $x) (local.get $x))))
                (local.set $at (i32.add (local.get $at) (i32.const 16)))
                (local.set $g (i32.add (local.get $g) (i32.const 4)))
                (br $gates)))
            ;; $at overshot the row by (4 − G mod 4) mod 4 entries: back to the next row's start.
            (local.set $at (i32.add (local.get $w) (i32.mul (i32.add (local.get $k) (i32.const 1)) (i32.shl (local.get $G) (i32.const 2)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $kernelRows)))))
    ;; c_g = (squares (+ b_g²))·halfDecay + perGate; total = Σ_g p_g c_g in g's order.
    (local.set $g (i32.const 0))
    (block $costsDone
      (loop $costs
        (br_if $costsDone (i32.ge_u (local.get $g) (local.get $G)))
        (local.set $at (i32.shl (local.get $g) (i32.const 2)))
        (local.set $cost (f32.load (i32.add (local.get $c) (local.get $at))))
        (if (local.get $biasGated)
          (then
            (local.set $one (f32.load (i32.add (local.get $b) (local.get $at))))
            (local.set $cost (f32.add (local.get $cost) (f32.mul (local.get $one) (local.get $one))))))
        (local.set $cost (f32.add (f32.mul (local.get $cost) (local.get $halfDecay)) (local.get $perGate)))
        (f32.store (i32.add (local.get $c) (local.get $at)) (local.get $cost))
        (local.set $sum
          (f32.add (local.get $sum) (f32.mul (f32.load (i32.add (local.get $p) (local.get $at))) (local.get $cost))))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $costs)))
    ;; An ungated bias: + (Σ_j b_j²)·halfDecay.
    (if (i32.and (i32.gt_u (local.get $biasCount) (i32.const 0)) (i32.eqz (local.get $biasGated)))
      (then
        (local.set $cost (f32.const 0))
        (local.set $k (i32.const 0))
        (block $biasDone
          (loop $bias
            (br_if $biasDone (i32.ge_u (local.get $k) (local.get $biasCount)))
            (local.set $one (f32.load (i32.add (local.get $b) (i32.shl (local.get $k) (i32.const 2)))))
            (local.set $cost (f32.add (local.get $cost) (f32.mul (local.get $one) (local.get $one))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $bias)))
        (local.set $sum (f32.add (local.get $sum) (f32.mul (local.get $cost) (local.get $halfDecay))))))
    (f32.store (local.get $total) (local.get $sum)))

  ;; layerPenaltyGradient(dy, p, c, w, b, dLogAlpha, dW, db, G, K, rows, biasCount, biasGated, twiceHalfDecay):
  ;; for the gradient dy (one float32) of the total, with decay = dy · (2·halfDecay):
  ;;   dLogAlpha_g = (c_g (p_g − p_g²)) · dy,   dθ_{g,k} = (θ_{g,k} p_g) · decay,
  ;;   db_g = (b_g p_g) · decay for a gated bias, db_j = b_j · decay otherwise.
  (func (export "layerPenaltyGradient")
    (param $dy i32) (param $p i32) (param $c i32) (param $w i32) (param $b i32)
    (param $dLogAlpha i32) (param $dW i32) (param $db i32)
    (param $G i32) (param $K i32) (param $rows i32) (param $biasCount i32) (param $biasGated i32)
    (param $twiceHalfDecay f32)
    (local $g i32) (local $k i32) (local $left i32) (local $at i32) (local $end i32) (local $vectorEnd i32)
    (local $open v128) (local $gradient v128) (local $decay v128)
    (local.set $gradient (v128.load32_splat (local.get $dy)))
    (local.set $decay (f32x4.mul (local.get $gradient) (f32x4.splat (local.get $twiceHalfDecay))))
    ;; dLogAlpha, and db for a gated bias, four gates at a time.
    (block $gatesDone
      (loop $gates
        (local.set $left (i32.sub (local.get $G) (local.get $g)))
        (br_if $gatesDone (i32.le_s (local.get $left) (i32.const 0)))
        (local.set $at (i32.shl (local.get $g) (i32.const 2)))
        (local.set $open (call $load4 (i32.add (local.get $p) (local.get $at)) (local.get $left) (f32x4.splat (f32.const 0))))
        (call $store4 (i32.add (local.get $dLogAlpha) (local.get $at)) (local.get $left)
          (f32x4.mul
            (f32x4.mul
              (call $load4 (i32.add (local.get $c) (local.get $at)) (local.get $left) (f32x4.splat (f32.const 0)))
              (f32x4.sub (local.get $open) (f32x4.mul (local.get $open) (local.get $open))))
            (local.get $gradient)))
        (if (local.get $biasGated)
          (then
            (call $store4 (i32.add (local.get $db) (local.get $at)) (local.get $left)
              (f32x4.mul
                (f32x4.mul
                  (call $load4 (i32.add (local.get $b) (local.get $at)) (local.get $left) (f32x4.splat (f32.const 0)))
                  (local.get $open))
                (local.get $decay)))))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (br $gates)))
    ;; dθ = (θ p_g)·decay.
    (if (local.get $rows)
      (then
        ;; Row by row, p_g in every lane: four weights at a time, then the row's last K mod 4.
        (local.set $vectorEnd (i32.shl (i32.and (local.get $K) (i32.const -4)) (i32.const 2)))
        (local.set $g (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $g) (local.get $G)))
            (local.set $open (v128.load32_splat (i32.add (local.get $p) (i32.shl (local.get $g) (i32.const 2)))))
            (local.set $at (i32.mul (local.get $g) (i32.shl (local.get $K) (i32.const 2))))
            (local.set $end (i32.add (local.get $at) (local.get $vectorEnd)))
            (block $vectorsDone
              (loop $vectors
                (br_if $vectorsDone (i32.ge_u (local.get $at) (local.get $end)))
                (v128.store (i32.add (local.get $dW) (local.get $at))
                  (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $w) (local.get $at))) (local.get $open)) (local.get $decay)))
                (local.set $at (i32.add (local.get $at) (i32.const 16)))
                (br $vectors)))
            (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $K) (i32.const 3)) (i32.const 2))))
            (block $restDone
              (loop $rest
                (br_if $restDone (i32.ge_u (local.get $at) (local.get $end)))
                (f32.store (i32.add (local.get $dW) (local.get $at))
                  (f32.mul
                    (f32.mul (f32.load (i32.add (local.get $w) (local.get $at))) (f32x4.extract_lane 0 (local.get $open)))
                    (f32x4.extract_lane 0 (local.get $decay))))
                (local.set $at (i32.add (local.get $at) (i32.const 4)))
                (br $rest)))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $rowLoop))))
      (else
        ;; Kernel row by kernel row, four gates at a time.
        (local.set $at (i32.const 0))
        (block $kernelRowsDone
          (loop $kernelRows
            (br_if $kernelRowsDone (i32.ge_u (local.get $k) (local.get $K)))
            (local.set $g (i32.const 0))
            (block $columnsDone
              (loop $columns
                (local.set $left (i32.sub (local.get $G) (local.get $g)))
                (br_if $columnsDone (i32.le_s (local.get $left) (i32.const 0)))
                (call $store4 (i32.add (local.get $dW) (local.get $at)) (local.get $left)
                  (f32x4.mul
                    (f32x4.mul
                      (call $load4 (i32.add (local.get $w) (local.get $at)) (local.get $left) (f32x4.splat (f32.const 0)))
                      (call $load4 (i32.add (local.get $p) (i32.shl (local.get $g) (i32.const 2))) (local.get $left)
                        (f32x4.splat (f32.const 0))))
                    (local.get $decay)))
                (local.set $at (i32.add (local.get $at) (i32.const 16)))
                (local.set $g (i32.add (local.get $g) (i32.const 4)))
                (br $columns)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (local.set $at (i32.mul (local.get $k) (i32.shl (local.get $G) (i32.const 2))))
            (br $kernelRows)))))
    ;; db = b·decay for an ungated bias.
    (if (i32.eqz (local.get $biasGated))
      (then
        (local.set $k (i32.const 0))
        (block $biasDone
          (loop $bias
            (br_if $biasDone (i32.ge_u (local.get $k) (local.get $biasCount)))
            (local.set $at (i32.shl (local.get $k) (i32.const 2)))
            (f32.store (i32.add (local.get $db) (local.get $at))
              (f32.mul (f32.load (i32.add (local.get $b) (local.get $at))) (f32x4.extract_lane 0 (local.get $decay))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $bias))))))
)

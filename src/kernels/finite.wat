;; The finiteness probe of a float32 tensor: p = Σᵢ (xᵢ − xᵢ), four lanes at a time.
;; x − x is +0 for every finite x and NaN for ±∞ and NaN, so p is 0 exactly when
;; every entry is finite and NaN otherwise; unlike Σ x it cannot overflow, and it
;; reads the entries once with WebAssembly SIMD instead of tfjs-backend-wasm's Sum,
;; one float32 addition after another. Compiled by tools/build.mjs (wabt) into
;; finiteWasm.ts; run by finite.ts on the memory of tfjs's wasm backend.
;;
;; probe(x, n, out): writes p for the n float32 entries at byte offset x to the
;; float32 at byte offset out. The module imports the memory and has no data of its own.
(module
  (import "env" "memory" (memory 0))
  (func (export "probe") (param $x i32) (param $n i32) (param $out i32)
    (local $end i32) (local $vectorEnd i32) (local $lanes v128) (local $probe v128) (local $one f32) (local $sum f32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vectorEnd (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $x) (local.get $vectorEnd)))
        (local.set $lanes (v128.load (local.get $x)))
        (local.set $probe (f32x4.add (local.get $probe) (f32x4.sub (local.get $lanes) (local.get $lanes))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $vectors)))
    (local.set $sum
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $probe)) (f32x4.extract_lane 1 (local.get $probe)))
        (f32.add (f32x4.extract_lane 2 (local.get $probe)) (f32x4.extract_lane 3 (local.get $probe)))))
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $one (f32.load (local.get $x)))
        (local.set $sum (f32.add (local.get $sum) (f32.sub (local.get $one) (local.get $one))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $rest)))
    (f32.store (local.get $out) (local.get $sum)))
)

;; The running average of a model's weights (Louizos, Welling & Kingma 2018, Sec. 4:
;; "temporal averaging"), a ← d·a + (1 − d)·θ, in one pass, four float32 entries at a time
;; with WebAssembly SIMD. Compiled by tools/build.mjs (wabt) into averageWasm.ts; run by
;; average.ts on the memory of tfjs's wasm backend, whose tensors it reads and writes.
;;
;; blend(a, θ, out, n, d, 1 − d): out = d·a + (1 − d)·θ for the n entries at byte offsets a
;; and θ, each product and the sum rounded to float32 as tfjs's Multiply and Add round
;; them (WebAssembly has no fused multiply-add), so the same bits as the chain.
;; The module imports the memory and has no data of its own.
(module
  (import "env" "memory" (memory 0))
  (func (export "blend")
    (param $a i32) (param $theta i32) (param $out i32) (param $n i32) (param $d f32) (param $oneMinusD f32)
    (local $offset i32) (local $vectorEnd i32) (local $end i32)
    (local.set $vectorEnd (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    ;; Four entries at a time.
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $offset) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $offset))
          (f32x4.add
            (f32x4.mul (f32x4.splat (local.get $d)) (v128.load (i32.add (local.get $a) (local.get $offset))))
            (f32x4.mul (f32x4.splat (local.get $oneMinusD)) (v128.load (i32.add (local.get $theta) (local.get $offset))))))
        (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
        (br $vectors)))
    ;; The last n mod 4 one at a time.
    (block $done
      (loop $entries
        (br_if $done (i32.ge_u (local.get $offset) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $offset))
          (f32.add
            (f32.mul (local.get $d) (f32.load (i32.add (local.get $a) (local.get $offset))))
            (f32.mul (local.get $oneMinusD) (f32.load (i32.add (local.get $theta) (local.get $offset))))))
        (local.set $offset (i32.add (local.get $offset) (i32.const 4)))
        (br $entries)))))

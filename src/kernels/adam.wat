;; Adam's update of a variable and its moments (Kingma & Ba 2015, Algorithm 1, in the
;; order of operations of tfjs's tf.train.adam) in one pass, four float32 entries at a time
;; with WebAssembly SIMD. Compiled by tools/build.mjs (wabt) into adamWasm.ts; run by
;; adam.ts on the memory of tfjs's wasm backend, whose tensors it reads and writes.
;;
;; adam(x, g, m, v, c1, c2, xOut, mOut, vOut, n, β₁, 1 − β₁, β₂, 1 − β₂, ε, −lr):
;; for the n entries at byte offsets x (the variable), g, m, v (and c1, c2: one
;; float32 each, 1 − β₁ᵗ and 1 − β₂ᵗ):
;;   mOut = m·β₁ + g·(1 − β₁)
;;   vOut = v·β₂ + (g·g)·(1 − β₂)
;;   xOut = ((mOut / c1) / (√(vOut / c2) + ε))·(−lr) + x
;; The module imports the memory and has no data of its own.
(module
  (import "env" "memory" (memory 0))
  (func (export "adam")
    (param $x i32) (param $g i32) (param $m i32) (param $v i32) (param $c1 i32) (param $c2 i32)
    (param $xOut i32) (param $mOut i32) (param $vOut i32) (param $n i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $epsilon f32) (param $minusLearningRate f32)
    (local $i i32) (local $vectorEnd i32) (local $offset i32)
    (local $gradient v128) (local $first v128) (local $second v128)
    (local $gradient1 f32) (local $first1 f32) (local $second1 f32)
    (local.set $vectorEnd (i32.and (local.get $n) (i32.const -4)))
    ;; Four entries at a time.
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (local.set $offset (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gradient (v128.load (i32.add (local.get $g) (local.get $offset))))
        (local.set $first
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $offset))) (f32x4.splat (local.get $beta1)))
            (f32x4.mul (local.get $gradient) (f32x4.splat (local.get $oneMinusBeta1)))))
        (local.set $second
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $offset))) (f32x4.splat (local.get $beta2)))
            (f32x4.mul (f32x4.mul (local.get $gradient) (local.get $gradient)) (f32x4.splat (local.get $oneMinusBeta2)))))
        (v128.store (i32.add (local.get $mOut) (local.get $offset)) (local.get $first))
        (v128.store (i32.add (local.get $vOut) (local.get $offset)) (local.get $second))
        (v128.store (i32.add (local.get $xOut) (local.get $offset))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $first) (f32x4.splat (f32.load (local.get $c1))))
                (f32x4.add
                  (f32x4.sqrt (f32x4.div (local.get $second) (f32x4.splat (f32.load (local.get $c2)))))
                  (f32x4.splat (local.get $epsilon))))
              (f32x4.splat (local.get $minusLearningRate)))
            (v128.load (i32.add (local.get $x) (local.get $offset)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors)))
    ;; The last n mod 4 entries, one at a time.
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $offset (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gradient1 (f32.load (i32.add (local.get $g) (local.get $offset))))
        (local.set $first1
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $offset))) (local.get $beta1))
            (f32.mul (local.get $gradient1) (local.get $oneMinusBeta1))))
        (local.set $second1
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $offset))) (local.get $beta2))
            (f32.mul (f32.mul (local.get $gradient1) (local.get $gradient1)) (local.get $oneMinusBeta2))))
        (f32.store (i32.add (local.get $mOut) (local.get $offset)) (local.get $first1))
        (f32.store (i32.add (local.get $vOut) (local.get $offset)) (local.get $second1))
        (f32.store (i32.add (local.get $xOut) (local.get $offset))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $first1) (f32.load (local.get $c1)))
                (f32.add (f32.sqrt (f32.div (local.get $second1) (f32.load (local.get $c2)))) (local.get $epsilon)))
              (local.get $minusLearningRate))
            (f32.load (i32.add (local.get $x) (local.get $offset)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rest))))
)

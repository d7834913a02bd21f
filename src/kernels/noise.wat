;; Uniform noise from the library's generator (src/random.ts: xoshiro128**, Blackman
;; & Vigna 2021, and the grid of Random.fillUniform), written straight into the
;; memory of tfjs's wasm backend instead of drawn in JavaScript and copied in.
;; Compiled by tools/build.mjs (wabt) into noiseWasm.ts; run by noise.ts.
;;
;; uniforms(state, out, n, scale, offset): continues the stream from the four
;; 32-bit state words at byte offset state, writes n float32 values
;; u = offset + scale·(r >>> 9) (r the generator's next output; the product and sum
;; in float64, then rounded to float32, as JavaScript stores them into a
;; Float32Array) at byte offset out, and stores the advanced state back. The
;; module imports the memory and has no data of its own.
(module
  (import "env" "memory" (memory 0))
  (func (export "uniforms") (param $state i32) (param $out i32) (param $n i32) (param $scale f64) (param $offset f64)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $product i32) (local $result i32) (local $t i32) (local $end i32)
    (local.set $s0 (i32.load (local.get $state)))
    (local.set $s1 (i32.load offset=4 (local.get $state)))
    (local.set $s2 (i32.load offset=8 (local.get $state)))
    (local.set $s3 (i32.load offset=12 (local.get $state)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $values
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        ;; result = rotl(s1·5, 7)·9; t = s1 << 9
        (local.set $product (i32.mul (local.get $s1) (i32.const 5)))
        (local.set $result (i32.mul (i32.rotl (local.get $product) (i32.const 7)) (i32.const 9)))
        (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
        (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
        (f32.store (local.get $out)
          (f32.demote_f64
            (f64.add (local.get $offset)
              (f64.mul (local.get $scale) (f64.convert_i32_u (i32.shr_u (local.get $result) (i32.const 9)))))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $values)))
    (i32.store (local.get $state) (local.get $s0))
    (i32.store offset=4 (local.get $state) (local.get $s1))
    (i32.store offset=8 (local.get $state) (local.get $s2))
    (i32.store offset=12 (local.get $state) (local.get $s3)))
)

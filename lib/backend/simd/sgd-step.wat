;; out = param − lr·grad over n floats, four at a time: a plain SGD step.
;; Each product and difference is rounded to float32, as PyTorch computes it.
;; Offsets are bytes into tfjs-backend-wasm's memory.
(module
  (import "env" "memory" (memory 0))
  (func (export "sgdStep") (param $param i32) (param $grad i32) (param $out i32) (param $n i32) (param $lr f32)
    (local $i i32) (local $vectorEnd i32) (local $rate v128)
    (local.set $rate (f32x4.splat (local.get $lr)))
    (local.set $vectorEnd (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vectors_done (loop $vectors
      (br_if $vectors_done (i32.ge_u (local.get $i) (local.get $vectorEnd)))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.sub
          (v128.load (i32.add (local.get $param) (local.get $i)))
          (f32x4.mul (v128.load (i32.add (local.get $grad) (local.get $i))) (local.get $rate))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vectors)))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $i) (i32.shl (local.get $n) (i32.const 2))))
      (f32.store (i32.add (local.get $out) (local.get $i))
        (f32.sub
          (f32.load (i32.add (local.get $param) (local.get $i)))
          (f32.mul (f32.load (i32.add (local.get $grad) (local.get $i))) (local.get $lr))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
  )
)

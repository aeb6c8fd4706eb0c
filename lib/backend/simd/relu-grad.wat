;; dx = dy · step(x) over n floats, four at a time, with tfjs's step: 1 where
;; x > 0, 0 elsewhere, NaN where x is NaN; dy · 0 stays IEEE (∞ · 0 is NaN),
;; as tfjs's product is. The last n mod 4 floats go one at a time, through the
;; same lanes' arithmetic, written out twice rather than called: Node 20's
;; engine does not inline wasm calls. Offsets are bytes into
;; tfjs-backend-wasm's memory.
(module
  (import "env" "memory" (memory 0))
  (func (export "reluGrad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $v v128)
    (local.set $vectorEnd (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $vectors_done (loop $vectors
      (br_if $vectors_done (i32.ge_u (local.get $i) (local.get $vectorEnd)))
      (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $i)))
          (v128.bitselect
            (local.get $v)
            (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
            (f32x4.ne (local.get $v) (local.get $v)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vectors)))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $v (v128.load32_zero (i32.add (local.get $x) (local.get $i))))
      (v128.store32_lane 0 (i32.add (local.get $out) (local.get $i))
        (f32x4.mul (v128.load32_zero (i32.add (local.get $dy) (local.get $i)))
          (v128.bitselect
            (local.get $v)
            (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
            (f32x4.ne (local.get $v) (local.get $v)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
  )
)

;; C = A · Bᵀ for a few rows: A [m, k], B [n, k], C [m, n], row-major float32.
;; Every element of C is a dot product of two contiguous rows, taken four
;; floats at a time with 128-bit SIMD, then the k mod 4 tail. For the
;; products XNNPACK is slow to start on (one example, one time step: m < 16).
;; Arguments are byte offsets into tfjs-backend-wasm's memory, then sizes.
(module
  (import "env" "memory" (memory 0))
  (func (export "matMulTransposed")
    (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $aRow i32) (local $bRow i32) (local $out i32)
    (local $p i32) (local $q i32) (local $vectorEnd i32) (local $end i32)
    (local $acc v128) (local $sum f32)
    (local.set $out (local.get $c))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $aRow (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2))))
      (local.set $end (i32.add (local.get $aRow) (i32.shl (local.get $k) (i32.const 2))))
      (local.set $vectorEnd (i32.add (local.get $aRow) (i32.shl (i32.and (local.get $k) (i32.const -4)) (i32.const 2))))
      (local.set $j (i32.const 0))
      (block $columns_done (loop $columns
        (br_if $columns_done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $bRow (i32.add (local.get $b) (i32.shl (i32.mul (local.get $j) (local.get $k)) (i32.const 2))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $p (local.get $aRow))
        (local.set $q (local.get $bRow))
        (block $vectors_done (loop $vectors
          (br_if $vectors_done (i32.ge_u (local.get $p) (local.get $vectorEnd)))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (br $vectors)))
        (local.set $sum
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (block $tail_done (loop $tail
          (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $p)) (f32.load (local.get $q)))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (br $tail)))
        (f32.store (local.get $out) (local.get $sum))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $columns)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
  )
)

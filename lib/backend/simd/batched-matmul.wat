;; C[b] = A[b] · B[b] for a batch of small row-major float32 matrices, with
;; 128-bit SIMD along the columns of B and C: A [batch, m, k], B [batch, k, n],
;; C [batch, m, n]. Arguments are byte offsets into the memory of
;; tfjs-backend-wasm, which this module imports and shares.
;; Each row of C is built in blocks of 16, 8 or 4 columns held in registers,
;; one k at a time: block += A[i, k] · B[k, block]; the last n mod 4 columns
;; are dot products, one float at a time. Each element sums over k in order.
(module
  (import "env" "memory" (memory 0))

  ;; C[i, j..j+16] from the row of A at $a and the column block of B at $b.
  (func $block16 (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $bStride i32)
    (local $end i32) (local $s v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $s (v128.load32_splat (local.get $a)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $s) (v128.load (local.get $b)))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $b)))))
      (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $b)))))
      (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (local.get $bStride)))
      (br $sum)))
    (v128.store (local.get $c) (local.get $c0))
    (v128.store offset=16 (local.get $c) (local.get $c1))
    (v128.store offset=32 (local.get $c) (local.get $c2))
    (v128.store offset=48 (local.get $c) (local.get $c3)))

  ;; C[i, j..j+8].
  (func $block8 (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $bStride i32)
    (local $end i32) (local $s v128) (local $c0 v128) (local $c1 v128)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $s (v128.load32_splat (local.get $a)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $s) (v128.load (local.get $b)))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (local.get $bStride)))
      (br $sum)))
    (v128.store (local.get $c) (local.get $c0))
    (v128.store offset=16 (local.get $c) (local.get $c1)))

  ;; C[i, j..j+4].
  (func $block4 (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $bStride i32)
    (local $end i32) (local $c0 v128)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $a)) (v128.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (local.get $bStride)))
      (br $sum)))
    (v128.store (local.get $c) (local.get $c0)))

  ;; C[i, j], one column.
  (func $column (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $bStride i32)
    (local $end i32) (local $sum f32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (local.get $bStride)))
      (br $sum)))
    (f32.store (local.get $c) (local.get $sum)))

  (func (export "batchedMatMul")
    (param $a i32) (param $b i32) (param $c i32)
    (param $batch i32) (param $m i32) (param $k i32) (param $n i32)
    (local $bStride i32) (local $aRow i32) (local $bMatrix i32) (local $cRow i32)
    (local $rows i32) (local $row i32) (local $j i32) (local $matrix i32)
    (local.set $bStride (i32.shl (local.get $n) (i32.const 2)))
    (local.set $aRow (local.get $a))
    (local.set $cRow (local.get $c))
    (block $batches_done (loop $batches
      (br_if $batches_done (i32.ge_u (local.get $matrix) (local.get $batch)))
      (local.set $bMatrix (i32.add (local.get $b) (i32.mul (i32.mul (local.get $matrix) (local.get $k)) (local.get $bStride))))
      (local.set $row (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $row) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $sixteens_done (loop $sixteens
          (br_if $sixteens_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
          (call $block16 (local.get $aRow) (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2)))
            (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $bStride))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $sixteens)))
        (if (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $n))
          (then
            (call $block8 (local.get $aRow) (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $bStride))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))))
        (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n))
          (then
            (call $block4 (local.get $aRow) (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $bStride))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))))
        (block $columns_done (loop $columns
          (br_if $columns_done (i32.ge_u (local.get $j) (local.get $n)))
          (call $column (local.get $aRow) (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2)))
            (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $bStride))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $columns)))
        (local.set $aRow (i32.add (local.get $aRow) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $cRow (i32.add (local.get $cRow) (local.get $bStride)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows)))
      (local.set $matrix (i32.add (local.get $matrix) (i32.const 1)))
      (br $batches)))
  )
)

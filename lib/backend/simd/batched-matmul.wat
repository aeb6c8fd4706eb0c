;; C[b] = A[b] · B[b] for a batch of small row-major float32 matrices, with
;; 128-bit SIMD along the columns of B and C: A [batch, m, k] (or stored
;; transposed, [batch, k, m]: the caller gives the byte steps between rows
;; and along k), B [batch, k, n], C [batch, m, n]. Arguments are byte offsets
;; into the memory of tfjs-backend-wasm, which this module imports and shares.
;; Rows of C four at a time in tiles of 4 × 8 (or 4 × 4) columns: eight
;; registers, each step broadcasting four floats of A against eight of B, so
;; eight sums run side by side (a single row's two would wait on each
;; other's additions: 10 against 30 GFLOP/s on attention heads). Rows past
;; the last four, in blocks of 16, 8 or 4 columns; the last n mod 4 columns
;; are dot products, one float at a time. Each element sums over k in order.
;; The 4 × 8 tile is written out in the row loop, not called: Node 20's engine
;; does not inline wasm calls, and attention's products sum over only 8 or 16.
(module
  (import "env" "memory" (memory 0))

  ;; C[i..i+4, j..j+4].
  (func $tile4x4 (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $bStride i32) (param $aStep i32)
    (param $aRow i32)
    (local $t i32) (local $row2 i32) (local $row3 i32) (local $b0 v128) (local $c0 v128) (local $c1 v128) (local $c2 v128)
    (local $c3 v128)
    (local.set $row2 (i32.shl (local.get $aRow) (i32.const 1)))
    (local.set $row3 (i32.add (local.get $row2) (local.get $aRow)))
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $t) (local.get $k)))
      (local.set $b0 (v128.load (local.get $b)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $a)) (local.get $b0))))
      (local.set $c1 (f32x4.add (local.get $c1)
        (f32x4.mul (v128.load32_splat (i32.add (local.get $a) (local.get $aRow))) (local.get $b0))))
      (local.set $c2 (f32x4.add (local.get $c2)
        (f32x4.mul (v128.load32_splat (i32.add (local.get $a) (local.get $row2))) (local.get $b0))))
      (local.set $c3 (f32x4.add (local.get $c3)
        (f32x4.mul (v128.load32_splat (i32.add (local.get $a) (local.get $row3))) (local.get $b0))))
      (local.set $a (i32.add (local.get $a) (local.get $aStep)))
      (local.set $b (i32.add (local.get $b) (local.get $bStride)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $sum)))
    (v128.store (local.get $c) (local.get $c0))
    (local.set $c (i32.add (local.get $c) (local.get $bStride)))
    (v128.store (local.get $c) (local.get $c1))
    (local.set $c (i32.add (local.get $c) (local.get $bStride)))
    (v128.store (local.get $c) (local.get $c2))
    (local.set $c (i32.add (local.get $c) (local.get $bStride)))
    (v128.store (local.get $c) (local.get $c3)))

  ;; C[i, j..j+16] from the row of A at $a and the column block of B at $b.
  (func $block16 (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $bStride i32) (param $aStep i32)
    (local $end i32) (local $s v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $k) (local.get $aStep))))
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $s (v128.load32_splat (local.get $a)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $s) (v128.load (local.get $b)))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $b)))))
      (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $b)))))
      (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (local.get $aStep)))
      (local.set $b (i32.add (local.get $b) (local.get $bStride)))
      (br $sum)))
    (v128.store (local.get $c) (local.get $c0))
    (v128.store offset=16 (local.get $c) (local.get $c1))
    (v128.store offset=32 (local.get $c) (local.get $c2))
    (v128.store offset=48 (local.get $c) (local.get $c3)))

  ;; C[i, j..j+8].
  (func $block8 (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $bStride i32) (param $aStep i32)
    (local $end i32) (local $s v128) (local $c0 v128) (local $c1 v128)
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $k) (local.get $aStep))))
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $s (v128.load32_splat (local.get $a)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $s) (v128.load (local.get $b)))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (local.get $aStep)))
      (local.set $b (i32.add (local.get $b) (local.get $bStride)))
      (br $sum)))
    (v128.store (local.get $c) (local.get $c0))
    (v128.store offset=16 (local.get $c) (local.get $c1)))

  ;; C[i, j..j+4].
  (func $block4 (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $bStride i32) (param $aStep i32)
    (local $end i32) (local $c0 v128)
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $k) (local.get $aStep))))
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $a)) (v128.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (local.get $aStep)))
      (local.set $b (i32.add (local.get $b) (local.get $bStride)))
      (br $sum)))
    (v128.store (local.get $c) (local.get $c0)))

  ;; C[i, j], one column.
  (func $column (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $bStride i32) (param $aStep i32)
    (local $end i32) (local $sum f32)
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $k) (local.get $aStep))))
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (local.get $aStep)))
      (local.set $b (i32.add (local.get $b) (local.get $bStride)))
      (br $sum)))
    (f32.store (local.get $c) (local.get $sum)))

  ;; C[i, j..n] for one row of A at $aRow ($aStep bytes along k).
  (func $row (param $aRow i32) (param $bMatrix i32) (param $cRow i32) (param $k i32) (param $n i32) (param $bStride i32)
    (param $aStep i32)
    (local $j i32)
    (block $sixteens_done (loop $sixteens
      (br_if $sixteens_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
      (call $block16 (local.get $aRow) (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2)))
        (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $bStride) (local.get $aStep))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $sixteens)))
    (if (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $n))
      (then
        (call $block8 (local.get $aRow) (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2)))
          (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $bStride) (local.get $aStep))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))))
    (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n))
      (then
        (call $block4 (local.get $aRow) (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2)))
          (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $bStride) (local.get $aStep))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    (call $lastColumns (local.get $aRow) (local.get $bMatrix) (local.get $cRow) (local.get $k) (local.get $n) (local.get $bStride)
      (local.get $aStep) (local.get $j)))

  ;; C[i, j0..n], one column at a time.
  (func $lastColumns (param $aRow i32) (param $bMatrix i32) (param $cRow i32) (param $k i32) (param $n i32) (param $bStride i32)
    (param $aStep i32) (param $j i32)
    (block $columns_done (loop $columns
      (br_if $columns_done (i32.ge_u (local.get $j) (local.get $n)))
      (call $column (local.get $aRow) (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2)))
        (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $bStride) (local.get $aStep))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $columns))))

  ;; $aRowBytes and $aStepBytes: from A[i, t] to A[i + 1, t] and to A[i, t + 1] (4·k and 4 upright, 4 and 4·m transposed).
  (func (export "batchedMatMul")
    (param $a i32) (param $b i32) (param $c i32)
    (param $batch i32) (param $m i32) (param $k i32) (param $n i32) (param $aRowBytes i32) (param $aStepBytes i32)
    (local $bStride i32) (local $aMatrix i32) (local $bMatrix i32) (local $cRow i32) (local $aRow i32)
    (local $row i32) (local $j i32) (local $matrix i32) (local $quad i32)
    (local $t i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $row2 i32) (local $row3 i32)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $bStride (i32.shl (local.get $n) (i32.const 2)))
    (local.set $row2 (i32.shl (local.get $aRowBytes) (i32.const 1)))
    (local.set $row3 (i32.add (local.get $row2) (local.get $aRowBytes)))
    (local.set $aMatrix (local.get $a))
    (local.set $cRow (local.get $c))
    (block $batches_done (loop $batches
      (br_if $batches_done (i32.ge_u (local.get $matrix) (local.get $batch)))
      (local.set $bMatrix (i32.add (local.get $b) (i32.mul (i32.mul (local.get $matrix) (local.get $k)) (local.get $bStride))))
      (local.set $row (i32.const 0))
      (block $fours_done (loop $fours
        (br_if $fours_done (i32.gt_u (i32.add (local.get $row) (i32.const 4)) (local.get $m)))
        (local.set $aRow (i32.add (local.get $aMatrix) (i32.mul (local.get $row) (local.get $aRowBytes))))
        (local.set $j (i32.const 0))
        (block $eights_done (loop $eights
          (br_if $eights_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
          ;; C[i..i+4, j..j+8] from A's four rows and B's column block
          (local.set $pa (local.get $aRow))
          (local.set $pb (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
          (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
          (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
          (local.set $t (i32.const 0))
          (block $sum_done (loop $sum
            (br_if $sum_done (i32.ge_u (local.get $t) (local.get $k)))
            (local.set $b0 (v128.load (local.get $pb)))
            (local.set $b1 (v128.load offset=16 (local.get $pb)))
            (local.set $s (v128.load32_splat (local.get $pa)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $aRowBytes))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $row2))))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $row3))))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $pa (i32.add (local.get $pa) (local.get $aStepBytes)))
            (local.set $pb (i32.add (local.get $pb) (local.get $bStride)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $sum)))
          (local.set $pc (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))))
          (v128.store (local.get $pc) (local.get $c00))
          (v128.store offset=16 (local.get $pc) (local.get $c01))
          (local.set $pc (i32.add (local.get $pc) (local.get $bStride)))
          (v128.store (local.get $pc) (local.get $c10))
          (v128.store offset=16 (local.get $pc) (local.get $c11))
          (local.set $pc (i32.add (local.get $pc) (local.get $bStride)))
          (v128.store (local.get $pc) (local.get $c20))
          (v128.store offset=16 (local.get $pc) (local.get $c21))
          (local.set $pc (i32.add (local.get $pc) (local.get $bStride)))
          (v128.store (local.get $pc) (local.get $c30))
          (v128.store offset=16 (local.get $pc) (local.get $c31))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br $eights)))
        (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n))
          (then
            (call $tile4x4 (local.get $aRow) (i32.add (local.get $bMatrix) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $bStride)
              (local.get $aStepBytes) (local.get $aRowBytes))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))))
        (local.set $quad (select (i32.const 0) (i32.const 4) (i32.lt_u (local.get $j) (local.get $n))))
        (block $quad_done (loop $each_of_four
          (br_if $quad_done (i32.ge_u (local.get $quad) (i32.const 4)))
          (call $lastColumns (i32.add (local.get $aRow) (i32.mul (local.get $quad) (local.get $aRowBytes))) (local.get $bMatrix)
            (i32.add (local.get $cRow) (i32.mul (local.get $quad) (local.get $bStride))) (local.get $k) (local.get $n)
            (local.get $bStride) (local.get $aStepBytes) (local.get $j))
          (local.set $quad (i32.add (local.get $quad) (i32.const 1)))
          (br $each_of_four)))
        (local.set $cRow (i32.add (local.get $cRow) (i32.shl (local.get $bStride) (i32.const 2))))
        (local.set $row (i32.add (local.get $row) (i32.const 4)))
        (br $fours)))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $row) (local.get $m)))
        (call $row (i32.add (local.get $aMatrix) (i32.mul (local.get $row) (local.get $aRowBytes))) (local.get $bMatrix)
          (local.get $cRow) (local.get $k) (local.get $n) (local.get $bStride) (local.get $aStepBytes))
        (local.set $cRow (i32.add (local.get $cRow) (local.get $bStride)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows)))
      (local.set $aMatrix (i32.add (local.get $aMatrix) (i32.shl (i32.mul (local.get $m) (local.get $k)) (i32.const 2))))
      (local.set $matrix (i32.add (local.get $matrix) (i32.const 1)))
      (br $batches)))
  )
)

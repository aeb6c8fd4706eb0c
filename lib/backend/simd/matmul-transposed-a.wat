;; C = Aᵀ · B: A [n, k], B [n, m], C [k, m], row-major float32. This is the shape of every weight gradient (dW = xᵀ · dy, summed
;; over the batch), computed where A lies: no transposed copy of A is made.
;; C is built in tiles of 4 rows × 8 columns held in eight SIMD registers;
;; each step of the sum over n broadcasts four floats of A, loading each
;; straight into every lane (faster here than one load and four shuffles), and
;; multiplies them with eight floats of B. The tile is written out in the row
;; loop, not called: Node 20's engine does not inline wasm calls. The sum over n
;; runs in blocks of 64 rows, every tile adding its block's sum to C: the tiles
;; of a block find its rows of A and B in L1, where a tile summing all 640 rows
;; of an RNN's steps ([640,128]ᵀ·[640,128], 80 KB a tile) read them from L2,
;; 1.2 times slower. Each element of C still sums over n in order. The last
;; m mod 4 columns are dot products, one float at a time.
;; Arguments are byte offsets into tfjs-backend-wasm's memory, then sizes.
(module
  (import "env" "memory" (memory 0))

  ;; C[i..i+4, j..j+4]: the last four columns when m is not a multiple of 8.
  (func $tile4x4 (param $pa i32) (param $pb i32) (param $pc i32) (param $n i32) (param $aStride i32) (param $bStride i32)
    (local $t i32) (local $va v128) (local $b0 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $t) (local.get $n)))
      (local.set $va (v128.load (local.get $pa)))
      (local.set $b0 (v128.load (local.get $pb)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $va) (local.get $va)) (local.get $b0))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $va) (local.get $va)) (local.get $b0))))
      (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $va) (local.get $va)) (local.get $b0))))
      (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $va) (local.get $va)) (local.get $b0))))
      (local.set $pa (i32.add (local.get $pa) (local.get $aStride)))
      (local.set $pb (i32.add (local.get $pb) (local.get $bStride)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $sum)))
    (v128.store (local.get $pc) (local.get $c0))
    (local.set $pc (i32.add (local.get $pc) (local.get $bStride)))
    (v128.store (local.get $pc) (local.get $c1))
    (local.set $pc (i32.add (local.get $pc) (local.get $bStride)))
    (v128.store (local.get $pc) (local.get $c2))
    (local.set $pc (i32.add (local.get $pc) (local.get $bStride)))
    (v128.store (local.get $pc) (local.get $c3)))

  ;; C[i, j..j+4]: one row, for the last k mod 4 rows of C.
  (func $tile1x4 (param $pa i32) (param $pb i32) (param $pc i32) (param $n i32) (param $aStride i32) (param $bStride i32)
    (local $t i32) (local $c0 v128)
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $t) (local.get $n)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $pa)) (v128.load (local.get $pb)))))
      (local.set $pa (i32.add (local.get $pa) (local.get $aStride)))
      (local.set $pb (i32.add (local.get $pb) (local.get $bStride)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $sum)))
    (v128.store (local.get $pc) (local.get $c0)))

  ;; C[i, j] for one column j past the last multiple of 4.
  (func $dot (param $pa i32) (param $pb i32) (param $n i32) (param $aStride i32) (param $bStride i32) (result f32)
    (local $t i32) (local $sum f32)
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $t) (local.get $n)))
      (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
      (local.set $pa (i32.add (local.get $pa) (local.get $aStride)))
      (local.set $pb (i32.add (local.get $pb) (local.get $bStride)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $sum)))
    (local.get $sum))

  ;; C[i, m4..m] for rows i0 ≤ i < i1, m4 the last multiple of 4.
  (func $tailColumns (param $a i32) (param $b i32) (param $c i32) (param $n i32) (param $k i32) (param $m i32) (param $i0 i32) (param $i1 i32)
    (local $i i32) (local $j i32)
    (local.set $i (local.get $i0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $i1)))
      (local.set $j (i32.and (local.get $m) (i32.const -4)))
      (block $columns_done (loop $columns
        (br_if $columns_done (i32.ge_u (local.get $j) (local.get $m)))
        (f32.store
          (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $m)) (local.get $j)) (i32.const 2)))
          (call $dot
            (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))
            (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
            (local.get $n) (i32.shl (local.get $k) (i32.const 2)) (i32.shl (local.get $m) (i32.const 2))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $columns)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
  )

  (func (export "matMulTransposedA")
    (param $a i32) (param $b i32) (param $c i32) (param $n i32) (param $k i32) (param $m i32)
    (local $aStride i32) (local $bStride i32) (local $i i32) (local $j i32) (local $cRow i32)
    (local $t i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $block i32) (local $blockRows i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $aStride (i32.shl (local.get $k) (i32.const 2)))
    (local.set $bStride (i32.shl (local.get $m) (i32.const 2)))
    ;; rows of C in fours, over blocks of the sum's rows
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.ge_u (local.get $block) (local.get $n)))
      (local.set $blockRows (select (i32.const 64) (i32.sub (local.get $n) (local.get $block))
        (i32.le_u (i32.add (local.get $block) (i32.const 64)) (local.get $n))))
      (local.set $i (i32.const 0))
      (block $fours_done (loop $fours
        (br_if $fours_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $k)))
        (local.set $cRow (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $bStride))))
        (local.set $j (i32.const 0))
        (block $eights_done (loop $eights
          (br_if $eights_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $m)))
          ;; C[i..i+4, j..j+8]: four floats of A's row t broadcast, one at a time, against eight of B's
          (local.set $pa (i32.add (i32.add (local.get $a) (i32.mul (local.get $block) (local.get $aStride)))
            (i32.shl (local.get $i) (i32.const 2))))
          (local.set $pb (i32.add (i32.add (local.get $b) (i32.mul (local.get $block) (local.get $bStride)))
            (i32.shl (local.get $j) (i32.const 2))))
          (local.set $pc (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))))
          (if (local.get $block)
            (then
              (local.set $c00 (v128.load (local.get $pc))) (local.set $c01 (v128.load offset=16 (local.get $pc)))
              (local.set $pc (i32.add (local.get $pc) (local.get $bStride)))
              (local.set $c10 (v128.load (local.get $pc))) (local.set $c11 (v128.load offset=16 (local.get $pc)))
              (local.set $pc (i32.add (local.get $pc) (local.get $bStride)))
              (local.set $c20 (v128.load (local.get $pc))) (local.set $c21 (v128.load offset=16 (local.get $pc)))
              (local.set $pc (i32.add (local.get $pc) (local.get $bStride)))
              (local.set $c30 (v128.load (local.get $pc))) (local.set $c31 (v128.load offset=16 (local.get $pc))))
            (else
              (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
              (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
              (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
              (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))))
          (local.set $t (i32.const 0))
          (block $sum_done (loop $sum
            (br_if $sum_done (i32.ge_u (local.get $t) (local.get $blockRows)))
            (local.set $b0 (v128.load (local.get $pb)))
            (local.set $b1 (v128.load offset=16 (local.get $pb)))
            (local.set $s (v128.load32_splat (local.get $pa)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat offset=4 (local.get $pa)))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat offset=8 (local.get $pa)))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat offset=12 (local.get $pa)))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $pa (i32.add (local.get $pa) (local.get $aStride)))
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
        ;; four columns more, when m mod 8 ≥ 4: that tile sums every row itself, once, in the first block
        (if (i32.and (i32.eqz (local.get $block)) (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $m)))
          (then (call $tile4x4
            (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))
            (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
            (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2)))
            (local.get $n) (local.get $aStride) (local.get $bStride))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $fours)))
      (local.set $block (i32.add (local.get $block) (i32.const 64)))
      (br $blocks)))
    ;; the last k mod 4 rows, one at a time
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $k)))
      (local.set $cRow (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $bStride))))
      (local.set $j (i32.const 0))
      (block $columns_done (loop $columns
        (br_if $columns_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $m)))
        (call $tile1x4
          (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))
          (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
          (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2)))
          (local.get $n) (local.get $aStride) (local.get $bStride))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $columns)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
    (call $tailColumns (local.get $a) (local.get $b) (local.get $c) (local.get $n) (local.get $k) (local.get $m) (i32.const 0) (local.get $k))
  )
)

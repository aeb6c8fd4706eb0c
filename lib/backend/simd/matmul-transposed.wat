;; C = A · Bᵀ for a few rows: A [m, k], B [n, k], C [m, n], row-major float32.
;; Every element of C is a dot product of two contiguous rows. Four columns of
;; C at a time: one load of A's row serves four rows of B, four sums run side
;; by side (one alone waits on its own additions), and a transposing shuffle
;; adds each sum's four lanes into one vector of four results. A k that is
;; not a multiple of 4 ends with the last four floats, the lanes already
;; counted zeroed. Columns past the last multiple of 4, and k < 4, are one dot
;; product at a time. The four sums are written out in the column loop, not
;; called: Node 20's engine does not inline wasm calls. For the products XNNPACK is slow to start on (one
;; example, one time step: m < 16): 30 against 15 GFLOP/s with one sum at a
;; time on [1, 185] by [128, 185]ᵀ, the char-RNN's step. Arguments are byte offsets into
;; tfjs-backend-wasm's memory, then sizes.
(module
  (import "env" "memory" (memory 0))

  ;; One dot product of k floats, four at a time, then the k mod 4 tail.
  (func $dot (param $a i32) (param $b i32) (param $k i32) (result f32)
    (local $p i32) (local $vectorEnd i32) (local $end i32) (local $acc v128) (local $sum f32)
    (local.set $end (i32.shl (local.get $k) (i32.const 2)))
    (local.set $vectorEnd (i32.shl (i32.and (local.get $k) (i32.const -4)) (i32.const 2)))
    (block $vectors_done (loop $vectors
      (br_if $vectors_done (i32.ge_u (local.get $p) (local.get $vectorEnd)))
      (local.set $acc (f32x4.add (local.get $acc)
        (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $p))) (v128.load (i32.add (local.get $b) (local.get $p))))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $vectors)))
    (local.set $sum
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $sum (f32.add (local.get $sum)
        (f32.mul (f32.load (i32.add (local.get $a) (local.get $p))) (f32.load (i32.add (local.get $b) (local.get $p))))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $tail)))
    (local.get $sum))

  (func (export "matMulTransposed")
    (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $aRow i32) (local $out i32) (local $rowBytes i32) (local $vectorBytes i32)
    (local $fours i32) (local $last v128) (local $p i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $av v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $vectorBytes (i32.shl (i32.and (local.get $k) (i32.const -4)) (i32.const 2)))
    ;; the last four floats' lanes that the whole vectors did not count: the last k mod 4
    (local.set $last (i32x4.ge_s (v128.const i32x4 0 1 2 3)
      (i32x4.splat (i32.sub (i32.const 4) (i32.and (local.get $k) (i32.const 3))))))
    (local.set $fours (select (i32.and (local.get $n) (i32.const -4)) (i32.const 0) (i32.ge_u (local.get $k) (i32.const 4))))
    (local.set $out (local.get $c))
    (local.set $aRow (local.get $a))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $j (i32.const 0))
      (block $fours_done (loop $each_four
        (br_if $fours_done (i32.ge_u (local.get $j) (local.get $fours)))
        ;; C[i, j..j+4] = A's row · B's rows j..j+4 (k ≥ 4 floats); $last keeps the lanes of the last four floats
        ;; that the whole vectors did not count
        (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $b1 (i32.add (local.get $b0) (local.get $rowBytes)))
        (local.set $b2 (i32.add (local.get $b1) (local.get $rowBytes)))
        (local.set $b3 (i32.add (local.get $b2) (local.get $rowBytes)))
        (local.set $s0 (v128.const i32x4 0 0 0 0)) (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0)) (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.const 0))
        (block $done (loop $each_vector
          (br_if $done (i32.ge_u (local.get $p) (local.get $vectorBytes)))
          (local.set $av (v128.load (i32.add (local.get $aRow) (local.get $p))))
          (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b0) (local.get $p))))))
          (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b1) (local.get $p))))))
          (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b2) (local.get $p))))))
          (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b3) (local.get $p))))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $each_vector)))
        (if (i32.lt_u (local.get $vectorBytes) (local.get $rowBytes))
          (then
            (local.set $p (i32.sub (local.get $rowBytes) (i32.const 16)))
            (local.set $av (v128.and (local.get $last) (v128.load (i32.add (local.get $aRow) (local.get $p)))))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b0) (local.get $p))))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b1) (local.get $p))))))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b2) (local.get $p))))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b3) (local.get $p))))))))
        ;; [Σ lanes of s0, Σ s1, Σ s2, Σ s3]
        (local.set $s0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
        (local.set $s2 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
        (v128.store (local.get $out) (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s2))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s2))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $each_four)))
      (block $columns_done (loop $columns
        (br_if $columns_done (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (local.get $out)
          (call $dot (local.get $aRow) (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $rowBytes))) (local.get $k)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $columns)))
      (local.set $aRow (i32.add (local.get $aRow) (local.get $rowBytes)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
  )
)

;; C[b] = A[b] · B[b] for a batch of small row-major float32 matrices, with
;; 128-bit SIMD along the columns of B and C: A [batch, m, k], B [batch, k, n],
;; C [batch, m, n]; the last n mod 4 columns one float at a time. Arguments
;; are byte offsets into the memory of tfjs-backend-wasm, which this module
;; imports and shares. Each row of C is built in place, one k at a time:
;; row += A[i, k] · B[k, :].
(module
  (import "env" "memory" (memory 0))
  (func (export "batchedMatMul")
    (param $a i32) (param $b i32) (param $c i32)
    (param $batch i32) (param $m i32) (param $k i32) (param $n i32)
    (local $rowBytes i32) (local $bBatch i32) (local $aRow i32) (local $aEnd i32)
    (local $bRow i32) (local $cRow i32) (local $i i32) (local $j i32)
    (local $matrix i32) (local $scale v128) (local $vectorBytes i32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorBytes (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $batches_done
      (loop $batches
        (br_if $batches_done (i32.ge_u (local.get $matrix) (local.get $batch)))
        (local.set $bBatch (i32.add (local.get $b) (i32.mul (i32.mul (local.get $matrix) (local.get $k)) (local.get $rowBytes))))
        (local.set $i (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $cRow (i32.add (local.get $c) (i32.mul (i32.add (i32.mul (local.get $matrix) (local.get $m)) (local.get $i)) (local.get $rowBytes))))
            (local.set $aRow (i32.add (local.get $a) (i32.shl (i32.mul (i32.add (i32.mul (local.get $matrix) (local.get $m)) (local.get $i)) (local.get $k)) (i32.const 2))))
            (local.set $aEnd (i32.add (local.get $aRow) (i32.shl (local.get $k) (i32.const 2))))
            ;; row = 0
            (memory.fill (local.get $cRow) (i32.const 0) (local.get $rowBytes))
            ;; row += A[i, kk] · B[kk, :] for every kk
            (local.set $bRow (local.get $bBatch))
            (block $inner_done
              (loop $inner
                (br_if $inner_done (i32.ge_u (local.get $aRow) (local.get $aEnd)))
                (local.set $scale (f32x4.splat (f32.load (local.get $aRow))))
                (local.set $j (i32.const 0))
                (block $columns_done
                  (loop $columns
                    (br_if $columns_done (i32.ge_u (local.get $j) (local.get $vectorBytes)))
                    (v128.store (i32.add (local.get $cRow) (local.get $j))
                      (f32x4.add
                        (v128.load (i32.add (local.get $cRow) (local.get $j)))
                        (f32x4.mul (local.get $scale) (v128.load (i32.add (local.get $bRow) (local.get $j))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 16)))
                    (br $columns)))
                (block $tail_done
                  (loop $tail
                    (br_if $tail_done (i32.ge_u (local.get $j) (local.get $rowBytes)))
                    (f32.store (i32.add (local.get $cRow) (local.get $j))
                      (f32.add
                        (f32.load (i32.add (local.get $cRow) (local.get $j)))
                        (f32.mul (f32x4.extract_lane 0 (local.get $scale)) (f32.load (i32.add (local.get $bRow) (local.get $j))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $tail)))
                (local.set $bRow (i32.add (local.get $bRow) (local.get $rowBytes)))
                (local.set $aRow (i32.add (local.get $aRow) (i32.const 4)))
                (br $inner)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $matrix (i32.add (local.get $matrix) (i32.const 1)))
        (br $batches))))
)

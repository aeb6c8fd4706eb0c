;; C = A · B for large row-major float32 matrices, in cache-sized blocks:
;; A [m, k], B [k, n], C [m, n], n a multiple of 8. Arguments are byte
;; offsets into the memory of tfjs-backend-wasm, which this module imports
;; and shares.
;;
;; The batched kernel (batched-matmul.wat) reads B where it lies, a row of
;; 4·n bytes between two steps along k: on a 1024² product every step of a
;; tile touches a new cache line and page: 10.6 GFLOP/s on one thread,
;; a third of XNNPACK's speed. Here B is first copied into panels of 8
;; columns (packColumns), each panel's k rows of 8 floats one after
;; another, so a tile reads 32 contiguous bytes a step. The sum over k then runs in blocks of
;; `$depth` steps: a block of every panel (depth · n floats) stays in the
;; core's cache while all rows of C take their share of it.
;;
;; Tiles of 4 rows × 8 columns, as in the batched kernel: 8 sums and 6 loads
;; a step, the most that fit in the 15 vector registers V8 allocates (see
;; conv-forward.wat). Each element of C sums over k in order, a block at a
;; time, stored between blocks as float32: the same sums, bit for bit, as
;; the batched kernel's.
;;
;; multiplyRows computes a range of C's rows, so that threads can split a
;; product by rows and share the packed panels.
(module
  (import "env" "memory" (memory 0))

  ;; B [k, n] into panels [n / 8, k, 8], eight panels at a time: each row of B read 256 contiguous bytes at a time.
  ;; Panel by panel, reading 32 bytes of rows 4 KB apart, a 1024² B took 1.2 ms to pack; so, 0.5 ms.
  (func (export "packColumns") (param $b i32) (param $packed i32) (param $k i32) (param $n i32)
    (local $rowBytes i32) (local $panelBytes i32) (local $column i32) (local $last i32) (local $t i32)
    (local $from i32) (local $to i32) (local $end i32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $panelBytes (i32.shl (local.get $k) (i32.const 5)))
    (block $groups_done (loop $groups
      (br_if $groups_done (i32.ge_u (local.get $column) (local.get $n)))
      (local.set $last (select (i32.add (local.get $column) (i32.const 64)) (local.get $n)
        (i32.le_u (i32.add (local.get $column) (i32.const 64)) (local.get $n))))
      (local.set $t (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $t) (local.get $k)))
        (local.set $from (i32.add (local.get $b)
          (i32.add (i32.mul (local.get $t) (local.get $rowBytes)) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $end (i32.add (local.get $b)
          (i32.add (i32.mul (local.get $t) (local.get $rowBytes)) (i32.shl (local.get $last) (i32.const 2)))))
        (local.set $to (i32.add (local.get $packed)
          (i32.add (i32.mul (i32.shr_u (local.get $column) (i32.const 3)) (local.get $panelBytes))
            (i32.shl (local.get $t) (i32.const 5)))))
        (block $panels_done (loop $panels
          (br_if $panels_done (i32.ge_u (local.get $from) (local.get $end)))
          (v128.store (local.get $to) (v128.load (local.get $from)))
          (v128.store offset=16 (local.get $to) (v128.load offset=16 (local.get $from)))
          (local.set $from (i32.add (local.get $from) (i32.const 32)))
          (local.set $to (i32.add (local.get $to) (local.get $panelBytes)))
          (br $panels)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $rows)))
      (local.set $column (local.get $last))
      (br $groups))))

  ;; Rows $first to $last (a multiple of 4 apart) of C = A · B, B in panels from packColumns.
  (func (export "multiplyRows")
    (param $a i32) (param $packed i32) (param $c i32) (param $first i32) (param $last i32) (param $k i32) (param $n i32)
    (param $depth i32)
    (local $aRow i32) (local $cRowBytes i32) (local $row2 i32) (local $row3 i32) (local $panelBytes i32)
    (local $start i32) (local $steps i32) (local $row i32) (local $column i32)
    (local $pa i32) (local $pb i32) (local $pc i32) (local $end i32)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $aRow (i32.shl (local.get $k) (i32.const 2)))
    (local.set $row2 (i32.shl (local.get $aRow) (i32.const 1)))
    (local.set $row3 (i32.add (local.get $row2) (local.get $aRow)))
    (local.set $cRowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $panelBytes (i32.shl (local.get $k) (i32.const 5)))
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.ge_u (local.get $start) (local.get $k)))
      (local.set $steps (select (local.get $depth) (i32.sub (local.get $k) (local.get $start))
        (i32.le_u (i32.add (local.get $start) (local.get $depth)) (local.get $k))))
      (local.set $row (local.get $first))
      (block $fours_done (loop $fours
        (br_if $fours_done (i32.ge_u (local.get $row) (local.get $last)))
        (local.set $column (i32.const 0))
        (block $eights_done (loop $eights
          (br_if $eights_done (i32.ge_u (local.get $column) (local.get $n)))
          (local.set $pc (i32.add (local.get $c)
            (i32.add (i32.mul (local.get $row) (local.get $cRowBytes)) (i32.shl (local.get $column) (i32.const 2)))))
          (if (i32.eqz (local.get $start))
            (then
              (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
              (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
              (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
              (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0)))
            (else
              (local.set $c00 (v128.load (local.get $pc)))
              (local.set $c01 (v128.load offset=16 (local.get $pc)))
              (local.set $c10 (v128.load (i32.add (local.get $pc) (local.get $cRowBytes))))
              (local.set $c11 (v128.load offset=16 (i32.add (local.get $pc) (local.get $cRowBytes))))
              (local.set $c20 (v128.load (i32.add (local.get $pc) (i32.shl (local.get $cRowBytes) (i32.const 1)))))
              (local.set $c21 (v128.load offset=16 (i32.add (local.get $pc) (i32.shl (local.get $cRowBytes) (i32.const 1)))))
              (local.set $c30 (v128.load (i32.add (local.get $pc) (i32.mul (local.get $cRowBytes) (i32.const 3)))))
              (local.set $c31 (v128.load offset=16 (i32.add (local.get $pc) (i32.mul (local.get $cRowBytes) (i32.const 3)))))))
          (local.set $pa (i32.add (local.get $a)
            (i32.add (i32.mul (local.get $row) (local.get $aRow)) (i32.shl (local.get $start) (i32.const 2)))))
          (local.set $pb (i32.add (local.get $packed)
            (i32.add (i32.mul (i32.shr_u (local.get $column) (i32.const 3)) (local.get $panelBytes))
              (i32.shl (local.get $start) (i32.const 5)))))
          (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $steps) (i32.const 5))))
          (block $sum_done (loop $sum
            (br_if $sum_done (i32.ge_u (local.get $pb) (local.get $end)))
            (local.set $b0 (v128.load (local.get $pb)))
            (local.set $b1 (v128.load offset=16 (local.get $pb)))
            (local.set $s (v128.load32_splat (local.get $pa)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $aRow))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $row2))))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $row3))))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
            (br $sum)))
          (v128.store (local.get $pc) (local.get $c00))
          (v128.store offset=16 (local.get $pc) (local.get $c01))
          (local.set $pc (i32.add (local.get $pc) (local.get $cRowBytes)))
          (v128.store (local.get $pc) (local.get $c10))
          (v128.store offset=16 (local.get $pc) (local.get $c11))
          (local.set $pc (i32.add (local.get $pc) (local.get $cRowBytes)))
          (v128.store (local.get $pc) (local.get $c20))
          (v128.store offset=16 (local.get $pc) (local.get $c21))
          (local.set $pc (i32.add (local.get $pc) (local.get $cRowBytes)))
          (v128.store (local.get $pc) (local.get $c30))
          (v128.store offset=16 (local.get $pc) (local.get $c31))
          (local.set $column (i32.add (local.get $column) (i32.const 8)))
          (br $eights)))
        (local.set $row (i32.add (local.get $row) (i32.const 4)))
        (br $fours)))
      (local.set $start (i32.add (local.get $start) (local.get $depth)))
      (br $blocks)))
  )
)

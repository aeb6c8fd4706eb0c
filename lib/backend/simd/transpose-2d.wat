;; out[b, c, r] = x[b, r, c]: a batch of 2-D transposes of 4-byte elements (float32 or int32, copied bit for bit).
;; Blocks of 4 × 4: four rows of x loaded as vectors, turned by eight shuffles, stored as four rows of out. Columns
;; go in strips, so that the output rows a strip writes stay in cache while every input row passes by: 8 rows, or
;; 64 when they are short (x has at most 64 rows). Output rows a power of two of bytes apart fall in the same
;; cache set: 64 of them 8 KiB apart ([2048, 96], a batch's activations) thrashed it, 8 times slower than strips
;; of 8. The last rows mod 4 and columns mod 4 are copied one element at a time. Offsets are bytes into
;; tfjs-backend-wasm's memory.
(module
  (import "env" "memory" (memory 0))
  (func (export "transpose2d") (param $x i32) (param $out i32) (param $batches i32) (param $rows i32) (param $columns i32)
    (local $b i32) (local $strip i32) (local $stripEnd i32) (local $r i32) (local $c i32)
    (local $rowBytes i32) (local $outRowBytes i32) (local $rows4 i32) (local $columns4 i32)
    (local $from i32) (local $to i32) (local $size i32) (local $width i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowBytes (i32.shl (local.get $columns) (i32.const 2)))
    (local.set $outRowBytes (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $size (i32.mul (local.get $rowBytes) (local.get $rows)))
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $columns4 (i32.and (local.get $columns) (i32.const -4)))
    (local.set $width (select (i32.const 64) (i32.const 8) (i32.le_u (local.get $rows) (i32.const 64))))
    (block $batches_done (loop $each_batch
      (br_if $batches_done (i32.ge_u (local.get $b) (local.get $batches)))
      ;; whole 4 × 4 blocks, strip by strip of $width columns
      (local.set $strip (i32.const 0))
      (block $strips_done (loop $each_strip
        (br_if $strips_done (i32.ge_u (local.get $strip) (local.get $columns4)))
        (local.set $stripEnd (select (i32.add (local.get $strip) (local.get $width)) (local.get $columns4)
          (i32.lt_u (i32.add (local.get $strip) (local.get $width)) (local.get $columns4))))
        (local.set $r (i32.const 0))
        (block $rows_done (loop $each_row4
          (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows4)))
          (local.set $c (local.get $strip))
          (block $columns_done (loop $each_column4
            (br_if $columns_done (i32.ge_u (local.get $c) (local.get $stripEnd)))
            (local.set $from (i32.add (local.get $x)
              (i32.add (i32.mul (local.get $r) (local.get $rowBytes)) (i32.shl (local.get $c) (i32.const 2)))))
            (local.set $v0 (v128.load (local.get $from)))
            (local.set $from (i32.add (local.get $from) (local.get $rowBytes)))
            (local.set $v1 (v128.load (local.get $from)))
            (local.set $from (i32.add (local.get $from) (local.get $rowBytes)))
            (local.set $v2 (v128.load (local.get $from)))
            (local.set $from (i32.add (local.get $from) (local.get $rowBytes)))
            (local.set $v3 (v128.load (local.get $from)))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
            (local.set $to (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $c) (local.get $outRowBytes)) (i32.shl (local.get $r) (i32.const 2)))))
            (v128.store (local.get $to)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (local.set $to (i32.add (local.get $to) (local.get $outRowBytes)))
            (v128.store (local.get $to)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (local.set $to (i32.add (local.get $to) (local.get $outRowBytes)))
            (v128.store (local.get $to)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (local.set $to (i32.add (local.get $to) (local.get $outRowBytes)))
            (v128.store (local.get $to)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $each_column4)))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (br $each_row4)))
        (local.set $strip (local.get $stripEnd))
        (br $each_strip)))
      ;; the last columns mod 4 of the whole rows of blocks, then the last rows mod 4, one element at a time
      (local.set $r (i32.const 0))
      (block $edge_done (loop $each_edge_row
        (br_if $edge_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (select (local.get $columns4) (i32.const 0) (i32.lt_u (local.get $r) (local.get $rows4))))
        (block $edge_columns_done (loop $each_edge_column
          (br_if $edge_columns_done (i32.ge_u (local.get $c) (local.get $columns)))
          (i32.store
            (i32.add (local.get $out) (i32.add (i32.mul (local.get $c) (local.get $outRowBytes)) (i32.shl (local.get $r) (i32.const 2))))
            (i32.load (i32.add (local.get $x) (i32.add (i32.mul (local.get $r) (local.get $rowBytes)) (i32.shl (local.get $c) (i32.const 2))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $each_edge_column)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each_edge_row)))
      (local.set $x (i32.add (local.get $x) (local.get $size)))
      (local.set $out (i32.add (local.get $out) (local.get $size)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $each_batch)))
  )
)

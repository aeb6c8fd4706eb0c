;; out = x with its axes permuted, any rank ≥ 2, for 4-byte elements: the
;; output is written in order, the input read through strides. $shape and
;; $strides are i32 arrays of $rank entries in the output's axis order (the
;; output's sizes, the input's byte strides along them); $counter is $rank
;; zeroed i32s of scratch. The last two axes are loops (a run along the
;; last axis is copied four at a time when it is contiguous in x); an
;; odometer walks the others. Offsets are bytes into tfjs-backend-wasm's memory.
(module
  (import "env" "memory" (memory 0))
  (func (export "transpose") (param $x i32) (param $out i32) (param $rank i32) (param $shape i32) (param $strides i32) (param $counter i32) (param $total i32)
    (local $rows i32) (local $columns i32) (local $rowStep i32) (local $columnStep i32)
    (local $from i32) (local $rowFrom i32) (local $to i32) (local $end i32) (local $r i32) (local $c i32)
    (local $vectorColumns i32) (local $axis i32) (local $entry i32)
    (local.set $rows (i32.load (i32.add (local.get $shape) (i32.shl (i32.sub (local.get $rank) (i32.const 2)) (i32.const 2)))))
    (local.set $columns (i32.load (i32.add (local.get $shape) (i32.shl (i32.sub (local.get $rank) (i32.const 1)) (i32.const 2)))))
    (local.set $rowStep (i32.load (i32.add (local.get $strides) (i32.shl (i32.sub (local.get $rank) (i32.const 2)) (i32.const 2)))))
    (local.set $columnStep (i32.load (i32.add (local.get $strides) (i32.shl (i32.sub (local.get $rank) (i32.const 1)) (i32.const 2)))))
    (local.set $vectorColumns (if (result i32) (i32.eq (local.get $columnStep) (i32.const 4))
      (then (i32.and (local.get $columns) (i32.const -4)))
      (else (i32.const 0))))
    (local.set $from (local.get $x))
    (local.set $to (local.get $out))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $total) (i32.const 2))))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $to) (local.get $end)))
      ;; one [rows, columns] block of the output
      (local.set $rowFrom (local.get $from))
      (local.set $r (i32.const 0))
      (block $rows_done (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $vectors_done (loop $vectors
          (br_if $vectors_done (i32.ge_u (local.get $c) (local.get $vectorColumns)))
          (v128.store (local.get $to) (v128.load (i32.add (local.get $rowFrom) (i32.shl (local.get $c) (i32.const 2)))))
          (local.set $to (i32.add (local.get $to) (i32.const 16)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $vectors)))
        (block $scalars_done (loop $scalars
          (br_if $scalars_done (i32.ge_u (local.get $c) (local.get $columns)))
          (i32.store (local.get $to) (i32.load (i32.add (local.get $rowFrom) (i32.mul (local.get $c) (local.get $columnStep)))))
          (local.set $to (i32.add (local.get $to) (i32.const 4)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $scalars)))
        (local.set $rowFrom (i32.add (local.get $rowFrom) (local.get $rowStep)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each_row)))
      ;; the odometer over the outer axes, moving $from by their strides
      (local.set $axis (i32.sub (local.get $rank) (i32.const 3)))
      (block $carried (loop $carry
        (br_if $carried (i32.lt_s (local.get $axis) (i32.const 0)))
        (local.set $entry (i32.shl (local.get $axis) (i32.const 2)))
        (local.set $from (i32.add (local.get $from) (i32.load (i32.add (local.get $strides) (local.get $entry)))))
        (i32.store (i32.add (local.get $counter) (local.get $entry)) (i32.add (i32.load (i32.add (local.get $counter) (local.get $entry))) (i32.const 1)))
        (br_if $carried (i32.lt_u (i32.load (i32.add (local.get $counter) (local.get $entry))) (i32.load (i32.add (local.get $shape) (local.get $entry)))))
        (local.set $from (i32.sub (local.get $from)
          (i32.mul (i32.load (i32.add (local.get $strides) (local.get $entry))) (i32.load (i32.add (local.get $shape) (local.get $entry))))))
        (i32.store (i32.add (local.get $counter) (local.get $entry)) (i32.const 0))
        (local.set $axis (i32.sub (local.get $axis) (i32.const 1)))
        (br $carry)))
      (br $blocks)))
  )
)

;; Softmax over rows of C floats (C a multiple of 4), and its gradient, four
;; floats at a time. exp is Cephes' expf: x = n·ln 2 + r, e^r by a degree-7
;; polynomial, 2^n put in the exponent bits (softmax is tested within 4
;; float32 ulps plus the rounding of x − max). Below
;; −87.34 (e^x under float32's smallest normal, −∞ included) it is 0; NaN
;; stays NaN. A row's maximum is taken out first, so exp never overflows; a
;; row of −∞ gives NaN, as in PyTorch. exp and the row's maximum and sum are
;; written out where they are used, not called: Node 20's engine does not
;; inline wasm calls, and an attention row is only four vectors long.
;; Offsets are bytes into tfjs-backend-wasm's memory.
(module
  (import "env" "memory" (memory 0))

  (func (export "softmax") (param $x i32) (param $out i32) (param $rows i32) (param $size i32)
    (local $rowBytes i32) (local $r i32) (local $c i32) (local $acc v128) (local $shift v128) (local $e v128) (local $scale v128)
    (local $v v128) (local $nan v128) (local $d v128) (local $clamped v128) (local $t v128) (local $power v128) (local $reduced v128)
    (local $p v128)
    (local.set $rowBytes (i32.shl (local.get $size) (i32.const 2)))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $acc (f32x4.splat (f32.const -inf)))
      (local.set $nan (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $max_done (loop $maximum
        (br_if $max_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $c))))
        (local.set $acc (f32x4.pmax (local.get $acc) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $maximum)))
      ;; the largest of the lanes in every lane; NaN if a NaN was in the row, as f32x4.max would give, whose NaN
      ;; handling costs several instructions a step
      (local.set $acc (f32x4.pmax (local.get $acc) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
      (local.set $acc (f32x4.pmax (local.get $acc) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $acc) (local.get $acc))))
      (local.set $shift (v128.bitselect (f32x4.splat (f32.const nan)) (local.get $acc)
        (i32x4.splat (i32.sub (i32.const 0) (v128.any_true (local.get $nan))))))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $exp_done (loop $exponentials
        (br_if $exp_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        ;; $e = exp($d), Cephes' expf
        (local.set $d (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (local.get $shift)))
        ;; pmin and pmax are one instruction each where min and max are several (NaN goes through: see the end)
        (local.set $clamped (f32x4.pmin (f32x4.pmax (local.get $d) (f32x4.splat (f32.const -87.33654))) (f32x4.splat (f32.const 88.3))))
        ;; n = x·log₂e rounded to the nearest integer (ties to even, as f32x4.nearest), by adding 1.5·2²³: the sum's
        ;; low mantissa bits are then n itself, which 2ⁿ below reads without a float-to-int conversion
        (local.set $t (f32x4.add (f32x4.mul (local.get $clamped) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
        (local.set $power (f32x4.sub (local.get $t) (f32x4.splat (f32.const 12582912))))
        (local.set $reduced (f32x4.sub
          (f32x4.sub (local.get $clamped) (f32x4.mul (local.get $power) (f32x4.splat (f32.const 0.693359375))))
          (f32x4.mul (local.get $power) (f32x4.splat (f32.const -2.12194440e-4)))))
        (local.set $p (f32x4.splat (f32.const 1.9875691500e-4)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $reduced)) (f32x4.splat (f32.const 1.3981999507e-3))))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $reduced)) (f32x4.splat (f32.const 8.3334519073e-3))))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $reduced)) (f32x4.splat (f32.const 4.1665795894e-2))))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $reduced)) (f32x4.splat (f32.const 1.6666665459e-1))))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $reduced)) (f32x4.splat (f32.const 5.0000001201e-1))))
        (local.set $e (f32x4.add
          (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $reduced)) (local.get $reduced)) (local.get $reduced))
          (f32x4.splat (f32.const 1))))
        (local.set $e (f32x4.mul (local.get $e)
          (i32x4.shl (i32x4.sub (local.get $t) (i32x4.splat (i32.const 1262485377))) (i32.const 23)))) ;; 2ⁿ: (bits of t) − 0x4B400000 + 127
        ;; 0 below the range; x itself where x is NaN
        (local.set $e (v128.bitselect
          (local.get $d)
          (v128.and (local.get $e) (f32x4.ge (local.get $d) (f32x4.splat (f32.const -87.33654))))
          (f32x4.ne (local.get $d) (local.get $d))))
        (v128.store (i32.add (local.get $out) (local.get $c)) (local.get $e))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $exponentials)))
      (local.set $scale (f32x4.splat (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))
      (local.set $c (i32.const 0))
      (block $scale_done (loop $scaling
        (br_if $scale_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $out) (local.get $c)) (f32x4.div (v128.load (i32.add (local.get $out) (local.get $c))) (local.get $scale)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $scaling)))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $each_row)))
  )

  ;; dx = y·dy − y·Σ(y·dy), row by row (tfjs's formula, in its order).
  (func (export "softmaxGrad") (param $dy i32) (param $y i32) (param $out i32) (param $rows i32) (param $size i32)
    (local $rowBytes i32) (local $r i32) (local $c i32) (local $acc v128) (local $total v128) (local $yv v128)
    (local.set $rowBytes (i32.shl (local.get $size) (i32.const 2)))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $sum_done (loop $sum
        (br_if $sum_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $c))) (v128.load (i32.add (local.get $y) (local.get $c))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $sum)))
      (local.set $total (f32x4.splat (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))
      (local.set $c (i32.const 0))
      (block $dx_done (loop $each_dx
        (br_if $dx_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $yv (v128.load (i32.add (local.get $y) (local.get $c))))
        (v128.store (i32.add (local.get $out) (local.get $c))
          (f32x4.sub
            (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $c))) (local.get $yv))
            (f32x4.mul (local.get $total) (local.get $yv))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $each_dx)))
      (local.set $dy (i32.add (local.get $dy) (local.get $rowBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $rowBytes)))
      (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $each_row)))
  )
)

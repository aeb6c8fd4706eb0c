;; LayerNorm over rows of C floats (C a multiple of 4), four at a time, as
;; lib/backend/wasm-layer-norm.ts describes: forward keeps each row's mean
;; and 1/√(variance + eps); backward gives dx and adds each row's share of
;; dWeight and dBias to the caller's zeroed sums. Offsets are bytes into
;; tfjs-backend-wasm's memory.
(module
  (import "env" "memory" (memory 0))

  (func $total (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  (func (export "layerNorm")
    (param $x i32) (param $weight i32) (param $bias i32) (param $y i32) (param $mean i32) (param $rstd i32)
    (param $rows i32) (param $size i32) (param $eps f32)
    (local $rowBytes i32) (local $r i32) (local $c i32) (local $acc v128) (local $d v128)
    (local $mu f32) (local $inverse f32) (local $muv v128) (local $inv v128)
    (local.set $rowBytes (i32.shl (local.get $size) (i32.const 2)))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $sum_done (loop $sum
        (br_if $sum_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $x) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $sum)))
      (local.set $mu (f32.div (call $total (local.get $acc)) (f32.convert_i32_u (local.get $size))))
      (local.set $muv (f32x4.splat (local.get $mu)))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $squares_done (loop $squares
        (br_if $squares_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $d (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (local.get $muv)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $d) (local.get $d))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $squares)))
      (local.set $inverse (f32.div (f32.const 1)
        (f32.sqrt (f32.add (f32.div (call $total (local.get $acc)) (f32.convert_i32_u (local.get $size))) (local.get $eps)))))
      (local.set $inv (f32x4.splat (local.get $inverse)))
      (local.set $c (i32.const 0))
      (block $out_done (loop $out
        (br_if $out_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $y) (local.get $c))
          (f32x4.add
            (f32x4.mul
              (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (local.get $muv)) (local.get $inv))
              (v128.load (i32.add (local.get $weight) (local.get $c))))
            (v128.load (i32.add (local.get $bias) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $out)))
      (f32.store (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2))) (local.get $mu))
      (f32.store (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2))) (local.get $inverse))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $rowBytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $each_row)))
  )

  ;; dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), g = dy·weight, x̂ = (x − mean)·rstd;
  ;; dWeight += dy·x̂ and dBias += dy, row by row.
  (func (export "layerNormGrad")
    (param $dy i32) (param $x i32) (param $mean i32) (param $rstd i32) (param $weight i32)
    (param $dx i32) (param $dWeight i32) (param $dBias i32) (param $rows i32) (param $size i32)
    (local $rowBytes i32) (local $r i32) (local $c i32) (local $muv v128) (local $inv v128)
    (local $grad v128) (local $normalized v128) (local $g v128) (local $gAcc v128) (local $gxAcc v128)
    (local $gMean v128) (local $gxMean v128) (local $count f32)
    (local.set $rowBytes (i32.shl (local.get $size) (i32.const 2)))
    (local.set $count (f32.convert_i32_u (local.get $size)))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $muv (v128.load32_splat (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $inv (v128.load32_splat (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $gAcc (v128.const i32x4 0 0 0 0))
      (local.set $gxAcc (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $sums_done (loop $sums
        (br_if $sums_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $grad (v128.load (i32.add (local.get $dy) (local.get $c))))
        (local.set $normalized (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (local.get $muv)) (local.get $inv)))
        (local.set $g (f32x4.mul (local.get $grad) (v128.load (i32.add (local.get $weight) (local.get $c)))))
        (local.set $gAcc (f32x4.add (local.get $gAcc) (local.get $g)))
        (local.set $gxAcc (f32x4.add (local.get $gxAcc) (f32x4.mul (local.get $g) (local.get $normalized))))
        (v128.store (i32.add (local.get $dWeight) (local.get $c))
          (f32x4.add (v128.load (i32.add (local.get $dWeight) (local.get $c))) (f32x4.mul (local.get $grad) (local.get $normalized))))
        (v128.store (i32.add (local.get $dBias) (local.get $c))
          (f32x4.add (v128.load (i32.add (local.get $dBias) (local.get $c))) (local.get $grad)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $sums)))
      (local.set $gMean (f32x4.splat (f32.div (call $total (local.get $gAcc)) (local.get $count))))
      (local.set $gxMean (f32x4.splat (f32.div (call $total (local.get $gxAcc)) (local.get $count))))
      (local.set $c (i32.const 0))
      (block $dx_done (loop $each_dx
        (br_if $dx_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $normalized (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (local.get $muv)) (local.get $inv)))
        (local.set $g (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $c))) (v128.load (i32.add (local.get $weight) (local.get $c)))))
        (v128.store (i32.add (local.get $dx) (local.get $c))
          (f32x4.mul (local.get $inv)
            (f32x4.sub (f32x4.sub (local.get $g) (local.get $gMean)) (f32x4.mul (local.get $normalized) (local.get $gxMean)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $each_dx)))
      (local.set $dy (i32.add (local.get $dy) (local.get $rowBytes)))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $dx (i32.add (local.get $dx) (local.get $rowBytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $each_row)))
  )
)

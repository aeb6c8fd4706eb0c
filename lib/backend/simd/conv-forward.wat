;; A 2-D convolution (dilation 1, any stride), images channels last:
;;   Y[n, y, x, o] = Σ over kh and j of X[n, y·sh + kh, x·sw·C + j] · W[kh, j, o]
;; with j = kw·C + c: a window row is kW·C consecutive floats of the (padded) image, and W is the filter as tfjs
;; lays it out, [kH, kW, C, O], read as [kH, J, op] with its rows padded to op (a multiple of 8) by the caller.
;; Tiles of 4 neighbouring output pixels × 8 output channels in eight registers: each step broadcasts one float of
;; each pixel's window against eight weights. The last tile of a row starts at outW − 4 and recomputes pixels the
;; one before it had (same values, stored again); channels past O are never stored. Each output sums over kh and j
;; in order. Arguments are byte offsets into tfjs-backend-wasm's memory, sizes, and byte strides.
(module
  (import "env" "memory" (memory 0))

  ;; The first $count lanes of $v (at most 4) to $at.
  (func $storeLanes (param $at i32) (param $v v128) (param $count i32)
    (block $four (block $three (block $two (block $one (block $none
      (br_table $none $one $two $three $four (local.get $count)))
      (return))
      (v128.store32_lane 0 (local.get $at) (local.get $v))
      (return))
      (v128.store64_lane 0 (local.get $at) (local.get $v))
      (return))
      (v128.store64_lane 0 (local.get $at) (local.get $v))
      (v128.store32_lane offset=8 2 (local.get $at) (local.get $v))
      (return))
    (v128.store (local.get $at) (local.get $v)))

  ;; Eight channels of one pixel at $at, or the first $valid of them.
  (func $store8 (param $at i32) (param $v0 v128) (param $v1 v128) (param $valid i32)
    (if (i32.ge_s (local.get $valid) (i32.const 8))
      (then
        (v128.store (local.get $at) (local.get $v0))
        (v128.store offset=16 (local.get $at) (local.get $v1)))
      (else (if (i32.ge_s (local.get $valid) (i32.const 4))
        (then
          (v128.store (local.get $at) (local.get $v0))
          (call $storeLanes (i32.add (local.get $at) (i32.const 16)) (local.get $v1)
            (i32.sub (local.get $valid) (i32.const 4))))
        (else (call $storeLanes (local.get $at) (local.get $v0) (local.get $valid)))))))

  ;; Y for 4 pixels ($pixelStep bytes apart in X, $yPixel in Y) × 8 channels, $valid of which are stored.
  (func $tile4x8 (param $px i32) (param $pw i32) (param $py i32) (param $kH i32) (param $window i32)
    (param $rowBytes i32) (param $pixelStep i32) (param $wRow i32) (param $yPixel i32) (param $valid i32)
    (local $kh i32) (local $j i32) (local $pa i32) (local $pwt i32) (local $w0 v128) (local $w1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $pwt (local.get $pw))
    (block $kh_done (loop $each_kh
      (br_if $kh_done (i32.ge_u (local.get $kh) (local.get $kH)))
      (local.set $pa (i32.add (local.get $px) (i32.mul (local.get $kh) (local.get $rowBytes))))
      (local.set $j (i32.const 0))
      (block $j_done (loop $each_j
        (br_if $j_done (i32.ge_u (local.get $j) (local.get $window)))
        (local.set $w0 (v128.load (local.get $pwt)))
        (local.set $w1 (v128.load offset=16 (local.get $pwt)))
        (local.set $s (v128.load32_splat (local.get $pa)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $w0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $w1))))
        (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $pixelStep))))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $w0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $w1))))
        (local.set $s (v128.load32_splat (i32.add (local.get $pa) (i32.shl (local.get $pixelStep) (i32.const 1)))))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $w0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $w1))))
        (local.set $s (v128.load32_splat (i32.add (local.get $pa) (i32.mul (local.get $pixelStep) (i32.const 3)))))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $w0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $w1))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
        (local.set $pwt (i32.add (local.get $pwt) (local.get $wRow)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each_j)))
      (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
      (br $each_kh)))
    (call $store8 (local.get $py) (local.get $c00) (local.get $c01) (local.get $valid))
    (local.set $py (i32.add (local.get $py) (local.get $yPixel)))
    (call $store8 (local.get $py) (local.get $c10) (local.get $c11) (local.get $valid))
    (local.set $py (i32.add (local.get $py) (local.get $yPixel)))
    (call $store8 (local.get $py) (local.get $c20) (local.get $c21) (local.get $valid))
    (local.set $py (i32.add (local.get $py) (local.get $yPixel)))
    (call $store8 (local.get $py) (local.get $c30) (local.get $c31) (local.get $valid)))

  ;; Y [images, outH, outW, outC] (outW ≥ 4) from X (padded, [images, rows, columns, C], $imageBytes and
  ;; $rowBytes apart) and W [kH, window, op]. $rowStep = sh·$rowBytes, $pixelStep = sw·4·C.
  (func (export "convForward")
    (param $px i32) (param $pw i32) (param $py i32) (param $images i32) (param $outH i32) (param $outW i32)
    (param $kH i32) (param $window i32) (param $op i32) (param $outC i32) (param $imageBytes i32) (param $rowBytes i32)
    (param $rowStep i32) (param $pixelStep i32)
    (local $n i32) (local $y i32) (local $x i32) (local $start i32) (local $o i32)
    (local $xRow i32) (local $yRow i32) (local $yPixel i32) (local $wRow i32)
    (local.set $yPixel (i32.shl (local.get $outC) (i32.const 2)))
    (local.set $wRow (i32.shl (local.get $op) (i32.const 2)))
    (block $images_done (loop $each_image
      (br_if $images_done (i32.ge_u (local.get $n) (local.get $images)))
      (local.set $y (i32.const 0))
      (block $rows_done (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $y) (local.get $outH)))
        (local.set $xRow (i32.add (i32.add (local.get $px) (i32.mul (local.get $n) (local.get $imageBytes)))
          (i32.mul (local.get $y) (local.get $rowStep))))
        (local.set $yRow (i32.add (local.get $py) (i32.mul
          (i32.mul (i32.add (i32.mul (local.get $n) (local.get $outH)) (local.get $y)) (local.get $outW))
          (local.get $yPixel))))
        (local.set $x (i32.const 0))
        (block $pixels_done (loop $each_tile
          (br_if $pixels_done (i32.ge_u (local.get $x) (local.get $outW)))
          (local.set $start (select (local.get $x) (i32.sub (local.get $outW) (i32.const 4))
            (i32.le_u (i32.add (local.get $x) (i32.const 4)) (local.get $outW))))
          (local.set $o (i32.const 0))
          (block $channels_done (loop $each_o
            (br_if $channels_done (i32.ge_u (local.get $o) (local.get $op)))
            (call $tile4x8
              (i32.add (local.get $xRow) (i32.mul (local.get $start) (local.get $pixelStep)))
              (i32.add (local.get $pw) (i32.shl (local.get $o) (i32.const 2)))
              (i32.add (local.get $yRow) (i32.add (i32.mul (local.get $start) (local.get $yPixel))
                (i32.shl (local.get $o) (i32.const 2))))
              (local.get $kH) (local.get $window) (local.get $rowBytes) (local.get $pixelStep) (local.get $wRow)
              (local.get $yPixel) (i32.sub (local.get $outC) (local.get $o)))
            (local.set $o (i32.add (local.get $o) (i32.const 8)))
            (br $each_o)))
          (local.set $x (i32.add (local.get $x) (i32.const 4)))
          (br $each_tile)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $each_row)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $each_image)))
  )
)

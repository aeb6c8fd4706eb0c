;; The filter gradient of a 2-D convolution (dilation 1, any stride), images channels last:
;;   dW[t, o] = Σ over images n, output rows y and columns x of X[n, y·sh, x·sw·C + tap t] · dY[n, y, x, o]
;; where the taps t = (kh, kw, c) are the filter's kH·kW·C positions, each a byte offset from a window's first float
;; (kh·rowBytes + 4·(kw·C + c)), listed by the caller in a table. This is aᵀ·b (matmul-transposed-a.wat) with a's
;; rows read from the image where they lie, no im2col copy: tiles of 4 taps × 8 o in eight registers, each step
;; broadcasting one float of X per tap against eight of dY, or (op a multiple of 16) of 2 taps × 16 o, two addresses
;; a step instead of four (LeNet's second layer: 1.08 times faster). Taps run across window rows, so a small window
;; wastes no lanes (LeNet's first layer: 25 taps in 28 lanes, where 4-float pieces of each 5-float row took 40).
;; Image after image, every tile adds one image's sum to dW in memory, so that the image and its gradient stay in
;; cache while all tiles read them; each element of dW sums over n, y and x in order.
;; The tap count is rounded up to tp (a multiple of 4; the caller points the extra taps at offset 0) and O to op (of
;; 8, or 16 for the wide tiles): the extra lanes read the op − O floats past dY's end and fill dW's extra rows and
;; columns, which the caller drops. Arguments are byte offsets into tfjs-backend-wasm's memory, sizes, and byte
;; strides.
(module
  (import "env" "memory" (memory 0))

  ;; dW[t..t+4, o..o+8] (at $pw, rows $wRow bytes apart) += the sum over one image's outH × outW pixels, for the taps
  ;; $t0..$t3 bytes past each window's start.
  (func $tile4x8 (param $px i32) (param $pdy i32) (param $pw i32) (param $wRow i32)
    (param $outH i32) (param $outW i32) (param $rowStep i32) (param $pixelStep i32) (param $dyPixel i32)
    (param $t0 i32) (param $t1 i32) (param $t2 i32) (param $t3 i32)
    (local $y i32) (local $x i32) (local $pa i32) (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $y) (local.get $outH)))
      (local.set $pa (i32.add (local.get $px) (i32.mul (local.get $y) (local.get $rowStep))))
      (local.set $x (i32.const 0))
      (block $pixels_done (loop $pixels
        (br_if $pixels_done (i32.ge_u (local.get $x) (local.get $outW)))
        (local.set $b0 (v128.load (local.get $pdy)))
        (local.set $b1 (v128.load offset=16 (local.get $pdy)))
        (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $t0))))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $t1))))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $t2))))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $t3))))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (local.get $pixelStep)))
        (local.set $pdy (i32.add (local.get $pdy) (local.get $dyPixel)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $pixels)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rows)))
    (v128.store (local.get $pw) (f32x4.add (v128.load (local.get $pw)) (local.get $c00)))
    (v128.store offset=16 (local.get $pw) (f32x4.add (v128.load offset=16 (local.get $pw)) (local.get $c01)))
    (local.set $pw (i32.add (local.get $pw) (local.get $wRow)))
    (v128.store (local.get $pw) (f32x4.add (v128.load (local.get $pw)) (local.get $c10)))
    (v128.store offset=16 (local.get $pw) (f32x4.add (v128.load offset=16 (local.get $pw)) (local.get $c11)))
    (local.set $pw (i32.add (local.get $pw) (local.get $wRow)))
    (v128.store (local.get $pw) (f32x4.add (v128.load (local.get $pw)) (local.get $c20)))
    (v128.store offset=16 (local.get $pw) (f32x4.add (v128.load offset=16 (local.get $pw)) (local.get $c21)))
    (local.set $pw (i32.add (local.get $pw) (local.get $wRow)))
    (v128.store (local.get $pw) (f32x4.add (v128.load (local.get $pw)) (local.get $c30)))
    (v128.store offset=16 (local.get $pw) (f32x4.add (v128.load offset=16 (local.get $pw)) (local.get $c31))))

  ;; As $tile4x8 for dW[t..t+2, o..o+16]: two taps × sixteen o, two addresses a pixel where four taps take four.
  (func $tile2x16 (param $px i32) (param $pdy i32) (param $pw i32) (param $wRow i32)
    (param $outH i32) (param $outW i32) (param $rowStep i32) (param $pixelStep i32) (param $dyPixel i32)
    (param $t0 i32) (param $t1 i32)
    (local $y i32) (local $x i32) (local $pa i32) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $y) (local.get $outH)))
      (local.set $pa (i32.add (local.get $px) (i32.mul (local.get $y) (local.get $rowStep))))
      (local.set $x (i32.const 0))
      (block $pixels_done (loop $pixels
        (br_if $pixels_done (i32.ge_u (local.get $x) (local.get $outW)))
        (local.set $b0 (v128.load (local.get $pdy)))
        (local.set $b1 (v128.load offset=16 (local.get $pdy)))
        (local.set $b2 (v128.load offset=32 (local.get $pdy)))
        (local.set $b3 (v128.load offset=48 (local.get $pdy)))
        (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $t0))))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $s) (local.get $b2))))
        (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $s) (local.get $b3))))
        (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $t1))))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $s) (local.get $b2))))
        (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $s) (local.get $b3))))
        (local.set $pa (i32.add (local.get $pa) (local.get $pixelStep)))
        (local.set $pdy (i32.add (local.get $pdy) (local.get $dyPixel)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $pixels)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rows)))
    (v128.store (local.get $pw) (f32x4.add (v128.load (local.get $pw)) (local.get $c00)))
    (v128.store offset=16 (local.get $pw) (f32x4.add (v128.load offset=16 (local.get $pw)) (local.get $c01)))
    (v128.store offset=32 (local.get $pw) (f32x4.add (v128.load offset=32 (local.get $pw)) (local.get $c02)))
    (v128.store offset=48 (local.get $pw) (f32x4.add (v128.load offset=48 (local.get $pw)) (local.get $c03)))
    (local.set $pw (i32.add (local.get $pw) (local.get $wRow)))
    (v128.store (local.get $pw) (f32x4.add (v128.load (local.get $pw)) (local.get $c10)))
    (v128.store offset=16 (local.get $pw) (f32x4.add (v128.load offset=16 (local.get $pw)) (local.get $c11)))
    (v128.store offset=32 (local.get $pw) (f32x4.add (v128.load offset=32 (local.get $pw)) (local.get $c12)))
    (v128.store offset=48 (local.get $pw) (f32x4.add (v128.load offset=48 (local.get $pw)) (local.get $c13))))

  ;; dW [tp, op] from X (padded, [images, rows, columns, C], $imageBytes apart) and dY [images, outH, outW, O]
  ;; ($dyPixel = 4·O bytes a pixel), the taps' byte offsets an i32 table of tp at $ptaps. $rowStep = sh·rowBytes,
  ;; $pixelStep = sw·4·C; $wide (1 or 0) picks the tiles of 2 taps × 16 o.
  (func (export "convFilterGradient")
    (param $px i32) (param $pdy i32) (param $pw i32) (param $ptaps i32) (param $images i32) (param $outH i32)
    (param $outW i32) (param $tp i32) (param $op i32) (param $imageBytes i32) (param $rowStep i32)
    (param $pixelStep i32) (param $dyPixel i32) (param $wide i32)
    (local $n i32) (local $t i32) (local $o i32) (local $at i32) (local $end i32) (local $tStep i32) (local $oStep i32)
    (local $wRow i32) (local $dyImage i32) (local $xImage i32) (local $tap i32) (local $dyTile i32) (local $wTile i32)
    (local.set $tStep (select (i32.const 2) (i32.const 4) (local.get $wide)))
    (local.set $oStep (select (i32.const 16) (i32.const 8) (local.get $wide)))
    (local.set $wRow (i32.shl (local.get $op) (i32.const 2)))
    (local.set $end (i32.add (local.get $pw) (i32.mul (local.get $tp) (local.get $wRow))))
    (local.set $at (local.get $pw))
    (block $zeroed (loop $zero
      (br_if $zeroed (i32.ge_u (local.get $at) (local.get $end)))
      (v128.store (local.get $at) (v128.const i32x4 0 0 0 0))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br $zero)))
    (block $images_done (loop $each_image
      (br_if $images_done (i32.ge_u (local.get $n) (local.get $images)))
      (local.set $dyImage (i32.add (local.get $pdy)
        (i32.mul (i32.mul (local.get $n) (i32.mul (local.get $outH) (local.get $outW))) (local.get $dyPixel))))
      (local.set $xImage (i32.add (local.get $px) (i32.mul (local.get $n) (local.get $imageBytes))))
      (local.set $t (i32.const 0))
      (block $taps_done (loop $each_t
        (br_if $taps_done (i32.ge_u (local.get $t) (local.get $tp)))
        (local.set $tap (i32.add (local.get $ptaps) (i32.shl (local.get $t) (i32.const 2))))
        (local.set $o (i32.const 0))
        (block $o_done (loop $each_o
          (br_if $o_done (i32.ge_u (local.get $o) (local.get $op)))
          (local.set $dyTile (i32.add (local.get $dyImage) (i32.shl (local.get $o) (i32.const 2))))
          (local.set $wTile (i32.add (local.get $pw)
            (i32.shl (i32.add (i32.mul (local.get $t) (local.get $op)) (local.get $o)) (i32.const 2))))
          (if (local.get $wide)
            (then
              (call $tile2x16 (local.get $xImage) (local.get $dyTile) (local.get $wTile) (local.get $wRow)
                (local.get $outH) (local.get $outW) (local.get $rowStep) (local.get $pixelStep) (local.get $dyPixel)
                (i32.load (local.get $tap)) (i32.load offset=4 (local.get $tap))))
            (else
              (call $tile4x8 (local.get $xImage) (local.get $dyTile) (local.get $wTile) (local.get $wRow)
                (local.get $outH) (local.get $outW) (local.get $rowStep) (local.get $pixelStep) (local.get $dyPixel)
                (i32.load (local.get $tap)) (i32.load offset=4 (local.get $tap))
                (i32.load offset=8 (local.get $tap)) (i32.load offset=12 (local.get $tap)))))
          (local.set $o (i32.add (local.get $o) (local.get $oStep)))
          (br $each_o)))
        (local.set $t (i32.add (local.get $t) (local.get $tStep)))
        (br $each_t)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $each_image)))
  )
)

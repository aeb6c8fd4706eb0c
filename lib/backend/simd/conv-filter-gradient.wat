;; The filter gradient of a 2-D convolution (dilation 1, any stride), images channels last:
;;   dW[kh, j, o] = Σ over images n, output rows y and columns x of X[n, y·sh + kh, x·sw·C + j] · dY[n, y, x, o]
;; with j = kw·C + c: the C channels of a window row's kW pixels lie side by side in the image, so a window row is
;; kW·C consecutive floats. This is aᵀ·b (matmul-transposed-a.wat) with a's rows read from the image where they lie,
;; no im2col copy: tiles of 4 j × 8 o in eight registers, each step broadcasting four floats of X against eight of dY.
;; Image after image, every tile adds one image's sum to dW in memory, so that the image and its gradient stay in
;; cache while all tiles read them; each element of dW sums over n, y and x in order.
;; J and O are rounded up to jp (a multiple of 4) and op (of 8): the extra lanes read the floats that follow (up to 3
;; past X's end, op − O past dY's) and fill dW's extra rows and columns, which the caller drops.
;; Arguments are byte offsets into tfjs-backend-wasm's memory, sizes, and byte strides.
(module
  (import "env" "memory" (memory 0))

  ;; dW[j..j+4, o..o+8] (at $pw, rows $wRow bytes apart) += the sum over one image's outH × outW pixels.
  (func $tile4x8 (param $px i32) (param $pdy i32) (param $pw i32) (param $wRow i32)
    (param $outH i32) (param $outW i32) (param $rowStep i32) (param $pixelStep i32) (param $dyPixel i32)
    (local $y i32) (local $x i32) (local $pa i32) (local $va v128) (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $y) (local.get $outH)))
      (local.set $pa (i32.add (local.get $px) (i32.mul (local.get $y) (local.get $rowStep))))
      (local.set $x (i32.const 0))
      (block $pixels_done (loop $pixels
        (br_if $pixels_done (i32.ge_u (local.get $x) (local.get $outW)))
        (local.set $va (v128.load (local.get $pa)))
        (local.set $b0 (v128.load (local.get $pdy)))
        (local.set $b1 (v128.load offset=16 (local.get $pdy)))
        (local.set $s (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $va) (local.get $va)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $s (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $va) (local.get $va)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $s (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $va) (local.get $va)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $s (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $va) (local.get $va)))
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

  ;; dW [kH, jp, op] from X (padded, [images, rows, columns, C], $imageBytes and $rowBytes apart) and dY
  ;; [images, outH, outW, O] ($dyPixel = 4·O bytes a pixel). $rowStep = sh·$rowBytes, $pixelStep = sw·4·C.
  (func (export "convFilterGradient")
    (param $px i32) (param $pdy i32) (param $pw i32) (param $images i32) (param $outH i32) (param $outW i32)
    (param $kH i32) (param $jp i32) (param $op i32) (param $imageBytes i32) (param $rowBytes i32)
    (param $rowStep i32) (param $pixelStep i32) (param $dyPixel i32)
    (local $n i32) (local $kh i32) (local $j i32) (local $o i32) (local $at i32) (local $end i32)
    (local $wRow i32) (local $dyImage i32) (local $xRow i32) (local $wTile i32)
    (local.set $wRow (i32.shl (local.get $op) (i32.const 2)))
    (local.set $end (i32.add (local.get $pw)
      (i32.mul (i32.mul (local.get $kH) (local.get $jp)) (local.get $wRow))))
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
      (local.set $kh (i32.const 0))
      (block $kh_done (loop $each_kh
        (br_if $kh_done (i32.ge_u (local.get $kh) (local.get $kH)))
        (local.set $xRow (i32.add (i32.add (local.get $px) (i32.mul (local.get $n) (local.get $imageBytes)))
          (i32.mul (local.get $kh) (local.get $rowBytes))))
        (local.set $j (i32.const 0))
        (block $j_done (loop $each_j
          (br_if $j_done (i32.ge_u (local.get $j) (local.get $jp)))
          (local.set $o (i32.const 0))
          (block $o_done (loop $each_o
            (br_if $o_done (i32.ge_u (local.get $o) (local.get $op)))
            (local.set $wTile (i32.add (local.get $pw) (i32.shl
              (i32.add (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $jp)) (local.get $j)) (local.get $op)) (local.get $o))
              (i32.const 2))))
            (call $tile4x8
              (i32.add (local.get $xRow) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (local.get $dyImage) (i32.shl (local.get $o) (i32.const 2)))
              (local.get $wTile) (local.get $wRow)
              (local.get $outH) (local.get $outW) (local.get $rowStep) (local.get $pixelStep) (local.get $dyPixel))
            (local.set $o (i32.add (local.get $o) (i32.const 8)))
            (br $each_o)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $each_j)))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br $each_kh)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $each_image)))
  )
)

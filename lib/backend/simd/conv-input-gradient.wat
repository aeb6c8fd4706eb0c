;; The input gradient of a 2-D convolution (dilation 1, any stride), images channels last: every output pixel
;; sends its gradient back through its window,
;;   dX[n, y·sh + kh, x·sw·C + j] += Σ_o dY[n, y, x, o] · W[kh, j, o]
;; with j = kw·C + c: a window row is kW·C consecutive floats of the (padded) image. Only the products that exist
;; are computed; a convolution of the zero-padded gradient by the turned filter multiplies the zeros too (60 MFLOP
;; for 31 useful in LeNet's second layer).
;; W comes as Wt [kH, O, jp], j fastest and zero past J = kW·C, jp a multiple of 16: sixteen j of a window row are
;; four registers, summed over o with dY's value broadcast, then added to dX in memory, two neighbouring pixels
;; at a time (one Wt load, two products; the second pixel's sums are added after the first's, where their windows
;; overlap), pixel after pixel. The pair's loop is written out in the pixel loop, not called: Node 20's engine
;; does not inline wasm calls, and a call with its masks cost a third of the kernel's time. The lanes past J are masked to 0 before they are
;; added (0·dY would be NaN for an infinite dY): they add 0 to the floats that follow, up to 15 past the last window
;; row, for which the caller leaves room.
;; Arguments are byte offsets into tfjs-backend-wasm's memory, sizes, and byte strides.
(module
  (import "env" "memory" (memory 0))

  ;; All ones in the first $valid lanes (none when $valid ≤ 0, all when ≥ 4), zero in the others.
  (func $mask (param $valid i32) (result v128)
    (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $valid))))

  ;; dX[j..j+16] of one window row (at $pdx) += Σ_o dY[o] · Wt[o, j..j+16] (Wt rows $wRow bytes apart), in the
  ;; lanes the masks keep.
  (func $row16 (param $pdy i32) (param $pwt i32) (param $pdx i32) (param $outC i32) (param $wRow i32)
    (param $m0 v128) (param $m1 v128) (param $m2 v128) (param $m3 v128)
    (local $o i32) (local $s v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (block $done (loop $each_o
      (br_if $done (i32.ge_u (local.get $o) (local.get $outC)))
      (local.set $s (v128.load32_splat (local.get $pdy)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $pwt)) (local.get $s))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $pwt)) (local.get $s))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $pwt)) (local.get $s))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $pwt)) (local.get $s))))
      (local.set $pdy (i32.add (local.get $pdy) (i32.const 4)))
      (local.set $pwt (i32.add (local.get $pwt) (local.get $wRow)))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $each_o)))
    (v128.store (local.get $pdx) (f32x4.add (v128.load (local.get $pdx)) (v128.and (local.get $a0) (local.get $m0))))
    (v128.store offset=16 (local.get $pdx) (f32x4.add (v128.load offset=16 (local.get $pdx)) (v128.and (local.get $a1) (local.get $m1))))
    (v128.store offset=32 (local.get $pdx) (f32x4.add (v128.load offset=32 (local.get $pdx)) (v128.and (local.get $a2) (local.get $m2))))
    (v128.store offset=48 (local.get $pdx) (f32x4.add (v128.load offset=48 (local.get $pdx)) (v128.and (local.get $a3) (local.get $m3)))))

;; dX (padded, [images, rows, columns, C], $imageBytes and $rowBytes apart, zeroed by the caller) from dY
  ;; [images, outH, outW, outC] and Wt. $rowStep = sh·$rowBytes, $pixelStep = sw·4·C.
  (func (export "convInputGradient")
    (param $pdy i32) (param $pwt i32) (param $pdx i32) (param $images i32) (param $outH i32) (param $outW i32)
    (param $kH i32) (param $window i32) (param $jp i32) (param $outC i32) (param $imageBytes i32) (param $rowBytes i32)
    (param $rowStep i32) (param $pixelStep i32)
    (local $n i32) (local $y i32) (local $x i32) (local $kh i32) (local $j i32) (local $o i32)
    (local $wRow i32) (local $start i32) (local $row i32) (local $wKh i32) (local $pair i32) (local $last i32)
    (local $dyPixel i32) (local $py i32) (local $pw i32) (local $pd i32)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $s v128) (local $t v128) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local.set $wRow (i32.shl (local.get $jp) (i32.const 2)))
    (local.set $dyPixel (i32.shl (local.get $outC) (i32.const 2)))
    ;; only the last 16 j of a window row have lanes past J
    (local.set $last (i32.sub (local.get $window) (i32.sub (local.get $jp) (i32.const 16))))
    (local.set $l0 (call $mask (local.get $last)))
    (local.set $l1 (call $mask (i32.sub (local.get $last) (i32.const 4))))
    (local.set $l2 (call $mask (i32.sub (local.get $last) (i32.const 8))))
    (local.set $l3 (call $mask (i32.sub (local.get $last) (i32.const 12))))
    (block $images_done (loop $each_image
      (br_if $images_done (i32.ge_u (local.get $n) (local.get $images)))
      (local.set $y (i32.const 0))
      (block $rows_done (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $y) (local.get $outH)))
        (local.set $x (i32.const 0))
        (block $pixels_done (loop $each_pixel
          (br_if $pixels_done (i32.ge_u (local.get $x) (local.get $outW)))
          (local.set $pair (i32.lt_u (i32.add (local.get $x) (i32.const 1)) (local.get $outW)))
          (local.set $start (i32.add (i32.add (local.get $pdx) (i32.mul (local.get $n) (local.get $imageBytes)))
            (i32.add (i32.mul (local.get $y) (local.get $rowStep)) (i32.mul (local.get $x) (local.get $pixelStep)))))
          (local.set $kh (i32.const 0))
          (block $kh_done (loop $each_kh
            (br_if $kh_done (i32.ge_u (local.get $kh) (local.get $kH)))
            (local.set $row (i32.add (local.get $start) (i32.mul (local.get $kh) (local.get $rowBytes))))
            (local.set $wKh (i32.add (local.get $pwt)
              (i32.mul (i32.mul (local.get $kh) (local.get $outC)) (local.get $wRow))))
            (local.set $j (i32.const 0))
            (block $j_done (loop $each_j
              (br_if $j_done (i32.ge_u (local.get $j) (local.get $jp)))
              (local.set $last (i32.ge_u (i32.add (local.get $j) (i32.const 16)) (local.get $jp)))
              (local.set $m0 (select (local.get $l0) (v128.const i32x4 -1 -1 -1 -1) (local.get $last)))
              (local.set $m1 (select (local.get $l1) (v128.const i32x4 -1 -1 -1 -1) (local.get $last)))
              (local.set $m2 (select (local.get $l2) (v128.const i32x4 -1 -1 -1 -1) (local.get $last)))
              (local.set $m3 (select (local.get $l3) (v128.const i32x4 -1 -1 -1 -1) (local.get $last)))
              (local.set $pw (i32.add (local.get $wKh) (i32.shl (local.get $j) (i32.const 2))))
              (local.set $pd (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
              (if (local.get $pair)
                (then
                  ;; dX[j..j+16] of both pixels' window rows += Σ_o dY[pixel, o] · Wt[o, j..j+16]
                  (local.set $py (local.get $pdy))
                  (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
                  (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
                  (local.set $b0 (v128.const i32x4 0 0 0 0)) (local.set $b1 (v128.const i32x4 0 0 0 0))
                  (local.set $b2 (v128.const i32x4 0 0 0 0)) (local.set $b3 (v128.const i32x4 0 0 0 0))
                  (local.set $o (i32.const 0))
                  (block $o_done (loop $each_o
                    (br_if $o_done (i32.ge_u (local.get $o) (local.get $outC)))
                    (local.set $s (v128.load32_splat (local.get $py)))
                    (local.set $t (v128.load32_splat (i32.add (local.get $py) (local.get $dyPixel))))
                    (local.set $w (v128.load (local.get $pw)))
                    (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $w) (local.get $s))))
                    (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $w) (local.get $t))))
                    (local.set $w (v128.load offset=16 (local.get $pw)))
                    (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $w) (local.get $s))))
                    (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $w) (local.get $t))))
                    (local.set $w (v128.load offset=32 (local.get $pw)))
                    (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $w) (local.get $s))))
                    (local.set $b2 (f32x4.add (local.get $b2) (f32x4.mul (local.get $w) (local.get $t))))
                    (local.set $w (v128.load offset=48 (local.get $pw)))
                    (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $w) (local.get $s))))
                    (local.set $b3 (f32x4.add (local.get $b3) (f32x4.mul (local.get $w) (local.get $t))))
                    (local.set $py (i32.add (local.get $py) (i32.const 4)))
                    (local.set $pw (i32.add (local.get $pw) (local.get $wRow)))
                    (local.set $o (i32.add (local.get $o) (i32.const 1)))
                    (br $each_o)))
                  (v128.store (local.get $pd) (f32x4.add (v128.load (local.get $pd)) (v128.and (local.get $a0) (local.get $m0))))
                  (v128.store offset=16 (local.get $pd) (f32x4.add (v128.load offset=16 (local.get $pd)) (v128.and (local.get $a1) (local.get $m1))))
                  (v128.store offset=32 (local.get $pd) (f32x4.add (v128.load offset=32 (local.get $pd)) (v128.and (local.get $a2) (local.get $m2))))
                  (v128.store offset=48 (local.get $pd) (f32x4.add (v128.load offset=48 (local.get $pd)) (v128.and (local.get $a3) (local.get $m3))))
                  (local.set $pd (i32.add (local.get $pd) (local.get $pixelStep)))
                  (v128.store (local.get $pd) (f32x4.add (v128.load (local.get $pd)) (v128.and (local.get $b0) (local.get $m0))))
                  (v128.store offset=16 (local.get $pd) (f32x4.add (v128.load offset=16 (local.get $pd)) (v128.and (local.get $b1) (local.get $m1))))
                  (v128.store offset=32 (local.get $pd) (f32x4.add (v128.load offset=32 (local.get $pd)) (v128.and (local.get $b2) (local.get $m2))))
                  (v128.store offset=48 (local.get $pd) (f32x4.add (v128.load offset=48 (local.get $pd)) (v128.and (local.get $b3) (local.get $m3)))))
                (else (call $row16 (local.get $pdy) (local.get $pw) (local.get $pd) (local.get $outC) (local.get $wRow)
                  (local.get $m0) (local.get $m1) (local.get $m2) (local.get $m3))))
              (local.set $j (i32.add (local.get $j) (i32.const 16)))
              (br $each_j)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $each_kh)))
          ;; one pixel, or two
          (local.set $pdy (i32.add (local.get $pdy) (i32.shl (local.get $dyPixel) (local.get $pair))))
          (local.set $x (i32.add (local.get $x) (i32.add (local.get $pair) (i32.const 1))))
          (br $each_pixel)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $each_row)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $each_image)))
  )
)

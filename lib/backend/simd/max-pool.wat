;; The gradient of max pooling over windows that tile the image (stride = window,
;; no padding: LeNet's 2×2), PyTorch's rule: each window's gradient goes to its
;; first largest value, a NaN winning. x and dx are NHWC float32 [batch, h, w, c],
;; dy is [batch, oh, ow, c], c ≥ 4. Four channels at a time with 128-bit SIMD:
;; the running maximum and its cell number are kept with bitselect, and every
;; cell of the window is then written, dy where it won and 0 elsewhere. The
;; last group of four channels may overlap the one before; it writes the same
;; values again. Cells outside every window are left as they are (zero them).
;; Arguments are byte offsets into tfjs-backend-wasm's memory, then the geometry.
(module
  (import "env" "memory" (memory 0))
  (func (export "maxPoolGradTiles")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $batch i32) (param $h i32) (param $w i32) (param $c i32)
    (param $oh i32) (param $ow i32) (param $fh i32) (param $fw i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $ch i32) (local $last i32)
    (local $origin i32) (local $o i32) (local $ky i32) (local $kx i32) (local $cell i32) (local $at i32)
    (local $best v128) (local $winner v128) (local $v v128) (local $take v128) (local $g v128)
    (block $n_done (loop $n_loop
      (br_if $n_done (i32.ge_u (local.get $n) (local.get $batch)))
      (local.set $oy (i32.const 0))
      (block $oy_done (loop $oy_loop
        (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $ox_done (loop $ox_loop
          (br_if $ox_done (i32.ge_u (local.get $ox) (local.get $ow)))
          ;; element index of the window's first cell, channel 0; and of dy
          (local.set $origin
            (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $h)) (i32.mul (local.get $oy) (local.get $fh))) (local.get $w))
                              (i32.mul (local.get $ox) (local.get $fw)))
                     (local.get $c)))
          (local.set $o (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $oh)) (local.get $oy)) (local.get $ow)) (local.get $ox)) (local.get $c)))
          (local.set $ch (i32.const 0))
          (loop $chunks
            (if (i32.gt_u (i32.add (local.get $ch) (i32.const 4)) (local.get $c))
              (then (local.set $ch (i32.sub (local.get $c) (i32.const 4)))))
            ;; find each lane's winning cell
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $winner (i32x4.splat (i32.const -1)))
            (local.set $cell (i32.const 0))
            (local.set $ky (i32.const 0))
            (block $ky_done (loop $ky_loop
              (br_if $ky_done (i32.ge_u (local.get $ky) (local.get $fh)))
              (local.set $kx (i32.const 0))
              (block $kx_done (loop $kx_loop
                (br_if $kx_done (i32.ge_u (local.get $kx) (local.get $fw)))
                (local.set $at (i32.add (i32.add (local.get $origin) (local.get $ch))
                                        (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $w)) (local.get $kx)) (local.get $c))))
                (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $at) (i32.const 2)))))
                ;; the first cell always wins its lane (winner −1), then a larger value or a NaN
                (local.set $take
                  (v128.or (v128.or (f32x4.gt (local.get $v) (local.get $best)) (f32x4.ne (local.get $v) (local.get $v)))
                           (i32x4.eq (local.get $winner) (i32x4.splat (i32.const -1)))))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $take)))
                (local.set $winner (v128.bitselect (i32x4.splat (local.get $cell)) (local.get $winner) (local.get $take)))
                (local.set $cell (i32.add (local.get $cell) (i32.const 1)))
                (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                (br $kx_loop)))
              (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
              (br $ky_loop)))
            ;; write dy to each lane's winning cell, 0 to the others
            (local.set $g (v128.load (i32.add (local.get $dy) (i32.shl (i32.add (local.get $o) (local.get $ch)) (i32.const 2)))))
            (local.set $cell (i32.const 0))
            (local.set $ky (i32.const 0))
            (block $wy_done (loop $wy_loop
              (br_if $wy_done (i32.ge_u (local.get $ky) (local.get $fh)))
              (local.set $kx (i32.const 0))
              (block $wx_done (loop $wx_loop
                (br_if $wx_done (i32.ge_u (local.get $kx) (local.get $fw)))
                (local.set $at (i32.add (i32.add (local.get $origin) (local.get $ch))
                                        (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $w)) (local.get $kx)) (local.get $c))))
                (v128.store (i32.add (local.get $dx) (i32.shl (local.get $at) (i32.const 2)))
                  (v128.and (local.get $g) (i32x4.eq (local.get $winner) (i32x4.splat (local.get $cell)))))
                (local.set $cell (i32.add (local.get $cell) (i32.const 1)))
                (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                (br $wx_loop)))
              (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
              (br $wy_loop)))
            (local.set $last (i32.ge_u (i32.add (local.get $ch) (i32.const 4)) (local.get $c)))
            (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
            (br_if $chunks (i32.eqz (local.get $last))))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $ox_loop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oy_loop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $n_loop)))
  )

  ;; The same for 2 × 2 windows with stride 2 (LeNet's, and most CNNs'), written out: the four cells compared and
  ;; written without the window loops, a third of the time.
  (func (export "maxPoolGrad2x2")
    (param $x i32) (param $dy i32) (param $dx i32) (param $batch i32) (param $h i32) (param $w i32) (param $c i32)
    (param $oh i32) (param $ow i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $ch i32) (local $last i32)
    (local $p00 i32) (local $p10 i32) (local $cellBytes i32) (local $rowBytes i32) (local $o i32)
    (local $best v128) (local $winner v128) (local $v v128) (local $take v128) (local $g v128)
    (local.set $cellBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $w) (local.get $cellBytes)))
    (local.set $o (local.get $dy))
    (block $n_done (loop $n_loop
      (br_if $n_done (i32.ge_u (local.get $n) (local.get $batch)))
      (local.set $oy (i32.const 0))
      (block $oy_done (loop $oy_loop
        (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $ox_done (loop $ox_loop
          (br_if $ox_done (i32.ge_u (local.get $ox) (local.get $ow)))
          ;; byte offset of the window's first cell, channel 0, in x and dx
          (local.set $p00 (i32.add
            (i32.mul (i32.add (i32.mul (local.get $n) (local.get $h)) (i32.shl (local.get $oy) (i32.const 1))) (local.get $rowBytes))
            (i32.mul (i32.shl (local.get $ox) (i32.const 1)) (local.get $cellBytes))))
          (local.set $p10 (i32.add (local.get $p00) (local.get $rowBytes)))
          (local.set $ch (i32.const 0))
          (loop $chunks
            (if (i32.gt_u (i32.add (local.get $ch) (i32.const 4)) (local.get $c))
              (then (local.set $ch (i32.sub (local.get $c) (i32.const 4)))))
            ;; cells 0..3 in order: (0, 0), (0, 1), (1, 0), (1, 1); a larger value or a NaN takes over
            (local.set $best (v128.load (i32.add (local.get $x) (i32.add (local.get $p00) (i32.shl (local.get $ch) (i32.const 2))))))
            (local.set $winner (v128.const i32x4 0 0 0 0))
            (local.set $v (v128.load (i32.add (local.get $x)
              (i32.add (i32.add (local.get $p00) (local.get $cellBytes)) (i32.shl (local.get $ch) (i32.const 2))))))
            (local.set $take (v128.or (f32x4.gt (local.get $v) (local.get $best)) (f32x4.ne (local.get $v) (local.get $v))))
            (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $take)))
            (local.set $winner (v128.bitselect (v128.const i32x4 1 1 1 1) (local.get $winner) (local.get $take)))
            (local.set $v (v128.load (i32.add (local.get $x) (i32.add (local.get $p10) (i32.shl (local.get $ch) (i32.const 2))))))
            (local.set $take (v128.or (f32x4.gt (local.get $v) (local.get $best)) (f32x4.ne (local.get $v) (local.get $v))))
            (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $take)))
            (local.set $winner (v128.bitselect (v128.const i32x4 2 2 2 2) (local.get $winner) (local.get $take)))
            (local.set $v (v128.load (i32.add (local.get $x)
              (i32.add (i32.add (local.get $p10) (local.get $cellBytes)) (i32.shl (local.get $ch) (i32.const 2))))))
            (local.set $take (v128.or (f32x4.gt (local.get $v) (local.get $best)) (f32x4.ne (local.get $v) (local.get $v))))
            (local.set $winner (v128.bitselect (v128.const i32x4 3 3 3 3) (local.get $winner) (local.get $take)))
            ;; dy to each lane's winning cell, 0 to the others
            (local.set $g (v128.load (i32.add (local.get $o) (i32.shl (local.get $ch) (i32.const 2)))))
            (v128.store (i32.add (local.get $dx) (i32.add (local.get $p00) (i32.shl (local.get $ch) (i32.const 2))))
              (v128.and (local.get $g) (i32x4.eq (local.get $winner) (v128.const i32x4 0 0 0 0))))
            (v128.store (i32.add (local.get $dx) (i32.add (i32.add (local.get $p00) (local.get $cellBytes)) (i32.shl (local.get $ch) (i32.const 2))))
              (v128.and (local.get $g) (i32x4.eq (local.get $winner) (v128.const i32x4 1 1 1 1))))
            (v128.store (i32.add (local.get $dx) (i32.add (local.get $p10) (i32.shl (local.get $ch) (i32.const 2))))
              (v128.and (local.get $g) (i32x4.eq (local.get $winner) (v128.const i32x4 2 2 2 2))))
            (v128.store (i32.add (local.get $dx) (i32.add (i32.add (local.get $p10) (local.get $cellBytes)) (i32.shl (local.get $ch) (i32.const 2))))
              (v128.and (local.get $g) (i32x4.eq (local.get $winner) (v128.const i32x4 3 3 3 3))))
            (local.set $last (i32.ge_u (i32.add (local.get $ch) (i32.const 4)) (local.get $c)))
            (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
            (br_if $chunks (i32.eqz (local.get $last))))
          (local.set $o (i32.add (local.get $o) (local.get $cellBytes)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $ox_loop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oy_loop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $n_loop)))
  )

  ;; The pooling itself for 2 × 2 windows with stride 2: out[n, oy, ox, c] = the largest of the four cells, NaN if one
  ;; is NaN (as PyTorch), four channels at a time.
  (func (export "maxPool2x2")
    (param $x i32) (param $out i32) (param $batch i32) (param $h i32) (param $w i32) (param $c i32)
    (param $oh i32) (param $ow i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $ch i32) (local $last i32)
    (local $p00 i32) (local $p10 i32) (local $cellBytes i32) (local $rowBytes i32) (local $o i32) (local $at i32)
    (local.set $cellBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $w) (local.get $cellBytes)))
    (local.set $o (local.get $out))
    (block $n_done (loop $n_loop
      (br_if $n_done (i32.ge_u (local.get $n) (local.get $batch)))
      (local.set $oy (i32.const 0))
      (block $oy_done (loop $oy_loop
        (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $ox_done (loop $ox_loop
          (br_if $ox_done (i32.ge_u (local.get $ox) (local.get $ow)))
          (local.set $p00 (i32.add (local.get $x) (i32.add
            (i32.mul (i32.add (i32.mul (local.get $n) (local.get $h)) (i32.shl (local.get $oy) (i32.const 1))) (local.get $rowBytes))
            (i32.mul (i32.shl (local.get $ox) (i32.const 1)) (local.get $cellBytes)))))
          (local.set $p10 (i32.add (local.get $p00) (local.get $rowBytes)))
          (local.set $ch (i32.const 0))
          (loop $chunks
            (if (i32.gt_u (i32.add (local.get $ch) (i32.const 4)) (local.get $c))
              (then (local.set $ch (i32.sub (local.get $c) (i32.const 4)))))
            (local.set $at (i32.shl (local.get $ch) (i32.const 2)))
            (v128.store (i32.add (local.get $o) (local.get $at))
              (f32x4.max
                (f32x4.max (v128.load (i32.add (local.get $p00) (local.get $at)))
                  (v128.load (i32.add (i32.add (local.get $p00) (local.get $cellBytes)) (local.get $at))))
                (f32x4.max (v128.load (i32.add (local.get $p10) (local.get $at)))
                  (v128.load (i32.add (i32.add (local.get $p10) (local.get $cellBytes)) (local.get $at))))))
            (local.set $last (i32.ge_u (i32.add (local.get $ch) (i32.const 4)) (local.get $c)))
            (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
            (br_if $chunks (i32.eqz (local.get $last))))
          (local.set $o (i32.add (local.get $o) (local.get $cellBytes)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $ox_loop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oy_loop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $n_loop)))
  )
)

;; Column sums of a row-major float32 array read as chunks of L floats
;; (L a multiple of 4): sums[p] = Σ_c x[c·L + p], for p < L. The caller picks
;; L as a multiple of the row width, so each p belongs to one column, and
;; folds the L sums into the columns. Used for bias gradients: a sum over the
;; batch (and positions) of [rows, width].
;; Chunks are taken in blocks of 64, summed four floats at a time in float32,
;; and each block's sum is added to float64 totals: the long sum keeps
;; float64 accuracy at float32 speed. The block is read once, from L1.
;; $sums: L float64s, zeroed by the caller. Offsets are bytes into
;; tfjs-backend-wasm's memory.
(module
  (import "env" "memory" (memory 0))
  (func (export "columnSums") (param $x i32) (param $chunks i32) (param $L i32) (param $sums i32)
    (local $chunkBytes i32) (local $block i32) (local $blockEnd i32) (local $v i32) (local $vEnd i32)
    (local $p i32) (local $end i32) (local $s v128) (local $total i32)
    (local.set $chunkBytes (i32.shl (local.get $L) (i32.const 2)))
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.ge_u (local.get $block) (local.get $chunks)))
      (local.set $blockEnd (i32.add (local.get $block) (i32.const 64)))
      (if (i32.gt_u (local.get $blockEnd) (local.get $chunks)) (then (local.set $blockEnd (local.get $chunks))))
      (local.set $v (i32.add (local.get $x) (i32.mul (local.get $block) (local.get $chunkBytes))))
      (local.set $vEnd (i32.add (local.get $v) (local.get $chunkBytes)))
      (local.set $end (i32.add (local.get $x) (i32.mul (local.get $blockEnd) (local.get $chunkBytes))))
      (local.set $total (local.get $sums))
      (block $vectors_done (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $v) (local.get $vEnd)))
        (local.set $s (v128.const i32x4 0 0 0 0))
        (local.set $p (local.get $v))
        (block $chunk_done (loop $chunk
          (br_if $chunk_done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $s (f32x4.add (local.get $s) (v128.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $chunkBytes)))
          (br $chunk)))
        (v128.store (local.get $total)
          (f64x2.add (v128.load (local.get $total)) (f64x2.promote_low_f32x4 (local.get $s))))
        (v128.store offset=16 (local.get $total)
          (f64x2.add (v128.load offset=16 (local.get $total))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s) (local.get $s)))))
        (local.set $total (i32.add (local.get $total) (i32.const 32)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $vectors)))
      (local.set $block (local.get $blockEnd))
      (br $blocks)))
  )
)

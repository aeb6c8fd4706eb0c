;; out[c·L + p] = x[c·L + p] + pattern[p] for every chunk c < chunks and
;; p < L, four floats at a time (L a multiple of 4); out may be x. A bias added to every row of
;; [rows, width] is this with the bias repeated to L, a multiple of both 4
;; and the width; the caller adds any rows left over. Offsets are bytes into
;; tfjs-backend-wasm's memory.
(module
  (import "env" "memory" (memory 0))
  (func (export "addRepeating") (param $x i32) (param $out i32) (param $chunks i32) (param $L i32) (param $pattern i32)
    (local $p i32) (local $end i32) (local $q i32) (local $chunkEnd i32) (local $patternBytes i32) (local $shift i32)
    (local.set $patternBytes (i32.shl (local.get $L) (i32.const 2)))
    (local.set $p (local.get $x))
    ;; out's address is p + shift
    (local.set $shift (i32.sub (local.get $out) (local.get $x)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $chunks) (local.get $patternBytes))))
    (block $chunks_done (loop $chunk
      (br_if $chunks_done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $q (local.get $pattern))
      (local.set $chunkEnd (i32.add (local.get $p) (local.get $patternBytes)))
      (block $vectors_done (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $p) (local.get $chunkEnd)))
        (v128.store (i32.add (local.get $p) (local.get $shift)) (f32x4.add (v128.load (local.get $p)) (v128.load (local.get $q))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $vectors)))
      (br $chunk)))
  )
)

;; out = tanh(x) over n floats, four at a time, as a rational function of x
;; (odd degree 13 over even degree 6, the approximation Eigen uses for float
;; tanh): within a few float32 ulps of tanh, where tfjs-backend-wasm's Tanh
;; calls the C library's tanhf one float at a time (7.6 ns a float here).
;; |x| ≥ 7.9053 gives ±1, as in float32; tiny |x| gives x. Offsets are bytes
;; into tfjs-backend-wasm's memory.
(module
  (import "env" "memory" (memory 0))

  ;; n ≥ 4 floats: the last n mod 4 go with the vector that ends at n, which recomputes the few before them (the
  ;; same values again), so that the polynomial is written once, in the loop: Node 20's engine does not inline wasm
  ;; calls.
  (func (export "tanh") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $last i32) (local $done i32)
    (local $clamped v128) (local $x2 v128) (local $p v128) (local $q v128) (local $v v128)
    (local.set $last (i32.shl (i32.sub (local.get $n) (i32.const 4)) (i32.const 2)))
    (loop $each
      (if (i32.ge_u (local.get $i) (local.get $last))
        (then (local.set $i (local.get $last)) (local.set $done (i32.const 1))))
      (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
      (local.set $clamped (f32x4.pmax (f32x4.pmin (local.get $v) (f32x4.splat (f32.const 7.90531110763549805))) (f32x4.splat (f32.const -7.90531110763549805))))
      (local.set $x2 (f32x4.mul (local.get $clamped) (local.get $clamped)))
      (local.set $p (f32x4.splat (f32.const -2.76076847742355e-16)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 2.00018790482477e-13))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const -8.60467152213735e-11))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 5.12229709037114e-08))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 1.48572235717979e-05))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 6.37261928875436e-04))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 4.89352455891786e-03))))
      (local.set $p (f32x4.mul (local.get $p) (local.get $clamped)))
      (local.set $q (f32x4.splat (f32.const 1.19825839466702e-06)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (f32x4.splat (f32.const 1.18534705686654e-04))))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (f32x4.splat (f32.const 2.26843463243900e-03))))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (f32x4.splat (f32.const 4.89352518554385e-03))))
      ;; x itself where |x| < 0.0004 (tanh(x) = x in float32) and where x is NaN (the clamp, pmin and pmax for one
      ;; instruction each, may lose it).
      (local.set $v (v128.bitselect
        (local.get $v)
        (f32x4.div (local.get $p) (local.get $q))
        (v128.or
          (f32x4.lt (f32x4.abs (local.get $v)) (f32x4.splat (f32.const 0.0004)))
          (f32x4.ne (local.get $v) (local.get $v)))))
      (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $v))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $each (i32.eqz (local.get $done))))
  )
)

/**
 * The kit's product kernels with fused multiply-adds (relaxed SIMD) and
 * without: both give the product to within float32's bound for a sum, and
 * the fused path really runs (its rounding differs). Without this, a
 * student on Node 20 would get the slower kernels, or wrong ones, unseen.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { fuseMultiplyAdds } from "../../../lib/backend/simd/assemble";
import { fusedMultiplyAdd, setFusedMultiplyAdd } from "../../../lib/backend/simd";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});
afterAll(() => setFusedMultiplyAdd(null));

/** [a shape, b shape, transposeA, transposeB], each routed to one of the kit's four product kernels. */
const CASES: [string, number[], number[], boolean, boolean][] = [
  ["aᵀ·b (matmul-transposed-a)", [257, 61], [257, 35], true, false],
  ["batched (batched-matmul)", [4, 16, 24], [4, 24, 16], false, false],
  ["batched, a transposed, odd sizes (batched-matmul)", [3, 11, 7], [3, 11, 21], true, false],
  ["few rows, a·bᵀ (matmul-transposed)", [3, 130], [40, 130], false, true],
  ["b too large for cache, packed in panels (matmul-blocked)", [67, 300], [300, 1000], false, false],
];

/**
 * Checks every element against the float64 product: |error| ≤ k · 2⁻²³ ·
 * Σ|aᵢ·bᵢ|, the textbook bound for a float32 sum of k products (either
 * rounding, fused or not, keeps within it). Returns the values.
 */
function checkedProduct(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean, what: string): Float32Array {
  const got = tf.tidy(() => tf.matMul(a, b, ta, tb).dataSync() as Float32Array);
  const [av, bv] = [a.dataSync(), b.dataSync()];
  const batch = a.shape.length === 3 ? a.shape[0] : 1;
  const [aR, aC] = a.shape.slice(-2);
  const [bR, bC] = b.shape.slice(-2);
  const [rows, inner] = ta ? [aC, aR] : [aR, aC];
  const cols = tb ? bR : bC;
  let at = 0;
  for (let m = 0; m < batch; m++) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++, at++) {
        let sum = 0;
        let size = 0;
        for (let k = 0; k < inner; k++) {
          const p = av[m * aR * aC + (ta ? k * aC + i : i * aC + k)] * bv[m * bR * bC + (tb ? j * bC + k : k * bC + j)];
          sum += p;
          size += Math.abs(p);
        }
        if (Math.abs(got[at] - sum) > inner * 2 ** -23 * size)
          expect(got[at], `${what}: element ${at}`).toBeCloseTo(sum, 6);
      }
    }
  }
  return got;
}

describe("fused multiply-add product kernels", () => {
  it("are on here (Node's relaxed SIMD, its flag set at run time on Node 20) unless DLKIT_FMA=0", () => {
    setFusedMultiplyAdd(null);
    const off = ["0", "false", "off", "no"].includes((process.env.DLKIT_FMA ?? "").trim().toLowerCase());
    expect(fusedMultiplyAdd()).toBe(!off);
  });

  for (const [what, aShape, bShape, ta, tb] of CASES) {
    it(`${what}: the fused and the plain kernel both give the product, and differ in rounding`, () => {
      const [a, b] = [tf.randomNormal(aShape, 0, 1, "float32", 11), tf.randomNormal(bShape, 0, 1, "float32", 12)];
      const before = tf.memory().numTensors;
      setFusedMultiplyAdd(false);
      const plain = checkedProduct(a, b, ta, tb, `${what}, plain`);
      setFusedMultiplyAdd(true);
      const fused = checkedProduct(a, b, ta, tb, `${what}, fused`);
      // One rounding instead of two changes the last bit of most sums: equal everywhere means the fused kernel did not run.
      expect(
        fused.some((v, i) => v !== plain[i]),
        "fused and plain results are bit-identical",
      ).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([a, b]);
    });
  }
});

describe("fuseMultiplyAdds (assemble.ts)", () => {
  it("fuses c + a·b in either order, inside other expressions, and leaves other sums alone", () => {
    expect(
      fuseMultiplyAdds(
        "(local.set $c (f32x4.add (local.get $c) (f32x4.mul (local.get $a) (v128.load (local.get $p)))))",
      ),
    ).toBe("(local.set $c (f32x4.relaxed_madd (local.get $a) (v128.load (local.get $p)) (local.get $c)))");
    expect(fuseMultiplyAdds("(f32x4.add (f32x4.mul $x $y) $z)")).toBe("(f32x4.relaxed_madd $x $y $z)");
    expect(fuseMultiplyAdds("(f32x4.add (local.get $a) (local.get $b))")).toBe(
      "(f32x4.add (local.get $a) (local.get $b))",
    );
    expect(fuseMultiplyAdds("(f32x4.add (f32x4.add $s (f32x4.mul $x $y)) $t)")).toBe(
      "(f32x4.add (f32x4.relaxed_madd $x $y $s) $t)",
    );
  });
});

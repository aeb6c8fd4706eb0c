/**
 * The GFLOP/s of a square float32 matmul at each size: 2n³ flops a product,
 * repeated until about `flops` have been done, after one warm-up product.
 */
import * as tf from "@tensorflow/tfjs";

export function matmulGflops(sizes: number[], flops: number): Record<string, number> {
  const result: Record<string, number> = {};
  for (const n of sizes) {
    const [a, b] = [tf.randomNormal([n, n], 0, 1, "float32", 0), tf.randomNormal([n, n], 0, 1, "float32", 1)];
    tf.matMul(a, b).dispose();
    const repeats = Math.max(1, Math.round(flops / (2 * n ** 3)));
    const started = performance.now();
    for (let i = 0; i < repeats; i++) {
      const c = tf.matMul(a, b);
      if (i === repeats - 1) c.dataSync();
      c.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    result[String(n)] = (2 * n ** 3 * repeats) / seconds / 1e9;
    tf.dispose([a, b]);
  }
  return result;
}

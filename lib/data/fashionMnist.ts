import * as fs from "fs";
import * as path from "path";
import { MissingDataError, requireFile } from "./files";
import { readIdx } from "./idx";
import { ImageOptions, ImageSet, imageSet } from "./images";

/** Where Debian's dataset-fashion-mnist package puts the IDX files. */
export const FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

/** The student kit's copy, in this folder of the kit (the folder holding labs/). */
export const FASHION_MNIST_KIT_FOLDER = path.join("data", "fashion-mnist");

/** Fashion-MNIST's class names, by class index (0 "T-shirt/top" … 9 "Ankle boot"). */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

const SPLIT_FILES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];

/** True when `dir` holds the four IDX files, gzipped or not. */
const holdsFashionMnist = (dir: string): boolean =>
  SPLIT_FILES.every((f) => fs.existsSync(path.join(dir, f)) || fs.existsSync(path.join(dir, `${f}.gz`)));

/** The nearest `data/fashion-mnist` folder in `start` or above it, or null. */
function kitDataAbove(start: string): string | null {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, FASHION_MNIST_KIT_FOLDER);
    if (holdsFashionMnist(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** Where `findFashionMnist` looks; each field overrides one place (for tests). */
export interface FashionMnistSearch {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default process.cwd() (a notebook's folder). */
  cwd?: string;
  /** Default FASHION_MNIST_DEBIAN_DIR. */
  debianDir?: string;
  /** Where the library is installed; default this file's folder. */
  libraryDir?: string;
}

/**
 * Where fashionMnist() looks, in order: $FASHION_MNIST_DIR, Debian's
 * package, then a `data/fashion-mnist` folder above the installed library
 * (the student kit's, from node_modules/dlkit) or above the working folder.
 * Returns the first that holds the four IDX files; otherwise throws a
 * MissingDataError naming every place looked and how to get the files.
 */
export function findFashionMnist(search: FashionMnistSearch = {}): string {
  const env = search.env ?? process.env;
  const cwd = search.cwd ?? process.cwd();
  const libraryDir = search.libraryDir ?? __dirname;
  const debianDir = search.debianDir ?? FASHION_MNIST_DEBIAN_DIR;
  const looked: string[] = [];
  if (env.FASHION_MNIST_DIR) {
    if (holdsFashionMnist(env.FASHION_MNIST_DIR)) return env.FASHION_MNIST_DIR;
    looked.push(`${env.FASHION_MNIST_DIR} ($FASHION_MNIST_DIR)`);
  }
  if (holdsFashionMnist(debianDir)) return debianDir;
  looked.push(`${debianDir} (Debian's dataset-fashion-mnist)`);
  for (const start of [libraryDir, cwd]) {
    const found = kitDataAbove(start);
    if (found) return found;
    looked.push(
      `${FASHION_MNIST_KIT_FOLDER} in ${path.resolve(start)} and every folder above it (the student kit's copy)`,
    );
  }
  throw new MissingDataError(
    `Fashion-MNIST: no folder holds its four IDX files (${SPLIT_FILES.map((f) => `${f}(.gz)`).join(", ")}). Looked in: ${looked.join("; ")}. ` +
      "Fix: in the student kit, open the labs from the kit's folder (its data/fashion-mnist comes with it: if it is gone, clone the kit again); " +
      "elsewhere, install Debian's package (`apt-get install dataset-fashion-mnist`, as root), or set FASHION_MNIST_DIR to a folder holding the files.",
  );
}

/** The folder fashionMnist() reads by default, found when the library loads (Debian's when there is none, so that errors name it). */
export const FASHION_MNIST_DIR: string = (() => {
  try {
    return findFashionMnist();
  } catch {
    return FASHION_MNIST_DEBIAN_DIR;
  }
})();

/** Options of `data.fashionMnist`, beside `layout` and `limit`. */
export interface FashionMnistOptions extends ImageOptions {
  /** Default "train". */
  split?: "train" | "test";
  /** Folder with the four IDX files (gzipped or not). Default: the first of findFashionMnist()'s places that holds them. */
  dir?: string;
}

/**
 * Fashion-MNIST (Zalando): 28×28 grey images of 10 kinds of clothing,
 * 60000 for training and 10000 for testing, read from IDX files: those that
 * Debian's dataset-fashion-mnist package installs, those the student kit
 * ships in its data/fashion-mnist folder, or a folder you name.
 * Returns x float32 [n, 1, 28, 28] in [0, 1] (or as `layout` says) and y int32 [n].
 *
 *   const { x, y, classes } = fashionMnist({ split: "test", limit: 1000 });   // x [1000,1,28,28]
 */
export function fashionMnist(options: FashionMnistOptions = {}): ImageSet {
  const dir = options.dir ?? findFashionMnist();
  const prefix = (options.split ?? "train") === "train" ? "train" : "t10k";
  const provider = `Pass { dir } naming a folder with ${prefix}-images-idx3-ubyte(.gz) and ${prefix}-labels-idx1-ubyte(.gz), or leave dir out to use Debian's dataset-fashion-mnist package.`;
  const find = (name: string) => {
    const plain = path.join(dir, name);
    return requireFile(fs.existsSync(plain) ? plain : `${plain}.gz`, "Fashion-MNIST", provider);
  };
  return idxImages({
    images: find(`${prefix}-images-idx3-ubyte`),
    labels: find(`${prefix}-labels-idx1-ubyte`),
    classes: FASHION_MNIST_CLASSES,
    layout: options.layout,
    limit: options.limit,
  });
}

/** Options of `data.idxImages`: the two files, beside `layout` and `limit`. */
export interface IdxImagesOptions extends ImageOptions {
  /** Path of the images file, [n, h, w] uint8. */
  images: string;
  /** Path of the labels file, [n] uint8. */
  labels: string;
  /** Class names. Default "0" to "9". */
  classes?: string[];
}

/**
 * Any pair of IDX files (images [n, h, w] uint8, labels [n]) as an image set,
 * e.g. the original MNIST: x float32 [n, 1, h, w] in [0, 1], y int32 [n].
 *
 *   const digits = idxImages({ images: "t10k-images-idx3-ubyte.gz", labels: "t10k-labels-idx1-ubyte.gz" });
 */
export function idxImages(options: IdxImagesOptions): ImageSet {
  const provider = "Check the path, or pass the IDX file you meant.";
  const images = readIdx(requireFile(options.images, "IDX images", provider));
  const labels = readIdx(requireFile(options.labels, "IDX labels", provider));
  if (images.shape.length !== 3 || !(images.data instanceof Uint8Array)) {
    throw new Error(
      `${options.images}: expected uint8 images of shape [n, height, width]; it holds shape [${images.shape}]`,
    );
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new Error(
      `${options.labels}: expected ${images.shape[0]} labels (one per image in ${options.images}); it holds shape [${labels.shape}]`,
    );
  }
  const classes = options.classes ?? Array.from({ length: 10 }, (_, i) => String(i));
  return imageSet(images.data, labels.data, images.shape[1], images.shape[2], classes, options);
}

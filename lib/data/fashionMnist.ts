/**
 * Fashion-MNIST (Zalando): 28×28 grey images of 10 kinds of clothing,
 * 60000 for training and 10000 for testing, read from the IDX files that
 * Debian's dataset-fashion-mnist package installs, or from a folder you name.
 * `idxImages` reads any pair of IDX files, e.g. the original MNIST.
 *
 *   const { x, y, classes } = fashionMnist({ split: "test", limit: 1000 });   // x [1000,1,28,28]
 */
import * as fs from "fs";
import * as path from "path";
import { requireFile } from "./files";
import { readIdx } from "./idx";
import { ImageOptions, ImageSet, imageSet } from "./images";

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

export const FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

export interface FashionMnistOptions extends ImageOptions {
  /** Default "train". */
  split?: "train" | "test";
  /** Folder with the four IDX files (gzipped or not). Default /usr/share/datasets/fashion-mnist. */
  dir?: string;
}

export function fashionMnist(options: FashionMnistOptions = {}): ImageSet {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const prefix = (options.split ?? "train") === "train" ? "train" : "t10k";
  const provider =
    options.dir === undefined
      ? "Fashion-MNIST comes with Debian's dataset-fashion-mnist package: install it with `apt-get install dataset-fashion-mnist` (as root), or pass { dir } naming a folder with its IDX files."
      : `Pass { dir } naming a folder with ${prefix}-images-idx3-ubyte(.gz) and ${prefix}-labels-idx1-ubyte(.gz), or leave dir out to use Debian's dataset-fashion-mnist package.`;
  const find = (name: string) => {
    const plain = path.join(dir, name);
    return requireFile(fs.existsSync(plain) ? plain : `${plain}.gz`, "Fashion-MNIST", provider);
  };
  return idxImages({ images: find(`${prefix}-images-idx3-ubyte`), labels: find(`${prefix}-labels-idx1-ubyte`), classes: FASHION_MNIST_CLASSES, layout: options.layout, limit: options.limit });
}

export interface IdxImagesOptions extends ImageOptions {
  /** Path of the images file, [n, h, w] uint8. */
  images: string;
  /** Path of the labels file, [n] uint8. */
  labels: string;
  /** Class names. Default "0" to "9". */
  classes?: string[];
}

export function idxImages(options: IdxImagesOptions): ImageSet {
  const provider = "Check the path, or pass the IDX file you meant.";
  const images = readIdx(requireFile(options.images, "IDX images", provider));
  const labels = readIdx(requireFile(options.labels, "IDX labels", provider));
  if (images.shape.length !== 3 || !(images.data instanceof Uint8Array)) {
    throw new Error(`${options.images}: expected uint8 images of shape [n, height, width]; it holds shape [${images.shape}]`);
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new Error(`${options.labels}: expected ${images.shape[0]} labels (one per image in ${options.images}); it holds shape [${labels.shape}]`);
  }
  const classes = options.classes ?? Array.from({ length: 10 }, (_, i) => String(i));
  return imageSet(images.data, labels.data, images.shape[1], images.shape[2], classes, options);
}

/**
 * fashionCnn: a small CNN (two 3×3 convs, 16 and 32 channels, then
 * 1568 → 64 → 10, about 106k parameters, 2.5× LeNet-5's compute) trained on
 * the 60000 training images of Fashion-MNIST (Debian's dataset-fashion-mnist)
 * by `pretrain.ts`. Its conv filters (edges, strokes, blobs) transfer to
 * other 28×28 grey images such as MNIST digits.
 */
import * as fs from "fs";
import * as path from "path";
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential } from "../nn";
import { MissingDataError } from "../data/files";

/** What the weights file records beside the weights. */
export interface PretrainedInfo {
  format: "dlkit-pretrained";
  version: 1;
  name: string;
  /** The layers, as PyTorch would print them in one line. */
  architecture: string;
  /** The data and settings it was trained with. */
  trainedOn: string;
  settings: { epochs: number; batchSize: number; lr: number; seed: number; images: number };
  /** Accuracy on held-out images it was not trained on (the first `images` of the test split). */
  heldOut: { split: string; images: number; accuracy: number };
  /** How to make the file again. */
  script: string;
  /** Wall time of the run that made it, in seconds, and the backend. */
  seconds: number;
  backend: string;
}

interface WeightsFile extends PretrainedInfo {
  /** Little-endian float32 values, base64-encoded, by parameter name. */
  tensors: Record<string, { shape: number[]; data: string }>;
}

/** File name of fashionCnn's weights, beside this module. */
export const FASHION_CNN_FILE_NAME = "fashion-cnn.json";
/** The command that makes the weights files again, as errors name it. */
export const PRETRAIN_SCRIPT = "npm run pretrain (lib/models/pretrain.ts)";

/** Options of `models.makeFashionCnn`. */
export interface MakeFashionCnnOptions {
  /** Seed of the initial weights (and of the Dropout masks). Default 0. */
  seed?: number;
  /** Number of classes of the last Linear. Default 10. */
  numClasses?: number;
}

/**
 * The fashionCnn architecture with fresh random weights:
 * [n, 1, 28, 28] → conv 16@3×3 (pad 1) → ReLU → pool 2 → conv 32@3×3 (pad 1)
 * → ReLU → pool 2 → Flatten (32·7·7 = 1568) → Dropout 0.25 → 64 → ReLU → 10 logits.
 */
export function makeFashionCnn(options: MakeFashionCnnOptions = {}): Sequential {
  const seed = options.seed ?? 0;
  return new Sequential(
    new Conv2d(1, 16, 3, { padding: 1, seed: seed + 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1, seed: seed + 3 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dropout(0.25, { seed: seed + 5 }),
    new Linear(32 * 7 * 7, 64, { seed: seed + 7 }),
    new ReLU(),
    new Linear(64, options.numClasses ?? 10, { seed: seed + 9 }),
  );
}

/** Where the weights live: beside this file in the source tree (also when running from dist/). */
export function fashionCnnFile(): string {
  const candidates = [
    path.join(__dirname, FASHION_CNN_FILE_NAME),
    path.resolve(__dirname, "..", "..", "..", "lib", "models", FASHION_CNN_FILE_NAME),
  ];
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[candidates.length - 1];
}

function readWeights(file: string): WeightsFile {
  if (!fs.existsSync(file)) {
    throw new MissingDataError(
      `The pretrained fashionCnn weights ${file} are missing. Make them with \`${PRETRAIN_SCRIPT}\`: ` +
        "it trains the network on Debian's Fashion-MNIST (dataset-fashion-mnist) and writes that file.",
    );
  }
  const saved = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<WeightsFile>;
  if (saved.format !== "dlkit-pretrained" || !saved.tensors) {
    throw new Error(
      `${file} is not a dlkit pretrained-weights file (format "dlkit-pretrained"); rerun \`${PRETRAIN_SCRIPT}\``,
    );
  }
  return saved as WeightsFile;
}

/** Float32 values as little-endian base64 (the file's encoding). */
export function encodeFloats(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

function decodeFloats(data: string): Float32Array {
  const bytes = Buffer.from(data, "base64");
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Options of `models.fashionCnn`. */
export interface FashionCnnOptions {
  /** The weights file. Default: fashion-cnn.json shipped with the kit. */
  file?: string;
}

/** fashionCnn with its pretrained weights, in eval mode. */
export function fashionCnn(options: FashionCnnOptions = {}): Sequential {
  const file = options.file ?? fashionCnnFile();
  const saved = readWeights(file);
  const model = makeFashionCnn();
  const dict = Object.fromEntries(
    Object.entries(saved.tensors).map(([k, t]) => [k, tf.tensor(decodeFloats(t.data), t.shape, "float32")]),
  );
  try {
    model.loadStateDict(dict);
  } catch (err) {
    model.dispose();
    throw new Error(
      `${file}: ${(err as Error).message} — the file is from another version of fashionCnn; rerun \`${PRETRAIN_SCRIPT}\``,
    );
  } finally {
    tf.dispose(Object.values(dict));
  }
  return model.eval();
}

/** What the shipped weights file records: training settings, held-out accuracy, the script. */
export function fashionCnnInfo(options: FashionCnnOptions = {}): PretrainedInfo {
  const { tensors: _tensors, ...info } = readWeights(options.file ?? fashionCnnFile());
  return info;
}

/**
 * Makes lib/models/fashion-cnn.json: trains fashionCnn on the 60000
 * training images of Fashion-MNIST (Debian's dataset-fashion-mnist, or the
 * IDX files in FASHION_MNIST_DIR) and records its accuracy on the first 2000
 * test images. Seeded: a rerun on the same backend gives the same file.
 *
 *   npm run pretrain                       # 1 epoch: about 5 CPU-minutes on wasm
 *   npm run pretrain -- --epochs 1 --out /tmp/fashion-cnn.json
 */
import * as path from "path";
import * as fs from "fs";
import { parseArgs } from "util";
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { useBestBackend } from "../backend";
import { crossEntropy } from "../nn";
import { Adam } from "../optim";
import { accuracy, fit } from "../train";
import { TensorDataset } from "../data/dataset";
import { fashionMnist } from "../data/fashionMnist";
import { DataLoader } from "../data/loader";
import { encodeFloats, FASHION_CNN_FILE_NAME, makeFashionCnn, PRETRAIN_SCRIPT, PretrainedInfo } from "./fashionCnn";

const HELD_OUT = 2000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      epochs: { type: "string", default: "1" },
      "batch-size": { type: "string", default: "64" },
      lr: { type: "string", default: "0.001" },
      seed: { type: "string", default: "0" },
      limit: { type: "string" },
      out: {
        type: "string",
        default: path.resolve(__dirname, "..", "..", "..", "lib", "models", FASHION_CNN_FILE_NAME),
      },
    },
  });
  const settings = {
    epochs: Number(values.epochs),
    batchSize: Number(values["batch-size"]),
    lr: Number(values.lr),
    seed: Number(values.seed),
    images: 0,
  };
  const backend = await useBestBackend();
  const started = Date.now();
  const dir = process.env.FASHION_MNIST_DIR;
  const trainSet = fashionMnist({ split: "train", dir, limit: values.limit ? Number(values.limit) : undefined });
  const testSet = fashionMnist({ split: "test", dir, limit: HELD_OUT });
  settings.images = trainSet.x.shape[0]!;
  const model = makeFashionCnn({ seed: settings.seed });
  const loader = new DataLoader(new TensorDataset(trainSet), {
    batchSize: settings.batchSize,
    shuffle: true,
    seed: settings.seed,
  });
  const test = new DataLoader(new TensorDataset(testSet), { batchSize: 500 });
  console.log(
    `pretraining fashionCnn (${model.numParameters()} parameters) on ${settings.images} Fashion-MNIST images, ${settings.epochs} epochs`,
  );
  const history = await fit(model, new Adam(model.parameters(), { lr: settings.lr }), loader, {
    epochs: settings.epochs,
    lossFn: crossEntropy,
    metrics: { accuracy },
    validation: test,
    progress: "lines",
    progressStream: process.stderr,
  });
  const heldOut = history.last.val_accuracy;
  const info: PretrainedInfo = {
    format: "dlkit-pretrained",
    version: 1,
    name: "fashionCnn",
    architecture:
      "Conv2d(1, 16, 3, padding=1) ReLU MaxPool2d(2) Conv2d(16, 32, 3, padding=1) ReLU MaxPool2d(2) Flatten Dropout(0.25) Linear(1568, 64) ReLU Linear(64, 10)",
    trainedOn: `Fashion-MNIST training split, ${settings.images} images (${dir ?? "Debian's dataset-fashion-mnist"}), Adam, cross-entropy`,
    settings,
    heldOut: { split: "Fashion-MNIST test", images: testSet.x.shape[0]!, accuracy: heldOut },
    script: PRETRAIN_SCRIPT,
    seconds: Math.round((Date.now() - started) / 1000),
    backend: backend.tfName,
  };
  const tensors = Object.fromEntries(
    model.namedParameters().map(([k, p]) => [k, { shape: p.shape, data: encodeFloats(p.dataSync() as Float32Array) }]),
  );
  fs.writeFileSync(values.out!, JSON.stringify({ ...info, tensors }, null, 1) + "\n");
  console.log(
    `held-out accuracy ${(100 * heldOut).toFixed(2)}% on ${info.heldOut.images} test images; wrote ${values.out} (${fs.statSync(values.out!).size} bytes) in ${info.seconds} s`,
  );
  tf.dispose([trainSet.x, trainSet.y, testSet.x, testSet.y]);
  model.dispose();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

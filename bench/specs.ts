/**
 * The workloads, with the sizes both sides run: the harness hands the same
 * numbers to the kit (bench/workloads) and to PyTorch (bench/torch), so the
 * two cannot drift apart. `quick` replaces some of them for a smoke run.
 */
export type Params = Record<string, number>;

export interface Workload {
  id: string;
  /** What the row of the table says. */
  title: string;
  full: Params;
  quick: Params;
}

export const WORKLOADS: readonly Workload[] = [
  {
    id: "w1-mlp-2-4-2",
    title: "W1 MLP 2→4→2, batch 10, SGD",
    full: { hidden: 4, batch: 10, n: 200, steps: 5000, lr: 0.3 },
    quick: { hidden: 4, batch: 10, n: 200, steps: 20, lr: 0.3 },
  },
  {
    id: "w1-mlp-2-64-2",
    title: "W1 MLP 2→64→2, batch 256, SGD",
    full: { hidden: 64, batch: 256, n: 2560, steps: 2000, lr: 0.3 },
    quick: { hidden: 64, batch: 256, n: 2560, steps: 10, lr: 0.3 },
  },
  {
    id: "w2-lenet-train",
    title: "W2 LeNet-5 train, batch 64, Adam",
    full: { batch: 64, steps: 200, lr: 1e-3 },
    quick: { batch: 64, steps: 3, lr: 1e-3 },
  },
  {
    id: "w2-lenet-infer",
    title: "W2 LeNet-5 inference, 10,000 images",
    full: { images: 10000, batch: 1000 },
    quick: { images: 200, batch: 100 },
  },
  {
    id: "w3-rnn-word",
    title: "W3 char-RNN (slide), one word at a time",
    full: { words: 2000, vocab: 57, hidden: 128, classes: 7, lr: 0.005 },
    quick: { words: 10, vocab: 57, hidden: 128, classes: 7, lr: 0.005 },
  },
  {
    id: "w3-rnn-batched",
    title: "W3 char-RNN batched (nn.RNN), batch 64",
    full: { words: 2048, length: 10, batch: 64, epochs: 5, vocab: 57, hidden: 128, classes: 7, lr: 0.005 },
    quick: { words: 128, length: 10, batch: 64, epochs: 1, vocab: 57, hidden: 128, classes: 7, lr: 0.005 },
  },
  {
    id: "w4-transformer",
    title: "W4 transformer, reverse task, to 99% held-out",
    full: {
      dModel: 32,
      heads: 4,
      ff: 64,
      batch: 128,
      train: 5120,
      heldOut: 1000,
      length: 16,
      vocab: 10,
      lr: 5e-3,
      target: 0.99,
      maxEpochs: 40,
    },
    quick: {
      dModel: 32,
      heads: 4,
      ff: 64,
      batch: 128,
      train: 256,
      heldOut: 100,
      length: 16,
      vocab: 10,
      lr: 5e-3,
      target: 0.99,
      maxEpochs: 1,
    },
  },
];

/** Matrix sizes of the GFLOP/s probe, and the products timed at each. */
export const MATMUL = {
  full: { sizes: [256, 512, 1024], flops: 4e9 },
  quick: { sizes: [256], flops: 1e8 },
};

/** The seeds of W4's data, so both sides train and test on the same sequences. */
export const REVERSE_SEEDS = { train: 1, heldOut: 2 };

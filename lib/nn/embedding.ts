import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { standardNormal } from "./init";
import { Module } from "./module";
import { nextSeed } from "./random";
import { check, showShape, valueRange } from "./shapes";

/** Arguments of `nn.Embedding`. */
export interface EmbeddingArgs {
  /** Seed of the initial vectors. Default: from `manualSeed`'s sequence. */
  seed?: number;
}

/**
 * y = W[index] — a lookup table of learned vectors, one per token id, like
 * PyTorch's `nn.Embedding`. W starts from N(0, 1), as in PyTorch.
 *
 * Shape: int32 indices `[*]` (e.g. `[batch, seq]`) → `[*, embeddingDim]`.
 * Weight `[numEmbeddings, embeddingDim]`.
 *
 *   const embed = new nn.Embedding(10, 16);
 *   embed.forward(tf.tensor2d([[1, 2, 3]], [1, 3], "int32")).shape;   // [1, 3, 16]
 */
export class Embedding extends Module {
  readonly weight: tf.Variable;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    args: EmbeddingArgs = {},
  ) {
    super();
    const seed = args.seed ?? nextSeed();
    this.weight = this.registerParameter("weight", standardNormal([numEmbeddings, embeddingDim], seed));
  }

  forward(indices: tf.Tensor): tf.Tensor {
    const layer = `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
    check(
      indices.dtype === "int32",
      layer,
      () =>
        `indices have dtype ${indices.dtype}, expected int32 token ids — build them with tf.tensor(ids, shape, "int32")`,
    );
    const [low, high] = valueRange(indices);
    check(
      indices.size === 0 || (low >= 0 && high < this.numEmbeddings),
      layer,
      () =>
        `indices ${showShape(indices.shape)} range from ${low} to ${high}, expected 0 to ${this.numEmbeddings - 1} — is the vocabulary larger than numEmbeddings?`,
    );
    // A one-hot product rather than tf.gather: gather's gradient needs a kernel the wasm backend lacks.
    return tf.tidy(() =>
      tf
        .oneHot(indices.flatten(), this.numEmbeddings)
        .toFloat()
        .matMul(this.weight)
        .reshape([...indices.shape, this.embeddingDim]),
    );
  }

  protected extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Dropout } from "./dropout";
import { standardNormal } from "./init";
import { Module } from "./module";
import { nextSeed } from "./random";
import { check, checkFloat, checkRank, showShape } from "./shapes";

/** Arguments of `nn.PositionalEncoding` and `nn.LearnedPositionalEncoding`. */
export interface PositionalEncodingArgs {
  /** The longest sequence it can encode. Default 5000. */
  maxLen?: number;
  /** Dropout after adding the encoding. Default 0. */
  dropout?: number;
  /** x is `[batch, seq, dModel]`. Default true (unlike the RNNs and attention, as in most lab code). */
  batchFirst?: boolean;
  /** Seed of the dropout (and of the learned table). Default: from `manualSeed`'s sequence. */
  seed?: number;
}

abstract class PositionalBase extends Module {
  readonly maxLen: number;
  readonly batchFirst: boolean;
  readonly drop: Dropout;

  constructor(
    readonly dModel: number,
    args: PositionalEncodingArgs,
    seed: number,
  ) {
    super();
    this.maxLen = args.maxLen ?? 5000;
    this.batchFirst = args.batchFirst ?? true;
    this.drop = this.registerModule("dropout", new Dropout(args.dropout ?? 0, { seed: seed + 1 }));
  }

  /** The table `[maxLen, dModel]` whose first rows are added. */
  protected abstract table(): tf.Tensor;

  forward(x: tf.Tensor): tf.Tensor {
    const layer = `${this.constructor.name}(${this.dModel})`;
    const layout = this.batchFirst ? "[batch, seq, dModel]" : "[seq, batch, dModel]";
    checkFloat(x, layer);
    checkRank(x, [3], layer, layout);
    check(
      x.shape[2] === this.dModel,
      layer,
      () => `input has shape ${showShape(x.shape)}, expected last axis dModel = ${this.dModel}`,
    );
    const seq = (this.batchFirst ? x.shape[1] : x.shape[0]) as number;
    check(
      seq <= this.maxLen,
      layer,
      () => `sequence of length ${seq} is longer than maxLen = ${this.maxLen}; build it with a larger maxLen`,
    );
    return tf.tidy(() => {
      const rows = this.table().slice([0, 0], [seq, this.dModel]);
      return this.drop.forward(x.add(this.batchFirst ? rows : rows.expandDims(1)));
    });
  }

  protected extraRepr(): string {
    return `d_model=${this.dModel}, max_len=${this.maxLen}`;
  }
}

/**
 * Adds position information to token embeddings, which attention alone
 * ignores (it treats the sequence as a set).
 *
 * Sinusoidal (Vaswani et al. 2017), fixed:
 *   PE[pos, 2i] = sin(pos / 10000^(2i/dModel)),  PE[pos, 2i+1] = cos(pos / 10000^(2i/dModel))
 *   y = dropout(x + PE[:seq])
 * Learned: PE is a trained table `weight` `[maxLen, dModel]` (N(0, 1) at start).
 *
 * Shape: x `[batch, seq, dModel]` (batchFirst, the default here) or
 * `[seq, batch, dModel]` → the same shape; seq ≤ maxLen.
 *
 *   const pe = new nn.PositionalEncoding(32);
 *   const y = pe.forward(embed.forward(tokens));   // [batch, seq, 32]
 */
export class PositionalEncoding extends PositionalBase {
  private readonly pe: tf.Tensor;

  constructor(dModel: number, args: PositionalEncodingArgs = {}) {
    super(dModel, args, args.seed ?? nextSeed());
    const values = new Float32Array(this.maxLen * dModel);
    for (let pos = 0; pos < this.maxLen; pos++) {
      for (let i = 0; i < dModel; i += 2) {
        const angle = pos * Math.exp((-i * Math.log(10000)) / dModel);
        values[pos * dModel + i] = Math.sin(angle);
        if (i + 1 < dModel) values[pos * dModel + i + 1] = Math.cos(angle);
      }
    }
    this.pe = this.registerBuffer("pe", tf.tensor2d(values, [this.maxLen, dModel]));
  }

  protected table(): tf.Tensor {
    return this.pe;
  }
}

/**
 * y = dropout(x + W[:seq]) — positions as a trained table W `[maxLen, dModel]`
 * (N(0, 1) at start), as in BERT and GPT; see `PositionalEncoding` for the
 * fixed sinusoidal one and the arguments.
 *
 * Shape: x `[batch, seq, dModel]` (batchFirst, the default here) or
 * `[seq, batch, dModel]` → the same shape; seq ≤ maxLen.
 *
 *   const pe = new nn.LearnedPositionalEncoding(32, { maxLen: 64 });
 *   const y = pe.forward(embed.forward(tokens));   // [batch, seq, 32]
 */
export class LearnedPositionalEncoding extends PositionalBase {
  /** The learned table `[maxLen, dModel]`. */
  readonly weight: tf.Variable;

  constructor(dModel: number, args: PositionalEncodingArgs = {}) {
    const seed = args.seed ?? nextSeed();
    super(dModel, args, seed);
    this.weight = this.registerParameter("weight", standardNormal([this.maxLen, dModel], seed));
  }

  protected table(): tf.Tensor {
    return this.weight;
  }
}

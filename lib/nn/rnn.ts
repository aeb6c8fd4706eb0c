import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { uniformFanIn } from "./init";
import { Module } from "./module";
import { nextSeed } from "./random";
import { CellState, LayerRun, LayerWeights, RecurrentArgs, RecurrentBase } from "./recurrent";
import { check, checkFloat, checkRank, showShape } from "./shapes";

/** The activation f of an Elman RNN's update, h′ = f(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export type Nonlinearity = "tanh" | "relu";

/** Arguments of `nn.RNN`. */
export interface RNNArgs extends RecurrentArgs {
  /** The activation of the update. Default "tanh". */
  nonlinearity?: Nonlinearity;
}

/**
 * h′ = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) — the Elman recurrent
 * network, like PyTorch's `nn.RNNCell` (one step) and `nn.RNN` (a whole
 * sequence, stacked layers).
 *
 * Shape (RNN): input `[seq, batch, input]` (or `[batch, seq, input]` with
 * batchFirst, or `[seq, input]` unbatched), h0 `[numLayers, batch, hidden]`
 * → output `[seq, batch, hidden]` (same layout as the input); `run` also
 * returns hN `[numLayers, batch, hidden]`.
 *
 *   const rnn = new nn.RNN(8, 16, { batchFirst: true });
 *   const { output, hN } = rnn.run(tf.randomNormal([4, 10, 8]));   // [4, 10, 16], [1, 4, 16]
 */
export class RNN extends RecurrentBase {
  readonly nonlinearity: Nonlinearity;
  protected readonly hasCell = false;

  constructor(inputSize: number, hiddenSize: number, args: RNNArgs = {}) {
    super(inputSize, hiddenSize, 1, args);
    this.nonlinearity = args.nonlinearity ?? "tanh";
  }

  /**
   * All steps as one op with backpropagation through time written out.
   * Forward: h_t = f(part_t + h_{t−1} W_hhᵀ). Backward, from the last step
   * to the first: dpre_t = (dy_t + dh_t) ⊙ f′ (read off h_t: 1 − h_t² for
   * tanh, h_t > 0 for relu) and dh_{t−1} = dpre_t W_hh; then
   * dW_hh = Σ_t dpre_tᵀ h_{t−1} as one product over all steps. Autograd would
   * record three ops per step and go back through three times as many, one
   * product per step for dW_hh among them.
   */
  protected runLayer(inputPart: tf.Tensor, start: CellState, w: LayerWeights): LayerRun {
    const [steps, batch, hidden] = inputPart.shape as [number, number, number];
    const relu = this.nonlinearity === "relu";
    const throughTime = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [parts, h0, weightHh, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      let h = h0;
      // Transposed once, not at every step: on wasm, XNNPACK then packs the weights once for the whole sequence.
      const weightT = weightHh.transpose();
      const states = tf.unstack(parts).map((part) => {
        const pre = part.add(h.matMul(weightT));
        return (h = relu ? pre.relu() : pre.tanh());
      });
      const outputs = tf.stack(states);
      save([outputs, h0, weightHh]);
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [hs, first, weight] = saved;
        const slopes = tf.unstack(relu ? tf.step(hs) : tf.sub(1, hs.square()));
        const upstream = tf.unstack(dy);
        const dPre: tf.Tensor[] = new Array(steps);
        let dh: tf.Tensor | null = null;
        for (let t = steps - 1; t >= 0; t--) {
          dPre[t] = (dh ? upstream[t].add(dh) : upstream[t]).mul(slopes[t]);
          dh = dPre[t].matMul(weight);
        }
        const dParts = tf.stack(dPre);
        const previous =
          steps === 1
            ? first.expandDims(0)
            : tf.concat([first.expandDims(0), hs.slice([0, 0, 0], [steps - 1, batch, hidden])]);
        const dWeight = dParts
          .reshape([steps * batch, hidden])
          .matMul(previous.reshape([steps * batch, hidden]), true, false);
        return [dParts, dh!, dWeight];
      };
      return { value: outputs, gradFunc };
    });
    const outputs = throughTime(inputPart, start.h, w.weightHh);
    return { outputs, last: { h: outputs.slice([steps - 1, 0, 0], [1, batch, hidden]).squeeze([0]) } };
  }
}

/** Arguments of `nn.RNNCell`. */
export interface RNNCellArgs {
  /** Use the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** The activation. Default "tanh". */
  nonlinearity?: Nonlinearity;
  /** Seed of the initial weights. Default: from `manualSeed`'s sequence. */
  seed?: number;
}

/**
 * One step: input `[batch, input]` and h `[batch, hidden]` (zeros when not
 * given) → h′ `[batch, hidden]`. Parameters weight_ih, weight_hh, bias_ih,
 * bias_hh, as in PyTorch.
 */
export class RNNCell extends Module {
  readonly weightIh: tf.Variable;
  readonly weightHh: tf.Variable;
  readonly biasIh: tf.Variable | null;
  readonly biasHh: tf.Variable | null;
  readonly nonlinearity: Nonlinearity;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    args: RNNCellArgs = {},
  ) {
    super();
    const seed = args.seed ?? nextSeed();
    const param = (name: string, shape: number[], offset: number) =>
      this.registerParameter(name, uniformFanIn(shape, hiddenSize, seed + offset));
    this.weightIh = param("weight_ih", [hiddenSize, inputSize], 0);
    this.weightHh = param("weight_hh", [hiddenSize, hiddenSize], 1);
    this.biasIh = args.bias === false ? null : param("bias_ih", [hiddenSize], 2);
    this.biasHh = args.bias === false ? null : param("bias_hh", [hiddenSize], 3);
    this.nonlinearity = args.nonlinearity ?? "tanh";
  }

  forward(x: tf.Tensor, h?: tf.Tensor): tf.Tensor {
    const layer = `RNNCell(${this.inputSize}, ${this.hiddenSize})`;
    checkFloat(x, layer);
    checkRank(x, [2], layer, "[batch, input] — an RNNCell takes one time step; use RNN for a whole sequence");
    check(
      x.shape[1] === this.inputSize,
      layer,
      () => `input has ${x.shape[1]} features (shape ${showShape(x.shape)}), expected ${this.inputSize}`,
    );
    const state = [x.shape[0], this.hiddenSize];
    check(
      !h || tf.util.arraysEqual(h.shape, state),
      layer,
      () => `h has shape ${showShape(h!.shape)}, expected [batch, hidden] = ${showShape(state)}`,
    );
    return tf.tidy(() => {
      let pre = x.matMul(this.weightIh, false, true);
      if (h) pre = pre.add(h.matMul(this.weightHh, false, true));
      if (this.biasIh) pre = pre.add(this.biasIh);
      if (this.biasHh) pre = pre.add(this.biasHh);
      return this.nonlinearity === "tanh" ? pre.tanh() : pre.relu();
    });
  }

  protected extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}`;
  }
}

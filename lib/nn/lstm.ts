import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { CellState, LayerWeights, RecurrentArgs, StepByStepRecurrent } from "./recurrent";

/**
 * Long short-term memory, with PyTorch's `nn.LSTM` equations and gate
 * order (i, f, g, o) in the stacked weights:
 *
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)        input gate
 *   f = σ(W_if x + b_if + W_hf h + b_hf)        forget gate
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)     candidate
 *   o = σ(W_io x + b_io + W_ho h + b_ho)        output gate
 *   c′ = f ⊙ c + i ⊙ g,   h′ = o ⊙ tanh(c′)
 *
 * Shape: as `RNN`, plus the cell state: `run(x, h0, c0)` returns output
 * `[seq, batch, hidden]` (or batchFirst), hN and cN `[numLayers, batch, hidden]`;
 * weight_ih_l0 is `[4·hidden, input]`.
 *
 *   const lstm = new nn.LSTM(8, 16, { batchFirst: true });
 *   const { output, hN, cN } = lstm.run(x);
 */
export class LSTM extends StepByStepRecurrent {
  protected readonly hasCell = true;

  constructor(inputSize: number, hiddenSize: number, args: RecurrentArgs = {}) {
    super(inputSize, hiddenSize, 4, args);
  }

  protected cell(inputPart: tf.Tensor, state: CellState, w: LayerWeights): CellState {
    const [i, f, g, o] = tf.split(inputPart.add(this.hiddenPart(state.h, w)), 4, 1);
    const c = f.sigmoid().mul(state.c!).add(i.sigmoid().mul(g.tanh()));
    return { h: o.sigmoid().mul(c.tanh()), c };
  }
}

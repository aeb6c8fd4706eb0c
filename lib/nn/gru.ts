import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { CellState, LayerWeights, RecurrentArgs, StepByStepRecurrent } from "./recurrent";

/**
 * The gated recurrent unit, with PyTorch's `nn.GRU` equations and gate
 * order (r, z, n) in the stacked weights:
 *
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)        reset gate
 *   z = σ(W_iz x + b_iz + W_hz h + b_hz)        update gate
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   h′ = (1 − z) ⊙ n + z ⊙ h
 *
 * Shape: as `RNN`: input `[seq, batch, input]` (or batchFirst) →
 * output `[seq, batch, hidden]`; weight_ih_l0 is `[3·hidden, input]`.
 *
 *   const gru = new nn.GRU(8, 16, { batchFirst: true, numLayers: 2 });
 *   const { output, hN } = gru.run(x);
 */
export class GRU extends StepByStepRecurrent {
  protected readonly hasCell = false;
  protected readonly hiddenBiasOutsideStep = false;

  constructor(inputSize: number, hiddenSize: number, args: RecurrentArgs = {}) {
    super(inputSize, hiddenSize, 3, args);
  }

  protected cell(inputPart: tf.Tensor, state: CellState, w: LayerWeights): CellState {
    const [ir, iz, inew] = tf.split(inputPart, 3, 1);
    const [hr, hz, hnew] = tf.split(this.hiddenPart(state.h, w), 3, 1);
    const r = ir.add(hr).sigmoid();
    const z = iz.add(hz).sigmoid();
    const n = inew.add(r.mul(hnew)).tanh();
    return { h: tf.scalar(1).sub(z).mul(n).add(z.mul(state.h)) };
  }
}

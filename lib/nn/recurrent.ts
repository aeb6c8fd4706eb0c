import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import * as F from "./functional";
import { uniformFanIn } from "./init";
import { Module } from "./module";
import { nextSeed } from "./random";
import { check, checkFloat, checkRank, showShape } from "./shapes";

/** Arguments of `nn.RNN`, `nn.GRU` and `nn.LSTM`. */
export interface RecurrentArgs {
  /** Stacked layers, each reading the previous one's outputs. Default 1. */
  numLayers?: number;
  /** Use the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Input and output are `[batch, seq, feature]` instead of `[seq, batch, feature]`. Default false, as in PyTorch. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training. Default 0. */
  dropout?: number;
  /** Seed of the initial weights (and of the dropout masks). Default: from `manualSeed`'s sequence. */
  seed?: number;
}

/** The outputs of a run over a sequence. */
export interface RecurrentResult {
  /** The last layer's hidden state at every step: `[batch, seq, hidden]` (batchFirst) or `[seq, batch, hidden]`. */
  output: tf.Tensor;
  /** Every layer's hidden state after the last step: `[numLayers, batch, hidden]`. */
  hN: tf.Tensor;
  /** LSTM only: every layer's cell state after the last step, `[numLayers, batch, hidden]`. */
  cN?: tf.Tensor;
}

/** The state one time step carries to the next (c only in an LSTM). */
export interface CellState {
  h: tf.Tensor;
  c?: tf.Tensor;
}

/** What one layer's run over a sequence gives. */
export interface LayerRun {
  /** The hidden state at every step, `[seq, batch, hidden]`. */
  outputs: tf.Tensor;
  /** The state after the last step. */
  last: CellState;
}

export interface LayerWeights {
  weightIh: tf.Variable;
  weightHh: tf.Variable;
  biasIh: tf.Variable | null;
  biasHh: tf.Variable | null;
}

/**
 * tf.unstack along axis 0. tfjs's gradient of unstack fails when there is a
 * single piece (tfjs 4.22), so one layer or one time step is squeezed instead.
 */
function unstack(x: tf.Tensor): tf.Tensor[] {
  return x.shape[0] === 1 ? [x.squeeze([0])] : tf.unstack(x);
}

/**
 * What RNN, GRU and LSTM share, as in PyTorch's `nn.RNNBase`: stacked
 * layers, PyTorch's parameter names and shapes, batch-first or
 * time-first input, and the input part of every gate for all steps at
 * once. A subclass says how one layer runs over the steps (`runLayer`);
 * GRU and LSTM say how one step updates the state (`cell`) and let
 * autograd go back through the steps.
 *
 * Per layer l the parameters are `weight_ih_l{l}` `[G·hidden, input]`,
 * `weight_hh_l{l}` `[G·hidden, hidden]`, `bias_ih_l{l}` and `bias_hh_l{l}`
 * `[G·hidden]`, with G gates stacked in PyTorch's order; all start from
 * U(-1/√hidden, 1/√hidden).
 *
 * Shape: input `[seq, batch, input]` (or `[batch, seq, input]` with
 * batchFirst), h0 `[numLayers, batch, hidden]` → output `[seq, batch, hidden]`
 * (same layout as the input), hN `[numLayers, batch, hidden]`.
 */
export abstract class RecurrentBase extends Module {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  protected readonly weights: LayerWeights[] = [];
  private dropoutCalls = 0;
  private readonly seed: number;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    gates: number,
    args: RecurrentArgs,
  ) {
    super();
    this.numLayers = args.numLayers ?? 1;
    this.batchFirst = args.batchFirst ?? false;
    this.dropout = args.dropout ?? 0;
    this.seed = args.seed ?? nextSeed();
    const rows = gates * hiddenSize;
    for (let l = 0; l < this.numLayers; l++) {
      const input = l === 0 ? inputSize : hiddenSize;
      const seed = this.seed + 4 * l;
      const param = (name: string, shape: number[], offset: number) =>
        this.registerParameter(`${name}_l${l}`, uniformFanIn(shape, hiddenSize, seed + offset));
      this.weights.push({
        weightIh: param("weight_ih", [rows, input], 0),
        weightHh: param("weight_hh", [rows, hiddenSize], 1),
        biasIh: args.bias === false ? null : param("bias_ih", [rows], 2),
        biasHh: args.bias === false ? null : param("bias_hh", [rows], 3),
      });
    }
  }

  /**
   * One layer over the whole sequence. `inputPart` = x W_ihᵀ + b_ih
   * (+ b_hh, see hiddenBiasOutsideStep) for every step, `[seq, batch,
   * G·hidden]`; returns the hidden state at every step `[seq, batch,
   * hidden]` and the last state.
   */
  protected abstract runLayer(inputPart: tf.Tensor, start: CellState, weights: LayerWeights): LayerRun;

  /** Whether the state has a cell part c (LSTM). */
  protected abstract readonly hasCell: boolean;

  /**
   * Whether b_hh only shifts every gate's pre-activation (RNN, LSTM): then
   * it is added with b_ih to all steps at once, one op per sequence instead
   * of one per step (and as many fewer in backprop). GRU multiplies part of
   * it by the reset gate, so it keeps b_hh inside the step.
   */
  protected readonly hiddenBiasOutsideStep: boolean = true;

  /** The output sequence only; `run` also gives the final states. */
  forward(x: tf.Tensor, h0?: tf.Tensor, c0?: tf.Tensor): tf.Tensor {
    const { output, hN, cN } = this.run(x, h0, c0);
    tf.dispose([hN, cN ?? []]);
    return output;
  }

  /** Runs over the whole sequence from the initial state (zeros when not given). */
  run(x: tf.Tensor, h0?: tf.Tensor, c0?: tf.Tensor): RecurrentResult {
    const layer = `${this.constructor.name}(${this.inputSize}, ${this.hiddenSize})`;
    const layout = this.batchFirst
      ? "[batch, seq, features] (batchFirst)"
      : "[seq, batch, features] (set batchFirst: true for [batch, seq, features])";
    checkFloat(x, layer);
    checkRank(x, [3, 2], layer, layout);
    check(
      x.shape[x.rank - 1] === this.inputSize,
      layer,
      () =>
        `input has ${x.shape[x.rank - 1]} features (shape ${showShape(x.shape)}), expected ${this.inputSize} — input layout is ${layout}`,
    );
    if (!this.hasCell) check(c0 === undefined, layer, () => "got a cell state c0, which only an LSTM has");
    return tf.tidy(() => {
      const unbatched = x.rank === 2;
      const timeFirst = unbatched ? x.expandDims(1) : this.batchFirst ? x.transpose([1, 0, 2]) : x;
      const [steps, batch] = timeFirst.shape as number[];
      const initial = (given: tf.Tensor | undefined, name: string) => {
        const shape = [this.numLayers, batch, this.hiddenSize];
        if (!given) return tf.zeros(shape);
        const state = unbatched ? given.expandDims(1) : given;
        check(
          tf.util.arraysEqual(state.shape, shape),
          layer,
          () =>
            `${name} has shape ${showShape(given.shape)}, expected [numLayers, batch, hidden] = ${showShape(shape)}`,
        );
        return state;
      };
      const hStart = unstack(initial(h0, "h0"));
      const cStart = this.hasCell ? unstack(initial(c0, "c0")) : [];
      let sequence = timeFirst;
      const hLast: tf.Tensor[] = [];
      const cLast: tf.Tensor[] = [];
      this.weights.forEach((w, l) => {
        const rows = w.weightIh.shape[0];
        let inputPart = sequence.reshape([steps * batch, -1]).matMul(w.weightIh, false, true);
        if (w.biasIh) inputPart = inputPart.add(w.biasIh);
        if (w.biasHh && this.hiddenBiasOutsideStep) inputPart = inputPart.add(w.biasHh);
        const run = this.runLayer(inputPart.reshape([steps, batch, rows]), { h: hStart[l], c: cStart[l] }, w);
        hLast.push(run.last.h);
        if (run.last.c) cLast.push(run.last.c);
        sequence = run.outputs;
        if (l < this.numLayers - 1)
          sequence = F.dropout(sequence, this.dropout, this.training, this.seed + 1000 + this.dropoutCalls++);
      });
      const output = unbatched ? sequence.squeeze([1]) : this.batchFirst ? sequence.transpose([1, 0, 2]) : sequence;
      const squeezeState = (s: tf.Tensor[]) => (unbatched ? tf.stack(s).squeeze([1]) : tf.stack(s));
      const result: RecurrentResult = { output, hN: squeezeState(hLast) };
      if (this.hasCell) result.cN = squeezeState(cLast);
      return result as unknown as tf.TensorContainerObject;
    }) as unknown as RecurrentResult;
  }

  /** h W_hhᵀ (+ b_hh unless it went outside the step), the part of every gate that comes from the previous state. */
  protected hiddenPart(h: tf.Tensor, w: LayerWeights): tf.Tensor {
    const part = h.matMul(w.weightHh, false, true);
    return w.biasHh && !this.hiddenBiasOutsideStep ? part.add(w.biasHh) : part;
  }

  protected extraRepr(): string {
    let repr = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) repr += `, num_layers=${this.numLayers}`;
    if (this.batchFirst) repr += ", batch_first=True";
    return repr;
  }
}

/**
 * A recurrent layer that runs one step at a time and lets autograd go back
 * through the steps (GRU, LSTM): a subclass only says how one step updates
 * the state.
 */
export abstract class StepByStepRecurrent extends RecurrentBase {
  /**
   * One time step of one layer: `inputPart` is the step's slice of
   * runLayer's, `[batch, G·hidden]`; returns the new state.
   */
  protected abstract cell(inputPart: tf.Tensor, state: CellState, weights: LayerWeights): CellState;

  protected runLayer(inputPart: tf.Tensor, start: CellState, weights: LayerWeights): LayerRun {
    let state = start;
    const outputs = unstack(inputPart).map((part) => (state = this.cell(part, state, weights)).h);
    return { outputs: tf.stack(outputs), last: state };
  }
}

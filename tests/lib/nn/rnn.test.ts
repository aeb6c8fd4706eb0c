import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { GRU, LSTM, RNN, RNNCell, RecurrentBase } from "../../../lib/nn";
import { TensorJson, expectClose, expectNoLeak, expectParity, fixture, gradCheckModule, toTensor } from "./helpers";

const cases = fixture("rnn");

const recurrent: Record<string, () => RecurrentBase> = {
  rnn: () => new RNN(3, 4, { numLayers: 2, batchFirst: true }),
  rnn_relu_seqfirst: () => new RNN(3, 4, { nonlinearity: "relu" }),
  gru: () => new GRU(3, 4),
  gru_batchfirst: () => new GRU(3, 4, { numLayers: 2, batchFirst: true }),
  lstm: () => new LSTM(3, 4, { numLayers: 2, batchFirst: true }),
  lstm_state: () => new LSTM(3, 4),
};

describe("RNNCell, RNN, GRU, LSTM", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("RNNCell matches PyTorch, gradients included, and passes the finite-difference check", () => {
    const cell = new RNNCell(3, 4);
    expectParity(cell, cases.rnncell, (x, h) => cell.forward(x, h), "RNNCell");
    const [x, h] = cases.rnncell.inputs.map(toTensor);
    gradCheckModule(cell, [x, h], (x, h) => cell.forward(x, h), "RNNCell");
    tf.dispose([x, h]);
    cell.dispose();
  });

  for (const [name, make] of Object.entries(recurrent)) {
    it(`${name} matches PyTorch's outputs, final states and gradients`, () => {
      const m = make();
      const c = cases[name];
      expectParity(m, c, (x, h, cState) => m.forward(x, h, cState), name);
      const inputs = c.inputs.map(toTensor);
      const { output, hN, cN } = m.run(inputs[0], inputs[1], inputs[2]);
      expectClose(hN, c.h_n as TensorJson, `${name} hN`);
      if (c.c_n) expectClose(cN!, c.c_n as TensorJson, `${name} cN`);
      // ReLU's kink is closer than 1e-2 for some inputs: smaller steps there.
      const eps = name.includes("relu") ? 1e-3 : 1e-2;
      gradCheckModule(m, inputs, (x, h, cState) => m.forward(x, h, cState), name, { eps });
      tf.dispose([...inputs, output, hN, cN ?? []]);
      m.dispose();
    });
  }

  it("takes an unbatched [seq, input] sequence like PyTorch", () => {
    const lstm = new LSTM(3, 4, { seed: 0 });
    const x = tf.randomNormal([5, 3], 0, 1, "float32", 1);
    const single = lstm.run(x);
    const batched = lstm.run(x.expandDims(1));
    expect(single.output.shape).toEqual([5, 4]);
    expect(single.hN.shape).toEqual([1, 4]);
    expectClose(single.output, batched.output.squeeze([1]), "unbatched output");
    tf.dispose([x, single.output, single.hN, single.cN!, batched.output, batched.hN, batched.cN!]);
    lstm.dispose();
  });

  it("names PyTorch's parameters and prints like PyTorch", () => {
    const gru = new GRU(3, 4, { numLayers: 2, batchFirst: true, seed: 0 });
    expect(gru.namedParameters().map(([n, p]) => `${n} [${p.shape}]`)).toEqual([
      "weight_ih_l0 [12,3]",
      "weight_hh_l0 [12,4]",
      "bias_ih_l0 [12]",
      "bias_hh_l0 [12]",
      "weight_ih_l1 [12,4]",
      "weight_hh_l1 [12,4]",
      "bias_ih_l1 [12]",
      "bias_hh_l1 [12]",
    ]);
    expect(gru.toString().split("\n")[0]).toBe("GRU(3, 4, num_layers=2, batch_first=True)");
    gru.dispose();
  });

  it("explains wrong input and state shapes", () => {
    const rnn = new RNN(3, 4, { batchFirst: true, seed: 0 });
    const wrongFeatures = tf.zeros([2, 5, 4]);
    const wrongState = tf.zeros([2, 4]);
    const x = tf.zeros([2, 5, 3]);
    expect(() => rnn.forward(wrongFeatures)).toThrow(
      "RNN(3, 4): input has 4 features (shape [2, 5, 4]), expected 3 — input layout is [batch, seq, features] (batchFirst)",
    );
    expect(() => rnn.forward(x, wrongState)).toThrow(
      "RNN(3, 4): h0 has shape [2, 4], expected [numLayers, batch, hidden] = [1, 2, 4]",
    );
    expect(() => rnn.forward(x, undefined, wrongState)).toThrow(
      "RNN(3, 4): got a cell state c0, which only an LSTM has",
    );
    tf.dispose([wrongFeatures, wrongState, x]);
    rnn.dispose();
  });

  it("leaves no tensors behind", () => {
    const lstm = new LSTM(3, 4, { numLayers: 2, dropout: 0.5, seed: 0 });
    const x = tf.randomNormal([5, 2, 3], 0, 1, "float32", 1);
    expectNoLeak(() => {
      const y = lstm.forward(x);
      y.dispose();
      const { output, hN, cN } = lstm.run(x);
      tf.dispose([output, hN, cN!]);
    }, "LSTM");
    x.dispose();
    lstm.dispose();
  });
});

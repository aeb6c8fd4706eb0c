/**
 * tfjs's backward walk, with sets and maps for its bookkeeping.
 *
 * Every `tf.grads`, `tf.variableGrads` and optimizer step ends in
 * `engine.gradients`: record the tape, keep the nodes on a path from the xs
 * to y, walk them backwards. tfjs (4.22) marks tensors and gathers their
 * gradients in plain objects keyed by tensor id; ids grow into the millions
 * over a run, such objects fall back to dictionary storage, and the marking
 * alone was a tenth of the one-word char-RNN's run (a tape of 40 nodes per
 * word, 2,000 words). The walk here is tfjs's, node for node and error for
 * error: the same nodes, the same gradient calls in the same order, the same
 * sums.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { EngineInternals, TapeNode } from "./engine-internals";

/**
 * The nodes that depend on an x and lead to y, in tape order; each a copy
 * whose inputs are only those that depend on an x (the rest get no gradient).
 */
function nodesFromXsToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodeFromX = new Uint8Array(tape.length);
  tape.forEach((node, i) => {
    for (const name in node.inputs) {
      if (fromX.has(node.inputs[name].id)) {
        for (const output of node.outputs) fromX.add(output.id);
        nodeFromX[i] = 1;
        break;
      }
    }
  });
  const toY = new Set([y.id]);
  const nodeToY = new Uint8Array(tape.length);
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (!node.outputs.some((output) => toY.has(output.id))) continue;
    for (const name in node.inputs) toY.add(node.inputs[name].id);
    nodeToY[i] = 1;
  }
  const kept: TapeNode[] = [];
  tape.forEach((node, i) => {
    if (!nodeFromX[i] || !nodeToY[i]) return;
    const inputs: Record<string, tf.Tensor> = {};
    for (const name in node.inputs) if (fromX.has(node.inputs[name].id)) inputs[name] = node.inputs[name];
    kept.push({ ...node, inputs });
  });
  return kept;
}

/**
 * Walks `tape` backwards from the gradients in `gradientOf` (tensor id →
 * gradient; y's to start with), adding each input's gradients up in it.
 */
function backpropagate(
  gradientOf: Map<number, tf.Tensor>,
  tape: readonly TapeNode[],
  tidy: (f: () => tf.Tensor) => tf.Tensor,
): void {
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    const dys = node.outputs.map((output) => gradientOf.get(output.id) ?? null);
    if (node.gradient == null)
      throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    const inputGradients = node.gradient(dys);
    for (const name in node.inputs) {
      if (!(name in inputGradients))
        throw new Error(
          `Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`,
        );
      const dx = tidy(() => inputGradients[name]());
      if (dx.dtype !== "float32")
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`,
        );
      const x = node.inputs[name];
      if (!tf.util.arraysEqual(dx.shape, x.shape))
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
        );
      const sum = gradientOf.get(x.id);
      if (sum == null) {
        gradientOf.set(x.id, dx);
      } else {
        gradientOf.set(x.id, tf.add(sum, dx));
        sum.dispose();
      }
    }
  }
}

/** Replaces tfjs's engine.gradients with the walk above. */
export function installGradientWalk(engine: EngineInternals): void {
  engine.gradients = <T extends tf.Tensor>(f: () => T, xs: tf.Tensor[], dy?: T, allowNoGradients = false) => {
    tf.util.assert(xs.length > 0, () => "gradients() received an empty list of xs.");
    if (dy != null && dy.dtype !== "float32") throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    const y = engine.scopedRun(
      () => engine.startTape(),
      () => engine.endTape(),
      () => engine.tidy("forward", f),
    );
    tf.util.assert(y instanceof tf.Tensor, () => "The result y returned by f() must be a tensor.");
    const tape = nodesFromXsToY(engine.state.activeTape ?? [], xs, y);
    if (!allowNoGradients && tape.length === 0)
      throw new Error(
        "Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.",
      );
    return engine.tidy("backward", () => {
      const gradientOf = new Map<number, tf.Tensor>([[y.id, dy ?? tf.ones(y.shape)]]);
      backpropagate(gradientOf, tape, (g) => engine.tidy(g));
      const grads = xs.map((x) => gradientOf.get(x.id));
      if (engine.state.gradientDepth === 0) {
        // Not inside another gradient: the tape and what it saved are done with.
        for (const node of engine.state.activeTape ?? []) for (const tensor of node.saved) tensor.dispose();
        engine.state.activeTape = null;
      }
      return { value: y, grads };
    });
  };
}

/**
 * Tensors saved for backprop without an op each.
 *
 * tfjs (4.22) saves every tensor a gradient will need through
 * `engine.clone`: an Identity kernel plus a node on the gradient tape, so a
 * matrix product costs three ops where it needs one. The tape node links the
 * copy to the original for gradients of gradients; for a first-order
 * gradient it is pruned unread. So while tfjs records a first-order gradient
 * (tape depth 1: `fit`, `optimizer.step`, `tf.grads`), the copy here is a
 * second handle on the same buffer, counted like any tensor; inside nested
 * gradients tfjs's own clone runs. On the char-RNN a third of all ops were
 * these copies.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { EngineInternals } from "./engine-internals";

/** Replaces tfjs's engine.clone as described above. */
export function installCheapSavedTensors(engine: EngineInternals): void {
  const tfjsClone = engine.clone.bind(engine);
  engine.clone = (x: tf.Tensor): tf.Tensor => {
    const data = engine.state.tensorInfo.get(x.dataId);
    if (engine.state.gradientDepth > 1 || !data?.backend.incRef) return tfjsClone(x);
    const copy = engine.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype }, data.backend);
    data.backend.incRef(x.dataId);
    return copy;
  };
}

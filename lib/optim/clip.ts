import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/** What `clipGradNorm` returns. */
export interface ClippedGradients {
  /** New gradient tensors (yours to dispose), same names as the input. */
  grads: tf.NamedTensorMap;
  /** The total norm before clipping: watch it to spot exploding gradients. */
  totalNorm: number;
}

/**
 * g ← g · min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the 2-norm of all
 * gradients together — PyTorch's `clip_grad_norm_`, on a tfjs gradient map.
 *
 *   const { value, grads } = tf.variableGrads(lossFn, model.parameters());
 *   const clipped = optim.clipGradNorm(grads, 1.0);
 *   opt.applyGradients(clipped.grads);
 *   tf.dispose([value, grads, clipped.grads]);
 */
export function clipGradNorm(grads: tf.NamedTensorMap, maxNorm: number): ClippedGradients {
  const names = Object.keys(grads);
  const totalNorm = tf.tidy(
    () =>
      names
        .reduce((sum, name) => sum.add(grads[name].square().sum()), tf.scalar(0))
        .sqrt()
        .dataSync()[0],
  );
  const scale = Math.min(1, maxNorm / (totalNorm + 1e-6));
  const clipped = Object.fromEntries(names.map((name) => [name, tf.tidy(() => grads[name].mul(scale))]));
  return { grads: clipped, totalNorm };
}

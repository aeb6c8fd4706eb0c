import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/**
 * Accuracy: the fraction of predictions whose arg-max is the target class.
 *
 *   pred [n, C] or [n, L, C] (logits or probabilities);
 *   y    class indices [n] or [n, L], or one-hot of pred's shape.
 *
 * For sequences it is the token accuracy.
 */
export function accuracy(pred: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = y.shape.length === pred.shape.length;
    if (!oneHot && !tf.util.arraysEqual(pred.shape.slice(0, -1), y.shape)) {
      throw new Error(
        `accuracy: predictions have shape [${pred.shape}] and targets [${y.shape}]; expected targets of shape [${pred.shape.slice(0, -1)}] ` +
          `(class indices) or [${pred.shape}] (one-hot)`,
      );
    }
    const predicted = pred.argMax(-1);
    const target = oneHot ? y.argMax(-1) : y.toInt();
    return predicted.equal(target).toFloat().mean() as tf.Scalar;
  });
}

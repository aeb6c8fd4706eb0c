import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/** Gradients by variable name, as `tf.variableGrads` returns them, or one per parameter in order. */
export type Gradients = tf.NamedTensorMap | tf.Tensor[];

/**
 * The base of every optimizer: PyTorch's `zeroGrad(); loss.backward();
 * step()` becomes one call, because tfjs computes gradients functionally.
 *
 *   PyTorch                                 dlkit
 *   opt.zero_grad()                         (nothing: tfjs does not accumulate)
 *   loss = lossFn(model(x), y)              const loss = opt.step(() =>
 *   loss.backward()                           nn.crossEntropy(model.forward(x), y));
 *   opt.step()                              loss.dispose();
 *
 * `step` runs `tf.variableGrads(lossFn, parameters)`, applies the update,
 * frees the gradients, and returns the loss (yours to dispose).
 */
export abstract class Optimizer {
  /** The learning rate; schedulers and you may change it between steps. */
  lr: number;
  /** The learning rate given at construction: what schedulers scale (PyTorch's `initial_lr`). */
  readonly initialLr: number;
  /** How many updates have been applied. */
  stepCount = 0;
  readonly params: tf.Variable[];

  constructor(params: tf.Variable[], lr: number) {
    if (params.length === 0)
      throw new Error(`${this.constructor.name}: got an empty parameter list — pass model.parameters()`);
    if (!(lr >= 0))
      throw new Error(`${this.constructor.name}: lr=${lr} is not a valid learning rate, expected a number ≥ 0`);
    this.params = params;
    this.lr = lr;
    this.initialLr = lr;
  }

  /** Kept for the PyTorch habit: tfjs gradients are fresh on every `step`, so there is nothing to zero. */
  zeroGrad(): void {}

  /**
   * Computes the loss and its gradients with respect to the parameters,
   * updates the parameters, and returns the loss (dispose it, or read it
   * with `dataSync`). Parameters the loss does not depend on are left alone.
   */
  step(lossFn: () => tf.Scalar): tf.Scalar {
    const { value, grads } = tf.variableGrads(lossFn, this.params);
    try {
      this.applyGradients(grads);
    } finally {
      tf.dispose(grads);
    }
    return value;
  }

  /** Applies one update from gradients you computed (they stay yours to dispose). */
  applyGradients(grads: Gradients): void {
    const byParam = this.gradientsInOrder(grads);
    this.stepCount++;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        if (byParam[i]) this.update(p, byParam[i]!, i);
      });
    });
  }

  /** One gradient per parameter, in order (undefined where the loss does not depend on it), shapes checked. */
  protected gradientsInOrder(grads: Gradients): (tf.Tensor | undefined)[] {
    return this.params.map((p, i) => {
      const g = Array.isArray(grads) ? grads[i] : grads[p.name];
      if (g && !tf.util.arraysEqual(g.shape, p.shape)) {
        throw new Error(
          `${this.constructor.name}: gradient ${i} has shape [${g.shape}], but its parameter has [${p.shape}]`,
        );
      }
      return g;
    });
  }

  /** Updates one parameter in place (`p.assign(...)`); runs inside a tf.tidy. */
  protected abstract update(p: tf.Variable, grad: tf.Tensor, index: number): void;

  /** Replaces a kept state tensor (momentum, moments), freeing the old one. */
  protected keepState(states: (tf.Tensor | undefined)[], index: number, value: tf.Tensor): tf.Tensor {
    states[index]?.dispose();
    states[index] = tf.keep(value);
    return value;
  }

  /** Frees the optimizer's state (momentum buffers, moments); the parameters stay. */
  abstract dispose(): void;
}

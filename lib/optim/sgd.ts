import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { SGD_STEP, fusedOnThisBackend } from "../backend/fused";
import { Optimizer } from "./optimizer";

/** Arguments of `optim.SGD`. */
export interface SGDArgs {
  /** Learning rate. Required, as in PyTorch. */
  lr: number;
  /** Momentum factor μ. Default 0 (plain SGD). */
  momentum?: number;
  /** Dampening τ of the momentum. Default 0. */
  dampening?: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, with PyTorch's `optim.SGD` formulas:
 *
 *   g ← ∇θ + λθ                       (weight decay λ)
 *   b ← μb + (1 − τ)g                 (momentum μ, dampening τ; b = g at the first step)
 *   g ← g + μb  if nesterov, else b
 *   θ ← θ − lr·g
 *
 *   const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly buffers: (tf.Tensor | undefined)[] = [];

  constructor(params: tf.Variable[], args: SGDArgs) {
    super(params, args.lr);
    this.momentum = args.momentum ?? 0;
    this.dampening = args.dampening ?? 0;
    this.weightDecay = args.weightDecay ?? 0;
    this.nesterov = args.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error("SGD: nesterov momentum requires momentum > 0 and dampening = 0");
    }
  }

  protected update(p: tf.Variable, grad: tf.Tensor, i: number): void {
    if (!this.weightDecay && !this.momentum && fusedOnThisBackend(SGD_STEP)) {
      p.assign(tf.engine().runKernel(SGD_STEP, { param: p, grad }, { lr: this.lr }) as tf.Tensor);
      return;
    }
    let g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
    if (this.momentum) {
      const previous = this.buffers[i];
      const buffer = previous ? previous.mul(this.momentum).add(g.mul(1 - this.dampening)) : g.clone();
      this.keepState(this.buffers, i, buffer);
      g = this.nesterov ? g.add(buffer.mul(this.momentum)) : buffer;
    }
    p.assign(p.sub(g.mul(this.lr)));
  }

  dispose(): void {
    tf.dispose(this.buffers.filter((b): b is tf.Tensor => b !== undefined));
    this.buffers.length = 0;
  }
}

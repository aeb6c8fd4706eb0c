/** Adam and AdamW (torch.optim.Adam, torch.optim.AdamW); the formulas sit on the class. */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { ADAM_STEP, fusedOnThisBackend } from "../backend/fused";
import { Gradients, Optimizer } from "./optimizer";

/** Arguments of `optim.Adam`. */
export interface AdamArgs {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates (β₁, β₂) of the first and second moment. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator for stability. Default 1e-8. */
  eps?: number;
  /** Weight decay λ. Default 0 for Adam, 0.01 for AdamW. */
  weightDecay?: number;
  /** Use the running maximum of v (AMSGrad). Default false. */
  amsgrad?: boolean;
}

/**
 * Adam, with PyTorch's `optim.Adam` formulas (t counts steps from 1):
 *
 *     g ← ∇θ + λθ                        (weight decay λ, L2 style)
 *     m ← β₁m + (1 − β₁)g
 *     v ← β₂v + (1 − β₂)g²
 *     θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * AdamW differs only in the weight decay: θ ← θ(1 − lr·λ) before the step,
 * with λ kept out of g.
 *
 * Shape: each state tensor (m, v) has its parameter's shape.
 *
 * @param params - the parameters to update, e.g. `model.parameters()`
 * @param args - `lr` (default 1e-3), `betas` (default [0.9, 0.999]), `eps` (default 1e-8), `weightDecay` (default 0), `amsgrad` (default false)
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * opt.step(() => nn.crossEntropy(model.forward(x), y));   // PyTorch: zero_grad(); loss.backward(); step()
 */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  private readonly m: (tf.Tensor | undefined)[] = [];
  private readonly v: (tf.Tensor | undefined)[] = [];
  private readonly vMax: (tf.Tensor | undefined)[] = [];
  /** Decoupled weight decay (AdamW) instead of adding λθ to the gradient. */
  protected decoupled = false;
  /**
   * The moments of all parameters as one vector each, while every step has
   * a gradient for every parameter: the update is then a dozen ops in all
   * instead of a dozen per parameter. Where the backend has the one-kernel
   * step (wasm), one kernel per parameter beats both.
   */
  private flat: { m: tf.Tensor; v: tf.Tensor; vMax?: tf.Tensor } | null = null;
  private perParameter = false;

  constructor(params: tf.Variable[], args: AdamArgs = {}) {
    super(params, args.lr ?? 1e-3);
    this.betas = args.betas ?? [0.9, 0.999];
    this.eps = args.eps ?? 1e-8;
    this.weightDecay = args.weightDecay ?? 0;
    this.amsgrad = args.amsgrad ?? false;
  }

  applyGradients(grads: Gradients): void {
    const byParam = this.gradientsInOrder(grads);
    if (this.perParameter || byParam.some((g) => !g) || this.oneKernelStep()) {
      this.splitFlatState();
      super.applyGradients(grads);
      return;
    }
    this.stepCount++;
    tf.tidy(() => this.updateAll(byParam as tf.Tensor[]));
  }

  protected update(p: tf.Variable, grad: tf.Tensor, i: number): void {
    if (this.oneKernelStep()) {
      this.updateInOneKernel(p, grad, i);
      return;
    }
    const next = adamStep(p, grad, { m: this.m[i], v: this.v[i], vMax: this.vMax[i] }, this.hyper());
    this.keepState(this.m, i, next.m);
    this.keepState(this.v, i, next.v);
    if (next.vMax) this.keepState(this.vMax, i, next.vMax);
    p.assign(next.param);
  }

  /** adamStep on all parameters concatenated into one vector. */
  private updateAll(grads: tf.Tensor[]): void {
    const flatten = (ts: tf.Tensor[]) => tf.concat(ts.map((x) => x.reshape([-1])));
    const previous = this.flat;
    const next = adamStep(flatten(this.params), flatten(grads), previous ?? {}, this.hyper());
    if (previous) tf.dispose([previous.m, previous.v, previous.vMax ?? []]);
    this.flat = { m: tf.keep(next.m), v: tf.keep(next.v), vMax: next.vMax && tf.keep(next.vMax) };
    const updated = tf.split(
      next.param,
      this.params.map((p) => p.size),
    );
    this.params.forEach((p, i) => p.assign(updated[i].reshape(p.shape)));
  }

  /** adamStep as the backend's one kernel (lib/backend/fused.ts): plain Adam only, no weight decay, no AMSGrad. */
  private updateInOneKernel(p: tf.Variable, grad: tf.Tensor, i: number): void {
    const { beta1, beta2, eps, lr, t } = this.hyper();
    const state = { m: this.m[i] ?? tf.zerosLike(p), v: this.v[i] ?? tf.zerosLike(p) };
    const attrs = { beta1, beta2, eps, stepSize: lr / (1 - beta1 ** t), root: Math.sqrt(1 - beta2 ** t) };
    const [param, m, v] = tf
      .engine()
      .runKernel(ADAM_STEP, { param: p, grad, ...state }, attrs) as unknown as tf.Tensor[];
    this.keepState(this.m, i, m);
    this.keepState(this.v, i, v);
    p.assign(param);
  }

  /** A step without some gradient needs per-parameter state from then on. */
  private splitFlatState(): void {
    this.perParameter = true;
    if (!this.flat) return;
    const sizes = this.params.map((p) => p.size);
    const split = (x: tf.Tensor) =>
      tf.tidy(() => tf.split(x, sizes).map((part, i) => part.reshape(this.params[i].shape)));
    split(this.flat.m).forEach((x, i) => this.keepState(this.m, i, x));
    split(this.flat.v).forEach((x, i) => this.keepState(this.v, i, x));
    if (this.flat.vMax) split(this.flat.vMax).forEach((x, i) => this.keepState(this.vMax, i, x));
    tf.dispose([this.flat.m, this.flat.v, this.flat.vMax ?? []]);
    this.flat = null;
  }

  private oneKernelStep(): boolean {
    return !this.weightDecay && !this.amsgrad && fusedOnThisBackend(ADAM_STEP);
  }

  private hyper(): AdamHyper {
    const [beta1, beta2] = this.betas;
    const { lr, eps, weightDecay, decoupled, amsgrad } = this;
    return { lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, t: this.stepCount };
  }

  dispose(): void {
    if (this.flat) tf.dispose([this.flat.m, this.flat.v, this.flat.vMax ?? []]);
    this.flat = null;
    for (const states of [this.m, this.v, this.vMax]) {
      tf.dispose(states.filter((s): s is tf.Tensor => s !== undefined));
      states.length = 0;
    }
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's `optim.AdamW`; weightDecay defaults to 0.01. */
export class AdamW extends Adam {
  protected decoupled = true;

  constructor(params: tf.Variable[], args: AdamArgs = {}) {
    super(params, { ...args, weightDecay: args.weightDecay ?? 0.01 });
  }
}

/** The settings of one Adam step; t counts steps from 1. */
interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
  amsgrad: boolean;
  t: number;
}

/** The moments before a step; undefined before the first. */
interface AdamMoments {
  m?: tf.Tensor;
  v?: tf.Tensor;
  vMax?: tf.Tensor;
}

/**
 * One Adam step, the formulas on the class: θ and g of one shape (one
 * parameter, or all of them as one vector) → the new θ and moments. The
 * moments before the first step are zero, so their terms are left out.
 */
function adamStep(
  theta: tf.Tensor,
  g: tf.Tensor,
  before: AdamMoments,
  h: AdamHyper,
): { param: tf.Tensor; m: tf.Tensor; v: tf.Tensor; vMax?: tf.Tensor } {
  const decayed = h.weightDecay && h.decoupled ? theta.mul(1 - h.lr * h.weightDecay) : theta;
  const grad = h.weightDecay && !h.decoupled ? g.add(theta.mul(h.weightDecay)) : g;
  const m = before.m ? before.m.mul(h.beta1).add(grad.mul(1 - h.beta1)) : grad.mul(1 - h.beta1);
  const v = before.v ? before.v.mul(h.beta2).add(grad.square().mul(1 - h.beta2)) : grad.square().mul(1 - h.beta2);
  const vMax = h.amsgrad ? (before.vMax ? before.vMax.maximum(v) : v.clone()) : undefined;
  const stepSize = h.lr / (1 - h.beta1 ** h.t);
  const denom = (vMax ?? v)
    .sqrt()
    .div(Math.sqrt(1 - h.beta2 ** h.t))
    .add(h.eps);
  return { param: decayed.sub(m.div(denom).mul(stepSize)), m, v, vMax };
}

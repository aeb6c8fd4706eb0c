import { Optimizer } from "./optimizer";

/**
 * What every learning-rate schedule shares, like PyTorch's
 * `lr_scheduler.LRScheduler`; a subclass gives the rate of each epoch
 * (`lrAt`). Build one on an optimizer, call `scheduler.step()` once per
 * epoch (after the epoch's optimizer steps), and it sets `optimizer.lr`.
 *
 *   const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
 *   const sched = new optim.StepLR(opt, { stepSize: 10, gamma: 0.5 });
 *   for (let epoch = 0; epoch < 30; epoch++) { trainOneEpoch(); sched.step(); }
 */
export abstract class LRScheduler {
  /** The optimizer's initial learning rate, which the schedule scales. */
  readonly baseLr: number;
  /** How many times `step()` has been called. */
  epoch = 0;

  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.initialLr;
  }

  /** The learning rate at `epoch` (closed form). */
  abstract lrAt(epoch: number): number;

  /** Advances one epoch and sets the optimizer's learning rate. */
  step(): void {
    this.epoch++;
    this.optimizer.lr = this.lrAt(this.epoch);
  }

  /** The learning rate set by the last `step()` (or at construction). */
  getLastLr(): number {
    return this.optimizer.lr;
  }

  /** Subclasses call this at the end of their constructor, as PyTorch sets the epoch-0 rate at construction. */
  protected start(): void {
    this.optimizer.lr = this.lrAt(0);
  }
}

/** Arguments of `optim.StepLR`. */
export interface StepLRArgs {
  /** Epochs between decays. */
  stepSize: number;
  /** Multiplier at each decay. Default 0.1. */
  gamma?: number;
}

/** lr = base · γ^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, args: StepLRArgs) {
    super(optimizer);
    this.stepSize = args.stepSize;
    this.gamma = args.gamma ?? 0.1;
    this.start();
  }

  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** Arguments of `optim.CosineAnnealingLR`. */
export interface CosineAnnealingLRArgs {
  /** Epochs from the base rate down to etaMin. */
  tMax: number;
  /** The lowest rate. Default 0. */
  etaMin?: number;
}

/** lr = ηmin + (base − ηmin) · (1 + cos(π · epoch / tMax)) / 2. */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, args: CosineAnnealingLRArgs) {
    super(optimizer);
    this.tMax = args.tMax;
    this.etaMin = args.etaMin ?? 0;
    this.start();
  }

  lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

/** Arguments of `optim.LinearLR`. */
export interface LinearLRArgs {
  /** Factor of the base rate at epoch 0. Default 1/3. */
  startFactor?: number;
  /** Factor reached at `totalIters` and kept after. Default 1. */
  endFactor?: number;
  /** Epochs of the ramp. Default 5. */
  totalIters?: number;
}

/**
 * lr = base · (s + (e − s) · min(epoch, T) / T): a linear ramp, the usual
 * warm-up (start small, reach the base rate after T epochs or steps).
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: Optimizer, args: LinearLRArgs = {}) {
    super(optimizer);
    this.startFactor = args.startFactor ?? 1 / 3;
    this.endFactor = args.endFactor ?? 1;
    this.totalIters = args.totalIters ?? 5;
    this.start();
  }

  lrAt(epoch: number): number {
    const progress = Math.min(epoch, this.totalIters) / this.totalIters;
    return this.baseLr * (this.startFactor + (this.endFactor - this.startFactor) * progress);
  }
}

/** lr = base · factor(epoch), for any schedule you can write as a function (e.g. the Transformer's warm-up). */
export class LambdaLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly factor: (epoch: number) => number,
  ) {
    super(optimizer);
    this.start();
  }

  lrAt(epoch: number): number {
    return this.baseLr * this.factor(epoch);
  }
}

/**
 * Runs schedules one after the other, switching at the milestones (epochs),
 * each starting from its own epoch 0 — PyTorch's `SequentialLR`; the usual
 * warm-up then decay:
 *
 *   const warmup = new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 *   const decay = new optim.CosineAnnealingLR(opt, { tMax: 95 });
 *   const sched = new optim.SequentialLR(opt, [warmup, decay], [5]);
 */
export class SequentialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly schedulers: LRScheduler[],
    readonly milestones: number[],
  ) {
    super(optimizer);
    if (schedulers.length !== milestones.length + 1) {
      throw new Error(
        `SequentialLR: ${schedulers.length} schedulers need ${schedulers.length - 1} milestones, got ${milestones.length}`,
      );
    }
    this.start();
  }

  lrAt(epoch: number): number {
    const index = this.milestones.filter((m) => m <= epoch).length;
    const begin = index === 0 ? 0 : this.milestones[index - 1];
    return this.schedulers[index].lrAt(epoch - begin);
  }
}

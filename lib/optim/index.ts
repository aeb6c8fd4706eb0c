/**
 * Optimizers and learning-rate schedules shaped like `torch.optim`, on tfjs
 * gradients: `opt.step(() => loss)` replaces zero_grad/backward/step.
 */
export { Optimizer, type Gradients } from "./optimizer";
export { SGD, type SGDArgs } from "./sgd";
export { Adam, AdamW, type AdamArgs } from "./adam";
export { clipGradNorm, type ClippedGradients } from "./clip";
export {
  LRScheduler,
  StepLR,
  CosineAnnealingLR,
  LinearLR,
  LambdaLR,
  SequentialLR,
  type StepLRArgs,
  type CosineAnnealingLRArgs,
  type LinearLRArgs,
} from "./schedulers";

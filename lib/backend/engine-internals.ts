/**
 * The parts of tfjs's engine (4.22) that the kit's gradient bookkeeping
 * replaces or calls (gradient-walk.ts, saved-tensors.ts). They are private to
 * tfjs, so they are checked before anything is replaced: an engine shaped
 * otherwise keeps its own walk and clone.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/** A kernel call as tfjs's tape records it. */
export interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved: tf.Tensor[];
}

/** engine.gradients: f's value and the gradients of it with respect to xs. */
export type Gradients = <T extends tf.Tensor>(
  f: () => T,
  xs: tf.Tensor[],
  dy?: T,
  allowNoGradients?: boolean,
) => { value: T; grads: (tf.Tensor | undefined)[] };

interface TrackedData {
  backend: { incRef?(dataId: object): void };
}

export interface EngineInternals {
  gradients: Gradients;
  clone(x: tf.Tensor): tf.Tensor;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T;
  makeTensorFromTensorInfo(info: { dataId: object; shape: number[]; dtype: tf.DataType }, backend?: unknown): tf.Tensor;
  state: {
    activeTape: TapeNode[] | null;
    gradientDepth: number;
    tensorInfo: { get(dataId: object): TrackedData | undefined };
  };
}

const METHODS = [
  "gradients",
  "clone",
  "scopedRun",
  "startTape",
  "endTape",
  "tidy",
  "makeTensorFromTensorInfo",
] as const;

/** tfjs's engine, if it has every part above; null otherwise. */
export function engineInternals(): EngineInternals | null {
  const engine = tf.engine() as unknown as EngineInternals;
  const shaped =
    METHODS.every((name) => typeof engine[name] === "function") &&
    typeof engine.state?.gradientDepth === "number" &&
    typeof engine.state.tensorInfo?.get === "function";
  return shaped ? engine : null;
}

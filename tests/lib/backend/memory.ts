/** What the backend tests share about memory. */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";

/**
 * Runs `step` once (first-call allocations: caches, registered kernels),
 * then `times` more, disposing what it returns, and expects as many tensors
 * and backend buffers after as before.
 */
export function expectNoLeak(step: () => tf.TensorContainer | void, times = 20): void {
  const backend = tf.engine().backend;
  tf.dispose(step() ?? []);
  const before = [tf.memory().numTensors, backend.numDataIds()];
  for (let i = 0; i < times; i++) tf.dispose(step() ?? []);
  expect([tf.memory().numTensors, backend.numDataIds()]).toEqual(before);
}

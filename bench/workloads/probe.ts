/**
 * What a workload measures about itself: the time of the part both sides
 * share (from building the model to its last result; data preparation and
 * imports are left out on both sides), and the largest tf.memory() seen.
 *
 * Memory is sampled right after each forward pass, when the activations
 * that backprop needs are alive: a cheap proxy for the true peak
 * (tf.profile would record every kernel and slow the run it measures).
 */
import * as tf from "@tensorflow/tfjs";

export class Probe {
  peakBytes = 0;
  peakTensors = 0;
  private started = NaN;
  private cpuStarted: NodeJS.CpuUsage | null = null;
  seconds = NaN;
  /** CPU time of the whole process (every thread) over the same span: above `seconds` when other threads worked or spun. */
  cpuSeconds = NaN;

  start(): void {
    this.sample();
    this.cpuStarted = process.cpuUsage();
    this.started = performance.now();
  }

  stop(): void {
    this.seconds = (performance.now() - this.started) / 1000;
    const used = process.cpuUsage(this.cpuStarted ?? undefined);
    this.cpuSeconds = (used.user + used.system) / 1e6;
  }

  sample(): void {
    const { numBytes, numTensors } = tf.memory();
    if (numBytes > this.peakBytes) this.peakBytes = numBytes;
    if (numTensors > this.peakTensors) this.peakTensors = numTensors;
  }
}

/** What a workload reports besides its time: the work done, to compare with PyTorch's. */
export interface WorkDone {
  steps: number;
  params: number;
  /** Workload-specific facts (accuracy reached, epochs, ...). */
  detail?: Record<string, number | boolean>;
}

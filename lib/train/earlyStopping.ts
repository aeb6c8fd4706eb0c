import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/** Options of `train.EarlyStopping`. */
export interface EarlyStoppingOptions {
  /** The logged value to watch. Default "val_loss" with validation data, else "loss". */
  monitor?: string;
  /** Epochs without improvement before stopping. Default 3. */
  patience?: number;
  /** A change smaller than this is no improvement. Default 0. */
  minDelta?: number;
  /** Whether lower or higher is better. Default "max" for names containing "acc", else "min". */
  mode?: "min" | "max";
  /** Put back the parameters of the best epoch when stopping. Default true. */
  restoreBest?: boolean;
}

/**
 * Stops training when a monitored value has not improved for `patience`
 * epochs, and puts back the weights of the best epoch (Keras's
 * EarlyStopping with restore_best_weights).
 */
export class EarlyStopping {
  readonly monitor: string;
  best = NaN;
  bestEpoch = 0;
  private readonly patience: number;
  private readonly minDelta: number;
  private readonly sign: number;
  private readonly restoreBest: boolean;
  private bestWeights: tf.Tensor[] = [];

  constructor(options: EarlyStoppingOptions, hasValidation: boolean) {
    this.monitor = options.monitor ?? (hasValidation ? "val_loss" : "loss");
    this.patience = options.patience ?? 3;
    this.minDelta = options.minDelta ?? 0;
    this.sign = (options.mode ?? (/acc/i.test(this.monitor) ? "max" : "min")) === "max" ? 1 : -1;
    this.restoreBest = options.restoreBest ?? true;
  }

  /** Records an epoch's values; true when training should stop. */
  update(epoch: number, values: Record<string, number>, parameters: tf.Variable[]): boolean {
    const value = values[this.monitor];
    if (value === undefined) {
      throw new Error(
        `earlyStopping: monitor "${this.monitor}" is not logged; logged are ${Object.keys(values).join(", ")}` +
          (this.monitor.startsWith("val_") ? " (pass validation data to fit, or monitor a training value)" : ""),
      );
    }
    if (Number.isNaN(this.best) || this.sign * (value - this.best) > this.minDelta) {
      this.best = value;
      this.bestEpoch = epoch;
      if (this.restoreBest) {
        tf.dispose(this.bestWeights);
        this.bestWeights = parameters.map((p) => tf.keep(p.clone()));
      }
      return false;
    }
    return epoch - this.bestEpoch >= this.patience;
  }

  /** Puts the best epoch's parameters back (when restoreBest) and frees the copies. */
  finish(parameters: tf.Variable[]): void {
    if (this.restoreBest && this.bestWeights.length === parameters.length) {
      parameters.forEach((p, i) => p.assign(this.bestWeights[i]));
    }
    tf.dispose(this.bestWeights);
    this.bestWeights = [];
  }
}

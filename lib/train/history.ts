/** One epoch's line of `fit`'s history: its losses and metrics, training and validation. */
export interface EpochLog {
  /** 1-based. */
  epoch: number;
  /** Wall time of this epoch, validation included. */
  seconds: number;
  /** "loss", metric names, and "val_loss", "val_<metric>" with validation data. */
  values: Record<string, number>;
}

/** One value of one epoch: the long format charts want. */
export interface HistoryRecord {
  epoch: number;
  /** The metric without the `val_` prefix: "loss", "accuracy". */
  metric: string;
  split: "train" | "validation";
  value: number;
}

/**
 * What fit records: one log per epoch, with the training loss and metrics
 * and, with validation data, `val_`-prefixed ones (Keras's names).
 *
 *   history.series("val_accuracy")   // [0.71, 0.84, 0.9, ...]
 *   history.toRecords()              // long format, for a Vega-Lite chart
 */
export class History {
  readonly epochs: EpochLog[] = [];
  /** Set when early stopping ended the run. */
  stoppedEarly: { epoch: number; bestEpoch: number; monitor: string; best: number } | null = null;

  /** The names logged, in the order they first appeared. */
  get keys(): string[] {
    return [...new Set(this.epochs.flatMap((e) => Object.keys(e.values)))];
  }

  /** The value of `key` at every epoch (NaN where it was not logged). */
  series(key: string): number[] {
    if (this.epochs.length && !this.keys.includes(key)) {
      throw new Error(`History has no "${key}"; it has ${this.keys.join(", ")}`);
    }
    return this.epochs.map((e) => e.values[key] ?? NaN);
  }

  /** The last epoch's values. */
  get last(): Record<string, number> {
    return this.epochs[this.epochs.length - 1]?.values ?? {};
  }

  toRecords(): HistoryRecord[] {
    return this.epochs.flatMap((e) =>
      Object.entries(e.values).map(([key, value]) => {
        const validation = key.startsWith("val_");
        return {
          epoch: e.epoch,
          metric: validation ? key.slice(4) : key,
          split: validation ? "validation" : "train",
          value,
        } as HistoryRecord;
      }),
    );
  }
}

import { display, Displayable, MIME_BUNDLE, MimeBundle, Shown } from "../display";
import { Chart } from "./chart";
import { trainingCurves, TrainingCurvesOptions } from "./training-curves";

/** Options of `plot.LiveTrainingCurves`. */
export interface LiveTrainingCurvesOptions extends TrainingCurvesOptions {
  /** Least time between two redraws, in milliseconds. Default 1000. */
  throttleMs?: number;
}

/** One epoch's metrics as lib/train's fit reports them: `epoch` counts from 1. */
export interface EpochValues {
  epoch: number;
  values: Readonly<Record<string, number>>;
}

/**
 * Training curves that redraw in place while training runs; made by
 * `plot.liveTrainingCurves`, which says how to use it.
 */
export class LiveTrainingCurves implements Displayable {
  /** Every metric seen so far, one value per epoch (NaN where an epoch lacked it). */
  readonly history: Record<string, number[]> = {};
  private epochs = 0;
  private shown: Shown | null = null;
  private lastDraw = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private drawing: Promise<void> = Promise.resolve();

  constructor(private readonly options: LiveTrainingCurvesOptions = {}) {}

  /** The hook for a training loop; a bound function, so pass it as it is. */
  readonly onEpochEnd = (epochOrLog: number | EpochValues, tfjsLogs?: unknown): Promise<void> => {
    const [epoch, logs] =
      typeof epochOrLog === "number"
        ? [epochOrLog, (tfjsLogs ?? {}) as Readonly<Record<string, unknown>>]
        : [epochOrLog.epoch - 1, epochOrLog.values];
    this.epochs = Math.max(this.epochs, epoch + 1);
    for (const [name, value] of Object.entries(logs)) {
      if (typeof value !== "number") continue;
      const series = (this.history[name] ??= []);
      series[epoch] = value;
    }
    const wait = this.lastDraw + (this.options.throttleMs ?? 1000) - Date.now();
    if (wait <= 0) return this.redraw();
    this.timer ??= setTimeout(() => void this.redraw(), wait);
    return Promise.resolve();
  };

  /** The curves as they stand. */
  chart(): Chart {
    const filled: Record<string, number[]> = {};
    for (const [name, values] of Object.entries(this.history))
      filled[name] = Array.from({ length: this.epochs }, (_, i) => values[i] ?? NaN);
    return trainingCurves(filled, { title: "training", ...this.options });
  }

  /** Draws the final state (the epochs a throttled redraw skipped) and returns the chart. */
  async finish(): Promise<Chart> {
    await this.redraw();
    return this.chart();
  }

  /** Shows the current chart when the object is a cell's last expression. */
  [MIME_BUNDLE](): Promise<MimeBundle> {
    return this.chart().mimeBundle();
  }

  /** Redraws in order, one at a time: a slow render never shows an older state after a newer one. */
  private redraw(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastDraw = Date.now();
    if (this.epochs === 0) return this.drawing;
    const chart = this.chart();
    this.drawing = this.drawing.then(async () => {
      const bundle = await chart.mimeBundle();
      if (this.shown) this.shown.update(bundle);
      else this.shown = display(bundle);
    });
    return this.drawing;
  }
}

/**
 * A training curve that redraws itself in place while training runs, at most
 * once per `throttleMs`, so a long run leaves one output, not hundreds.
 *
 *   const live = plot.liveTrainingCurves();
 *   await train.fit(model, opt, loader, { epochs: 50, onEpochEnd: live.onEpochEnd });
 *   await live.finish();           // draws the epochs a throttled redraw skipped
 *
 * `onEpochEnd` takes either form a training loop calls its hook with:
 * lib/train's `(log)` with `log.epoch` counted from 1 and `log.values`, or
 * tfjs's `(epoch, logs)` with `epoch` counted from 0. It returns a promise
 * that settles once a due redraw is sent; a loop that awaits its hooks (both
 * do) therefore shows every redraw as it happens.
 */
export function liveTrainingCurves(options: LiveTrainingCurvesOptions = {}): LiveTrainingCurves {
  return new LiveTrainingCurves(options);
}

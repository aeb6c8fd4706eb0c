import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { liveTrainingCurves, VEGA_LITE_MIME } from "../../../lib/plot";
import type { FitOptions } from "../../../lib/train/fit";
import { countMarks } from "./helpers";

type Sent = { data: Record<string, unknown>; transient: { display_id?: string } };

function captureDisplays(): [Sent, boolean][] {
  const sent: [Sent, boolean][] = [];
  require("tslab/dist/jupyter").lastWriteDisplayData = (data: Sent, update: boolean) => sent.push([data, update]);
  return sent;
}

const epochsIn = (sent: Sent) =>
  (sent.data[VEGA_LITE_MIME] as { data: { values: { epoch: number }[] } }).data.values.reduce(
    (m, r) => Math.max(m, r.epoch),
    0,
  );

describe("liveTrainingCurves", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    require("tslab/dist/jupyter").lastWriteDisplayData = null;
  });

  it("draws once, then updates that same output, throttled, and finishes with every epoch", async () => {
    const sent = captureDisplays();
    const live = liveTrainingCurves({ throttleMs: 1000 });
    for (let epoch = 0; epoch < 100; epoch++)
      await live.onEpochEnd(epoch, { loss: 1 / (epoch + 1), val_loss: 1.2 / (epoch + 1) });
    expect(sent).toHaveLength(1);
    expect(sent[0][1]).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    const chart = await live.finish();
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(sent.slice(1).every(([, update]) => update)).toBe(true);
    expect(new Set(sent.map(([data]) => data.transient.display_id)).size).toBe(1);
    const last = sent[sent.length - 1][0];
    expect(epochsIn(last)).toBe(100);
    expect(countMarks(last.data["image/svg+xml"] as string, "line")).toBe(2);
    expect(live.history.loss).toHaveLength(100);
    expect(chart.description).toBe("trainingCurves: loss over 100 epochs");
  });

  it("is a hook lib/train's fit accepts: (log) with epochs counted from 1", async () => {
    const sent = captureDisplays();
    const live = liveTrainingCurves({ throttleMs: 0 });
    const options: Pick<FitOptions, "onEpochEnd"> = { onEpochEnd: live.onEpochEnd };
    await options.onEpochEnd!({ epoch: 1, seconds: 0.1, values: { loss: 0.9, accuracy: 0.5 } }, undefined as never);
    await options.onEpochEnd!({ epoch: 2, seconds: 0.1, values: { loss: 0.4, accuracy: 0.8 } }, undefined as never);
    expect(live.history).toEqual({ loss: [0.9, 0.4], accuracy: [0.5, 0.8] });
    expect(sent.map(([data, update]) => [epochsIn(data), update])).toEqual([
      [1, false],
      [2, true],
    ]);
  });
});

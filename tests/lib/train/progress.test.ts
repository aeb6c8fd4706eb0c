import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { DataLoader, TensorDataset, blobs } from "../../../lib/data";
import * as nn from "../../../lib/nn";
import * as optim from "../../../lib/optim";
import { accuracy, fit } from "../../../lib/train";

type Sent = { data: Record<string, string>; transient: { display_id?: string } };
// The channel the kit's kernel sets for every cell; lib/display writes to it.
const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: ((d: Sent, update: boolean) => void) | null };

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});
afterEach(() => {
  jupyter.lastWriteDisplayData = null;
});

async function train(
  progress: Parameters<typeof fit>[3]["progress"],
  stream?: { write(t: string): boolean; isTTY: boolean },
): Promise<void> {
  const ds = new TensorDataset(blobs({ n: 96, centers: 2, seed: 0 }));
  const model = new nn.Sequential(new nn.Linear(2, 4, { seed: 0 }), new nn.Tanh(), new nn.Linear(4, 2, { seed: 1 }));
  await fit(model, new optim.SGD(model.parameters(), { lr: 0.1 }), new DataLoader(ds, { batchSize: 8 }), {
    epochs: 3,
    lossFn: nn.crossEntropy,
    metrics: { accuracy },
    progress,
    progressStream: stream,
    readEvery: 4,
  });
  ds.dispose();
}

describe("progress bar", () => {
  it("in a notebook, shows one output and updates it in place (text and HTML)", async () => {
    const sent: { update: boolean; data: Record<string, string>; id?: string }[] = [];
    jupyter.lastWriteDisplayData = (d, update) => sent.push({ update, data: d.data, id: d.transient.display_id });
    await train("auto");
    expect(sent.filter((s) => !s.update)).toHaveLength(1);
    expect(sent.length).toBeGreaterThan(3);
    expect(new Set(sent.map((s) => s.id)).size).toBe(1);
    const last = sent[sent.length - 1].data;
    const text = last["text/plain"].split("\n");
    expect(text).toHaveLength(3);
    expect(text[2]).toMatch(
      /^epoch 3\/3 █{20} 12\/12 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}\d+:\d\d elapsed, 0:00 left {2}\(\d+\.\d s\)$/,
    );
    expect(last["text/html"]).toMatch(/^<div><progress value="1\.0000" max="1"/);
    expect(last["text/html"]).toContain("epoch 1/3");
  });

  it("in a terminal, redraws one line with \\r and ends each epoch with a newline", async () => {
    let out = "";
    await train("auto", { write: (t) => ((out += t), true), isTTY: true });
    const epochs = out.split("\n").filter(Boolean);
    expect(epochs).toHaveLength(3);
    expect(epochs[0].startsWith("\repoch 1/3")).toBe(true);
    // eslint-disable-next-line no-control-regex -- ESC [K, the terminal's erase-to-end-of-line, is what this checks.
    expect(epochs[2]).toMatch(/\repoch 3\/3 █{20} 12\/12 .*\(\d+\.\d s\)\x1b\[K$/);
  });

  it("prints nothing when asked for none", async () => {
    let out = "";
    await train(false, { write: (t) => ((out += t), true), isTTY: true });
    expect(out).toBe("");
  });
});

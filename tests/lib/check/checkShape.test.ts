import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { checkShape } from "../../../lib/check";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

describe("checkShape", () => {
  it("names the lesson's axes and asks about a transpose for [1,4] vs [4,1]", () => {
    const bh = tf.zeros([1, 4]);
    const v = checkShape(bh, [4, 1], "bh", { dims: ["nh", "1"] });
    expect(v.message).toBe("bh has shape [1,4]; expected [nh,1] = [4,1]");
    expect(v.hint).toBe("did you transpose?");
    expect(vi.mocked(console.log).mock.calls.at(-1)![0]).toBe(
      "✘ bh has shape [1,4]; expected [nh,1] = [4,1] — did you transpose?",
    );
    bh.dispose();
  });

  it("accepts any size where the expected shape has null", () => {
    const x = tf.zeros([32, 2]);
    expect(checkShape(x, [null, 2], "X").ok).toBe(true);
    expect(checkShape(x, [null, 3], "X").message).toBe("X has shape [32,2]; expected [*,3]");
    x.dispose();
  });

  it("says what came when it is not a tensor at all", () => {
    expect(checkShape(undefined, [4, 2], "W1").message).toBe("W1 is undefined; expected a tensor of shape [4,2]");
    expect(checkShape([[1, 2]], [1, 2], "W1").message).toBe(
      "W1 is an array, not a tensor; expected a tensor of shape [1,2]",
    );
  });

  it("checks the dtype when asked and says how to convert", () => {
    const y = tf.tensor1d([0, 1, 1]);
    const v = checkShape(y, [3], "y", { dtype: "int32" });
    expect(v.message).toBe("y has dtype float32; expected int32");
    expect(v.hint).toBe('convert it with .cast("int32")?');
    y.dispose();
  });
});

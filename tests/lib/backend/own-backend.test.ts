/**
 * Code that picks the wasm backend itself (`tf.setBackend("wasm")`, no
 * useBestBackend) still trains Conv2d and MaxPool2d correctly: the layers
 * install the kit's wasm kernels on first use. Run in a fresh Node process
 * on the built kit, since kernels, once installed, stay for the process.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { Conv2d, MaxPool2d, ReLU, Sequential, manualSeed } from "../../../lib/nn";
import { KIT_ROOT, runCommand } from "../../helpers";

/** The network and input both sides build: a window of zeros after the ReLU makes a tie. */
const SCRIPT = (kit: string) => `
const tf = require("@tensorflow/tfjs");
require("@tensorflow/tfjs-backend-wasm");
const { nn } = require(${JSON.stringify(kit)});
(async () => {
  await tf.setBackend("wasm");
  ${BUILD}
  console.log(JSON.stringify({ backend: tf.getBackend(), grads: grads() }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

const BUILD = `
  const build = () => {
    nn.manualSeed(3);
    return new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2));
  };
  const grads = () => {
    const model = build();
    const x = tf.tensor4d(Array.from({ length: 2 * 36 }, (_, i) => (i % 7) - 3), [2, 1, 6, 6]);
    const { grads } = tf.variableGrads(() => model.forward(x).sum(), model.parameters());
    return model.namedParameters().map(([name, p]) => [name, Array.from(grads[p.name].dataSync())]);
  };
`;

describe("a wasm backend chosen without useBestBackend", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("gives Conv2d and MaxPool2d the gradients the kit gives with useBestBackend", async () => {
    const result = await runCommand("node", ["-e", SCRIPT(KIT_ROOT)], { cwd: KIT_ROOT });
    expect(result.code, result.stderr).toBe(0);
    const theirs = JSON.parse(result.stdout.trim().split("\n").pop()!) as {
      backend: string;
      grads: [string, number[]][];
    };
    expect(theirs.backend).toBe("wasm");
    // The same network here, on the kit's kernels.
    const grads = new Function("tf", "nn", `${BUILD}; return grads();`)(tf, {
      manualSeed,
      Sequential,
      Conv2d,
      ReLU,
      MaxPool2d,
    }) as [string, number[]][];
    expect(theirs.grads.map(([name]) => name)).toEqual(["0.weight", "0.bias"]);
    theirs.grads.forEach(([name, values], i) => {
      values.forEach((v, j) => expect(v, `${name}[${j}]`).toBeCloseTo(grads[i][1][j], 4));
    });
  });
});

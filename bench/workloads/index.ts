/**
 * The kit side of every bench workload, by the id bench/specs.ts gives it.
 * Each builds its model with lib as a lab would, times itself with a Probe,
 * and says how much work it did.
 */
import { Params } from "../specs";
import { rnnBatched, rnnWord } from "./charRnn";
import { lenetInfer, lenetTrain } from "./lenet";
import { mlp } from "./mlp";
import { Probe, WorkDone } from "./probe";
import { transformer } from "./transformer";

export { matmulGflops } from "./matmul";
export { Probe, type WorkDone } from "./probe";

export const RUNS: Record<string, (p: Params, probe: Probe) => Promise<WorkDone>> = {
  "w1-mlp-2-4-2": mlp,
  "w1-mlp-2-64-2": mlp,
  "w2-lenet-train": lenetTrain,
  "w2-lenet-infer": lenetInfer,
  "w3-rnn-word": rnnWord,
  "w3-rnn-batched": rnnBatched,
  "w4-transformer": transformer,
};

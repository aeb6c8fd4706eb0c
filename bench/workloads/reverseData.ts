/**
 * W4's sequences, from lab 5's generator: the kit calls it directly and the
 * harness writes the same call's output to a file for PyTorch.
 */
import * as data from "../../lib/data";
import { Params, REVERSE_SEEDS } from "../specs";

export function reverseSets(p: Params) {
  const options = { length: p.length, vocab: p.vocab };
  return {
    train: data.reverseTask({ ...options, n: p.train, seed: REVERSE_SEEDS.train }),
    heldOut: data.reverseTask({ ...options, n: p.heldOut, seed: REVERSE_SEEDS.heldOut }),
  };
}

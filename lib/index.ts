/**
 * dlkit: the deep-learning helper library the labs are written with, shaped
 * like PyTorch's torch.nn / torch.optim on top of tfjs.
 *
 *   import * as tf from "@tensorflow/tfjs";
 *   import { useBestBackend, nn, optim } from "dlkit";
 *   const backend = await useBestBackend();
 */
export * from "./backend";
export * from "./display";
export * as nn from "./nn";
export * as optim from "./optim";
export * as data from "./data";
export * as models from "./models";
export * as train from "./train";
export * as check from "./check";
export * as plot from "./plot";

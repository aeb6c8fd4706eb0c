/**
 * dlkit: the deep-learning helper library the labs are written with.
 *
 *   import * as tf from "@tensorflow/tfjs";
 *   import { useBestBackend } from "dlkit";
 *   await useBestBackend();
 */
export * from "./backend";

/** The course's labs, instructor side, by notebook name. */
import type { CourseLab } from "../lab";
import { lab1 } from "./lab1-mlp";
import { lab5 } from "./lab5-transformer";
import { tp4a } from "./tp4a-cnn";
import { tp4b } from "./tp4b-rnn";

export const COURSE_LABS: ReadonlyMap<string, CourseLab> = new Map(
  [lab1, tp4a, tp4b, lab5].map((lab) => [lab.name, lab]),
);

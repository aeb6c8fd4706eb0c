/** tp4b-rnn, instructor side: the reference and typical mistakes behind each public check. */
import type { CourseLab } from "../../lab";

export const tp4b: CourseLab = { name: "tp4b-rnn", checks: [] };

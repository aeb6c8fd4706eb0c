/** tp4a-cnn, instructor side: the reference and typical mistakes behind each public check. */
import type { CourseLab } from "../../lab";

export const tp4a: CourseLab = { name: "tp4a-cnn", checks: [] };

/** lab1-mlp, instructor side: the reference and typical mistakes behind each public check. */
import type { CourseLab } from "../../lab";

export const lab1: CourseLab = { name: "lab1-mlp", checks: [] };

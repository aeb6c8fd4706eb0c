/** lab5-transformer, instructor side: the reference and typical mistakes behind each public check. */
import type { CourseLab } from "../../lab";

export const lab5: CourseLab = { name: "lab5-transformer", checks: [] };

/**
 * The records a graded notebook showed, read from its test cells' outputs:
 * display data of the record mime type, nothing printed. A record shown twice
 * under one name in a cell counts as not shown, so a submission cannot put a
 * record of its own before or after the real one.
 */
import { RECORD_MIME, RecordOutput } from "../../lib/check/record";
import type { Notebook } from "../../jupyter/notebook";
import { gradeId, isGrade } from "../nbgrader/cells";

/** By test cell grade_id, then by record name; undefined for a name shown more than once. */
export type CellRecords = Map<string, Map<string, RecordOutput | undefined>>;

/** A well-formed record, or null: the student's kernel may show anything under the mime type. */
function asRecord(data: unknown): RecordOutput | null {
  if (typeof data !== "object" || data === null) return null;
  const { name, seed, cases } = data as Partial<RecordOutput>;
  if (typeof name !== "string" || !Number.isInteger(seed) || !Array.isArray(cases)) return null;
  const wellFormed = cases.every(
    (c) =>
      typeof c === "object" && c !== null && ("value" in c || typeof (c as { error?: unknown }).error === "string"),
  );
  return wellFormed ? { name, seed: seed as number, cases } : null;
}

export function recordsOf(nb: Notebook): CellRecords {
  const all: CellRecords = new Map();
  for (const cell of nb.cells) {
    const id = gradeId(cell);
    if (cell.cell_type !== "code" || !isGrade(cell) || id === undefined) continue;
    const records = new Map<string, RecordOutput | undefined>();
    for (const output of cell.outputs) {
      if (output.output_type !== "display_data" || !(RECORD_MIME in output.data)) continue;
      const record = asRecord(output.data[RECORD_MIME]);
      if (!record) continue;
      records.set(record.name, records.has(record.name) ? undefined : record);
    }
    all.set(id, records);
  }
  return all;
}

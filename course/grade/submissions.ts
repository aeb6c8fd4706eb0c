/**
 * What to grade: each input is a student's notebook, a student's folder
 * (holding notebooks named after labs), or a class folder of those. The
 * student's name is the file's or folder's name.
 */
import * as fs from "fs";
import * as path from "path";

export interface Submission {
  student: string;
  /** The notebook; null when the student's folder has none for the lab. */
  file: string | null;
  /** The folder whose other files the notebook may read (a student's folder). */
  folder: string | null;
  /** Known when --lab is given or the file is named after a lab. */
  lab: string | undefined;
}

const notebooksIn = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
    .sort();

function studentFolder(dir: string, labs: string[], only: string | undefined): Submission[] {
  const student = path.basename(dir);
  const notebooks = notebooksIn(dir);
  const wanted = only ? [only] : labs.filter((lab) => notebooks.includes(`${lab}.ipynb`));
  return wanted.map((lab) => {
    const named = notebooks.includes(`${lab}.ipynb`) ? `${lab}.ipynb` : notebooks.length === 1 ? notebooks[0] : null;
    return { student, file: named && path.join(dir, named), folder: dir, lab };
  });
}

/** Expands the inputs into one submission per student and lab. */
export function collectSubmissions(inputs: string[], labs: string[], only?: string): Submission[] {
  const out: Submission[] = [];
  const isStudentFolder = (dir: string) => notebooksIn(dir).some((f) => labs.includes(f.replace(/\.ipynb$/, "")));
  // A notebook named after a lab (lab1-mlp.ipynb) is that lab's, as in a student's folder.
  const addFile = (file: string) => {
    const name = path.basename(file, ".ipynb");
    out.push({ student: name, file, folder: null, lab: only ?? (labs.includes(name) ? name : undefined) });
  };
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new Error(`${input} does not exist: give .ipynb files or folders of them.`);
    if (!fs.statSync(input).isDirectory()) {
      addFile(input);
    } else if (isStudentFolder(input)) {
      out.push(...studentFolder(input, labs, only));
    } else {
      for (const entry of fs
        .readdirSync(input)
        .filter((e) => !e.startsWith("."))
        .sort()) {
        const p = path.join(input, entry);
        if (fs.statSync(p).isDirectory()) out.push(...studentFolder(p, labs, only));
        else if (entry.endsWith(".ipynb")) addFile(p);
      }
    }
  }
  return out;
}

/** `k/N` → the k-th of N deterministic slices (1-based). */
export function parseShard(text: string): { k: number; n: number } {
  const m = text.match(/^(\d+)\/(\d+)$/);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!(n >= 1 && k >= 1 && k <= n))
    throw new Error(`--shard takes k/N with 1 ≤ k ≤ N (e.g. 2/4 for the second of four), not '${text}'`);
  return { k, n };
}

/** Sorted by student, then every N-th: the same slice whatever order the inputs came in. */
export function shard<T extends { student: string; file: string | null }>(items: T[], k: number, n: number): T[] {
  const key = (s: T) => `${s.student}\u0000${s.file ?? ""}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).filter((_, i) => i % n === k - 1);
}

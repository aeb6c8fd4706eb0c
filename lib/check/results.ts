import { NotImplementedError } from "./notImplemented";

/**
 * What a notebook's training cells produced, kept apart from them so that a
 * cell below an unfinished TODO says "not implemented yet" instead of
 * failing on a missing name.
 *
 *   const results = new check.tp4b.Results<{ gru: Trained }>();
 *   results.set("gru", { ... });   results.get("gru").accuracy
 */
export class Results<R extends Record<string, unknown>> {
  private readonly values = new Map<keyof R, unknown>();

  /** `describe` names an entry in the error of a missing one (`"gru"`; lab 1: the training of stage "by hand"). */
  constructor(private readonly describe: (name: string) => string = (name) => `"${name}"`) {}

  /** Keeps `value` under `name` and returns it. */
  set<K extends keyof R>(name: K, value: R[K]): R[K] {
    this.values.set(name, value);
    return value;
  }

  /** The result; throws a NotImplementedError when the cell that makes it did not run to the end. */
  get<K extends keyof R>(name: K): R[K] {
    if (!this.values.has(name)) {
      const what = this.describe(String(name));
      const err = new NotImplementedError(what);
      err.message = `not implemented: ${what} has no result yet — the cell that makes it did not run to the end (a TODO it uses is not implemented yet?)`;
      throw err;
    }
    return this.values.get(name) as R[K];
  }

  /** True once `name` is set. */
  has(name: keyof R): boolean {
    return this.values.has(name);
  }

  /** The names set so far, in the order they were first set. */
  get names(): string[] {
    return [...this.values.keys()].map(String);
  }
}

/**
 * The tfjs backends the kit knows, fastest first, and which are installed.
 * Kept free of tfjs itself so that the kernel can report the backend at
 * start-up without paying for loading tfjs.
 */
export type BackendChoice = "node-gpu" | "node" | "wasm" | "cpu";

export interface Candidate {
  choice: BackendChoice;
  /** The package that registers the backend; cpu ships inside tfjs. */
  packageName: string | null;
  /** The name tfjs registers it under (`tf.getBackend()`). */
  tfName: string;
}

export const CANDIDATES: readonly Candidate[] = [
  { choice: "node-gpu", packageName: "@tensorflow/tfjs-node-gpu", tfName: "tensorflow" },
  { choice: "node", packageName: "@tensorflow/tfjs-node", tfName: "tensorflow" },
  { choice: "wasm", packageName: "@tensorflow/tfjs-backend-wasm", tfName: "wasm" },
  { choice: "cpu", packageName: null, tfName: "cpu" },
];

/** The environment variable that forces a backend. */
export const BACKEND_ENV = "DLKIT_BACKEND";

/** Reads a backend choice; throws a message listing the valid ones. */
export function parseChoice(value: string | undefined): BackendChoice | "auto" {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "auto") return "auto";
  const known = CANDIDATES.find((c) => c.choice === v);
  if (!known) {
    const names = CANDIDATES.map((c) => c.choice).join(", ");
    throw new Error(`${BACKEND_ENV}=${value} is not a backend: use one of ${names}, or auto.`);
  }
  return known.choice;
}

/** True when the backend's package can be found (it may still fail to load). */
export function isInstalled(candidate: Candidate): boolean {
  if (candidate.packageName === null) return true;
  try {
    require.resolve(candidate.packageName);
    return true;
  } catch {
    return false;
  }
}

/**
 * The backend `useBestBackend` will try first, and why, judged from installed
 * packages alone (no tfjs loaded).
 */
export function expectedBackend(env: NodeJS.ProcessEnv = process.env): string {
  const wanted = parseChoice(env[BACKEND_ENV]);
  if (wanted !== "auto") return `${wanted} (forced by ${BACKEND_ENV})`;
  const skipped: string[] = [];
  for (const candidate of CANDIDATES) {
    if (isInstalled(candidate)) {
      return skipped.length
        ? `${candidate.choice} (${skipped.join("; ")})`
        : `${candidate.choice} (the fastest backend)`;
    }
    skipped.push(`${candidate.packageName} is not installed`);
  }
  return "cpu";
}

/**
 * The kit's Jupyter kernel spec: where Jupyter looks for kernels, writing ours
 * there (no Python needed), and finding any spec by name.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NotebookError } from "./notebook";

export const KERNEL_NAME = "typescript-dl";
export const KERNEL_DISPLAY_NAME = "TypeScript (deep learning)";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: "signal" | "message";
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/** The checkout this file belongs to (the folder with the kit's package.json). */
export function kitRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "dlkit") {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the kit's package.json above ${__dirname}`);
    dir = parent;
  }
}

/** The compiled kernel entry point; `npm run build` (run by `npm ci`) makes it. */
function kernelEntry(root = kitRoot()): string {
  const entry = path.join(root, "dist", "server", "kernel.js");
  if (!fs.existsSync(entry)) {
    throw new Error(`the kit's kernel is not built (${entry} is missing): run \`npm run build\` in ${root}.`);
  }
  return entry;
}

/** Jupyter's per-user data folder, as jupyter_core computes it. */
function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  const home = os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (process.platform === "win32") return path.join(env.APPDATA ?? path.join(home, "AppData", "Roaming"), "jupyter");
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "jupyter");
}

/** The active conda env or virtualenv, which `--sys-prefix` installs into. */
function sysPrefix(env: NodeJS.ProcessEnv = process.env): string | null {
  return env.CONDA_PREFIX || env.VIRTUAL_ENV || null;
}

/** Every folder Jupyter searches for `kernels/`, in its order of precedence. */
function jupyterDataDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = (env.JUPYTER_PATH ?? "").split(path.delimiter).filter(Boolean);
  dirs.push(userDataDir(env));
  const prefix = sysPrefix(env);
  if (prefix) dirs.push(path.join(prefix, "share", "jupyter"));
  if (process.platform !== "win32") dirs.push("/usr/local/share/jupyter", "/usr/share/jupyter");
  return [...new Set(dirs)];
}

export type InstallTarget = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };

/** The `share/jupyter` folder a target names. */
function targetDataDir(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  switch (target.kind) {
    case "user":
      return userDataDir(env);
    case "prefix":
      return path.join(path.resolve(target.prefix), "share", "jupyter");
    case "sys-prefix": {
      const prefix = sysPrefix(env);
      if (!prefix) {
        throw new Error(
          "--sys-prefix needs an active conda env or virtualenv (CONDA_PREFIX or VIRTUAL_ENV is unset); use --user instead.",
        );
      }
      return path.join(prefix, "share", "jupyter");
    }
  }
}

/** The spec that starts this checkout's kernel with this checkout's node and packages. */
export function kitKernelSpec(options: { backend?: string; root?: string } = {}): KernelSpec {
  const root = options.root ?? kitRoot();
  const env: Record<string, string> = { DLKIT_ROOT: root };
  if (options.backend) env.DLKIT_BACKEND = options.backend;
  return {
    argv: [process.execPath, kernelEntry(root), "--config-path", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "signal",
    env,
    metadata: { dlkit: true },
  };
}

function isOurs(specFile: string): boolean {
  try {
    const spec = JSON.parse(fs.readFileSync(specFile, "utf8")) as KernelSpec;
    return spec.metadata?.dlkit === true;
  } catch {
    return false;
  }
}

/** Writes (or rewrites) the kit's kernel spec; returns its folder. */
export function installKernelSpec(target: InstallTarget, options: { backend?: string } = {}): string {
  const dir = path.join(targetDataDir(target), "kernels", KERNEL_NAME);
  const file = path.join(dir, "kernel.json");
  if (fs.existsSync(file) && !isOurs(file)) {
    throw new Error(`${file} exists and was not written by this kit; remove it yourself if you want ours there.`);
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(kitKernelSpec(options), null, 2) + "\n");
  return dir;
}

/** Removes the kit's kernel spec; returns the folder removed, or null if there was none. */
export function uninstallKernelSpec(target: InstallTarget): string | null {
  const dir = path.join(targetDataDir(target), "kernels", KERNEL_NAME);
  const file = path.join(dir, "kernel.json");
  if (!fs.existsSync(file)) return null;
  if (!isOurs(file)) throw new Error(`${file} was not written by this kit; leaving it alone.`);
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

export interface FoundSpec {
  name: string;
  dir: string;
  spec: KernelSpec;
}

/** Every kernel spec Jupyter would see; the first folder wins, as in Jupyter. */
function listKernelSpecs(env: NodeJS.ProcessEnv = process.env): FoundSpec[] {
  const found = new Map<string, FoundSpec>();
  for (const data of jupyterDataDirs(env)) {
    const kernels = path.join(data, "kernels");
    if (!fs.existsSync(kernels)) continue;
    for (const name of fs.readdirSync(kernels)) {
      const file = path.join(kernels, name, "kernel.json");
      if (found.has(name.toLowerCase()) || !fs.existsSync(file)) continue;
      try {
        found.set(name.toLowerCase(), {
          name,
          dir: path.dirname(file),
          spec: JSON.parse(fs.readFileSync(file, "utf8")),
        });
      } catch {
        // An unreadable spec is Jupyter's problem to report, not a reason to hide the others.
      }
    }
  }
  return [...found.values()];
}

/**
 * The spec to start for a kernel name. The kit's own kernel needs no install:
 * it is always this checkout's.
 */
export function findKernelSpec(name: string, env: NodeJS.ProcessEnv = process.env): FoundSpec {
  // Another clone's installed spec would run another copy of the kit: ours always runs this one.
  if (name === KERNEL_NAME) return { name, dir: kitRoot(), spec: kitKernelSpec({ backend: env.DLKIT_BACKEND }) };
  const installed = listKernelSpecs(env).find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (installed) return installed;
  const known = [KERNEL_NAME, ...listKernelSpecs(env).map((s) => s.name)].filter((n, i, all) => all.indexOf(n) === i);
  throw new NotebookError(
    `no Jupyter kernel named '${name}' is installed (known here: ${known.join(", ")}). ` +
      `Run the notebook with --kernel ${KERNEL_NAME}, or set its metadata.kernelspec.name to '${KERNEL_NAME}'.`,
  );
}

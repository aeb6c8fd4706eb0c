/**
 * The `dlkit` package of the student kit, staged in a folder and packed by
 * `npm pack`: the built library and the parts of the kernel a student runs
 * (kernel server, headless runner, install, doctor, the student command
 * line), with the data the library reads at run time. What goes in is what
 * the entry points reach, following the compiled `require`s and the
 * declarations' imports; reaching the course tooling, release or grade is an
 * error, so no reference and no hidden test can ride along.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { LabRecords } from "../../lib/check/records";

/** Where the student package starts: the library, the kernel server, the command line. */
const PACKAGE_ENTRIES = ["dist/lib/index.js", "dist/server/kernel.js", "dist/cli/student-cli.js"];

/** Folders and files of dist/ a student never gets: reaching one from an entry is a release error. */
const INSTRUCTOR_ONLY = ["dist/course/", "dist/cli/cli."];

/** Data the library reads from its own folder at run time (beside the sources, as in the instructor's kit). */
const PACKAGE_DATA = ["lib/models/fashion-cnn.json", "lib/plot/nbconvert-svg.html.j2"];

const toPosix = (p: string) => p.split(path.sep).join("/");
const RELATIVE_SPECIFIER = /(?:\brequire\(|\bfrom\s+|\bimport\()\s*"(\.{1,2}\/[^"]*)"/g;

/** The module a relative specifier names, without extension (e.g. "dist/lib/nn/index"), or null. */
function resolveModule(root: string, fromFile: string, specifier: string): string | null {
  const base = path.join(path.dirname(path.join(root, fromFile)), specifier);
  for (const candidate of [base, path.join(base, "index")]) {
    if (fs.existsSync(`${candidate}.js`) || fs.existsSync(`${candidate}.d.ts`))
      return toPosix(path.relative(root, candidate));
  }
  return null;
}

/**
 * The files of dist/ the entries reach (each module's .js and .d.ts),
 * relative to `root`, sorted. Throws if one is the instructor's or cannot be found.
 */
export function reachableFiles(root: string, entries = PACKAGE_ENTRIES): string[] {
  const seen = new Set<string>();
  const files = new Set<string>();
  const queue = entries.map((e) => e.replace(/\.js$/, ""));
  while (queue.length) {
    const mod = queue.pop()!;
    if (seen.has(mod)) continue;
    seen.add(mod);
    const forbidden = INSTRUCTOR_ONLY.find((p) => `${mod}.`.startsWith(p) || `${mod}/`.startsWith(p));
    if (forbidden)
      throw new Error(
        `the student kit would ship ${mod}.js (under ${forbidden}), which is the instructor's: something the students' code imports reaches it`,
      );
    const present = [`${mod}.js`, `${mod}.d.ts`].filter((f) => fs.existsSync(path.join(root, f)));
    if (!present.length)
      throw new Error(`${mod}.js is missing: run \`npm run build\` before releasing the student kit`);
    for (const file of present) {
      files.add(file);
      for (const [, specifier] of fs.readFileSync(path.join(root, file), "utf8").matchAll(RELATIVE_SPECIFIER)) {
        const target = resolveModule(root, file, specifier);
        if (target === null)
          throw new Error(`${file} imports ${specifier}, which is not in dist/: run \`npm run build\``);
        queue.push(target);
      }
    }
  }
  return [...files].sort();
}

/** Throws unless every compiled file is newer than its TypeScript source (a stale dist/ would ship old code). */
function assertBuilt(root: string, files: string[]): void {
  for (const file of files) {
    const source = path.join(root, file.replace(/^dist\//, "").replace(/(\.d)?\.js$|\.d\.ts$/, ".ts"));
    if (!fs.existsSync(source))
      throw new Error(
        `${file} has no source (${path.relative(root, source)}): dist/ holds a stale file; remove dist/ and run \`npm run build\``,
      );
    if (fs.statSync(source).mtimeMs > fs.statSync(path.join(root, file)).mtimeMs) {
      throw new Error(
        `${path.relative(root, source)} changed after ${file} was built: run \`npm run build\` before releasing the student kit`,
      );
    }
  }
}

interface RootManifest {
  version: string;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  engines?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

export const readManifest = (root: string): RootManifest =>
  JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

/** The student package's package.json: our runtime dependencies, the library's main and types, the student command line. */
function studentManifest(ours: RootManifest): Record<string, unknown> {
  const dependencies = Object.fromEntries(Object.entries(ours.dependencies).filter(([name]) => name !== "dlkit"));
  return {
    name: "dlkit",
    version: ours.version,
    description:
      "The Advanced Deep Learning labs' library (PyTorch-shaped nn, optim, data, train, check, plot on tfjs) and Jupyter kernel, for students.",
    main: "dist/lib/index.js",
    types: "dist/lib/index.d.ts",
    bin: { dlkit: "dist/cli/student-cli.js" },
    dependencies,
    optionalDependencies: ours.optionalDependencies ?? {},
    engines: ours.engines ?? { node: ">=20" },
    allowScripts: ours.allowScripts ?? {},
  };
}

/** Compiled code without its `//# sourceMappingURL` line: the maps, which point at sources students do not get, stay out. */
const withoutSourceMap = (text: string) => text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");

export interface StagedPackage {
  /** Files written, relative to the stage folder, sorted. */
  files: string[];
}

/** Writes the student package into `stage` (an empty folder): compiled code, data, records, package.json. */
export function stagePackage(root: string, stage: string, records: LabRecords[]): StagedPackage {
  const written: string[] = [];
  const write = (rel: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(stage, rel)), { recursive: true });
    fs.writeFileSync(path.join(stage, rel), content);
    written.push(rel);
  };
  const code = reachableFiles(root);
  assertBuilt(root, code);
  for (const file of code) write(file, withoutSourceMap(fs.readFileSync(path.join(root, file), "utf8")));
  for (const file of PACKAGE_DATA) {
    if (!fs.existsSync(path.join(root, file)))
      throw new Error(
        `${file} is missing: the library reads it at run time (see its folder's README or index.ts for how it is made)`,
      );
    write(file, fs.readFileSync(path.join(root, file)));
  }
  // Same place and bytes as course/record-checks.ts writes them, so that lib/check/records.ts finds them.
  for (const r of records) write(`lib/check/records/${r.lab}.json`, JSON.stringify(r) + "\n");
  write("package.json", JSON.stringify(studentManifest(readManifest(root)), null, 2) + "\n");
  return { files: written.sort() };
}

/** Runs a command to its end; rejects with its output when it fails. */
export function runQuiet(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`\`${cmd} ${args.join(" ")}\` in ${cwd} failed (exit ${code}):\n${err || out}`)),
    );
  });
}

/** `npm pack`s the stage into `destination`; returns the tarball's file name. */
export async function packPackage(stage: string, destination: string): Promise<string> {
  fs.mkdirSync(destination, { recursive: true });
  const out = await runQuiet("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], stage);
  const [packed] = JSON.parse(out) as { filename: string }[];
  return packed.filename;
}

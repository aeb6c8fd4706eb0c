/**
 * The student kit as a course publishes it and a student installs it: no
 * answer in any file, and in a fresh folder `npm ci`, `dlkit install` and
 * every lab running on the real kernel, with the kit's own Fashion-MNIST.
 * Minutes, not seconds: npm installs, and each lab and solution runs once.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNotebook, serializeNotebook } from "../../../jupyter/notebook";
import { listNotebooks } from "../../../jupyter/notebook";
import { releaseNotebook } from "../../../course/release";
import { describeLeak, filesUnder, findLeaks, solutionLines } from "../../../course/release/leaks";
import { writeStudentKit } from "../../../course/release/student-kit";
import { KIT_ROOT, runCommand } from "../../helpers";

const LABS = listNotebooks(path.join(KIT_ROOT, "solutions")).map((f) => path.basename(f, ".ipynb"));
const base = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-student-kit-"));
const kitDir = path.join(base, "kit");
const unpacked = path.join(base, "unpacked");
const ours = JSON.parse(fs.readFileSync(path.join(KIT_ROOT, "package.json"), "utf8"));
let tarball: string;
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const digests = (dir: string) =>
  Object.fromEntries(
    filesUnder(dir)
      .filter((f) => !f.includes(`${path.sep}.git${path.sep}`))
      .map((f) => [path.relative(dir, f), createHash("sha256").update(fs.readFileSync(f)).digest("hex")]),
  );

beforeAll(async () => {
  // The leak check is this test's own (below), over the unpacked tarball too: build without release's.
  const kit = await writeStudentKit({ dir: kitDir, root: KIT_ROOT, checkLeaks: false });
  tarball = path.join(kitDir, "vendor", kit.tarball);
  fs.mkdirSync(unpacked);
  const untar = await runCommand("tar", ["xzf", tarball, "-C", unpacked]);
  if (untar.code !== 0) throw new Error(untar.stderr);
}, 300_000);

describe("the student kit", () => {
  it("holds no line of any solution or hidden test, in any file, the unpacked tarball included", () => {
    const lines = LABS.flatMap((name) => {
      const file = path.join(KIT_ROOT, "solutions", `${name}.ipynb`);
      return solutionLines(
        readNotebook(file),
        readNotebook(path.join(kitDir, "labs", `${name}.ipynb`)),
        `${name}.ipynb`,
      );
    });
    expect(lines.length).toBeGreaterThan(50);
    const leaks = findLeaks([...filesUnder(kitDir), ...filesUnder(unpacked)], lines).map((l) => describeLeak(l, base));
    expect(leaks).toEqual([]);
  });

  it("holds nothing of the instructor's: no course/, release, grade, solutions/, sources or source maps", () => {
    const files = [
      ...filesUnder(kitDir).map((f) => path.relative(kitDir, f)),
      ...filesUnder(unpacked).map((f) => path.relative(unpacked, f)),
    ];
    const instructors = files.filter((f) =>
      /(^|\/)(course|solutions)\/|kernel\/(release|grade)\/|kernel\/(cli|sandbox)\.|\.map$|(?<!\.d)\.ts$|\.wat$/.test(
        f,
      ),
    );
    expect(instructors).toEqual([]);
  });

  it("holds the released labs, the data, and a dlkit package with our dependencies and only the student command line", () => {
    for (const name of LABS) {
      const solution = path.join(KIT_ROOT, "solutions", `${name}.ipynb`);
      expect(fs.readFileSync(path.join(kitDir, "labs", `${name}.ipynb`), "utf8")).toBe(
        serializeNotebook(releaseNotebook(readNotebook(solution), name, `${name}.ipynb`)),
      );
      expect(
        fs.existsSync(path.join(unpacked, "package", "lib", "check", "records", `${name}.json`)),
        `${name}'s records`,
      ).toBe(true);
    }
    expect(fs.readdirSync(path.join(kitDir, "data", "fashion-mnist"))).toEqual(
      expect.arrayContaining([
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
      ]),
    );
    for (const f of [
      "dist/lib/index.js",
      "dist/lib/index.d.ts",
      "dist/server/kernel.js",
      "dist/runner/runner.js",
      "dist/cli/student-cli.js",
      "lib/models/fashion-cnn.json",
      "lib/plot/nbconvert-svg.html.j2",
    ]) {
      expect(fs.existsSync(path.join(unpacked, "package", f)), f).toBe(true);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, "package", "package.json"), "utf8"));
    const { dlkit: _self, ...dependencies } = ours.dependencies;
    expect(manifest).toMatchObject({
      name: "dlkit",
      version: ours.version,
      main: "dist/lib/index.js",
      types: "dist/lib/index.d.ts",
      bin: { dlkit: "dist/cli/student-cli.js" },
      dependencies,
      optionalDependencies: ours.optionalDependencies,
      allowScripts: ours.allowScripts,
    });
    expect(manifest.scripts).toBeUndefined();
    const kitManifest = JSON.parse(fs.readFileSync(path.join(kitDir, "package.json"), "utf8"));
    expect(kitManifest).toMatchObject({
      private: true,
      dependencies: { dlkit: `file:vendor/${path.basename(tarball)}` },
      allowScripts: ours.allowScripts,
    });
    const readme = fs.readFileSync(path.join(kitDir, "README.md"), "utf8");
    expect(readme.split("```sh\n")[1]).toMatch(/^npm ci && npx dlkit install .*\njupyter lab labs\/ /);
  });

  it("is written byte-identically by a second release, which replaces the first whole but keeps .git", async () => {
    const first = digests(kitDir);
    fs.writeFileSync(path.join(kitDir, "labs", "stray.ipynb"), "{}");
    fs.mkdirSync(path.join(kitDir, ".git"));
    fs.writeFileSync(path.join(kitDir, ".git", "HEAD"), "ref: refs/heads/main\n");
    await writeStudentKit({ dir: kitDir, root: KIT_ROOT, checkLeaks: false });
    expect(digests(kitDir)).toEqual(first);
    expect(fs.readFileSync(path.join(kitDir, ".git", "HEAD"), "utf8")).toBe("ref: refs/heads/main\n");
    fs.rmSync(path.join(kitDir, ".git"), { recursive: true });
  }, 300_000);
});

/** A student's copy: the published folder, installed with npm from the vendored tarball. */
describe("the student kit in a fresh folder", () => {
  const fresh = path.join(base, "fresh");
  const prefix = path.join(base, "jupyter-prefix");
  const env = { ...process.env, npm_config_update_notifier: "false" };
  // Hide Debian's Fashion-MNIST where bubblewrap can: the labs must read the kit's own copy.
  const withoutDebianData = (cmd: string, args: string[]): [string, string[]] =>
    fs.existsSync("/usr/bin/bwrap")
      ? ["/usr/bin/bwrap", ["--dev-bind", "/", "/", "--tmpfs", "/usr/share/datasets", "--", cmd, ...args]]
      : [cmd, args];
  const dlkit = (...args: string[]) =>
    runCommand(...withoutDebianData("npx", ["--no-install", "dlkit", ...args]), { cwd: fresh, env });

  beforeAll(async () => {
    fs.cpSync(kitDir, fresh, { recursive: true });
    const ci = await runCommand("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: fresh, env });
    if (ci.code !== 0) throw new Error(`npm ci failed in the kit:\n${ci.stderr}`);
  }, 600_000);

  it("installs the kernel spec where Jupyter finds it", async () => {
    const r = await dlkit("install", "--prefix", prefix);
    expect(r.code, r.stderr).toBe(0);
    const list = await runCommand("/usr/bin/jupyter", ["kernelspec", "list"], {
      env: { ...env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") },
    });
    expect(list.stdout).toMatch(
      new RegExp(`typescript-dl\\s+${path.join(prefix, "share", "jupyter", "kernels", "typescript-dl")}`),
    );
    const spec = JSON.parse(
      fs.readFileSync(path.join(prefix, "share", "jupyter", "kernels", "typescript-dl", "kernel.json"), "utf8"),
    );
    expect(spec.argv[1]).toBe(path.join(fresh, "node_modules", "dlkit", "dist", "server", "kernel.js"));
  });

  it("has no release, grade or merge", async () => {
    for (const name of ["release", "grade", "merge"]) {
      const r = await dlkit(name);
      expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(`'${name}' does not exist in the student kit`)]);
    }
    const doctor = await dlkit("doctor");
    expect(doctor.stdout).toContain("✔ Fashion-MNIST (TP4a's data)");
    expect(doctor.code, doctor.stdout).toBe(0);
  });

  it.each(LABS)(
    "runs %s headlessly, failing only where a TODO is not implemented",
    async (name) => {
      const r = await dlkit("run", `labs/${name}.ipynb`, "--allow-errors", "--timeout", "600");
      expect(r.stderr).toMatch(/ran \d+ of \d+ code cells/);
      const executed = readNotebook(path.join(fresh, "labs", `${name}.executed.ipynb`));
      const errors = executed.cells.flatMap((c) =>
        c.cell_type === "code" ? c.outputs.filter((o) => o.output_type === "error") : [],
      );
      expect(errors.length).toBeGreaterThan(0);
      const others = errors
        .map((e) => (e.output_type === "error" ? `${e.ename}: ${e.evalue}` : ""))
        .filter((t) => !/not implemented|NotImplementedError/.test(t));
      expect(others).toEqual([]);
    },
    900_000,
  );

  it.each(LABS)(
    "passes every public check of %s's solution",
    async (name) => {
      fs.mkdirSync(path.join(fresh, "answers"), { recursive: true });
      fs.copyFileSync(path.join(KIT_ROOT, "solutions", `${name}.ipynb`), path.join(fresh, "answers", `${name}.ipynb`));
      const r = await dlkit("run", `answers/${name}.ipynb`, "--print", "--timeout", "600");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/✔ /);
      expect(r.stdout.split("\n").filter((l) => /✘ /.test(l))).toEqual([]);
    },
    900_000,
  );
});

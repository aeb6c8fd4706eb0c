/** The student kit's command line, and release's refusal to write the kit over someone's folder. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main as instructorMain } from "../../cli/cli";
import { STUDENT_COMMANDS } from "../../cli/commands";
import { assertReplaceable } from "../../course/release/student-kit";
import { KIT_MARKER } from "../../course/release/student-kit-files";
import { reachableFiles } from "../../course/release/student-package";
import { main } from "../../cli/student-cli";
import { KIT_ROOT } from "../helpers";

const temps: string[] = [];
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-student-cli-"));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** What a command line printed on stderr, and its exit code. */
async function captured(run: () => Promise<number>): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
  try {
    return { code: await run(), stderr: lines.join("\n") };
  } finally {
    spy.mockRestore();
  }
}

describe("the student kit's dlkit", () => {
  it("offers install, run and doctor, and nothing of the instructor's", async () => {
    expect(Object.keys(STUDENT_COMMANDS).sort()).toEqual(["doctor", "install", "run"]);
    const help = await captured(() => main(["--help"]));
    expect(help.code).toBe(0);
    expect(help.stderr).toMatch(/dlkit install/);
    expect(help.stderr).toMatch(/dlkit run NOTEBOOK/);
    expect(help.stderr).not.toMatch(/release|grade|merge/);
  });

  it.each(["release", "grade", "merge"])("says that %s does not exist there (exit 2)", async (name) => {
    const r = await captured(() => main([name, "solutions/"]));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `dlkit: '${name}' does not exist in the student kit (its commands: install, run, doctor)`,
    );
  });

  it("rejects an unknown command and the instructor's doctor --tests", async () => {
    expect((await captured(() => main(["frobnicate"]))).stderr).toContain("dlkit: unknown command 'frobnicate'");
    expect((await captured(() => main(["doctor", "--tests"]))).code).toBe(2);
  });

  it("ships only code the student command line, the kernel and the library reach: no release, grade or course", () => {
    const files = reachableFiles(KIT_ROOT);
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/cli/student-cli.js",
        "dist/server/kernel.js",
        "dist/runner/runner.js",
        "dist/lib/index.js",
        "dist/lib/index.d.ts",
      ]),
    );
    expect(
      files.filter((f) => /dist\/course\/|kernel\/release\/|kernel\/grade\/|kernel\/cli\.|kernel\/sandbox\./.test(f)),
    ).toEqual([]);
  });

  it("refuses a planted import of the instructor's code", () => {
    const root = tempDir({
      "dist/lib/index.js": 'const x = require("../course/labs");\n',
      "dist/course/labs/index.js": "module.exports = {};\n",
      "dist/server/kernel.js": "",
      "dist/cli/student-cli.js": "",
    });
    expect(() => reachableFiles(root)).toThrow(
      /would ship dist\/course\/labs\/index\.js \(under dist\/course\/\), which is the instructor's/,
    );
  });
});

describe("release --student-kit DIR", () => {
  it("writes into a new folder, an empty one (a fresh clone's .git allowed) or a previous kit", () => {
    expect(() => assertReplaceable(path.join(tempDir(), "new"))).not.toThrow();
    expect(() => assertReplaceable(tempDir())).not.toThrow();
    expect(() => assertReplaceable(tempDir({ ".git/HEAD": "ref: refs/heads/main\n" }))).not.toThrow();
    expect(() => assertReplaceable(tempDir({ [KIT_MARKER]: "{}\n", "labs/old.ipynb": "{}" }))).not.toThrow();
  });

  it("refuses a non-empty folder that is not a kit, exits 2 and leaves it as it was", async () => {
    const dir = tempDir({ "thesis.tex": "my thesis\n" });
    expect(() => assertReplaceable(dir)).toThrow(
      /is not empty and is not a student kit \(it has no \.dlkit-student-kit\)/,
    );
    const r = await captured(() => instructorMain(["release", "--student-kit", dir]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not empty and is not a student kit.*Name another folder, or empty this one yourself/);
    expect(fs.readdirSync(dir)).toEqual(["thesis.tex"]);
    expect(fs.readFileSync(path.join(dir, "thesis.tex"), "utf8")).toBe("my thesis\n");
    const file = path.join(dir, "thesis.tex");
    expect((await captured(() => instructorMain(["release", "--student-kit", file]))).code).toBe(2);
  });

  it("takes no notebooks, --labs or --check beside it", async () => {
    const r = await captured(() => instructorMain(["release", "--student-kit", tempDir(), "--check"]));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--student-kit DIR releases every notebook of solutions/ into DIR");
  });
});

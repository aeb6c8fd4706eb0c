import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../../cli/cli";
import { readNotebook } from "../../../jupyter/notebook";
import { checkReleases, releaseTargets } from "../../../course/release";

const FIXTURES = path.resolve(__dirname, "../../fixtures/grading");
const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A course folder with the fixture solution, as an instructor has it. */
function course(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-release-"));
  temps.push(dir);
  fs.mkdirSync(path.join(dir, "solutions"));
  fs.copyFileSync(path.join(FIXTURES, "solutions/basic.ipynb"), path.join(dir, "solutions/basic.ipynb"));
  return dir;
}

async function cli(cwd: string, ...args: string[]): Promise<number> {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return await main(args);
  } finally {
    process.chdir(before);
  }
}

describe("dlkit release", () => {
  it("writes labs/ from solutions/, byte-identical when run twice, and never touches solutions/", async () => {
    const dir = course();
    const solution = fs.readFileSync(path.join(dir, "solutions/basic.ipynb"));
    expect(await cli(dir, "release")).toBe(0);
    const first = fs.readFileSync(path.join(dir, "labs/basic.ipynb"), "utf8");
    expect(await cli(dir, "release")).toBe(0);
    expect(fs.readFileSync(path.join(dir, "labs/basic.ipynb"), "utf8")).toBe(first);
    expect(fs.readFileSync(path.join(dir, "solutions/basic.ipynb")).equals(solution)).toBe(true);
    expect(fs.readdirSync(path.join(dir, "solutions"))).toEqual(["basic.ipynb"]);
  });

  it("gives students stubs, no solutions, no hidden tests, no outputs but the kept ones", () => {
    const lab = fs.readFileSync(path.join(FIXTURES, "labs/basic.ipynb"), "utf8");
    expect(lab).toContain("not implemented: double");
    expect(lab).not.toContain("return 2 * x");
    expect(lab).not.toMatch(/HIDDEN|double\(-3\)|SOLUTION/);
    expect(lab).not.toContain("solution output");
    expect(lab).toContain("an output the instructor wants students to see");
    const cells = readNotebook(path.join(FIXTURES, "labs/basic.ipynb")).cells;
    expect(cells.filter((c) => c.metadata.editable === false).map((c) => c.metadata.nbgrader?.grade_id)).toEqual([
      "intro",
      "setup",
      "test_double",
      "test_mean",
      "test_zero",
    ]);
  });

  it("--check passes when labs/ is up to date and lists each lab that is not", async () => {
    const dir = course();
    expect(await cli(dir, "release", "--check")).toBe(1);
    await cli(dir, "release");
    expect(await cli(dir, "release", "--check")).toBe(0);
    fs.appendFileSync(path.join(dir, "labs/basic.ipynb"), " ");
    fs.copyFileSync(path.join(dir, "labs/basic.ipynb"), path.join(dir, "labs/orphan.ipynb"));
    const problems = checkReleases(releaseTargets([path.join(dir, "solutions/basic.ipynb")]), path.join(dir, "labs"));
    expect(problems).toEqual([
      `${path.join(dir, "labs/basic.ipynb")}: differs from what release makes of ${path.join(dir, "solutions/basic.ipynb")}`,
      `${path.join(dir, "labs/orphan.ipynb")}: has no solution notebook (remove it, or add its solution)`,
    ]);
    expect(await cli(dir, "release", "--check")).toBe(1);
  });

  it("keeps the committed fixture labs in sync with their solutions (as CI checks labs/)", () => {
    expect(checkReleases(releaseTargets([path.join(FIXTURES, "solutions/basic.ipynb")]))).toEqual([]);
  });

  it("refuses to write into solutions/", () => {
    const dir = course();
    expect(() => releaseTargets([path.join(dir, "solutions/basic.ipynb")], path.join(dir, "solutions"))).toThrow(
      /never writes into solutions/,
    );
  });
});

#!/usr/bin/env node
/**
 * dlkit: the instructor's command line: the student kit's commands
 * (commands.ts) and release, grade and merge.
 *
 *   dlkit install [--user | --sys-prefix | --prefix DIR] [--backend B] [--uninstall]
 *   dlkit run NOTEBOOK [--out FILE] [--timeout S] [--allow-errors] [--kernel NAME] [--print]
 *   dlkit release [SOLUTION.ipynb ...] [--labs DIR] [--check]
 *   dlkit release --student-kit DIR
 *   dlkit doctor [--tests]
 *   dlkit grade SUBMISSIONS... [--lab X] [--jobs N] [--shard k/N] [--out DIR] [...]
 *   dlkit merge DIR... --out DIR
 */
import * as path from "path";
import { parseArgs } from "util";
import { CommandLine, dispatch, STUDENT_COMMANDS } from "./commands";
import { UsageError } from "./errors";
import { doctorCommand } from "./doctor";
import { kitRoot } from "../jupyter/kernelspec";
import { GRADE_USAGE, gradeCommand, mergeCommand } from "../course/grade/command";
import { checkReleases, releaseTargets, writeReleases } from "../course/release";
import { listNotebooks } from "../jupyter/notebook";
import { writeStudentKit } from "../course/release/student-kit";
import { COURSE_LABS } from "../course/labs";
import { compareRecords, recordLab, writeRecords } from "../course/record-checks";

const USAGE = `usage:
  dlkit install [--user | --sys-prefix | --prefix DIR] [--backend node|wasm|cpu|auto] [--uninstall]
  dlkit run NOTEBOOK [--out FILE] [--timeout SECONDS] [--allow-errors] [--kernel NAME] [--print]
  dlkit doctor [--tests]
  dlkit release [SOLUTION.ipynb ...] [--labs DIR] [--check]
  dlkit release --student-kit DIR
${GRADE_USAGE}`;

/** Writes labs from solutions (default: every solutions/*.ipynb) and their checks' records; --check only compares. */
async function releaseCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { labs: { type: "string" }, check: { type: "boolean" }, "student-kit": { type: "string" } },
  });
  if (values["student-kit"] !== undefined) {
    if (positionals.length || values.labs !== undefined || values.check) {
      throw new UsageError(
        "--student-kit DIR releases every notebook of solutions/ into DIR: it takes no notebooks, --labs or --check",
      );
    }
    const kit = await writeStudentKit({
      dir: values["student-kit"],
      root: kitRoot(),
      log: (line) => console.error(line),
    });
    console.error(
      `student kit written to ${kit.dir}: ${kit.labs.length} lab(s), vendor/${kit.tarball} (${(kit.tarballBytes / 1e6).toFixed(1)} MB)`,
    );
    return 0;
  }
  const all = positionals.length === 0;
  const solutions = all ? listNotebooks("solutions") : positionals;
  if (all && solutions.length === 0) {
    console.error(
      "dlkit release: no notebooks in solutions/: nothing to release (run it from the kit's folder, or name the solutions).",
    );
  }
  const targets = releaseTargets(solutions, values.labs);
  const courseLabs = targets.flatMap((t) => COURSE_LABS.get(t.lab) ?? []);
  if (values.check) {
    const problems = checkReleases(targets, all ? (values.labs ?? "labs") : undefined);
    for (const lab of courseLabs) problems.push(...compareRecords(kitRoot(), await recordLab(lab)));
    for (const p of problems) console.error(p);
    if (problems.length) {
      console.error(
        `dlkit release --check: ${problems.length} file(s) out of date: run \`npm run release\` and commit labs/ and lib/check/records/.`,
      );
      return 1;
    }
    console.error(`dlkit release --check: ${targets.length} lab(s) and ${courseLabs.length} record file(s) up to date`);
    return 0;
  }
  writeReleases(targets);
  for (const t of targets) console.error(`released ${t.solution} → ${path.relative(process.cwd(), t.output)}`);
  for (const lab of courseLabs) {
    const file = writeRecords(kitRoot(), await recordLab(lab));
    console.error(`recorded ${lab.name}'s public checks → ${path.relative(process.cwd(), file)}`);
  }
  return 0;
}

const CLI: CommandLine = {
  commands: {
    ...STUDENT_COMMANDS,
    doctor: (args) => doctorCommand(args),
    release: releaseCommand,
    grade: gradeCommand,
    merge: mergeCommand,
  },
  usage: USAGE,
};

export const main = (argv: string[]): Promise<number> => dispatch(CLI, argv);

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

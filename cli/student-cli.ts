#!/usr/bin/env node
/**
 * dlkit in the student kit: the commands a student uses, and no others.
 *
 *   dlkit install [--user | --sys-prefix | --prefix DIR] [--backend B] [--uninstall]
 *   dlkit run NOTEBOOK [--out FILE] [--timeout S] [--allow-errors] [--kernel NAME] [--print]
 *   dlkit doctor
 *
 * Release, grade and merge are the instructor's: they need the solutions,
 * which the student kit does not hold, and their code is not shipped.
 */
import { CommandLine, dispatch, STUDENT_COMMANDS, STUDENT_USAGE } from "./commands";

const INSTRUCTOR_COMMANDS = ["release", "grade", "merge"];

export const STUDENT_CLI: CommandLine = {
  commands: STUDENT_COMMANDS,
  usage: STUDENT_USAGE,
  unknown: (name) =>
    INSTRUCTOR_COMMANDS.includes(name)
      ? `dlkit: '${name}' does not exist in the student kit (its commands: ${Object.keys(STUDENT_COMMANDS).join(", ")}); ${name} is the instructor's, in the course's own repository.`
      : `dlkit: unknown command '${name}'`,
};

export const main = (argv: string[]): Promise<number> => dispatch(STUDENT_CLI, argv);

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

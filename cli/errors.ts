/**
 * How a command fails on what it was given, wherever the command's code
 * lives (the grade and release commands live with the course tooling): the
 * command line turns both into exit code 2 and the message.
 */

/** A mistake in how the command was called: exit 2 with the message and the usage. */
export class UsageError extends Error {}

/** An input the command cannot use (a folder it must not write into, say): exit 2 with the message. */
export class InputError extends Error {}

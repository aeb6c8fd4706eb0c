/**
 * The kit's layering, checked by `npm run lint` (dependency-cruiser):
 *
 *   cli ──▶ course ──▶ runner ──▶ jupyter
 *    │        │  └──────▶ server ──▶ jupyter
 *    └────────┴──────────────┴──▶ lib       (notebooks import lib only)
 *
 * lib is what a student's notebook imports: it never reaches the kernel or
 * the course tooling. Inside lib, backend is the bottom layer.
 */
const TOOLING = "^(jupyter|server|runner|course|cli)/";

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "An import cycle, type-only ones included: split the shared part into its own module.",
      from: {},
      to: { circular: true },
    },
    {
      name: "lib-is-the-student-library",
      severity: "error",
      comment: "lib/ is what notebooks import: it never reaches the kernel, the runner, the course tooling or the CLI.",
      from: { path: "^lib/" },
      to: { path: TOOLING },
    },
    {
      name: "backend-is-the-bottom-of-lib",
      severity: "error",
      comment: "lib/backend runs tfjs kernels; the layers above (nn, optim, ...) use it, never the reverse.",
      from: { path: "^lib/backend/" },
      to: { path: "^lib/(?!backend/)" },
    },
    {
      name: "jupyter-is-vocabulary",
      severity: "error",
      comment:
        "jupyter/ (wire protocol, notebook files, kernel specs) is shared by the server, the runner and the tooling; it uses none of them.",
      from: { path: "^jupyter/" },
      to: { path: "^(server|runner|course|cli)/" },
    },
    {
      name: "server-stands-alone",
      severity: "error",
      comment:
        "The kernel server ships to students and runs their cells; it does not use the runner, the course tooling or the CLI.",
      from: { path: "^server/" },
      to: { path: "^(runner|course|cli)/" },
    },
    {
      name: "runner-is-a-client",
      severity: "error",
      comment:
        "The runner is a Jupyter client: it talks to a kernel through the protocol, never by importing the server, the course tooling or the CLI.",
      from: { path: "^runner/" },
      to: { path: "^(server|course|cli)/" },
    },
    {
      name: "course-below-cli",
      severity: "error",
      comment:
        "The course tooling is a library the CLI calls; its commands throw the CLI's errors (cli/errors.ts), nothing else of it.",
      from: { path: "^course/" },
      to: { path: "^cli/", pathNot: "^cli/errors\\.ts$" },
    },
    {
      name: "student-commands-without-course",
      severity: "error",
      comment: "What the student kit ships (the student command line) never reaches the instructor's course tooling.",
      from: { path: "^cli/(commands|doctor|student-cli)\\.ts$" },
      to: { path: "^course/" },
    },
    {
      name: "bench-and-tests-only-above",
      severity: "error",
      comment: "Nothing shipped imports the bench or the tests.",
      from: { path: TOOLING.replace(")/", "|lib)/") },
      to: { path: "^(bench|tests)/" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|out)/" },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

/** grade: restore → hidden tests → execute (sandboxed) → score → feedback, and the reports; on Slurm, as a job array. */
export * from "./execute";
export * from "./feedback";
export * from "./grade";
export * from "./hidden-tests";
export * from "./records";
export * from "./report";
export * from "./result";
export * from "./restore";
export * from "./score";
export * from "./slurm";
export * from "./submissions";
export * from "./tamper";

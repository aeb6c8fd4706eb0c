/** grade: restore → hidden tests → execute (sandboxed) → score → feedback, and the reports. */
export * from "./execute";
export * from "./feedback";
export * from "./grade";
export * from "./hidden-tests";
export * from "./records";
export * from "./report";
export * from "./restore";
export * from "./score";
export * from "./submissions";
export * from "./tamper";

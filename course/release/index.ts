/** release: instructor solutions → student labs, nbgrader-style. */
export * from "../nbgrader/cells";
export * from "./checksum";
export * from "./clear-outputs";
export * from "./clear-solutions";
export * from "./files";
export * from "./lock-cells";
export * from "./pipeline";
export * from "../nbgrader/regions";
export * from "./stamp-lab";
export * from "./strip-hidden-tests";
export * from "./stub";
export * from "./validate";

/**
 * Where real data comes from: files that npm or Debian packages install.
 * When one is missing, the error says which package provides it and how to
 * install it, or which path to pass instead.
 */
import * as fs from "fs";
import * as path from "path";

/** A data file is not installed; the message says which package provides it or which path to pass. */
export class MissingDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MissingDataError";
  }
}

/** The folder of an installed npm package that holds `file`. */
export function npmPackageDir(pkg: string, file: string, what: string): string {
  // Resolving package.json fails for packages whose "exports" hide it, so look in each node_modules in turn.
  for (const dir of require.resolve.paths(pkg) ?? []) {
    if (fs.existsSync(path.join(dir, pkg, file))) return path.join(dir, pkg);
  }
  throw new MissingDataError(
    `${what} comes from the npm package ${pkg}, which is not installed here. ` +
      `Run \`npm ci\` in the course folder (${pkg} is a dependency of dlkit), or \`npm install ${pkg}\`.`,
  );
}

/** Throws a MissingDataError naming the provider unless `file` exists. */
export function requireFile(file: string, what: string, provider: string): string {
  if (!fs.existsSync(file)) throw new MissingDataError(`${what}: ${file} does not exist. ${provider}`);
  return file;
}

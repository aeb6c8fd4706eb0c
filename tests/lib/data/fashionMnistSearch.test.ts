/** Where fashionMnist() finds its files: a student kit without Debian's package must work, and a miss must say where it looked. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { findFashionMnist, MissingDataError } from "../../../lib/data";

const base = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-fashion-search-"));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

function idxFolder(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
  ])
    fs.writeFileSync(path.join(dir, `${f}.gz`), "");
  return dir;
}

const kit = path.join(base, "kit");
const kitData = idxFolder(path.join(kit, "data", "fashion-mnist"));
const installed = path.join(kit, "node_modules", "dlkit", "dist", "lib", "data");
fs.mkdirSync(installed, { recursive: true });
fs.mkdirSync(path.join(kit, "labs"));
const noDebian = path.join(base, "no-debian");

describe("findFashionMnist", () => {
  it("prefers $FASHION_MNIST_DIR, then Debian's folder", () => {
    const own = idxFolder(path.join(base, "own"));
    const debian = idxFolder(path.join(base, "debian"));
    expect(findFashionMnist({ env: { FASHION_MNIST_DIR: own }, debianDir: debian, libraryDir: installed })).toBe(own);
    expect(findFashionMnist({ env: {}, debianDir: debian, libraryDir: installed })).toBe(debian);
  });

  it("finds the student kit's data/fashion-mnist from the installed library or from a notebook's folder", () => {
    expect(findFashionMnist({ env: {}, debianDir: noDebian, libraryDir: installed, cwd: os.tmpdir() })).toBe(kitData);
    expect(
      findFashionMnist({ env: {}, debianDir: noDebian, libraryDir: os.tmpdir(), cwd: path.join(kit, "labs") }),
    ).toBe(kitData);
  });

  it("names every place it looked and the fix when none holds the files", () => {
    const elsewhere = path.join(base, "elsewhere");
    fs.mkdirSync(elsewhere);
    let error: unknown;
    try {
      findFashionMnist({
        env: { FASHION_MNIST_DIR: "/nonexistent" },
        debianDir: noDebian,
        libraryDir: elsewhere,
        cwd: elsewhere,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingDataError);
    const message = (error as Error).message;
    expect(message).toContain("/nonexistent ($FASHION_MNIST_DIR)");
    expect(message).toContain(`${noDebian} (Debian's dataset-fashion-mnist)`);
    expect(message).toContain(`data/fashion-mnist in ${elsewhere} and every folder above it (the student kit's copy)`);
    expect(message).toMatch(
      /Fix: in the student kit, open the labs from the kit's folder.*apt-get install dataset-fashion-mnist.*FASHION_MNIST_DIR/,
    );
  });
});

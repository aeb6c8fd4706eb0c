/**
 * The kit's hand-written WebAssembly (lib/backend/simd/*.wat) and the bytes
 * it ships (modules.generated.ts) are the same program: assembling the
 * sources again gives the shipped bytes.
 */
import * as fs from "fs";
import { describe, expect, it } from "vitest";
import { GENERATED, assembleAll, generatedSource } from "../../../lib/backend/simd/assemble";

describe("lib/backend/simd", () => {
  it("ships the bytes its .wat sources assemble to (else: npm run build:simd)", async () => {
    const modules = await assembleAll();
    expect(Object.keys(modules)).toContain("batched-matmul");
    expect(fs.readFileSync(GENERATED, "utf8"), "modules.generated.ts is stale: run npm run build:simd").toBe(
      generatedSource(modules),
    );
  });
});

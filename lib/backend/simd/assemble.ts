/**
 * Assembles the hand-written WebAssembly of lib/backend/simd (*.wat) into
 * modules.generated.ts, the bytes the kit loads at run time (so students
 * need no assembler). Run after editing a .wat file:
 *
 *   npm run build:simd
 *
 * tests/lib/backend/simd.test.ts fails when the two disagree.
 */
import * as fs from "fs";
import * as path from "path";

const SIMD_DIR = __dirname;
export const GENERATED = path.join(SIMD_DIR, "modules.generated.ts");

/** The product kernels, which also ship with fused multiply-adds (`.fma`). */
export const FMA_MODULES = [
  "batched-matmul",
  "conv-filter-gradient",
  "conv-forward",
  "conv-input-gradient",
  "matmul-blocked",
  "matmul-transposed",
  "matmul-transposed-a",
];

const PLAIN_MEMORY = '(import "env" "memory" (memory 0))';
/** The threaded backend's memory: shared, at most 4 GiB (65536 pages), as its glue makes it. */
const SHARED_MEMORY = '(import "env" "memory" (memory 0 65536 shared))';

/** The balanced expression (or bare token) starting at `at`, and where it ends. */
function expressionAt(text: string, at: number): [string, number] {
  while (/\s/.test(text[at])) at++;
  if (text[at] !== "(") {
    const end = text.slice(at).search(/[\s()]/);
    return [text.slice(at, at + end), at + end];
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return [text.slice(at, i + 1), i + 1];
  }
  throw new Error(`unbalanced expression at ${at}`);
}

/** The operands of `(op X Y)`, or null when `expr` is not that operation with two operands. */
function operands(expr: string, op: string): [string, string] | null {
  if (!expr.startsWith(`(${op} `)) return null;
  const [x, afterX] = expressionAt(expr, op.length + 1);
  const [y, afterY] = expressionAt(expr, afterX);
  return expr.slice(afterY).trim() === ")" ? [x, y] : null;
}

/**
 * Every `(f32x4.add C (f32x4.mul A B))` (either operand order) becomes
 * `(f32x4.relaxed_madd A B C)`: A·B + C with one rounding where the engine
 * fuses it (x86 with FMA, ARM), with two where it does not.
 */
export function fuseMultiplyAdds(wat: string): string {
  let out = "";
  let i = 0;
  for (let at = wat.indexOf("(f32x4.add ", i); at >= 0; at = wat.indexOf("(f32x4.add ", i)) {
    out += wat.slice(i, at);
    const [expr, end] = expressionAt(wat, at);
    const [x, y] = operands(expr, "f32x4.add")!;
    const [sum, product] = operands(y, "f32x4.mul") ? [x, y] : [y, x];
    const factors = operands(product, "f32x4.mul");
    out += factors
      ? `(f32x4.relaxed_madd ${fuseMultiplyAdds(factors[0])} ${fuseMultiplyAdds(factors[1])} ${fuseMultiplyAdds(sum)})`
      : `(f32x4.add ${fuseMultiplyAdds(x)} ${fuseMultiplyAdds(y)})`;
    i = end;
  }
  return out + wat.slice(i);
}

/**
 * The variants of one module's text by name: `name` (plain memory),
 * `name.shared` (the threaded backend's shared memory), and for the
 * product kernels `name.fma` and `name.fma.shared`.
 */
export function variants(name: string, wat: string): Record<string, string> {
  if (!wat.includes(PLAIN_MEMORY)) throw new Error(`${name}.wat: expected the import ${PLAIN_MEMORY}`);
  const texts: Record<string, string> = { [name]: wat };
  if (FMA_MODULES.includes(name)) {
    const fused = fuseMultiplyAdds(wat);
    if (!fused.includes("f32x4.relaxed_madd")) throw new Error(`${name}.wat: no (f32x4.add c (f32x4.mul a b)) to fuse`);
    texts[`${name}.fma`] = fused;
  }
  for (const [key, text] of Object.entries(texts)) texts[`${key}.shared`] = text.replace(PLAIN_MEMORY, SHARED_MEMORY);
  return texts;
}

type Wabt = {
  parseWat(
    name: string,
    text: string,
    features: Record<string, boolean>,
  ): { validate(): void; toBinary(o: object): { buffer: Uint8Array }; destroy(): void };
};

let wabt: Promise<Wabt> | null = null;

/**
 * The bytes of the module `text` (WebAssembly text, SIMD, threads and relaxed
 * SIMD allowed), validated unless `validate` is false. `name` is for errors.
 */
export async function assembleWat(name: string, text: string, validate = true): Promise<Uint8Array> {
  const parsed = (await (wabt ??= (require("wabt") as () => Promise<Wabt>)())).parseWat(name, text, {
    simd: true,
    threads: true,
    relaxed_simd: true,
  });
  try {
    if (validate) parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** Every .wat file here, assembled, as base64 by module name (with the variants of `variants`). */
export async function assembleAll(): Promise<Record<string, string>> {
  const modules: Record<string, string> = {};
  for (const file of fs
    .readdirSync(SIMD_DIR)
    .filter((f) => f.endsWith(".wat"))
    .sort()) {
    const texts = variants(path.basename(file, ".wat"), fs.readFileSync(path.join(SIMD_DIR, file), "utf8"));
    for (const [name, text] of Object.entries(texts).sort(([a], [b]) => a.localeCompare(b))) {
      // wabt 1.0.39's validate rejects every shared memory, threads enabled or not: the .shared text is the validated one with its import changed.
      const bytes = await assembleWat(`${name}.wat`, text, !name.endsWith(".shared"));
      modules[name] = Buffer.from(bytes).toString("base64");
    }
  }
  return modules;
}

export function generatedSource(modules: Record<string, string>): string {
  const entries = Object.entries(modules).map(([name, bytes]) => `  "${name}": "${bytes}",`);
  return [
    "// Generated by lib/backend/simd/assemble.ts from the .wat files beside it (npm run build:simd). Do not edit.",
    "export const SIMD_MODULES: Record<string, string> = {",
    ...entries,
    "};",
    "",
  ].join("\n");
}

if (require.main === module) {
  assembleAll().then(
    (modules) => {
      fs.writeFileSync(GENERATED, generatedSource(modules));
      console.log(`wrote ${path.relative(process.cwd(), GENERATED)}: ${Object.keys(modules).join(", ")}`);
    },
    // wabt's errors carry its whole compiled source in the stack: the message alone names the file and line.
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}

/**
 * The kit's kernels (lib/backend/simd; the products plain and with fused
 * multiply-adds) write their output, all of it, and nothing else. A store
 * past the output lands in whatever tensor lies next to it on the backend's
 * heap, which no test of the output's values sees. Here each kernel runs on
 * a memory of its own, every input and the output between guard floats (a
 * NaN payload no arithmetic makes), on the shapes that reach the kernels'
 * edges: rows and columns past the last whole tile, partly filled channel
 * tiles, rows of odd width, both convolution tiles, lengths that are not
 * whole vectors.
 */
import { afterAll, describe, expect, it } from "vitest";
import { setFusedMultiplyAdd, simdKernel } from "../../../lib/backend/simd";

afterAll(() => setFusedMultiplyAdd(null));

const GUARD = 0x7fa5a5a5;
const GUARD_FLOATS = 64;

/** Regions laid out one after another in a fresh memory, each followed by guard floats. */
class Arena {
  readonly memory = new WebAssembly.Memory({ initial: 64 });
  private readonly words = new Uint32Array(this.memory.buffer);
  private readonly floats = new Float32Array(this.memory.buffer);
  private next = GUARD_FLOATS;
  /** Each region, with an input's values (which must stay) or whether an output must be written in full. */
  private readonly regions: { name: string; at: number; floats: number; input?: Float32Array; full?: boolean }[] = [];

  constructor() {
    this.words.fill(GUARD);
  }

  /** An input of `floats` values (or given ones), unchanged by the kernel; its byte offset. */
  input(name: string, floats: number, values?: ArrayLike<number>): number {
    const at = this.take(name, floats);
    for (let i = 0; i < floats; i++) this.floats[at + i] = values ? values[i] : Math.sin(1.37 * i + at);
    this.regions[this.regions.length - 1].input = this.floats.slice(at, at + floats);
    return 4 * at;
  }

  /** Integers (a table of byte offsets), unchanged by the kernel. */
  table(name: string, values: number[]): number {
    const at = this.take(name, values.length);
    this.words.set(values, at);
    this.regions[this.regions.length - 1].input = this.floats.slice(at, at + values.length);
    return 4 * at;
  }

  /** The output, `floats` long, left as guard floats: the kernel must write every one. */
  output(name: string, floats: number): number {
    const at = this.take(name, floats);
    this.regions[this.regions.length - 1].full = true;
    return 4 * at;
  }

  /** An output zeroed for a kernel that adds into it, where it may leave some floats alone. */
  sums(name: string, floats: number): number {
    const at = this.take(name, floats);
    this.floats.fill(0, at, at + floats);
    return 4 * at;
  }

  private take(name: string, floats: number): number {
    const at = this.next;
    this.regions.push({ name, at, floats });
    this.next += floats + GUARD_FLOATS;
    return at;
  }

  /** What went wrong, or null: a guard float changed, an input changed, or an output float left unwritten. */
  problem(): string | null {
    const first = this.words.subarray(0, GUARD_FLOATS).findIndex((w) => w !== GUARD);
    if (first >= 0)
      return `the guard before ${this.regions[0].name} was written, ${GUARD_FLOATS - first} floats before it`;
    for (const r of this.regions) {
      if (r.input) {
        const now = new Float32Array(this.memory.buffer, 4 * r.at, r.floats);
        const changed = now.findIndex((v, i) => !Object.is(v, r.input![i]));
        if (changed >= 0) return `input ${r.name} was written at float ${changed}`;
      } else if (r.full) {
        const unwritten = this.words.subarray(r.at, r.at + r.floats).findIndex((w) => w === GUARD);
        if (unwritten >= 0) return `output ${r.name}: float ${unwritten} of ${r.floats} was not written`;
      }
      const end = r.at + r.floats;
      const guard = this.words.subarray(end, end + GUARD_FLOATS).findIndex((w) => w !== GUARD);
      if (guard >= 0) return `the guard after ${r.name} was written, ${guard + 1} floats past its end`;
    }
    return null;
  }
}

interface Case {
  what: string;
  /** Lays out the inputs and the output, and runs the kernel. */
  run: (arena: Arena) => void;
}

const roundUp = (n: number, multiple: number) => Math.ceil(n / multiple) * multiple;

function batched(batch: number, m: number, k: number, n: number, aStoredTransposed: boolean): Case {
  return {
    what: `batched-matmul, ${batch} × [${m},${k}]·[${k},${n}]${aStoredTransposed ? ", a stored transposed" : ""}`,
    run: (arena) => {
      const a = arena.input("a", batch * m * k);
      const b = arena.input("b", batch * k * n);
      const c = arena.output("c", batch * m * n);
      const [rowStep, kStep] = aStoredTransposed ? [4, 4 * m] : [4 * k, 4];
      simdKernel(arena.memory, "batched-matmul", "batchedMatMul")(a, b, c, batch, m, k, n, rowStep, kStep);
    },
  };
}

function transposedB(m: number, k: number, n: number): Case {
  return {
    what: `matmul-transposed, [${m},${k}]·[${n},${k}]ᵀ`,
    run: (arena) => {
      const a = arena.input("a", m * k);
      const b = arena.input("b", n * k);
      const c = arena.output("c", m * n);
      simdKernel(arena.memory, "matmul-transposed", "matMulTransposed")(a, b, c, m, k, n);
    },
  };
}

function transposedA(n: number, k: number, m: number): Case {
  return {
    what: `matmul-transposed-a, [${n},${k}]ᵀ·[${n},${m}]`,
    run: (arena) => {
      const a = arena.input("a", n * k);
      const b = arena.input("b", n * m);
      const c = arena.output("c", k * m);
      simdKernel(arena.memory, "matmul-transposed-a", "matMulTransposedA")(a, b, c, n, k, m);
    },
  };
}

/** b packed into panels, then C's rows in fours, in the ranges that `split` (row numbers) cuts, as threads would. */
function blocked(m: number, k: number, n: number, depth: number, split: number[]): Case {
  return {
    what: `matmul-blocked, [${m},${k}]·[${k},${n}] in blocks of ${depth} steps, ${split.length ? `rows cut at ${split.join(", ")}` : "rows in one range"}`,
    run: (arena) => {
      const a = arena.input("a", m * k);
      const b = arena.input("b", k * n);
      const packed = arena.output("packed b", k * n);
      const c = arena.output("c", m * n);
      simdKernel(arena.memory, "matmul-blocked", "packColumns")(b, packed, k, n);
      const cuts = [0, ...split, m];
      for (let i = 0; i + 1 < cuts.length; i++) {
        simdKernel(arena.memory, "matmul-blocked", "multiplyRows")(a, packed, c, cuts[i], cuts[i + 1], k, n, depth);
      }
    },
  };
}

interface Convolution {
  images: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  inC: number;
  outC: number;
  stride: number;
}

/** An unpadded image for the convolution `c`: its sizes and byte strides as lib/backend/wasm-conv.ts gives them. */
function image(c: Convolution) {
  const [height, width] = [(c.outH - 1) * c.stride + c.kH, (c.outW - 1) * c.stride + c.kW];
  const rowBytes = 4 * width * c.inC;
  return {
    floats: c.images * height * width * c.inC,
    imageBytes: height * rowBytes,
    rowBytes,
    rowStep: c.stride * rowBytes,
    pixelStep: 4 * c.stride * c.inC,
  };
}

/** The convolutions' two tiles: 4 pixels (or taps) × 8 channels, and 2 × 16 (channels padded to 16). */
type Tiles = "4 × 8" | "2 × 16";

function convForward(c: Convolution, tiles: Tiles): Case {
  const wide = tiles === "2 × 16";
  return {
    what: `conv-forward, ${c.inC} → ${c.outC} channels, rows of ${c.outW} (${tiles} tiles)`,
    run: (arena) => {
      const x = image(c);
      const window = c.kW * c.inC;
      const op = roundUp(c.outC, wide ? 16 : 8);
      const px = arena.input("x", x.floats);
      const weights = Array.from({ length: c.kH * window * op }, (_, i) => (i % op < c.outC ? Math.cos(i) : 0));
      const pw = arena.input("w", weights.length, weights);
      const py = arena.output("y", c.images * c.outH * c.outW * c.outC);
      simdKernel(arena.memory, "conv-forward", "convForward")(
        px,
        pw,
        py,
        c.images,
        c.outH,
        c.outW,
        c.kH,
        window,
        op,
        c.outC,
        x.imageBytes,
        x.rowBytes,
        x.rowStep,
        x.pixelStep,
        wide ? 1 : 0,
      );
    },
  };
}

function convFilterGradient(c: Convolution, tiles: Tiles): Case {
  const wide = tiles === "2 × 16";
  return {
    what: `conv-filter-gradient, ${c.inC} → ${c.outC} channels (${tiles} tiles)`,
    run: (arena) => {
      const x = image(c);
      const window = c.kW * c.inC;
      const taps = c.kH * window;
      const [tp, op] = [roundUp(taps, 4), roundUp(c.outC, wide ? 16 : 8)];
      const offsets = Array.from({ length: tp }, (_, t) =>
        t < taps ? Math.floor(t / window) * x.rowBytes + 4 * (t % window) : 0,
      );
      const px = arena.input("x", x.floats);
      // The kernel's extra lanes read op − O floats past dY's end (the guard here); they fill columns the caller drops.
      const pdy = arena.input("dy", c.images * c.outH * c.outW * c.outC);
      const ptaps = arena.table("taps", offsets);
      const pw = arena.output("dW", tp * op);
      simdKernel(arena.memory, "conv-filter-gradient", "convFilterGradient")(
        px,
        pdy,
        pw,
        ptaps,
        c.images,
        c.outH,
        c.outW,
        tp,
        op,
        x.imageBytes,
        x.rowStep,
        x.pixelStep,
        4 * c.outC,
        wide ? 1 : 0,
      );
    },
  };
}

function convInputGradient(c: Convolution): Case {
  return {
    what: `conv-input-gradient, ${c.inC} → ${c.outC} channels, stride ${c.stride}`,
    run: (arena) => {
      const x = image(c);
      const window = c.kW * c.inC;
      const jp = roundUp(window, 16);
      const turned = Array.from({ length: c.kH * c.outC * jp }, (_, i) => (i % jp < window ? Math.cos(i) : 0));
      const pdy = arena.input("dy", c.images * c.outH * c.outW * c.outC);
      const pwt = arena.input("turned W", turned.length, turned);
      // Zeroed and added into, with room for the masked lanes past the last window row, as the caller allocates it.
      const pdx = arena.sums("dx", x.floats + jp);
      simdKernel(arena.memory, "conv-input-gradient", "convInputGradient")(
        pdy,
        pwt,
        pdx,
        c.images,
        c.outH,
        c.outW,
        c.kH,
        window,
        jp,
        c.outC,
        x.imageBytes,
        x.rowBytes,
        x.rowStep,
        x.pixelStep,
      );
    },
  };
}

const lenetFirst = { images: 2, outH: 3, outW: 8, kH: 5, kW: 5, inC: 1, outC: 6, stride: 1 };
const CASES: Case[] = [
  batched(2, 7, 5, 21, false),
  batched(1, 9, 3, 10, false),
  batched(3, 6, 4, 13, true),
  transposedB(3, 7, 6),
  transposedB(2, 3, 5),
  transposedA(5, 7, 21),
  transposedA(3, 2, 6),
  transposedA(150, 7, 21),
  blocked(12, 20, 24, 7, [4, 8]),
  blocked(8, 5, 8, 16, []),
  blocked(4, 3, 72, 2, []),
  convForward(lenetFirst, "4 × 8"),
  convForward({ images: 2, outH: 2, outW: 5, kH: 3, kW: 2, inC: 3, outC: 13, stride: 1 }, "2 × 16"),
  convForward({ images: 2, outH: 2, outW: 5, kH: 3, kW: 2, inC: 3, outC: 13, stride: 1 }, "4 × 8"),
  convForward({ images: 1, outH: 3, outW: 3, kH: 2, kW: 3, inC: 2, outC: 9, stride: 2 }, "2 × 16"),
  convForward({ images: 2, outH: 2, outW: 2, kH: 3, kW: 3, inC: 3, outC: 32, stride: 1 }, "2 × 16"),
  convFilterGradient(lenetFirst, "4 × 8"),
  convFilterGradient({ images: 2, outH: 3, outW: 5, kH: 2, kW: 2, inC: 3, outC: 16, stride: 1 }, "2 × 16"),
  convFilterGradient({ images: 1, outH: 2, outW: 3, kH: 3, kW: 2, inC: 2, outC: 9, stride: 2 }, "2 × 16"),
  convInputGradient({ images: 2, outH: 3, outW: 5, kH: 3, kW: 3, inC: 6, outC: 16, stride: 1 }),
  convInputGradient({ images: 1, outH: 3, outW: 2, kH: 2, kW: 3, inC: 7, outC: 5, stride: 2 }),
];

/** A kernel of `inputs` float arrays of the given sizes and one output, its arguments the offsets then `sizes`. */
function simple(module: string, name: string, inputs: number[], output: number, sizes: number[]): Case {
  return {
    what: `${module} ${name}, ${inputs.join(" and ")} floats in, sizes ${sizes.join(", ")}`,
    run: (arena) => {
      const offsets = inputs.map((floats, i) => arena.input(`input ${i + 1}`, floats));
      simdKernel(arena.memory, module, name)(...offsets, arena.output("out", output), ...sizes);
    },
  };
}

const LAYOUT_CASES: Case[] = [
  simple("relu-grad", "reluGrad", [11, 11], 11, [11]),
  simple("tanh", "tanh", [11], 11, [11]),
  simple("tanh", "tanh", [4], 4, [4]),
  simple("softmax", "softmax", [24], 24, [3, 8]),
  simple("softmax", "softmaxGrad", [24, 24], 24, [3, 8]),
  simple("transpose-2d", "transpose2d", [70], 70, [2, 5, 7]),
  simple("transpose-2d", "transpose2d", [27], 27, [1, 9, 3]),
  {
    what: "add-repeating, 5 chunks of 12",
    run: (arena) => {
      const [x, pattern] = [arena.input("x", 60), arena.input("pattern", 12)];
      simdKernel(arena.memory, "add-repeating", "addRepeating")(x, arena.output("out", 60), 5, 12, pattern);
    },
  },
  {
    what: "column-sums, 70 chunks of 12 (more than a block of 64)",
    run: (arena) => {
      const x = arena.input("x", 70 * 12);
      simdKernel(arena.memory, "column-sums", "columnSums")(x, 70, 12, arena.sums("float64 sums", 2 * 12));
    },
  },
  {
    what: "copy-rows, rows of 5 floats into a padded layout of 9",
    run: (arena) => {
      const from = arena.input("rows", 2 * 3 * 5);
      const to = arena.sums("padded", 2 * 4 * 9);
      simdKernel(arena.memory, "copy-rows", "copyRows")(from, to + 4 * 10, 2, 3, 20, 20, 36, 60, 4 * 4 * 9);
    },
  },
  {
    what: "layer-norm, forward and backward, 3 rows of 8",
    run: (arena) => {
      const [x, weight, bias] = [arena.input("x", 24), arena.input("weight", 8), arena.input("bias", 8)];
      const [y, mean, rstd] = [arena.output("y", 24), arena.output("mean", 3), arena.output("rstd", 3)];
      simdKernel(arena.memory, "layer-norm", "layerNorm")(x, weight, bias, y, mean, rstd, 3, 8, 1e-5);
      const dy = arena.input("dy", 24);
      const [dx, dWeight, dBias] = [arena.output("dx", 24), arena.sums("dWeight", 8), arena.sums("dBias", 8)];
      simdKernel(arena.memory, "layer-norm", "layerNormGrad")(dy, x, mean, rstd, weight, dx, dWeight, dBias, 3, 8);
    },
  },
  {
    what: "max-pool 2 × 2, forward and backward, 6 channels on a 5 × 4 image",
    run: (arena) => {
      const x = arena.input("x", 2 * 5 * 4 * 6);
      simdKernel(arena.memory, "max-pool", "maxPool2x2")(x, arena.output("y", 2 * 2 * 2 * 6), 2, 5, 4, 6, 2, 2);
      const dy = arena.input("dy", 2 * 2 * 2 * 6);
      const dx = arena.sums("dx", 2 * 5 * 4 * 6);
      simdKernel(arena.memory, "max-pool", "maxPoolGrad2x2")(x, dy, dx, 2, 5, 4, 6, 2, 2);
    },
  },
  {
    what: "max-pool 3 × 3 tiles, backward, 5 channels on a 7 × 6 image",
    run: (arena) => {
      const [x, dy] = [arena.input("x", 7 * 6 * 5), arena.input("dy", 2 * 2 * 5)];
      const dx = arena.sums("dx", 7 * 6 * 5);
      simdKernel(arena.memory, "max-pool", "maxPoolGradTiles")(x, dy, dx, 1, 7, 6, 5, 2, 2, 3, 3);
    },
  },
  {
    what: "transpose of any rank, [2, 3, 5] by [2, 0, 1]",
    run: (arena) => {
      const [shape, perm] = [
        [2, 3, 5],
        [2, 0, 1],
      ];
      const strides = shape.map((_, i) => 4 * shape.slice(i + 1).reduce((a, b) => a * b, 1));
      const x = arena.input("x", 30);
      const table = arena.table("shape and strides", [...perm.map((a) => shape[a]), ...perm.map((a) => strides[a])]);
      const counter = arena.sums("counter", 3);
      simdKernel(arena.memory, "transpose", "transpose")(x, arena.output("out", 30), 3, table, table + 12, counter, 30);
    },
  },
  {
    what: "sgd-step, 11 floats",
    run: (arena) => {
      const [param, grad] = [arena.input("param", 11), arena.input("grad", 11)];
      simdKernel(arena.memory, "sgd-step", "sgdStep")(param, grad, arena.output("out", 11), 11, 0.1);
    },
  },
  {
    what: "adam-step, 11 floats",
    run: (arena) => {
      const [param, grad, m] = [arena.input("param", 11), arena.input("grad", 11), arena.input("m", 11)];
      const v = arena.input(
        "v",
        11,
        Array.from({ length: 11 }, (_, i) => 0.01 * (i + 1)),
      );
      const outputs = [arena.output("param out", 11), arena.output("m out", 11), arena.output("v out", 11)];
      const constants = [0.9, 0.1, 0.999, 0.001, 0.03, 1e-8, 0.001];
      simdKernel(arena.memory, "adam-step", "adamStep")(param, grad, m, v, ...outputs, 11, ...constants);
    },
  },
];

describe("the elementwise and layout kernels write their output and nothing else", () => {
  for (const c of LAYOUT_CASES) {
    it(c.what, () => {
      const arena = new Arena();
      c.run(arena);
      expect(arena.problem()).toBeNull();
    });
  }
});

describe("the kit's product kernels write their output and nothing else", () => {
  for (const c of CASES) {
    for (const fused of [false, true]) {
      it(`${c.what}, ${fused ? "fused multiply-adds" : "multiply then add"}`, () => {
        setFusedMultiplyAdd(fused);
        const arena = new Arena();
        c.run(arena);
        expect(arena.problem()).toBeNull();
      });
    }
  }
});

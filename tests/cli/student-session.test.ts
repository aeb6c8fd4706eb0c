/**
 * A student's session on the kit's kernel, driven by Debian's jupyter_client
 * and nbclient: what they lose when an error in a timer ends the kernel, when
 * a print loop drowns it, when a crashed server leaves it running, when the
 * console's history or Shift+Tab get no answer.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { readNotebook, serializeNotebook } from "../../jupyter/notebook";
import { CLI, codeCell, KIT_ROOT, notebook, runCommand, scratchDir, writeScratchNotebook } from "../helpers";

const PYTHON = "/usr/bin/python3";
const PROBE = path.join(__dirname, "session_probe.py");
let env: NodeJS.ProcessEnv;
let dir: string;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-session-"));
  env = { ...process.env, JUPYTER_DATA_DIR: dataDir, JUPYTER_PATH: "", CONDA_PREFIX: "", VIRTUAL_ENV: "" };
  expect((await runCommand("node", [CLI, "install"], { env })).code).toBe(0);
  dir = scratchDir("session");
});

/** An IOPub message's content as the probe reports it: msg_type as `type`, a stream's text shortened but its length kept. */
interface ProbeOutput {
  type: string;
  name?: "stdout" | "stderr";
  text?: string;
  text_length?: number;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** The content of an execute_reply; ename, evalue and traceback come with status "error". */
interface ExecuteReply {
  status: "ok" | "error" | "aborted";
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

type StreamOutput = ProbeOutput & Required<Pick<ProbeOutput, "name" | "text" | "text_length">>;
type ErrorOutput = ProbeOutput & Required<Pick<ProbeOutput, "ename" | "evalue" | "traceback">>;

interface CellRun {
  status: string;
  seconds: number;
  outputs: ProbeOutput[];
  reply: ExecuteReply;
}

async function probe<T>(scenario: string, ...args: string[]): Promise<T> {
  const result = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-probe-")), "result.json");
  const r = await runCommand(PYTHON, [PROBE, scenario, dir, ...args], { env: { ...env, PROBE_RESULT: result } });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(fs.readFileSync(result, "utf8")) as T;
}

const runCells = (sources: string[]) => probe<CellRun[]>("cells", JSON.stringify(sources));

const LOAD_WASM =
  'import * as tf from "@tensorflow/tfjs";\nimport { useBestBackend } from "dlkit";\nconst backend = await useBestBackend();';
const FLOOD = 'for (let i = 0; i < 2e6; i++) console.log("x".repeat(100))';

const streams = (run: CellRun, name = "stdout") =>
  run.outputs.filter((o): o is StreamOutput => o.type === "stream" && o.name === name);
const isError = (o: ProbeOutput): o is ErrorOutput => o.type === "error";
const streamText = (run: CellRun, name = "stdout") =>
  streams(run, name)
    .map((o) => o.text)
    .join("");
const streamLength = (run: CellRun, name = "stdout") => streams(run, name).reduce((n, o) => n + o.text_length, 0);

describe("errors thrown outside a cell", () => {
  it("leave the kernel running with its variables (wasm backend loaded), shown in the next cell", async () => {
    const [load, throwing, after] = await runCells([
      `${LOAD_WASM}\nconst trained = tf.tensor1d([1, 2, 3]);`,
      'setTimeout(() => { throw new Error("late") }, 50);\nvoid Promise.reject(new Error("nobody awaits"));\nawait new Promise((r) => setTimeout(r, 10));',
      "await new Promise((r) => setTimeout(r, 100));\ntrained.sum()",
    ]);
    expect(load.status).toBe("ok");
    expect(streamText(load)).toContain("tfjs backend: wasm");
    expect(throwing.status).toBe("ok");
    const errors = [...throwing.outputs, ...after.outputs].filter(isError);
    expect(errors.map((e) => e.evalue).sort()).toEqual(["late", "nobody awaits"]);
    expect(errors.find((e) => e.evalue === "late")!.traceback.join("\n")).toMatch(/timer or callback/);
    expect(after.status).toBe("ok");
    expect(after.outputs.at(-1)).toMatchObject({ type: "execute_result", data: { "text/plain": "Tensor\n    6" } });
  });

  it("are shown in the cell that is running when they happen", async () => {
    const [running] = await runCells([
      'setTimeout(() => { throw new RangeError("during") }, 20);\nawait new Promise((r) => setTimeout(r, 300));\nconsole.log("cell went on");',
    ]);
    expect(running.status).toBe("ok");
    expect(running.outputs.map((o) => o.type)).toEqual(["error", "stream"]);
    expect(running.outputs[0]).toMatchObject({ ename: "RangeError", evalue: "during" });
    expect(running.outputs[0].traceback?.[0]).toMatch(/while it ran/);
  });
});

describe("a runtime error's traceback", () => {
  it("names the cell and line of each of the student's frames, with the source line and a caret; tfjs's frames folded, its message first", async () => {
    const [, , failing, full] = await runCells([
      'import * as tf from "@tensorflow/tfjs";',
      "function widen(a: tf.Tensor2D): tf.Tensor {\n  const b = tf.ones([4, 2]);\n  return tf.matMul(a, b);\n}",
      "const x = tf.ones([2, 3]) as tf.Tensor2D;\nconst options = { x };\nfunction layer(t: tf.Tensor2D) {\n  return { out: widen(t) };\n}\nconst y = layer(options.x);",
      'process.env.DLKIT_FULL_TRACEBACK = "1";\nlayer(x);',
    ]);
    expect(failing.status).toBe("error");
    expect(failing.reply.traceback).toEqual([
      "Error: Error in matMul: inner shapes (3) and (4) of Tensors with shapes 2,3 and 4,2 and transposeA=false and transposeB=false must match.",
      "Cell In[2], line 3, in widen",
      "      return tf.matMul(a, b);",
      "                ^",
      "Cell In[3], line 4, in layer",
      "      return { out: widen(t) };",
      "                    ^",
      "Cell In[3], line 6",
      "    const y = layer(options.x);",
      "              ^",
      expect.stringMatching(
        /^… \d+ frames in @tensorflow\/tfjs-core, @tensorflow\/tfjs-backend-cpu \(raised there, under the first cell line above; DLKIT_FULL_TRACEBACK=1 shows every frame\)$/,
      ),
    ]);
    // In full: every library frame, the student's still named by cell and line.
    expect(
      full.reply.traceback?.filter((l: string) => l.includes("node_modules/@tensorflow/tfjs-core")).length,
    ).toBeGreaterThan(3);
    expect(full.reply.traceback).toContain("Cell In[4], line 2");
  });
});

describe("a flood of output", () => {
  it("ends in seconds with capped output and a line saying how to raise the cap; the next cell runs (wasm loaded)", async () => {
    const [, flood, next] = await runCells([LOAD_WASM, FLOOD, 'console.log("next cell")']);
    expect(flood.status).toBe("ok");
    expect(flood.seconds).toBeLessThan(60);
    expect(streamLength(flood)).toBe(5 * 1024 * 1024);
    expect(streamText(flood, "stderr")).toMatch(
      /output capped at 5\.0 MB for this cell: 18\d\.\d MB more were dropped.*DLKIT_MAX_CELL_OUTPUT_MB/,
    );
    // Batched: a handful of messages, not two million.
    expect(flood.outputs.length).toBeLessThan(100);
    expect(streamText(next)).toBe("next cell\n");
  });

  it("keeps stdout and stderr in the order they were written, and a cell may raise the cap", async () => {
    const [order, , capped] = await runCells([
      'console.log("one"); console.error("two"); console.log("three");',
      'process.env.DLKIT_MAX_CELL_OUTPUT_MB = "0.001";',
      'console.log("y".repeat(5000));',
    ]);
    expect(order.outputs.map((o) => [o.name, o.text])).toEqual([
      ["stdout", "one\n"],
      ["stderr", "two\n"],
      ["stdout", "three\n"],
    ]);
    expect(streamLength(capped)).toBe(1049);
    expect(streamText(capped, "stderr")).toMatch(/output capped at 2 KB for this cell: 4 KB more were dropped/);
  });

  it("in a notebook run by nbclient, does not keep the cells after it from running", async () => {
    const file = writeScratchNotebook(
      dir,
      "flood.ipynb",
      notebook([codeCell(LOAD_WASM), codeCell(FLOOD), codeCell('console.log("still graded")')]),
    );
    const out = file.replace(/\.ipynb$/, ".out.ipynb");
    const r = await runCommand(PYTHON, [path.join(__dirname, "..", "nbclient_run.py"), file, out, "typescript-dl"], {
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    const cells = readNotebook(out).cells;
    expect(JSON.stringify(cells[3 - 1])).toContain("still graded");
  });
});

describe("grading a notebook whose answer floods its output", () => {
  it("still scores every test, the flooding cell's included", async () => {
    const submissions = path.join(dir, "submissions", "flooder");
    fs.mkdirSync(submissions, { recursive: true });
    const nb = readNotebook(path.join(KIT_ROOT, "solutions", "lab1-mlp.ipynb"));
    const answer = nb.cells.find(
      (c) => c.cell_type === "code" && (c.metadata as { nbgrader?: { solution?: boolean } }).nbgrader?.solution,
    )!;
    answer.source = `${[answer.source].flat().join("")}\n${FLOOD};\n`;
    fs.writeFileSync(path.join(submissions, "lab1-mlp.ipynb"), serializeNotebook(nb));
    const out = path.join(dir, "grades");
    const r = await runCommand("node", [CLI, "grade", path.dirname(submissions), "--out", out, "--jobs", "1"], { env });
    // Full marks; the status says that some output was dropped, and so does the exit code.
    expect(r.code, r.stderr + r.stdout).toBe(1);
    const row = fs.readFileSync(path.join(out, "gradebook.csv"), "utf8").trim().split("\n")[1];
    expect(row).toMatch(
      /^flooder,lab1-mlp,(\d+),\1,output-limit,(\d+) of \2 tests passed; some output was dropped \(a cell printed too much\)$/,
    );
  }, 600_000);
});

describe("the tfjs banner", () => {
  it("does not urge tfjs-node when a cell uses tfjs before useBestBackend()", async () => {
    const [used] = await runCells(['import * as tf from "@tensorflow/tfjs";\ntf.tensor1d([1, 2]).add(1).print();']);
    expect(used.status).toBe("ok");
    expect(streamText(used)).toContain("[2, 3]");
    expect(JSON.stringify(used.outputs)).not.toContain("TensorFlow.js in Node.js");
  });
});

describe("the kernel's lifetime", () => {
  it("exits within a few seconds when the process that started it is killed", async () => {
    const r = await probe<{ exited_after_seconds: number | null }>("orphan");
    expect(r.exited_after_seconds).not.toBeNull();
    expect(r.exited_after_seconds!).toBeLessThan(10);
  });
});

describe("inspect_request (Shift+Tab)", () => {
  it("shows the constructor or signature with its TSDoc: summary, shapes, parameters, example", async () => {
    const r = await probe<Record<string, { status: string; found: boolean; data: Record<string, string> }>>(
      "inspect",
      "nn.Linear",
      "optim.Adam",
      "plot.attentionMap",
    );
    const linear = r["nn.Linear"].data["text/plain"];
    expect(linear).toMatch(
      /^\(alias\) new Linear\(inFeatures: number, outFeatures: number, args\?: nn\.LinearArgs\): nn\.Linear/,
    );
    expect(linear).toContain("y = x Wᵀ + b");
    expect(linear).toContain("Shape: input `[batch, *, inFeatures]` → output `[batch, *, outFeatures]`.");
    expect(linear).toContain("Example:\n  const fc = new nn.Linear(2, 4);");
    expect(r["optim.Adam"].data["text/plain"]).toMatch(
      /new Adam\(params[\s\S]*m ← β₁m \+ \(1 − β₁\)g[\s\S]*Example:\n {2}const opt = new optim\.Adam/,
    );
    expect(r["plot.attentionMap"].data["text/plain"]).toMatch(
      /function attentionMap\([\s\S]*Shape: `weights` `\[layers, heads, queries, keys\]`[\s\S]*Example:/,
    );
  });
});

describe("history_request", () => {
  it("answers tail, range (with outputs) and search from the session's cells", async () => {
    const r = await probe<Record<string, { status: string; history: unknown[] }>>("history");
    expect(r.tail).toEqual({
      status: "ok",
      history: [
        [1, 3, "b * 10"],
        [1, 4, "console.log(b)"],
      ],
    });
    expect(r.range).toEqual({
      status: "ok",
      history: [
        [1, 2, ["const b = a + 1;", null]],
        [1, 3, ["b * 10", "20"]],
      ],
    });
    expect(r.search).toEqual({
      status: "ok",
      history: [
        [1, 1, "const a = 1;"],
        [1, 2, "const b = a + 1;"],
      ],
    });
  });
});

/**
 * The kit's kernel seen through Debian's own Jupyter clients: its kernel spec
 * as `jupyter` finds it, nbconvert and nbclient executing notebooks, and the
 * jupyter_kernel_test conformance suite.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { Notebook, readNotebook } from "../../jupyter/notebook";
import { runNotebook } from "../../runner/runner";
import { CLI, codeCell, KIT_ROOT, notebook, runCommand, scratchDir, writeScratchNotebook } from "../helpers";

const PYTHON = "/usr/bin/python3";
const JUPYTER = "/usr/bin/jupyter";
let dataDir: string;
let env: NodeJS.ProcessEnv;
let dir: string;

const run = (cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runCommand(cmd, args, { env: { ...env, ...extraEnv } });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-jupyter-"));
  env = { ...process.env, JUPYTER_DATA_DIR: dataDir, JUPYTER_PATH: "", CONDA_PREFIX: "", VIRTUAL_ENV: "" };
  expect((await run("node", [CLI, "install"])).code).toBe(0);
  // Plain tslab, for contrast: what the kit's kernel adds must be missing without it.
  const plain = path.join(dataDir, "kernels", "tslab-plain");
  fs.mkdirSync(plain, { recursive: true });
  fs.writeFileSync(
    path.join(plain, "kernel.json"),
    JSON.stringify({
      argv: [
        process.execPath,
        path.join(KIT_ROOT, "node_modules", "tslab", "bin", "tslab"),
        "kernel",
        "--config-path",
        "{connection_file}",
      ],
      display_name: "plain tslab",
      language: "typescript",
    }),
  );
  dir = scratchDir("jupyter");
});

/** What a reader sees in each code cell: its count and outputs, without ids and metadata. */
function visible(nb: Notebook) {
  return nb.cells
    .filter((c) => c.cell_type === "code")
    .map((c) => c.cell_type === "code" && { count: c.execution_count, outputs: c.outputs });
}

async function nbclient(
  input: string,
  kernel: string,
  allowErrors: boolean,
): Promise<{ code: number | null; nb: Notebook; stderr: string }> {
  const output = input.replace(/\.ipynb$/, `.${kernel}.nbclient.ipynb`);
  const r = await run(PYTHON, [
    path.join(__dirname, "..", "nbclient_run.py"),
    input,
    output,
    kernel,
    ...(allowErrors ? ["--allow-errors"] : []),
  ]);
  return { code: r.code, nb: readNotebook(output), stderr: r.stderr };
}

describe("kernel spec", () => {
  it("is found by jupyter itself, starts this checkout's kernel, and installing twice is harmless", async () => {
    expect((await run("node", [CLI, "install"])).code).toBe(0);
    const listed = JSON.parse((await run(JUPYTER, ["kernelspec", "list", "--json"])).stdout).kernelspecs[
      "typescript-dl"
    ];
    expect(listed.resource_dir).toBe(path.join(dataDir, "kernels", "typescript-dl"));
    expect(listed.spec).toMatchObject({
      display_name: "TypeScript (deep learning)",
      language: "typescript",
      argv: [
        process.execPath,
        path.join(KIT_ROOT, "dist", "server", "kernel.js"),
        "--config-path",
        "{connection_file}",
      ],
      env: { DLKIT_ROOT: KIT_ROOT },
    });
  });

  it("installs into a conda env with --sys-prefix, and --uninstall removes it", async () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-conda-"));
    expect(
      (await run("node", [CLI, "install", "--sys-prefix", "--backend", "cpu"], { CONDA_PREFIX: prefix })).code,
    ).toBe(0);
    const file = path.join(prefix, "share", "jupyter", "kernels", "typescript-dl", "kernel.json");
    expect(JSON.parse(fs.readFileSync(file, "utf8")).env.DLKIT_BACKEND).toBe("cpu");
    const removed = await run("node", [CLI, "install", "--sys-prefix", "--uninstall"], { CONDA_PREFIX: prefix });
    expect(removed.stdout).toContain("removed the kernel spec");
    expect(fs.existsSync(file)).toBe(false);
  });

  it("says what to do when --sys-prefix has no env, and never overwrites a spec it did not write", async () => {
    const noEnv = await run("node", [CLI, "install", "--sys-prefix"]);
    expect(noEnv.code).toBe(1);
    expect(noEnv.stderr).toContain("--sys-prefix needs an active conda env or virtualenv");
    const foreign = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-foreign-"));
    const spec = path.join(foreign, "share", "jupyter", "kernels", "typescript-dl", "kernel.json");
    fs.mkdirSync(path.dirname(spec), { recursive: true });
    fs.writeFileSync(spec, '{"argv": ["mine"]}');
    const refused = await run("node", [CLI, "install", "--prefix", foreign]);
    expect(refused.stderr).toContain("was not written by this kit");
    expect(fs.readFileSync(spec, "utf8")).toBe('{"argv": ["mine"]}');
  });
});

describe("Debian's Jupyter clients on the kit's kernel", () => {
  it("nbconvert --execute gives the same outputs as the kit's runner", async () => {
    const nb = notebook([
      codeCell(
        'import * as tf from "@tensorflow/tfjs";\nimport { useBestBackend } from "dlkit";\nconst backend = await useBestBackend();',
      ),
      codeCell('const greet = (name: string) => `hello ${name}`;\nconsole.log(greet("student"));'),
      codeCell("tf.tensor1d([1, 2, 3]).square()"),
      codeCell("await Promise.resolve(41 + 1)"),
    ]);
    const file = writeScratchNotebook(dir, "same.ipynb", nb);
    const out = path.join(dir, "same.nbconvert.ipynb");
    const converted = await run(JUPYTER, ["nbconvert", "--to", "notebook", "--execute", file, "--output", out]);
    expect(converted.code, converted.stderr).toBe(0);
    const ours = await runNotebook(nb, "same.ipynb", { cwd: dir });
    expect(visible(readNotebook(out))).toEqual(visible(ours.notebook));
    expect(visible(ours.notebook)[2]).toEqual({
      count: 3,
      outputs: [
        {
          output_type: "execute_result",
          execution_count: 3,
          data: { "text/plain": "Tensor\n    [1, 4, 9]" },
          metadata: {},
        },
      ],
    });
  });

  it("nbclient gets error outputs, and with allow_errors runs the cells after an error (plain tslab does neither)", async () => {
    const file = writeScratchNotebook(
      dir,
      "errors.ipynb",
      notebook([
        codeCell('throw new Error("first");'),
        codeCell('const typed: number = "text";'),
        codeCell('console.log("after the errors")'),
      ]),
    );
    const kit = await nbclient(file, "typescript-dl", true);
    expect(kit.code).toBe(0);
    expect(visible(kit.nb)).toEqual([
      {
        count: 1,
        outputs: [
          {
            output_type: "error",
            ename: "Error",
            evalue: "first",
            traceback: expect.arrayContaining(["Error: first"]),
          },
        ],
      },
      {
        count: 2,
        outputs: [
          {
            output_type: "error",
            ename: "TypeScriptError",
            evalue: "line 1, column 7: Type 'string' is not assignable to type 'number'.",
            traceback: expect.any(Array),
          },
        ],
      },
      { count: 3, outputs: [{ output_type: "stream", name: "stdout", text: "after the errors\n" }] },
    ]);

    const plain = await nbclient(file, "tslab-plain", true);
    const plainCells = visible(plain.nb);
    expect(plainCells.flatMap((c) => (c ? c.outputs : [])).some((o) => o.output_type === "error")).toBe(false);
    expect(plainCells[2] && plainCells[2].outputs).toEqual([]);
  });

  it("nbclient without allow_errors stops at the first error and reports it", async () => {
    const file = writeScratchNotebook(
      dir,
      "stop.ipynb",
      notebook([codeCell("1"), codeCell('throw new TypeError("bad input");'), codeCell('console.log("skipped")')]),
    );
    const kit = await nbclient(file, "typescript-dl", false);
    expect(kit.code).toBe(1);
    expect(kit.stderr).toContain("TypeError: bad input");
    expect(visible(kit.nb)[2]).toEqual({ count: null, outputs: [] });
  });

  it("shows no tfjs banner urging tfjs-node, even on the cpu backend", async () => {
    const file = writeScratchNotebook(
      dir,
      "banner.ipynb",
      notebook([
        codeCell(
          'import * as tf from "@tensorflow/tfjs";\nimport { useBestBackend } from "dlkit";\nconst backend = await useBestBackend({ backend: "cpu" });',
        ),
        codeCell("tf.tensor1d([1, 2]).add(1).print();"),
      ]),
    );
    const kit = await nbclient(file, "typescript-dl", false);
    expect(kit.code, kit.stderr).toBe(0);
    const text = JSON.stringify(visible(kit.nb));
    expect(text).toContain("tfjs backend: cpu (forced by DLKIT_BACKEND)");
    expect(text).toContain("[2, 3]");
    expect(text).not.toContain("TensorFlow.js in Node.js");
  });

  it("passes the jupyter_kernel_test conformance suite", async () => {
    const r = await runCommand(PYTHON, ["-m", "unittest", "-v", "conformance"], { cwd: __dirname, env });
    const report = r.stderr;
    expect(r.code, report).toBe(0);
    for (const test of [
      "test_kernel_info",
      "test_execute_stdout",
      "test_execute_stderr",
      "test_error",
      "test_execute_result",
      "test_display_data",
      "test_completion",
      "test_is_complete",
      "test_inspect",
    ]) {
      expect(report).toMatch(new RegExp(`${test} \\(.*\\) \\.\\.\\. ok`));
    }
  });
});

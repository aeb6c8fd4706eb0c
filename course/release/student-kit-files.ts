/**
 * The small files at the top of the student kit: its package.json, README,
 * .gitignore and the marker that lets the next release replace it. Plain
 * text made from the lab list and the version, nothing dated, so that two
 * releases of the same course write the same bytes.
 */

/** The file that marks a folder as a student kit release wrote (and may replace). */
export const KIT_MARKER = ".dlkit-student-kit";

export interface KitLab {
  /** "lab1-mlp" */
  name: string;
  /** The notebook's first heading, e.g. "Lab 1 — an MLP by hand, …" */
  title: string;
}

export const markerText = (version: string): string =>
  JSON.stringify(
    {
      what: "a dlkit student kit, written by `dlkit release --student-kit`; the next release replaces this whole folder (except .git)",
      version,
    },
    null,
    2,
  ) + "\n";

/** The kit's package.json: private, one dependency, the vendored dlkit. */
export function kitManifest(version: string, tarball: string, allowScripts: Record<string, boolean>): string {
  return (
    JSON.stringify(
      {
        name: "dlkit-labs",
        version,
        private: true,
        description: "The Advanced Deep Learning labs in TypeScript, for JupyterLab: see README.md",
        dependencies: { dlkit: `file:vendor/${tarball}` },
        engines: { node: ">=20" },
        allowScripts,
      },
      null,
      2,
    ) + "\n"
  );
}

export const KIT_GITIGNORE = `node_modules/
*.executed.ipynb
.ipynb_checkpoints/
`;

/** The first heading of a notebook's first markdown cell, without the #s. */
export function notebookTitle(markdownSources: string[], fallback: string): string {
  for (const source of markdownSources) {
    const heading = source.split("\n").find((l) => /^#+\s/.test(l));
    if (heading) return heading.replace(/^#+\s+/, "").trim();
  }
  return fallback;
}

export function kitReadme(options: { version: string; labs: KitLab[]; tarball: string }): string {
  const labList = options.labs
    .map((l) => `| [\`labs/${l.name}.ipynb\`](labs/${l.name}.ipynb) | ${l.title} |`)
    .join("\n");
  return `# Advanced deep learning: the labs, in TypeScript

\`\`\`sh
npm ci && npx dlkit install   # install the kit and the Jupyter kernel "TypeScript (deep learning)"
jupyter lab labs/             # open the labs
\`\`\`

You need [Node.js](https://nodejs.org) 20 or newer and JupyterLab (any
version 3 or 4). No Python package is needed beyond JupyterLab itself, and
nothing is downloaded while the labs run: the data sets come with this
folder (\`data/\`) and with the npm packages \`npm ci\` installs.

With conda, on any OS, one environment holds both:

\`\`\`sh
conda env create -f environment.yml && conda activate dlkit
npm ci
npx dlkit install --sys-prefix     # the kernel in this env rather than for your user
jupyter lab labs/
\`\`\`

\`npx dlkit install\` writes the kernel spec for your user; \`--sys-prefix\`
(the active conda env or virtualenv), \`--prefix DIR\` and \`--uninstall\`
are there too. If \`npm ci\` fails (an npm older than the lock file, say),
\`npm install\` installs the same thing.

## The labs

| notebook | what |
| --- | --- |
${labList}

Each lab alternates explanations, cells to fill and check cells. A cell to
fill says \`not implemented: NAME\` until you write NAME; the check cell
below it answers in one line: ✔ when your code computes what it should, or
✘ with a hint pointing at the likely mistake (a shape, a transpose, a
missing scale, a softmax over the wrong axis, …). Cells marked read-only and
the check cells are restored as they were when your work is graded: write
your code in the cells meant for it.

Every notebook starts with:

\`\`\`ts
import * as tf from "@tensorflow/tfjs";
import { useBestBackend, nn, optim, data, train, check, plot } from "dlkit";
const backend = await useBestBackend();   // prints e.g. "tfjs backend: wasm (@tensorflow/tfjs-node is not installed)"
\`\`\`

\`dlkit\` is shaped like PyTorch (\`nn\`, \`optim\`, \`data\` as in
\`torch.utils.data\`), on tfjs; its types and doc comments show in
JupyterLab (Tab to complete, Shift+Tab for the documentation).

## Running a notebook headlessly

\`\`\`sh
npx dlkit run labs/lab1-mlp.ipynb --allow-errors   # writes labs/lab1-mlp.executed.ipynb
\`\`\`

runs every cell on the kit's kernel, as JupyterLab would, and writes the
executed copy beside it (never over your notebook; \`--out FILE\`,
\`--timeout SECONDS\`, \`--print\` to see the outputs in the terminal).
Without \`--allow-errors\` it stops at the first failing cell. Exit codes:
0 every cell ran, 1 a cell failed, 2 the notebook or the command is unusable.

## Troubleshooting

- \`npx dlkit doctor\` lists what the kit uses, what is missing, and the command that fixes it.
- **The kernel is not in JupyterLab's launcher**: run \`npx dlkit install\` in this folder
  (with conda, \`--sys-prefix\` inside the activated env), then reload JupyterLab.
  \`jupyter kernelspec list\` should show \`typescript-dl\`.
- **Which backend?** \`useBestBackend()\` picks the fastest installed one:
  tfjs-node-gpu, then tfjs-node, then wasm, then cpu, and says why in one line.
  Force one with \`DLKIT_BACKEND=node|wasm|cpu\`, or record it in the kernel
  spec with \`npx dlkit install --backend wasm\`.
- **tfjs-node** (the fastest backend) is optional: its install script downloads
  libtensorflow, and where that fails npm leaves it out, \`npm ci\` still
  succeeds, and the labs run on wasm. The labs are sized for wasm.
- **\`Cannot find module 'dlkit'\`**: open the notebooks from this folder
  (\`jupyter lab labs/\` here): \`dlkit\` resolves through \`node_modules/\`,
  which \`npm ci\` made here.
- **Fashion-MNIST not found** (TP4a): the lab reads \`data/fashion-mnist/\` of
  this folder; keep it beside \`labs/\`, or set \`FASHION_MNIST_DIR\` to a
  folder holding the four IDX files.
- **Charts missing in \`jupyter nbconvert --to html\`** (nbconvert 6.5 strips SVG
  outputs; jupyter/nbconvert#1849): use the kit's template,
  \`jupyter nbconvert --to html --template-file node_modules/dlkit/lib/plot/nbconvert-svg.html.j2 NOTEBOOK.ipynb\`.
  In the classic Notebook, the charts of a notebook you did not run yourself
  show once you trust it (File → Trust Notebook).

## What is in this folder

| path | what |
| --- | --- |
| \`labs/\` | the lab notebooks: your work goes here |
| \`vendor/${options.tarball}\` | the \`dlkit\` library and kernel (version ${options.version}), built; \`npm ci\` installs it into \`node_modules/dlkit\` |
| \`data/fashion-mnist/\` | Fashion-MNIST's IDX files (© 2017 Zalando SE, MIT licence: see the folder's README) |
| \`package.json\`, \`package-lock.json\` | what \`npm ci\` installs |
| \`environment.yml\` | the conda environment: JupyterLab and Node.js |
`;
}

export function fashionMnistReadme(source: string): string {
  return `# Fashion-MNIST

28×28 grey images of 10 kinds of clothing, 60000 for training and 10000 for
testing, in the IDX format: Han Xiao, Kashif Rasul, Roland Vollgraf,
*Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning
Algorithms* (2017), https://github.com/zalandoresearch/fashion-mnist.

Copyright 2017 Zalando SE; MIT (Expat) licence${source.startsWith("/usr/share/datasets/") ? ", as packaged by Debian's dataset-fashion-mnist (see `copyright` here)" : ""}.
\`dlkit\`'s \`data.fashionMnist()\` reads these files from here.
`;
}

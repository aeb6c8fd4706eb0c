import * as fs from "fs";
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { showShape } from "./shapes";

/** The JSON layout `save` writes and `load` reads. */
export interface SavedStateDict {
  format: "dlkit-state-dict";
  version: 1;
  tensors: Record<string, { dtype: tf.DataType; shape: number[]; data: number[] }>;
}

/**
 * The base of every layer and model, like PyTorch's `nn.Module`.
 *
 * A module owns named parameters (trainable `tf.Variable`s) and named
 * submodules; parameter names join the path with dots, as in PyTorch
 * (`"0.weight"`, `"encoder.layers.1.linear1.bias"`), so a PyTorch state dict
 * loads as is.
 *
 *   class MLP extends nn.Module {
 *     fc = this.registerModule("fc", new nn.Linear(2, 4));
 *     forward(x: tf.Tensor) { return this.fc.forward(x); }
 *   }
 *
 * tfjs has no `loss.backward()`: gradients come from `tf.variableGrads` over
 * `model.parameters()`, which an `optim.Optimizer` does for you.
 */
export abstract class Module {
  /** True after `train()` (the default), false after `eval()`: Dropout looks at it. */
  training = true;
  private readonly params = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();
  private readonly buffers = new Map<string, tf.Tensor>();

  /** Computes the output; the shapes each layer takes are in its doc comment. */
  abstract forward(x: tf.Tensor, ...rest: (tf.Tensor | undefined)[]): tf.Tensor;

  /** Adds a trainable parameter under `name`; the module now owns `value`. */
  protected registerParameter(name: string, value: tf.Tensor): tf.Variable {
    const variable = tf.variable(value, true);
    value.dispose();
    this.params.set(name, variable);
    return variable;
  }

  /** Adds a submodule under `name`; its parameters appear as `name.*`. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  /** Keeps a constant tensor the module needs (not trained, not saved), disposed with it. */
  protected registerBuffer(name: string, value: tf.Tensor): tf.Tensor {
    this.buffers.get(name)?.dispose();
    this.buffers.set(name, tf.keep(value));
    return value;
  }

  /** The direct submodules, in the order they were registered. */
  namedChildren(): [string, Module][] {
    return [...this.children.entries()];
  }

  /** Every parameter with its dotted name: own ones first, then each submodule's. */
  namedParameters(prefix = ""): [string, tf.Variable][] {
    const named: [string, tf.Variable][] = [];
    for (const [name, p] of this.params) named.push([prefix + name, p]);
    for (const [name, child] of this.children) named.push(...child.namedParameters(`${prefix}${name}.`));
    return named;
  }

  /** Every trainable parameter, the list an optimizer takes. */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** The number of trainable numbers in the model. */
  numParameters(): number {
    return this.parameters().reduce((total, p) => total + p.size, 0);
  }

  /** Switches training behaviour (Dropout) on or off, in this module and all below it. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  /** Same as `train(false)`: Dropout becomes the identity. */
  eval(): this {
    return this.train(false);
  }

  /**
   * The parameters by dotted name. The tensors are the module's own
   * variables, not copies (as in PyTorch): read them, do not dispose them.
   */
  stateDict(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Copies values into the parameters by name. Every parameter must be
   * given, with its shape, and nothing else (PyTorch's `strict=True`).
   */
  loadStateDict(dict: Record<string, tf.Tensor>): void {
    const own = new Map(this.namedParameters());
    const name = this.constructor.name;
    const missing = [...own.keys()].filter((k) => !(k in dict));
    const unexpected = Object.keys(dict).filter((k) => !own.has(k));
    if (missing.length || unexpected.length) {
      const parts: string[] = [];
      if (missing.length) parts.push(`missing key(s) ${missing.map((k) => `"${k}"`).join(", ")}`);
      if (unexpected.length) parts.push(`unexpected key(s) ${unexpected.map((k) => `"${k}"`).join(", ")}`);
      throw new Error(
        `${name}.loadStateDict: ${parts.join("; ")}. This model's keys are ${[...own.keys()].join(", ")} — was the state dict saved from a different architecture?`,
      );
    }
    for (const [key, p] of own) {
      const value = dict[key];
      if (!tf.util.arraysEqual(value.shape, p.shape)) {
        throw new Error(
          `${name}.loadStateDict: "${key}" has shape ${showShape(value.shape)}, expected ${showShape(p.shape)} — ` +
            `PyTorch stores Linear weights as [out, in]; was the model built with other sizes?`,
        );
      }
    }
    for (const [key, p] of own) {
      const value = dict[key];
      if (value === p) continue;
      if (value.dtype === p.dtype) p.assign(value);
      else tf.tidy(() => p.assign(value.cast(p.dtype)));
    }
  }

  /** Writes the state dict to a JSON file (`load` reads it back). */
  save(file: string): void {
    const tensors: SavedStateDict["tensors"] = {};
    for (const [key, p] of this.namedParameters()) {
      tensors[key] = { dtype: p.dtype, shape: p.shape, data: Array.from(p.dataSync()) };
    }
    const saved: SavedStateDict = { format: "dlkit-state-dict", version: 1, tensors };
    fs.writeFileSync(file, JSON.stringify(saved));
  }

  /** Reads a file written by `save` into the parameters; the architecture must match. */
  load(file: string): this {
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<SavedStateDict>;
    if (saved.format !== "dlkit-state-dict" || !saved.tensors) {
      throw new Error(`${this.constructor.name}.load: ${file} is not a file written by Module.save`);
    }
    const dict = Object.fromEntries(
      Object.entries(saved.tensors).map(([key, t]) => [key, tf.tensor(t.data, t.shape, t.dtype)]),
    );
    try {
      this.loadStateDict(dict);
    } finally {
      tf.dispose(Object.values(dict));
    }
    return this;
  }

  /** Frees the parameters and constants of this module and all below it. */
  dispose(): void {
    for (const p of this.params.values()) p.dispose();
    for (const b of this.buffers.values()) b.dispose();
    for (const child of this.children.values()) child.dispose();
    this.params.clear();
    this.buffers.clear();
  }

  /** The arguments shown between the parentheses when printed, e.g. `in_features=2, out_features=4`. */
  protected extraRepr(): string {
    return "";
  }

  /** The module tree as PyTorch prints it, then the parameter count. */
  toString(): string {
    const count = this.numParameters().toLocaleString("en-US");
    return `${this.repr()}\nTrainable parameters: ${count}`;
  }

  private repr(): string {
    const name = this.constructor.name;
    if (this.children.size === 0) return `${name}(${this.extraRepr()})`;
    const lines = [`${name}(`];
    if (this.extraRepr()) lines.push(`  ${this.extraRepr()}`);
    for (const [key, child] of this.children) {
      lines.push(`  (${key}): ${child.repr().split("\n").join("\n  ")}`);
    }
    lines.push(")");
    return lines.join("\n");
  }
}

// ESLint: typescript-eslint's recommended rules on every TypeScript file of the kit.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "out/", "lib/backend/simd/modules.generated.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "writable" } } },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // These are loaded with require() on purpose: resvg and wabt only when a PNG or an
      // assembly is asked for (resvg's binary may be missing on a platform), and tslab's
      // jupyter module at call time, since the kernel (or a test) replaces its display channel;
      // tfjs-backend-wasm only once the backend is chosen (loading it registers the backend), and
      // Node's os module itself, whose cpus() the wasm glue reads (an import gets a copy); and
      // tfjs-core in lib: `import * as tf from "@tensorflow/tfjs"` reads every name through two
      // getters (TypeScript's import helper, then the tfjs package's re-export of tfjs-core), a
      // tenth of the one-word char-RNN's run, where a required module is a plain object. lib's
      // modules import "@tensorflow/tfjs" first for what it adds to tfjs-core: chained ops
      // (`x.mul(y)`) and every op's gradient.
      "@typescript-eslint/no-require-imports": [
        "error",
        {
          allow: [
            "^@resvg/resvg-js$",
            "^tslab/dist/jupyter$",
            "^wabt$",
            "^@tensorflow/tfjs-backend-wasm(/package\\.json)?$",
            "^os$",
            "^@tensorflow/tfjs-core$",
          ],
        },
      ],
    },
  },
  {
    files: ["lib/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...["ImportNamespaceSpecifier", "ImportSpecifier", "ImportDefaultSpecifier"].map((specifier) => ({
          selector: `ImportDeclaration[importKind!='type'][source.value='@tensorflow/tfjs'] > ${specifier}`,
          message:
            'lib reads tfjs-core\'s names as plain properties: `import "@tensorflow/tfjs";` then `import tf = require("@tensorflow/tfjs-core");` (see the comment above the allowed requires)',
        })),
        {
          selector:
            "Program:not(:has(ImportDeclaration[source.value='@tensorflow/tfjs'])) > TSImportEqualsDeclaration[moduleReference.expression.value='@tensorflow/tfjs-core']",
          message:
            'import "@tensorflow/tfjs" first: it adds chained ops (x.mul(y)) and every gradient to tfjs-core, which a module loaded on its own would lack',
        },
      ],
    },
  },
);

"""The Jupyter kernel conformance suite (Debian's python3-jupyter-kernel-test)
run against the kit's kernel spec. Run: /usr/bin/python3 -m unittest -v conformance
with JUPYTER_DATA_DIR pointing at a folder where the spec is installed."""
import unittest

import jupyter_kernel_test


class TypeScriptKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "typescript-dl"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'
    code_generate_error = 'throw new Error("boom")'

    completion_samples = [{"text": "Math.flo", "matches": {"floor"}}]
    complete_code_samples = ["const x = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const a = ["]

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "'ab'"},
    ]
    code_display_data = [
        {"code": 'import * as tslab from "tslab";\ntslab.display.html("<b>bold</b>")', "mime": "text/html"},
    ]
    code_inspect_sample = "Math.max"


if __name__ == "__main__":
    unittest.main()

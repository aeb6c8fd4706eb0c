"""The PyTorch side of the bench: a long-lived process that runs one workload
per request (bench/workloads/worker.ts is its twin). Each stdin line is a
request {"id": ..., "params": {...}, "dataFile": ...}; each answer is one
stdout line, RESULT_MARK then JSON ({"error": ...} on failure).

    /usr/bin/python3 bench/torch/worker.py THREADS
"""
import json
import os
import sys
import time
import traceback

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import char_rnn  # noqa: E402
import lenet  # noqa: E402
import matmul  # noqa: E402
import mlp  # noqa: E402
import transformer  # noqa: E402

RESULT_MARK = "BENCH_RESULT "

RUNS = {
    "w1-mlp-2-4-2": mlp.run,
    "w1-mlp-2-64-2": mlp.run,
    "w2-lenet-train": lenet.train,
    "w2-lenet-infer": lenet.infer,
    "w3-rnn-word": char_rnn.word,
    "w3-rnn-batched": char_rnn.batched,
    "w4-transformer": transformer.run,
}


def openblas():
    """The kernel set OpenBLAS picked (e.g. Haswell, Cooperlake) and its thread count, read from the loaded library; None without OpenBLAS."""
    try:
        import ctypes

        with open("/proc/self/maps") as maps:
            lib = next((line.split()[-1] for line in maps if "libopenblas" in line), None)
        if lib is None:
            return None
        blas = ctypes.CDLL(lib)
        blas.openblas_get_corename.restype = ctypes.c_char_p
        return blas.openblas_get_corename().decode(), blas.openblas_get_num_threads()
    except (OSError, AttributeError):
        return None


def describe(threads):
    blas = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    found = openblas()
    return (
        f"torch {torch.__version__}, {threads} thread{'s' if threads != 1 else ''}"
        + (f", OpenBLAS core {found[0]} on {found[1]} thread{'s' if found[1] != 1 else ''}" if found else "")
        + "".join(f", {k}={v}" for k, v in blas.items())
    )


def handle(request, backend):
    if request["id"] == "matmul":
        return {"backend": backend, "gflops": matmul.gflops(request["params"]["sizes"], request["params"]["flops"])}
    run = RUNS.get(request["id"])
    if run is None:
        raise ValueError(f"no torch workload {request['id']!r}; known: {', '.join(RUNS)}, matmul")
    started = [None]

    def start():
        started[0] = (time.perf_counter(), time.process_time())

    done = run(request["params"], start, request.get("dataFile"))
    seconds = time.perf_counter() - started[0][0]
    # CPU time of every thread of the process over the same span.
    cpu_seconds = time.process_time() - started[0][1]
    return {"backend": backend, "seconds": seconds, "cpuSeconds": cpu_seconds, **done}


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    backend = describe(torch.get_num_threads())
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = handle(json.loads(line), backend)
        except Exception:  # the harness reports it with the workload's name
            answer = {"error": traceback.format_exc()}
        sys.stdout.write(RESULT_MARK + json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Drives the kit's kernel through Debian's jupyter_client, the way JupyterLab
and nbclient do, and prints what came back as JSON (one object on stdout).

usage: PROBE_RESULT=FILE session_probe.py SCENARIO CWD
  cells SOURCE_JSON   run each cell of a JSON list, then report outputs, replies and seconds
  history             run cells, then ask for history: tail, range, search
  inspect CODE...     inspect_request at the end of each code string
  orphan              start the kernel from a child process, kill that child, time the kernel's exit
"""
import json
import os
import signal
import subprocess
import sys
import time

from jupyter_client.manager import start_new_kernel

KERNEL = "typescript-dl"


def run_cell(kc, code, timeout=120):
    outputs = []
    started = time.time()
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda m: outputs.append({"type": m["msg_type"], **m["content"]}))
    keep = [summarised(o) for o in outputs if o["type"] not in ("status", "execute_input")]
    return {"status": reply["content"]["status"], "seconds": round(time.time() - started, 2), "outputs": keep, "reply": reply["content"]}


def summarised(output):
    """A flood's text is reported by its length, its head and its tail."""
    text = output.get("text")
    if isinstance(text, str) and len(text) > 10000:
        return {**output, "text": text[:100] + "\n...\n" + text[-100:], "text_length": len(text)}
    return {**output, "text_length": len(text)} if isinstance(text, str) else output


def with_kernel(cwd, body):
    km, kc = start_new_kernel(kernel_name=KERNEL, cwd=cwd)
    try:
        return body(kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def cells(cwd, sources):
    return with_kernel(cwd, lambda kc: [run_cell(kc, s) for s in sources])


def history(cwd):
    def body(kc):
        for code in ["const a = 1;", "const b = a + 1;", "b * 10", "console.log(b)"]:
            run_cell(kc, code)
        answers = {}
        for name, request in {
            "tail": dict(hist_access_type="tail", n=2, output=False, raw=True),
            "range": dict(hist_access_type="range", session=0, start=2, stop=4, output=True, raw=True),
            "search": dict(hist_access_type="search", pattern="const*", output=False, raw=True),
        }.items():
            kc.history(**request)
            answers[name] = kc.get_shell_msg(timeout=10)["content"]
        return answers
    return with_kernel(cwd, body)


def inspect(cwd, codes):
    def body(kc):
        run_cell(kc, 'import { nn, optim, plot } from "dlkit";')
        found = {}
        for code in codes:
            kc.inspect(code, len(code), detail_level=0)
            found[code] = kc.get_shell_msg(timeout=30)["content"]
        return found
    return with_kernel(cwd, body)


def orphan(cwd):
    """The parent is a Python process holding a KernelManager, killed with SIGKILL: it cannot shut the kernel down."""
    parent = subprocess.Popen([sys.executable, __file__, "orphan-parent", cwd], stdout=subprocess.PIPE, text=True)
    kernel_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    killed_at = time.time()
    while time.time() - killed_at < 30:
        if not alive(kernel_pid):
            return {"kernel_pid": kernel_pid, "exited_after_seconds": round(time.time() - killed_at, 2)}
        time.sleep(0.1)
    os.kill(kernel_pid, signal.SIGKILL)
    return {"kernel_pid": kernel_pid, "exited_after_seconds": None}


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def orphan_parent(cwd):
    km, kc = start_new_kernel(kernel_name=KERNEL, cwd=cwd)
    run_cell(kc, "const model = new Array(1000).fill(0);")
    print(km.provisioner.process.pid, flush=True)
    time.sleep(600)


def main():
    scenario, cwd = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    if scenario == "orphan-parent":
        return orphan_parent(cwd)
    result = {
        "cells": lambda: cells(cwd, json.loads(rest[0])),
        "history": lambda: history(cwd),
        "inspect": lambda: inspect(cwd, rest),
        "orphan": lambda: orphan(cwd),
    }[scenario]()
    with open(os.environ["PROBE_RESULT"], "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()

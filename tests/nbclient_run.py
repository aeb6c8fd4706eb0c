"""Executes a notebook with Debian's nbclient (the second, independent Jupyter
client the kit is checked against) and writes the executed copy.

usage: nbclient_run.py INPUT OUTPUT KERNEL_NAME [--allow-errors]
Exit 0 when nbclient finished (with --allow-errors, whatever the cells did);
exit 1 with the CellExecutionError text when a cell failed.
"""
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main():
    source, target, kernel = sys.argv[1:4]
    allow_errors = "--allow-errors" in sys.argv[4:]
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel, allow_errors=allow_errors, timeout=120, record_timing=False)
    try:
        client.execute()
    except CellExecutionError as err:
        nbformat.write(nb, target)
        print(err, file=sys.stderr)
        return 1
    nbformat.write(nb, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())

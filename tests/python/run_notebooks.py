"""Executes notebooks of docs/notebooks fresh, as a reader would (ctest python.notebook.<name>):

    PYTHONPATH=build/release/python /usr/bin/python3 tests/python/run_notebooks.py docs/notebooks/researcher.ipynb

Each notebook must be stored clean (no outputs, no execution counts: what a reader opens is what
was reviewed), runs in the `python3` kernel (Debian's python3-ipykernel) with its own folder as the
working directory, and every cell must finish without an error. Prints the time each one took.
"""

import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def check_clean(nb, path):
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            raise SystemExit(f"{path}: cell {i} is stored with outputs; clear them before committing "
                             "(Jupyter: Edit > Clear All Outputs)")


def main(paths):
    if not paths:
        raise SystemExit("usage: run_notebooks.py NOTEBOOK.ipynb ...")
    # The kernel's debugger warns on every start that Debian's interpreter uses frozen modules.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        check_clean(nb, path)
        started = time.monotonic()
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
        try:
            client.execute()
        except CellExecutionError as e:
            print(f"{path}: a cell failed\n{e}", file=sys.stderr)
            return 1
        print(f"{path}: {len(nb.cells)} cells ran in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

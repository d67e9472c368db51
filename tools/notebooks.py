"""Notebook hygiene for the book's chapters: which cells keep their outputs, and how to strip the rest.

The chapters in ``book/`` are committed *without* outputs, except the cells tagged
``nbval-check-output`` (a cell tag, which nbval honours like its ``# NBVAL_CHECK_OUTPUT`` comment, but
which the reader never sees on the page): their outputs (shapes, parameter counts, equation checks)
are the reference that ``pytest --nbval-lax`` compares against on every run. Everything else --
training logs, figures, tables -- is recomputed when the book is built.

An authoring tool (not part of the installed package): used by ``tests/test_notebooks.py`` and by
chapter authors after editing a chapter:

.. code-block:: bash

    jupyter nbconvert --to notebook --execute --inplace book/04_forecasting.ipynb
    python -c "from tools.notebooks import strip_notebook; strip_notebook('book/04_forecasting.ipynb')"

Example:

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_code_cell("print(1)", execution_count=1, metadata={"tags": [CHECK_TAG]},
...                               outputs=[nbformat.v4.new_output("stream", text="1\\n")]),
...     nbformat.v4.new_code_cell("print(2)", execution_count=2,
...                               outputs=[nbformat.v4.new_output("stream", text="2\\n")])])
>>> nb = strip_cells(nb)
>>> [len(c.outputs) for c in nb.cells], [c.execution_count for c in nb.cells]
([1, 0], [1, None])
"""

from __future__ import annotations

import os

CHECK_TAG = "nbval-check-output"
# nbval's comment markers (``# NBVAL_CHECK_OUTPUT``, ...): the book uses the tags instead, so no marker
# shows on a page (tests/test_notebooks.py holds the chapters to it).
NBVAL_MARKER_PREFIX = "NBVAL_"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
# Cell metadata that records *when* a cell ran (nbclient, JupyterLab): never worth a diff.
_VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


def is_checked(cell) -> bool:
    """True for a code cell whose output nbval compares in ``--nbval-lax`` mode (tagged ``CHECK_TAG``)."""
    return cell.get("cell_type") == "code" and CHECK_TAG in cell.get("metadata", {}).get("tags", [])


def strip_cells(nb):
    """Return ``nb`` with outputs kept only on checked cells.

    Unchecked cells lose their outputs and execution counts; a checked cell with outputs gets the
    execution count of its position among the code cells (nbval needs one on every reference cell).

    The notebook-level metadata is normalised too: one kernelspec (``python3``, "Python 3") and no
    widget state (widgets are rebuilt when the book is executed).
    """
    code_index = 0
    for cell in nb.cells:
        for key in _VOLATILE_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
        if cell.get("cell_type") != "code":
            continue
        code_index += 1
        if is_checked(cell) and cell.get("outputs"):
            # nbval refuses a reference cell with outputs but no execution count ("Unrun reference
            # cell has outputs"); number it by its position so the count never changes a diff.
            cell["execution_count"] = code_index
            for output in cell["outputs"]:
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = code_index
        else:
            cell["execution_count"] = None
            cell["outputs"] = []
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.pop("widgets", None)
    lang = nb.metadata.setdefault("language_info", {})
    for key in list(lang):
        if key not in (
            "name",
            "codemirror_mode",
            "file_extension",
            "mimetype",
            "nbconvert_exporter",
            "pygments_lexer",
        ):
            lang.pop(key)  # the Python version would change with every machine
    lang.setdefault("name", "python")
    return nb


def strip_notebook(path: str | os.PathLike) -> None:
    """Strip the notebook at ``path`` in place (see :func:`strip_cells`)."""
    import nbformat

    nb = nbformat.read(os.fspath(path), as_version=4)
    nbformat.write(strip_cells(nb), os.fspath(path))


def execute_notebook(path: str | os.PathLike, timeout: int = 900, strip: bool = True) -> float:
    """Execute the notebook at ``path`` in place from a fresh kernel; return the seconds it took.

    With ``strip`` the outputs are then stripped except those of checked cells, which become the
    reference outputs nbval compares against.
    """
    import time

    import nbformat
    from nbclient import NotebookClient

    path = os.fspath(path)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    ).execute()
    seconds = time.perf_counter() - start
    nbformat.write(strip_cells(nb) if strip else nb, path)
    return seconds

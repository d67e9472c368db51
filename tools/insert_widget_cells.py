"""Insert the widget cells into the chapters, right after their ``<!-- widget: NAME -->`` markers.

The chapter authors place a markdown cell containing exactly ``<!-- widget: NAME -->`` where a widget
belongs; this module puts a code cell calling ``rnnbook.widgets.NAME()`` right after it. Running it
again changes nothing: an inserted cell carries ``metadata.rnnbook_widget = NAME``, and a marker already
followed by its cell is skipped (the cell's source is refreshed if the call changed).

An authoring tool (not part of the installed package). Run from the repository root:
``python -m tools.insert_widget_cells book/*.ipynb``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: The marker syntax; NAME must be one of :data:`CALLS`.
MARKER = re.compile(r"<!--\s*widget:\s*([A-Za-z_][A-Za-z0-9_]*)\s*-->")

#: The code each widget's cell runs (the default arguments are the quick, book-sized ones).
CALLS = {
    "unrolling_explorer": 'unrolling_explorer("simple_rnn")',
    "bptt_explorer": "bptt_explorer()",
    "forecast_explorer": "forecast_explorer()",
    "gate_explorer": "gate_explorer()",
    "receptive_field_explorer": "receptive_field_explorer()",
}


def widget_source(name: str) -> str:
    """The source of the code cell for widget ``name``.

    Example:

    >>> print(widget_source("bptt_explorer"))
    from rnnbook.widgets import bptt_explorer
    bptt_explorer()
    """
    if name not in CALLS:
        raise ValueError(
            f"Unknown widget {name!r} in a `<!-- widget: ... -->` marker; known widgets: {', '.join(CALLS)}."
        )
    return f"from rnnbook.widgets import {name}\n{CALLS[name]}"


def insert_widget_cells(nb) -> list[str]:
    """Insert (idempotently) a widget code cell after every marker cell of notebook ``nb``, in place.

    Args:
        nb: an ``nbformat.NotebookNode`` (version 4).

    Returns:
        The names of the widgets whose cell was inserted or refreshed (empty if nothing changed).

    Example:

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("<!-- widget: bptt_explorer -->")])
    >>> insert_widget_cells(nb), insert_widget_cells(nb), len(nb.cells)
    (['bptt_explorer'], [], 2)
    """
    import nbformat

    changed = []
    i = 0
    while i < len(nb.cells):
        cell = nb.cells[i]
        match = MARKER.search(cell.source) if cell.cell_type == "markdown" else None
        if not match:
            i += 1
            continue
        name, source = match.group(1), widget_source(match.group(1))
        nxt = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        if nxt is not None and nxt.cell_type == "code" and nxt.metadata.get("rnnbook_widget") == name:
            if nxt.source != source:
                nxt.source = source
                changed.append(name)
        else:
            new = nbformat.v4.new_code_cell(source, metadata={"rnnbook_widget": name, "tags": ["widget"]})
            nb.cells.insert(i + 1, new)
            changed.append(name)
        i += 2
    return changed


def insert_into_files(paths) -> dict:
    """Run :func:`insert_widget_cells` on notebook files, writing only those that changed.

    Returns:
        ``{path: [widget names inserted or refreshed]}`` for the files that changed.
    """
    import nbformat

    report = {}
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        changed = insert_widget_cells(nb)
        if changed:
            nbformat.write(nb, path)
            report[str(path)] = changed
    return report


def main(argv=None) -> int:
    paths = (argv if argv is not None else sys.argv[1:]) or sorted(Path("book").glob("*.ipynb"))
    for path, names in insert_into_files(paths).items():
        print(f"{path}: inserted {', '.join(names)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

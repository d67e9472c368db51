"""Hygiene of the committed chapters in ``book/``.

Outputs are recomputed whenever the book is built or tested, so the repository stores only the
reference outputs of the cells nbval checks (tagged ``nbval-check-output``): small, text-only,
deterministic. See ``tools/notebooks.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tools.notebooks import CHECK_TAG, NBVAL_MARKER_PREFIX, is_checked

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
MAX_OUTPUT_BYTES = 20_000


def _ids(paths):
    return [p.name for p in paths]


def test_there_are_chapters():
    assert NOTEBOOKS, "book/ holds no notebook"


@pytest.fixture(params=NOTEBOOKS, ids=_ids(NOTEBOOKS))
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_notebook_is_valid(notebook):
    path, nb = notebook
    nbformat.validate(nb)


def test_every_cell_has_its_own_id_in_the_file(notebook):
    """nbformat adds a missing id on reading (with a warning in every build), so read the file itself."""
    import json

    path, _ = notebook
    ids = [cell.get("id") for cell in json.loads(path.read_text())["cells"]]
    missing = [i for i, cell_id in enumerate(ids) if not cell_id]
    assert not missing, f"{path.name}: cells {missing} have no id"
    assert len(set(ids)) == len(ids), f"{path.name}: two cells share an id"


def test_one_python3_kernelspec(notebook):
    path, nb = notebook
    spec = nb.metadata.get("kernelspec", {})
    assert spec.get("name") == "python3", f"{path.name}: kernelspec {spec!r}"
    assert spec.get("display_name") == "Python 3", f"{path.name}: kernelspec {spec!r}"


def test_only_checked_cells_have_outputs(notebook):
    path, nb = notebook
    offenders = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.outputs and not is_checked(cell)
    ]
    assert not offenders, (
        f"{path.name}: cells {offenders} have outputs but are not checked "
        f"(tag {CHECK_TAG}); run tools.notebooks.strip_notebook"
    )


def test_no_execution_counts_on_unchecked_cells(notebook):
    path, nb = notebook
    offenders = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.execution_count is not None and not is_checked(cell)
    ]
    assert not offenders, f"{path.name}: unchecked cells {offenders} have execution counts"


def test_checked_cells_have_their_reference_output(notebook):
    path, nb = notebook
    empty = [i for i, cell in enumerate(nb.cells) if is_checked(cell) and not cell.outputs]
    assert not empty, (
        f"{path.name}: checked cells {empty} have no stored output, so nbval would "
        "compare against nothing; execute the chapter and strip it"
    )


def test_outputs_are_small_text(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            size = len(json.dumps(output))
            assert size <= MAX_OUTPUT_BYTES, f"{path.name}: cell {i} has a {size}-byte output"
            data = output.get("data", {})
            assert not any(k.startswith("image/") for k in data), f"{path.name}: cell {i} stores an image"


def test_no_nbval_marker_shows_on_the_page(notebook):
    # nbval's options are cell tags (tools/notebooks.py): a `# NBVAL_...` comment would be printed in the
    # code the reader sees.
    path, nb = notebook
    offenders = [i for i, cell in enumerate(nb.cells) if NBVAL_MARKER_PREFIX in cell.source]
    assert not offenders, f"{path.name}: cells {offenders} hold an nbval marker; use the cell tag instead"


def test_checked_outputs_hold_no_errors(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{path.name}: cell {i} stores an error"
            assert output.get("name") != "stderr", f"{path.name}: cell {i} stores stderr (a warning?)"


def test_no_control_characters_in_cell_sources(notebook):
    # A LaTeX `\times` written into the JSON unescaped becomes a TAB and "imes" on the page.
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        bad = sorted(
            {f"U+{ord(ch):04X}" for ch in cell.source if ord(ch) < 32 and ch != "\n" or ord(ch) == 127}
        )
        assert not bad, f"{path.name}: cell {i} holds control characters {bad}"


def test_every_page_is_computed_in_the_book_profile(notebook):
    # A reader never sees the quick profile: a chapter names the book's profile, whatever
    # $RNNBOOK_PROFILE says, and does not train with an explicit other one.
    import re

    path, nb = notebook
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    calls = re.findall(r"get_profile\(([^)]*)\)", code)
    assert all(arg == '"full"' for arg in calls), f"{path.name}: get_profile({calls})"
    assert "quick" not in code and "RNNBOOK_PROFILE" not in code, path.name


# At the theme's code font size, 88 characters fit the article column of a 1280 px screen
# (book/_static/rnnbook-code.css makes the room; tests/test_browser.py checks the pages).
MAX_CODE_LINE = 88


def test_code_lines_fit_the_page(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "remove-cell" not in cell.metadata.get("tags", []):
            long = [line for line in cell.source.splitlines() if len(line) > MAX_CODE_LINE]
            assert not long, f"{path.name}: cell {i} has lines over {MAX_CODE_LINE} characters: {long}"


# A cell that draws a figure: its image gets the cell's ``mystnb.image.alt`` metadata as alt text
# (without it, the page's <img> says only the image's file name).
_DRAWS = re.compile(
    r"\bplotting\.plot_\w+\(|\bplt\.(subplots|figure)\(|\bdiagrams\.\w+\(|\bplot_p?acf\(|\.plot\("
)
MIN_ALT_TEXT = 80


def test_every_figure_has_a_real_alt_text(notebook):
    path, nb = notebook
    alts = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not _DRAWS.search(cell.source):
            continue
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt) >= MIN_ALT_TEXT, (
            f"{path.name}: cell {i} draws a figure without a real alt text: {alt!r}"
        )
        assert alt not in alts, f"{path.name}: cells {alts[alt]} and {i} share one alt text"
        alts[alt] = i


# A cell whose code only checks the text (rnnbook.compare.check_claim, a chapter's check_verdict):
# the reader sees its "✓ checked" markers under the paragraph they back, not the checking code.
_CHECKS = re.compile(r"\b(check_claim|check_verdict)\(")
_SHOWS = re.compile(r"\bprint\(|\bshow_table\(|\bdisplay\(|\bwidgets?\.|_explorer\(")


def _only_checks(cell) -> bool:
    tags = cell.metadata.get("tags", [])
    return (
        cell.cell_type == "code"
        and "hide-cell" not in tags  # an exercise's solution is code to read
        and bool(_CHECKS.search(cell.source))
        and not _DRAWS.search(cell.source)
        and not _SHOWS.search(cell.source)
    )


def test_check_only_cells_show_their_markers_not_their_code(notebook):
    path, nb = notebook
    shown = [
        i
        for i, cell in enumerate(nb.cells)
        if _only_checks(cell) and not {"remove-input", "remove-cell"} & set(cell.metadata.get("tags", []))
    ]
    assert not shown, f"{path.name}: check-only cells {shown} show their code; tag them remove-input"


def test_no_table_formatting_plumbing_on_the_page(notebook):
    # Tables go through rnnbook.plotting.show_table (one way of writing numbers for every chapter, not
    # `.style.format` chains or `.round(5)`), and a cell that prints column names for nbval to compare is
    # removed from the page.
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "remove-cell" in cell.metadata.get("tags", []):
            continue
        assert ".style." not in cell.source, f"{path.name}: cell {i} formats a table inline; use show_table"
        assert not re.search(r"\.round\(\d+\)(\.\w+\(\))?\)*\s*\Z", cell.source), (
            f"{path.name}: cell {i} shows a table rounded by hand; use show_table"
        )
        assert not re.search(r"print\(list\([^)]*columns\)", cell.source), (
            f"{path.name}: cell {i} prints column names on the page; tag it remove-cell"
        )

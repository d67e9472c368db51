"""The table of contents and the tested notebooks must agree.

* every file ``_toc.yml`` lists exists, and every chapter is a notebook (``.ipynb``), so the whole
  book is executed and tested -- no chapter hides in a Markdown file;
* the one page that is not a chapter, the bibliography, is Markdown without code (nothing to execute);
* (``book`` marker) when the session runs nbval over ``book/``, every chapter of the TOC was collected
  as an nbval item: a chapter that escapes nbval fails here instead of silently going untested.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOC = ROOT / "_toc.yml"
# Pages of the TOC that are not chapters: they hold text only, so they are Markdown, not notebooks.
BACK_MATTER = ("book/bibliography",)


def _entries(node):
    """Every ``file:`` entry of a jb-book TOC, depth first."""
    if isinstance(node, dict):
        if "file" in node:
            yield node["file"]
        for key in ("chapters", "sections", "parts"):
            for child in node.get(key, []) or []:
                yield from _entries(child)
    elif isinstance(node, list):
        for child in node:
            yield from _entries(child)


def _resolve(entry: str) -> Path:
    path = ROOT / entry
    if path.suffix:
        return path
    for suffix in (".ipynb", ".md", ".myst", ".rst"):
        if path.with_suffix(suffix).exists():
            return path.with_suffix(suffix)
    return path.with_suffix(".ipynb")  # what a chapter should be; it does not exist


def _toc():
    return yaml.safe_load(TOC.read_text())


def root_file() -> Path:
    return _resolve(_toc()["root"])


def _toc_entries() -> list[str]:
    return [*_entries(_toc().get("parts", [])), *_entries(_toc().get("chapters", []))]


def chapter_files() -> list[Path]:
    return [_resolve(entry) for entry in _toc_entries() if entry not in BACK_MATTER]


def back_matter_files() -> list[Path]:
    return [_resolve(entry) for entry in _toc_entries() if entry in BACK_MATTER]


def test_toc_is_a_jupyter_book_toc():
    toc = _toc()
    assert toc["format"] == "jb-book"
    assert chapter_files(), "_toc.yml lists no chapters"


def test_every_toc_file_exists():
    pages = [root_file(), *chapter_files(), *back_matter_files()]
    missing = [str(p.relative_to(ROOT)) for p in pages if not p.exists()]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_chapter_is_a_notebook():
    not_notebooks = [str(p.relative_to(ROOT)) for p in chapter_files() if p.suffix != ".ipynb"]
    assert not not_notebooks, f"chapters must be executed notebooks, not {not_notebooks}"


def test_the_bibliography_is_listed_and_holds_no_code():
    assert [p.relative_to(ROOT).as_posix() for p in back_matter_files()] == ["book/bibliography.md"]
    text = back_matter_files()[0].read_text()
    assert "```{bibliography}" in text
    assert "{code-cell}" not in text, "the bibliography page must not execute code"


def test_chapters_are_listed_once():
    files = chapter_files()
    assert len(files) == len(set(files)), "a chapter is listed twice in _toc.yml"


@pytest.mark.book
def test_every_chapter_is_collected_by_nbval(request):
    option = request.config.option
    if not (getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)):
        pytest.fail(
            "The `book` tests need nbval: run `pytest --nbval-lax --nbval-sanitize-with "
            "tests/nbval_sanitize.cfg book/ tests/test_book_toc.py`, or deselect them with -m 'not book'."
        )
    collected = {
        Path(str(item.path)).resolve()
        for item in request.session.items
        if Path(str(item.path)).suffix == ".ipynb"
    }
    escaped = [str(p.relative_to(ROOT)) for p in chapter_files() if p.resolve() not in collected]
    assert not escaped, f"chapters in _toc.yml that nbval did not collect (so never tested): {escaped}"

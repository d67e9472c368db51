"""The package's docstrings are true: every example runs, every "Used in:" names a chapter that uses it.

The examples (``>>>``) run as doctests on the backend of the test run, so each of the three backends
checks them. A module's examples run in its own namespace, as `doctest.testmod` would run them.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import rnnbook

BOOK = Path(__file__).resolve().parents[1] / "book"
MODULES = sorted(
    m.name for m in pkgutil.walk_packages(rnnbook.__path__, "rnnbook.") if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    for test in finder.find(module, name, globs=dict(vars(module))):
        if test.examples:
            runner.run(test, out=report.append)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, (
        f"{results.failed} of {results.attempted} examples in {name} failed:\n" + "".join(report)
    )


def _used_in(doc: str) -> list[str]:
    """The chapters a docstring's "Used in:" paragraph names."""
    chapters = []
    for paragraph in re.findall(r"Used in:\s*(.+?)(?:\n\s*\n|\Z)", doc or "", flags=re.S):
        chapters += re.findall(r"book/(\w+)", paragraph)
    return chapters


def _documented_objects():
    """``(module name, object, names that count as a use)`` for everything with a docstring."""
    from rnnbook.registry import list_models

    builders = {spec.builder: spec.name for spec in list_models() if spec.source == "builtin"}
    for name in MODULES:
        module = importlib.import_module(name)
        own = [
            o
            for o in vars(module).values()
            if (inspect.isfunction(o) or inspect.isclass(o)) and o.__module__ == name
        ]
        # A module is used where a chapter's code names it (``rnnbook.x.y``, ``from rnnbook.x import``,
        # ``from rnnbook import x``) or one of its own functions, classes or registered models.
        parent, _, short = name.rpartition(".")
        module_names = {name, re.compile(rf"from {re.escape(parent)} import [^\n]*\b{short}\b")}
        module_names |= {o.__name__ for o in own} | {builders[o] for o in own if o in builders}
        yield name, module, module_names
        for obj in own:
            yield name, obj, {obj.__name__} | ({builders[obj]} if obj in builders else set())


def _chapter_code(chapter: str) -> str | None:
    """The source of a chapter's code cells (``None`` if there is no such chapter)."""
    import json

    path = BOOK / f"{chapter}.ipynb"
    if not path.exists():
        return None
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _uses(code: str, names) -> bool:
    """Whether ``code`` names one of ``names`` as a whole word (or matches one, for a pattern)."""
    return any(
        n.search(code) if isinstance(n, re.Pattern) else re.search(rf"(?<!\w){re.escape(n)}(?!\w)", code)
        for n in names
    )


def test_every_used_in_line_names_a_chapter_that_uses_it():
    wrong = []
    for module_name, obj, names in _documented_objects():
        for chapter in _used_in(inspect.getdoc(obj)):
            code = _chapter_code(chapter)
            if code is None or not _uses(code, names):
                wrong.append(f"{module_name}.{getattr(obj, '__qualname__', '')}: book/{chapter}")
    assert not wrong, '"Used in:" names a chapter that does not use it:\n' + "\n".join(wrong)

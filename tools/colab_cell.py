"""Give every chapter a first cell that installs rnnbook where it is missing (Colab), and nothing else.

A notebook opened in Colab (or any fresh kernel) starts without rnnbook. Each chapter's first cell is
therefore the one :func:`setup_cell_source` writes from ``repository.url`` and ``repository.branch`` in
``_config.yml`` (the one setting of where the book lives): where ``rnnbook`` is importable -- the
book's build, nbval, a checkout opened in JupyterLab, Binder -- it does nothing and prints nothing;
where it is not, it installs ``rnnbook[jax]`` from that repository with pip, or, while the book has no
public repository (``url`` empty), stops with one line saying how to read the book live. The cell is
tagged ``remove-cell``, so the HTML book does not show it.

Running this again changes nothing unless ``_config.yml`` changed (the cell is found by its
``metadata.rnnbook_setup``); ``tests/test_launch.py`` checks every chapter holds the current cell.

Run: ``python tools/colab_cell.py`` (from the repository root; rewrites ``book/*.ipynb``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAG = "remove-cell"


def repository(config_text: str) -> tuple[str, str]:
    """``(url, branch)`` of the ``repository:`` block of ``_config.yml`` (text), ``url`` possibly empty.

    Example:

    >>> repository('repository:\\n  url: ""\\n  branch: main\\n')
    ('', 'main')
    """
    import yaml

    block = (yaml.safe_load(config_text) or {}).get("repository") or {}
    return str(block.get("url") or "").strip(), str(block.get("branch") or "main").strip()


def setup_cell_source(url: str, branch: str = "main") -> str:
    """The source of the chapters' first cell for a repository ``url`` (empty: no public repository).

    Example:

    >>> print(setup_cell_source("https://github.com/someone/rnnbook").splitlines()[-1])
        importlib.invalidate_caches()
    """
    lines = [
        "# Outside a checkout of the book (Colab, say), install rnnbook first; where it is installed,",
        "# this cell does nothing.",
        "import importlib.util, subprocess, sys",
        'if importlib.util.find_spec("rnnbook") is None:',
    ]
    if url:
        if not re.fullmatch(r"https://[\w.\-/]+", url) or not re.fullmatch(r"[\w.\-/]+", branch):
            raise ValueError(
                f"repository.url {url!r} / branch {branch!r} in _config.yml is not a plain "
                "https URL and branch name."
            )
        lines += [
            f'    package = "rnnbook[jax] @ git+{url.rstrip("/")}@{branch}"',
            '    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", package])',
            "    importlib.invalidate_caches()",
        ]
    else:
        lines += [
            '    raise ModuleNotFoundError("rnnbook is not installed in this kernel: open the notebooks "',
            '                              "with the README\'s command to read the book live.")',
        ]
    return "\n".join(lines)


def update_notebook(nb, source: str, prefix: str) -> bool:
    """Make ``source`` the first cell of ``nb`` (in place); return whether anything changed."""
    import nbformat

    cells = [c for c in nb.cells if c.metadata.get("rnnbook_setup")]
    cell = cells[0] if cells else None
    if (
        cell is not None
        and nb.cells[0] is cell
        and cell.source == source
        and len(cells) == 1
        and cell.metadata.get("tags") == [TAG]
    ):
        return False
    nb.cells = [c for c in nb.cells if not c.metadata.get("rnnbook_setup")]
    cell = nbformat.v4.new_code_cell(source, metadata={"rnnbook_setup": True, "tags": [TAG]})
    cell.id = f"{prefix}-setup"
    nb.cells.insert(0, cell)
    return True


def main(argv=None) -> int:
    import nbformat

    args = argv if argv is not None else sys.argv[1:]
    paths = [Path(p) for p in args] or sorted(ROOT.glob("book/*.ipynb"))
    source = setup_cell_source(*repository((ROOT / "_config.yml").read_text()))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if update_notebook(nb, source, path.stem.split("_")[0]):
            nbformat.write(nb, path)
            print(f"updated {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Launch buttons only for a real repository, Binder from the lock, and the chapters' first (Colab) cell.

``repository.url`` in ``_config.yml`` is the one setting (rule: ``tools/rnnbook_sphinx.py``); the
first cell of every chapter is written from it by ``tools/colab_cell.py``. A small Jupyter Book build
(one notebook, not executed) checks the rule and that every page carries each script once.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = (ROOT / "_config.yml").read_text()


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


colab_cell = _tool("colab_cell")
rnnbook_sphinx = _tool("rnnbook_sphinx")


@pytest.mark.parametrize(
    "url, real",
    [
        ("https://github.com/someone/rnnbook", True),
        ("https://github.com/some-one/rnn.book/", True),
        ("", False),
        (None, False),
        ("https://github.com/someone", False),
        ("http://github.com/a/b", False),
        ("https://example.com/a/b", False),
        ("https://github.com/-a/b", False),
    ],
)
def test_the_repository_rule(url, real):
    assert rnnbook_sphinx.is_real_repository(url) is real


def test_the_shipped_repository_is_no_real_one_so_no_button_is_shown():
    url, branch = colab_cell.repository(CONFIG)
    assert (url, branch) == ("", "main")
    options = rnnbook_sphinx.buttons_theme_options(
        {"repository_url": url, "launch_buttons": {"colab_url": "x"}}
    )
    assert "launch_buttons" not in options and not options["use_repository_button"]


def _mini_book(tmp_path: Path, url: str) -> str:
    """Build a one-notebook book with the book's _config.yml (``url`` set, no execution); its page."""
    config = CONFIG.replace('  url: ""', f'  url: "{url}"').replace(
        "execute_notebooks: force", 'execute_notebooks: "off"'
    )
    assert f'url: "{url}"' in config
    tmp_path.mkdir()
    (tmp_path / "_config.yml").write_text(config)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    shutil.copytree(ROOT / "tools", tmp_path / "tools")
    shutil.copy(ROOT / "references.bib", tmp_path)  # the config's bibtex_bibfiles
    (tmp_path / "book" / "_static").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "_static" / "favicon.svg", tmp_path / "book" / "_static")
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# A page\n\n$x^2$"), nbformat.v4.new_code_cell("1 + 1")]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    colab_cell.update_notebook(nb, colab_cell.setup_cell_source(url), "p")
    nbformat.write(nb, tmp_path / "page.ipynb")
    jb = Path(sys.executable).with_name("jupyter-book")
    done = subprocess.run(
        [str(jb), "build", ".", "-W", "-n", "--keep-going"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return (tmp_path / "_build" / "html" / "page.html").read_text()


def test_buttons_and_scripts_of_a_built_page(tmp_path):
    shipped = _mini_book(tmp_path / "shipped", "")
    real = _mini_book(tmp_path / "real", "https://github.com/someone/rnnbook")
    for page in (shipped, real):
        # sphinx-thebe registers its configuration twice ("THEBE_JS_URL has already been declared").
        assert page.count("const THEBE_JS_URL") == 1
        assert "find_spec" not in page, "the setup cell is removed from the HTML"
    for button in (
        "mybinder.org/v2/gh/someone/rnnbook/main?urlpath=lab/tree/page.ipynb",
        "colab.research.google.com/github/someone/rnnbook/blob/main/page.ipynb",
        'href="https://github.com/someone/rnnbook"',
        "someone/rnnbook/issues/new",
    ):
        assert button in real
    for provider in ("mybinder.org", "colab.research.google.com", "github.com/"):
        assert provider not in shipped


def test_every_chapter_starts_with_the_setup_cell_of_the_current_setting():
    source = colab_cell.setup_cell_source(*colab_cell.repository(CONFIG))
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        assert first.cell_type == "code" and first.source == source, f"{path.name}: run tools/colab_cell.py"
        assert first.metadata.get("tags") == ["remove-cell"]
        assert sum(bool(c.metadata.get("rnnbook_setup")) for c in nb.cells) == 1
        assert not colab_cell.update_notebook(nb, source, path.stem.split("_")[0]), "the tool is idempotent"


# Runs a setup cell with pip replaced by a recorder; "hide" makes rnnbook look uninstalled first.
RUNNER = textwrap.dedent("""
    import importlib.util, json, subprocess, sys
    calls = []
    subprocess.check_call = lambda args, **kw: calls.append(args)
    if sys.argv[1] == "hide":
        find_spec = importlib.util.find_spec
        importlib.util.find_spec = lambda name, *a: None if name == "rnnbook" else find_spec(name, *a)
    try:
        exec(open(sys.argv[2]).read())
        outcome = "ok"
    except ModuleNotFoundError as exc:
        outcome = "error: " + str(exc)
    print(json.dumps({"calls": calls, "outcome": outcome}))
""")


def _run_cell(tmp_path, source, mode):
    import json

    cell = tmp_path / "cell.py"
    cell.write_text(source)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, mode, str(cell)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


@pytest.mark.parametrize("url", ["", "https://github.com/someone/rnnbook"])
def test_the_setup_cell_does_nothing_where_rnnbook_is_importable(tmp_path, url):
    result, stderr = _run_cell(tmp_path, colab_cell.setup_cell_source(url), "keep")
    assert result == {"calls": [], "outcome": "ok"} and not stderr


def test_the_setup_cell_installs_rnnbook_from_the_repository_where_it_is_missing(tmp_path):
    result, _ = _run_cell(
        tmp_path, colab_cell.setup_cell_source("https://github.com/someone/rnnbook", "dev"), "hide"
    )
    assert result["outcome"] == "ok"
    assert result["calls"] == [
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "rnnbook[jax] @ git+https://github.com/someone/rnnbook@dev",
        ]
    ]


def test_without_a_repository_the_setup_cell_says_how_to_read_live_in_one_line(tmp_path):
    result, _ = _run_cell(tmp_path, colab_cell.setup_cell_source(""), "hide")
    assert result["calls"] == []
    assert result["outcome"].startswith("error: rnnbook is not installed") and "\n" not in result["outcome"]


def test_a_bad_setting_is_one_clear_error():
    with pytest.raises(ValueError, match="not a plain https URL"):
        colab_cell.setup_cell_source("https://github.com/a/b; rm -rf /")


def test_binder_installs_from_the_lock():
    requirements = (ROOT / "binder" / "requirements.txt").read_text().split()
    assert requirements[requirements.index("-r") + 1] == "../requirements.txt"
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install -q --no-deps --no-build-isolation -e . ./tests/plugins/rnnbook_example_plugin" in post
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)

"""The README's two commands are the ones CI runs, and they install what the lock files pin."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def _command(marker: str) -> str:
    """The one-line command of the ```bash block right after the paragraph holding ``marker``."""
    at = README.index(marker)
    block = _bash_blocks(README[at:])[0]
    assert "\n" not in block, f"the command after {marker!r} must be one line"
    return block


BUILD = _command("Install and build the executed HTML book")
TEST = _command("Install and run the tests")
LIVE = _command("Install and read the chapters live")


def test_the_live_command_installs_like_the_build_command_then_opens_the_chapters_in_jupyterlab():
    install, opens = LIVE.rsplit(" && ", 1)
    assert install == BUILD.rsplit(" && ", 1)[0]
    assert opens == ".venv/bin/jupyter lab book"
    assert re.search(r"^jupyterlab==4\.", (ROOT / "requirements.txt").read_text(), flags=re.M)
    assert re.search(r"^jupyterlab-widgets==", (ROOT / "requirements.txt").read_text(), flags=re.M)


def test_ci_runs_the_readme_test_command_verbatim():
    lines = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert lines == [TEST]


def test_the_test_command_builds_the_book_like_the_build_command_then_tests_every_backend():
    build = BUILD.split(" && ")[-1]
    assert build == ".venv/bin/jupyter-book build . -W -n --keep-going"
    assert build in TEST and TEST.index(build) < TEST.index("pytest")
    for backend in ("tensorflow", "torch"):
        marker = '-m "backends and not book and not browser"'
        assert f"KERAS_BACKEND={backend} .venv/bin/python -m pytest {marker} tests" in TEST
    assert TEST.endswith("--nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg tests book")


def test_both_commands_install_only_from_their_lock():
    for command, lock in (
        (BUILD, "requirements.txt"),
        (LIVE, "requirements.txt"),
        (TEST, "requirements-test.txt"),
    ):
        installs = re.findall(r"pip install ([^&]*)", command)
        assert installs[0].split() == ["-q", "--require-hashes", "-r", lock]
        # Everything else is this repository's own code, installed without pulling anything in.
        for other in installs[1:]:
            assert "--no-deps" in other.split() and "--no-build-isolation" in other.split(), other


def _pins(lock: str) -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for name, version in re.findall(
        r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)", (ROOT / lock).read_text(), flags=re.M
    ):
        pins.setdefault(name.lower(), set()).add(version)
    return pins


def test_the_locks_pin_every_package_with_hashes_and_agree():
    book, test = _pins("requirements.txt"), _pins("requirements-test.txt")
    for lock in ("requirements.txt", "requirements-test.txt"):
        text = (ROOT / lock).read_text()
        requirements = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
        assert requirements and all("==" in line for line in requirements), lock
        assert text.count("--hash=sha256:") >= len(requirements), lock
    # The book installs only versions the tests ran with.
    assert {name: versions for name, versions in book.items() if not versions <= test.get(name, set())} == {}
    for package in ("jupyter-book", "keras", "jax", "tensorflow-cpu", "torch", "nbval", "pytest"):
        assert package in test, package
    assert next(iter(book["jupyter-book"])).startswith("1."), "Jupyter Book stays below 2 (README, Decisions)"
    assert "tensorflow-cpu" not in book and "torch" not in book, "the book runs on JAX alone"

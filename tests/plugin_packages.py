"""Install the example plugin packages under tests/plugins into a folder of their own, never into the
running interpreter, and put that folder on the path only while a test needs the plugins."""

import contextlib
import importlib
import os
import subprocess
import sys
from pathlib import Path

PLUGINS = Path(__file__).parent / "plugins"
WORKING, BROKEN = "rnnbook_example_plugin", "rnnbook_broken_plugin"


def install(target, *names) -> Path:
    """Install the packages ``names`` into the folder ``target`` (``pip install --target``); returns it."""
    # No build isolation: the build backend comes from the locked environment, nothing is downloaded.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "-q",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            *(str(PLUGINS / n) for n in names),
        ],
        check=True,
    )
    return Path(target)


@contextlib.contextmanager
def on_path(target):
    """The plugins installed in ``target`` are visible (their entry points included) inside the block,
    to this interpreter and, through ``PYTHONPATH``, to the processes it starts."""
    from rnnbook import registry

    target = str(target)
    modules = set(sys.modules)
    old_pythonpath = os.environ.get("PYTHONPATH")
    sys.path.insert(0, target)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [target, old_pythonpath]))
    importlib.invalidate_caches()
    registry.refresh()
    try:
        yield
    finally:
        sys.path.remove(target)
        if old_pythonpath is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old_pythonpath
        for name in set(sys.modules) - modules:  # the plugins' own modules, imported from `target`
            if (getattr(sys.modules[name], "__file__", None) or "").startswith(target):
                del sys.modules[name]
        importlib.invalidate_caches()
        registry.refresh()

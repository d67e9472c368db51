"""Install the example plugin packages under tests/plugins into the running interpreter."""

import importlib
import subprocess
import sys
from pathlib import Path

PLUGINS = Path(__file__).parent / "plugins"
WORKING, BROKEN = "rnnbook_example_plugin", "rnnbook_broken_plugin"


def pip(*args):
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True)


def install(*names):
    # No build isolation: the build backend comes from the locked environment, nothing is downloaded.
    pip("install", "--no-deps", "--no-build-isolation", *(str(PLUGINS / n) for n in names))
    importlib.invalidate_caches()
    from rnnbook import registry

    registry.refresh()


def uninstall(*dists):
    pip("uninstall", "-y", *dists)
    importlib.invalidate_caches()
    from rnnbook import registry

    registry.refresh()

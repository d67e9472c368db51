"""Computed widgets, kept per machine: a widget shown once appears at once afterwards.

Building a widget means computing from trained models (loaded from the trained-model cache) and
drawing every frame its controls can select: 3-15 s on 2 CPU cores, mostly matplotlib and the
backend's compilation. :func:`cached_view` keeps the result -- the controls, the frames, the title and
footer, and the view's ``data`` -- in ``widgets/`` under the cache root (``~/.cache/rnnbook`` on Linux,
see README "Backends and caches"), so the next time the same widget is built (the book's build,
nbval, a live notebook) it is read back in well under a second.

An entry's key is everything the frames depend on: the widget, its arguments, a hash of *all* of
rnnbook's source (so editing a widget redraws it, while the trained models stay cached), the installed
plugin models with their versions, and the versions of Keras, the backend, NumPy, pandas, statsmodels,
matplotlib, Pillow and ipywidgets. It is on and off with the trained-model cache
(``RNNBOOK_MODEL_CACHE``, ``RNNBOOK_CACHE``); the unit tests, which turn that off, always compute.
Entries are pickles written atomically by rnnbook into the user's own cache directory. A pickle runs
code when it is read, so an entry is read only from a file this user owns in a directory no one else
may write to (else the widget is computed and nothing is read); one that cannot be read is removed and
the widget computed again.

While a widget is computed for the first time, a notebook shows what it is computing and how many
frames are drawn; that note is replaced by the widget when it is ready.

Used in: every explorer of :mod:`rnnbook.widgets`.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import pickle
import tempfile
import time
from pathlib import Path

FORMAT = 1


@functools.lru_cache(maxsize=1)
def _source_fingerprint() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(name: str, arguments: dict) -> str:
    import importlib.metadata

    from rnnbook import model_cache
    from rnnbook.registry import list_models

    fields = {
        "format": FORMAT,
        "widget": name,
        "arguments": arguments,
        "source": _source_fingerprint(),
        # A plugin installed, upgraded or mended changes what an explorer of "all" models shows.
        "plugins": [(s.name, s.source, s.error) for s in list_models() if s.source != "builtin"],
        **model_cache.backend_fields(),
    }
    for package in ("numpy", "pandas", "statsmodels", "matplotlib", "pillow", "ipywidgets"):
        try:
            fields[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            fields[package] = None
    return model_cache.make_key(fields)


def directory() -> str | None:
    """``widgets/`` under the cache root (created), or ``None`` when the trained-model cache is off."""
    from rnnbook import cache

    if cache.cache_dir("models") is None:
        return None
    path = cache.cache_dir("widgets")
    return None if path is None else cache.writable_dir(path)


def _trusted(path: Path) -> bool:
    """The entry is this user's, in a directory only this user may write to (POSIX; elsewhere: yes)."""
    if not hasattr(os, "getuid"):
        return True
    try:
        entry, folder = path.stat(), path.parent.stat()
    except OSError:
        return False
    others_write = 0o022
    return entry.st_uid == folder.st_uid == os.getuid() and not folder.st_mode & others_write


def _read(path: Path):
    if path.exists() and not _trusted(path):
        return None
    try:
        with open(path, "rb") as f:
            return pickle.load(f)  # noqa: S301 (written by rnnbook into the user's own cache)
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or foreign file: compute again
        path.unlink(missing_ok=True)
        return None


def _write(path: Path, entry: dict) -> None:
    try:
        payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # data that does not pickle: the widget is computed each time
        return
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    except OSError:  # a full or read-only disk: the widget is simply computed next time
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def cached_view(name: str, what: str):
    """Decorate the explorer ``name`` (``what``: what it computes, for the progress note)."""

    def decorate(build):
        signature = inspect.signature(build)

        @functools.wraps(build)
        def explorer(*args, **kwargs):
            from rnnbook.widgets._frames import FrameView

            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            where = directory()
            path = None
            if where is not None:
                path = Path(where) / f"{_key(name, {k: repr(v) for k, v in bound.arguments.items()})}.pkl"
                entry = _read(path)
                if entry is not None:
                    view = FrameView(entry["controls"], entry["frames"], **entry["options"])
                    view.data = entry["data"]
                    view.cached = True
                    return view
            with _progress(what):
                view = build(*args, **kwargs)
            view.cached = False
            if path is not None:
                _write(
                    path,
                    {
                        "controls": view.spec,
                        "frames": view.frames,
                        "options": view.options,
                        "data": getattr(view, "data", None),
                    },
                )
            return view

        return explorer

    return decorate


class _progress:
    """In a notebook, a note saying what is computed and how many frames are drawn, removed at the end."""

    def __init__(self, what: str):
        self.what, self.handle, self.frames = what, None, 0

    def _text(self) -> str:
        seconds = time.monotonic() - self.start
        return (
            f"<i>Computing {self.what} (the first time on this machine; afterwards it appears at once) "
            f"&mdash; {self.frames} frame(s) drawn, {seconds:.0f} s</i>"
        )

    def _frame_drawn(self):
        self.frames += 1
        if self.handle is not None:
            self.handle.update(_html(self._text()))

    def __enter__(self):
        from rnnbook.widgets import _frames

        self.start = time.monotonic()
        if _in_kernel():
            from IPython.display import display

            self.handle = display(_html(self._text()), display_id=True)
        self.previous, _frames.on_frame_drawn = _frames.on_frame_drawn, self._frame_drawn
        return self

    def __exit__(self, *exc):
        from rnnbook.widgets import _frames

        _frames.on_frame_drawn = self.previous
        if self.handle is not None:
            self.handle.update(_html(""))
        return False


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None

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
Entries are data, never code: a NumPy ``.npz`` archive per widget, its arrays and frames (PNG bytes)
as arrays read with ``allow_pickle=False``, and everything else -- the controls, the options, the
``data`` dataclasses of rnnbook's widgets -- as JSON naming which of rnnbook's dataclasses to fill (the
class is looked up in rnnbook's own modules, and no constructor runs). An entry is written atomically
by rnnbook into the user's own cache directory and read only from a file this user owns in a directory
no one else may write to (else the widget is computed and nothing is read). An entry that cannot be
read, or decodes to something that is not a widget, is removed and the widget computed again (with
one :class:`rnnbook.cache.CacheWarning` per process at most); a widget whose ``data`` holds something
else is computed each time.

While a widget is computed for the first time, a notebook shows what it is computing and how many
frames are drawn; that note is replaced by the widget when it is ready.

Used in: every explorer of :mod:`rnnbook.widgets`.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.metadata
import inspect
import io
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from rnnbook import cache, model_cache
from rnnbook.cache import CacheWarning
from rnnbook.registry import list_models
from rnnbook.widgets import _frames
from rnnbook.widgets._frames import Control, FrameView

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: IPython.

FORMAT = 2
#: An entry's file name ends so (FORMAT 1 entries were pickles, ``.pkl``: never read).
SUFFIX = ".npz"
# The archive's entry holding the JSON part.
_JSON = "entry.json"


def _key(name: str, arguments: dict) -> str:
    fields = {
        "format": FORMAT,
        "widget": name,
        "arguments": arguments,
        "source": model_cache.source_fingerprint(),  # all of it: an edited widget is redrawn
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

    if cache.cache_dir("models") is None:
        return None
    path = cache.cache_dir("widgets")
    path = None if path is None else cache.writable_dir(path)
    if path is not None and hasattr(os, "getuid"):
        # A cache made by an earlier rnnbook under umask 002 is group-writable, and would never be
        # trusted: this user's own directory is made private again.
        status = os.stat(path)
        if status.st_uid == os.getuid() and status.st_mode & 0o022:
            try:
                os.chmod(path, 0o700)
            except OSError:
                pass
    return path


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


class _Unrepresentable(TypeError):
    """A value the entry format does not hold (the widget is then computed each time)."""


def _encode(value, arrays: dict):
    """``value`` as JSON, its arrays and bytes put in ``arrays`` under the names the JSON gives."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        arrays[name := f"a{len(arrays)}"] = np.frombuffer(bytes(value), dtype=np.uint8)
        return {"bytes": name}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind not in "biufcUS":
            raise _Unrepresentable(f"an array of dtype {array.dtype}")
        arrays[name := f"a{len(arrays)}"] = array
        return {"array" if isinstance(value, np.ndarray) else "scalar": name}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [_encode(v, arrays) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]}
    kind = type(value)
    if dataclasses.is_dataclass(value) and kind.__module__.startswith("rnnbook."):
        fields = {f.name: _encode(getattr(value, f.name), arrays) for f in dataclasses.fields(value)}
        return {"dataclass": f"{kind.__module__}:{kind.__qualname__}", "fields": fields}
    raise _Unrepresentable(f"a {kind.__module__}.{kind.__qualname__}")


def _decode(value, arrays):
    """The inverse of :func:`_encode`; raises ``ValueError`` on anything it did not write."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if not isinstance(value, dict) or not value:
        raise ValueError(f"unexpected {type(value).__name__} in a widget entry")
    tag = next(iter(value))
    if tag == "bytes":
        return arrays[value["bytes"]].tobytes()
    if tag == "array":
        return arrays[value["array"]]
    if tag == "scalar":
        return arrays[value["scalar"]][()]
    if tag in ("list", "tuple"):
        items = [_decode(v, arrays) for v in value[tag]]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        return {_decode(k, arrays): _decode(v, arrays) for k, v in value["dict"]}
    if tag == "dataclass":
        return _dataclass(value["dataclass"], {k: _decode(v, arrays) for k, v in value["fields"].items()})
    raise ValueError(f"unexpected tag {tag!r} in a widget entry")


def _dataclass(where: str, fields: dict):
    """An instance of one of rnnbook's (already imported) dataclasses, its fields set directly: no
    constructor or other code of the entry's choosing runs."""
    module, _, qualname = where.partition(":")
    if not module.startswith("rnnbook."):
        raise ValueError(f"{where} is none of rnnbook's dataclasses")
    kind = getattr(importlib.import_module(module), qualname, None)
    if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
        raise ValueError(f"{where} is none of rnnbook's dataclasses")
    if set(fields) != {f.name for f in dataclasses.fields(kind)}:
        raise ValueError(f"the fields of {where} differ")
    instance = object.__new__(kind)
    for name, field_value in fields.items():
        object.__setattr__(instance, name, field_value)  # (frozen dataclasses too)
    return instance


def _read(path: Path):
    """The entry at ``path`` decoded, or ``None`` (no entry, an untrusted one, or one that does not read,
    which is removed)."""
    if path.exists() and not _trusted(path):
        return None
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"PK\x03\x04":  # (else NumPy would call it "pickled data")
                raise ValueError("not an .npz archive")
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
        return _decode(json.loads(str(arrays.pop(_JSON)[()])), arrays)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: compute again
        _discard(path, exc)
        return None


_warned = False


def _discard(path: Path, exc: Exception) -> None:
    """Remove an entry that does not read or is no widget; say so once per process."""
    global _warned
    path.unlink(missing_ok=True)
    if not _warned:
        _warned = True

        warnings.warn(
            f"rnnbook's widget cache entry {path} is unusable ({type(exc).__name__}: {exc}); it is "
            "removed and the widget computed again.",
            CacheWarning,
            stacklevel=4,
        )


def _write(path: Path, entry: dict) -> None:
    arrays: dict = {}
    try:
        text = json.dumps(_encode(entry, arrays))
    except _Unrepresentable:  # data the format does not hold: the widget is computed each time
        return
    buffer = io.BytesIO()
    np.savez(buffer, **{_JSON: np.array(text)}, **arrays)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(buffer.getvalue())
        os.replace(tmp, path)
    except OSError:  # a full or read-only disk: the widget is simply computed next time
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _view(entry):
    """The :class:`FrameView` of a decoded entry (raises if the entry is no widget)."""

    if not isinstance(entry, dict) or not all(isinstance(c, Control) for c in entry["controls"]):
        raise ValueError(f"a {type(entry).__name__} where a widget's entry was expected")
    return FrameView(entry["controls"], entry["frames"], **entry["options"], data=entry["data"], cached=True)


def dataset_contents(dataset) -> str:
    """A data set's fingerprint for a widget's key: its windows, targets and units."""
    arrays = (a for _, X, y in dataset.splits() for a in (X, y))
    return model_cache.fingerprint(*arrays) + repr(getattr(dataset, "units", None))


def cached_view(name: str, what: str, contents=None):
    """Decorate the explorer ``name`` (``what``: what it computes, for the progress note).

    ``contents``, if given, maps the call's arguments to what they stand for beyond their ``repr`` --
    the data behind a series of the user's own, known here by its name -- and enters the key with them.
    """

    def decorate(build):
        signature = inspect.signature(build)

        @functools.wraps(build)
        def explorer(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            where = directory()
            path = None
            if where is not None:
                arguments = {k: repr(v) for k, v in bound.arguments.items()}
                if contents is not None:
                    arguments["contents"] = contents(bound.arguments)
                path = Path(where) / f"{_key(name, arguments)}{SUFFIX}"
                entry = _read(path)
                if entry is not None:
                    try:
                        return _view(entry)
                    except Exception as exc:  # it decoded, but to no widget: compute it again
                        _discard(path, exc)
            with _progress(what):
                view = build(*args, **kwargs)
            if path is not None:
                _write(
                    path,
                    {
                        "controls": view.control_list,
                        "frames": view.frames,
                        "options": view.options,
                        "data": view.data,
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
        self.start = time.monotonic()
        if _in_kernel():
            from IPython.display import display

            self.handle = display(_html(self._text()), display_id=True)
        _frames.frame_listeners.push(self._frame_drawn)
        return self

    def __exit__(self, *exc):
        _frames.frame_listeners.pop(self._frame_drawn)
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

"""Trained models kept on disk: a model trains once per machine, then every caller gets that model.

:func:`rnnbook.training.train` looks here first. An entry is keyed by everything that determines the
trained model: the rnnbook code (a hash of its source, so an edited model never hits a stale entry),
the Keras version and backend (and the backend library's version), the model's name and source (a
plugin's distribution and version), its hyper-parameters, the recipe (epochs, batch size,
learning rate and schedule, early stopping), the seed, and a fingerprint of the data (every array's
bytes). A hit returns exactly what the miss returned -- the same weights, the same scores, the same
history -- and says so in ``TrainResult.cached``.

Each entry is a directory ``<cache root>/models/<key>/`` holding ``model.keras`` and ``result.json``
(the scores, the history and the sha256 of ``model.keras``). It is written into a temporary directory
beside it and renamed into place in one step, so no reader ever sees half an entry, and two processes
that train the same model at once both succeed and leave one entry. An entry that fails to read, whose
file does not match its checksum or whose model does not load is reported once (a
:class:`rnnbook.cache.CacheWarning`), removed and trained again.

Turn it off with ``train(..., cache=False)``, ``RNNBOOK_MODEL_CACHE=0`` or ``RNNBOOK_CACHE=0``;
``RNNBOOK_MODEL_CACHE=DIR`` puts it elsewhere (see :mod:`rnnbook.cache` for the default location).

Example:

>>> from rnnbook import model_cache
>>> len(model_cache.make_key({"model": "linear", "seed": 42}))
64
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from rnnbook import cache
from rnnbook.saving import load_model

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras.

FORMAT = 1
MODEL_FILE, RESULT_FILE = "model.keras", "result.json"


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return {"ndarray": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


def make_key(fields: dict) -> str:
    """The sha256 of ``fields`` written as canonical JSON."""
    text = json.dumps(fields, sort_keys=True, default=_jsonable)
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint(*arrays) -> str:
    """A sha256 over the dtype, shape and bytes of each array."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


# Modules that present results and cannot change a trained model's weights: editing a widget, a plot, a
# diagram or the command line must not retrain the book. Paths relative to the package.
PRESENTATION = (
    "__main__.py",
    "backtest.py",  # each origin's data and recipe are in the key of every run it trains
    "cli.py",
    "compare.py",
    "diagrams.py",
    "leaderboard.py",
    "parallel.py",  # where a run trains, never what it trains into
    "plotting.py",
    "published.py",
    "report.py",
    "widgets/",
)


def code_fingerprint(package: str | Path | None = None) -> str:
    """A sha256 of rnnbook's source files that can change a trained model (not :data:`PRESENTATION`).

    ``package`` is the package directory (default: this one); any edit to the modules that build,
    train or feed a model changes every key. The tiny models the widgets train are covered by their
    builder's own fingerprint (:func:`builder_fingerprint`).
    """
    return source_fingerprint(package, exclude=PRESENTATION)


def source_fingerprint(package: str | Path | None = None, exclude: tuple[str, ...] = ()) -> str:
    """A sha256 of the path and bytes of every ``.py`` file of the package directory ``package``
    (default: rnnbook's own, hashed once per process) but those whose relative path starts with one of
    ``exclude``. The one fingerprint of rnnbook's source: the trained-model cache keys on it without
    the presentation modules (:func:`code_fingerprint`), the widget cache with all of them.
    """
    if package is None:
        return _own_source_fingerprint(tuple(exclude))
    return _fingerprint_sources(Path(package), tuple(exclude))


@functools.lru_cache(maxsize=4)
def _own_source_fingerprint(exclude: tuple[str, ...]) -> str:
    return _fingerprint_sources(Path(__file__).resolve().parent, exclude)


def _fingerprint_sources(root: Path, exclude: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if exclude and relative.startswith(exclude):
            continue
        digest.update(relative.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def builder_fingerprint(builder) -> str:
    """A sha256 of a builder's module, name and source: a model edited under the same name misses.

    (rnnbook's own builders are also covered by :func:`code_fingerprint`; this catches models
    registered in a notebook or a plugin reinstalled without a new version.)
    """

    parts = [getattr(builder, "__module__", ""), getattr(builder, "__qualname__", repr(type(builder)))]
    try:
        parts.append(inspect.getsource(builder))
    except (OSError, TypeError):  # no source to read (a C callable, an interactive definition)
        parts.append(repr(builder))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def backend_fields() -> dict:
    """The Keras version, the backend and the backend library's version."""

    import keras

    backend = keras.backend.backend()
    library = {"jax": "jaxlib", "tensorflow": "tensorflow", "torch": "torch"}.get(backend, backend)
    try:
        version = importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        version = getattr(__import__(backend), "__version__", "unknown")
    return {"keras": keras.__version__, "backend": backend, "backend_version": version}


def directory(enabled: bool | None = None) -> str | None:
    """The cache directory (created), or ``None`` when the cache is off or cannot be written."""
    if enabled is False:
        return None
    path = cache.cache_dir("models")
    return None if path is None else cache.writable_dir(path)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_reported: set[str] = set()


def _report_once(where: str, message: str) -> None:
    """One :class:`~rnnbook.cache.CacheWarning` per entry or directory and process."""
    if where not in _reported:
        _reported.add(where)
        warnings.warn(message, cache.CacheWarning, stacklevel=4)


def has(root: str, key: str) -> bool:
    """Whether the cache holds an entry for ``key`` (:func:`load` still checks that it is intact)."""
    return os.path.isdir(os.path.join(root, key))


def load(root: str, key: str, fields=()):
    """``(model, record)`` for ``key``, or ``None`` on a miss.

    An entry that is damaged -- unreadable record, a model file that does not match its checksum, a
    missing field -- is reported once, removed and so becomes a miss. An intact entry whose model does
    not load here (a layer this process cannot deserialize) is reported once and left alone: a miss
    that is not stored again.
    """
    entry = os.path.join(root, key)
    if not os.path.isdir(entry):
        return None
    model_path = os.path.join(entry, MODEL_FILE)
    try:
        with open(os.path.join(entry, RESULT_FILE)) as f:
            record = json.load(f)
        if record.get("format") != FORMAT or record.get("key") != key:
            raise ValueError("it was written for another key or format")
        missing = [k for k in fields if k not in record]
        if missing:
            raise ValueError(f"its record lacks {', '.join(missing)}")
        if _sha256(model_path) != record["model_sha256"]:
            raise ValueError(f"{MODEL_FILE} does not match its checksum")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _report_once(
            entry,
            f"rnnbook's model cache entry {entry} is unusable ({type(exc).__name__}: {exc}); "
            "it is removed and the model is trained again.",
        )
        shutil.rmtree(entry, ignore_errors=True)
        return None
    try:
        model = load_model(model_path)
    except Exception as exc:  # intact, but not loadable here: a miss, and the entry stays
        _report_once(
            entry,
            f"rnnbook's model cache entry {entry} does not load in this process "
            f"({type(exc).__name__}: {exc}); the model is trained again.",
        )
        return None
    return model, record


def store(root: str, key: str, model, record: dict) -> bool:
    """Write an entry atomically; ``False`` if it could not be written (reported once) or another won."""
    entry = os.path.join(root, key)
    if os.path.isdir(entry):
        return False
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix=f".{key[:16]}-", suffix=".tmp", dir=root)
        model_path = os.path.join(tmp, MODEL_FILE)
        model.save(model_path)
        record = {**record, "format": FORMAT, "key": key, "model_sha256": _sha256(model_path)}
        with open(os.path.join(tmp, RESULT_FILE), "w") as f:
            json.dump(record, f, indent=1, default=_jsonable)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, entry)  # atomic; fails if another process renamed its entry first
        tmp = None
        return True
    except Exception as exc:  # a full disk, or a model Keras cannot save: train on, uncached
        if not os.path.isdir(entry):  # (a lost race leaves the other process's entry: nothing to say)
            _report_once(
                root,
                f"rnnbook's model cache cannot store {key[:16]}... in {root} "
                f"({type(exc).__name__}: {exc}); training goes on without it.",
            )
        return False
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

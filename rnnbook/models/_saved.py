"""The file a forecaster (ARMA, SARIMA, seasonal naive) saves to: a NumPy ``.npz`` archive holding its
settings as JSON and its fitted parameters as arrays. Nothing in it can run code when it is read (it is
loaded with ``allow_pickle=False``); :func:`rnnbook.load_model` re-creates the forecaster from it.

Used in: the forecasters' ``save`` methods and :func:`rnnbook.saving.load_model`.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from rnnbook._files import write_atomically

#: The file a forecaster saves to.
FORECASTER_EXTENSION = ".npz"
# The archive's entry holding the forecaster's class and settings, and the version of that layout.
_HEADER, _FORMAT = "rnnbook_forecaster", 1


def save_forecaster(path, model, config: dict, arrays: dict, kind: str | None = None) -> None:
    """Write a forecaster's settings (``config``, JSON) and parameters (``arrays``) to a ``.npz`` file,
    atomically (written beside ``path``, then renamed over it).

    ``kind`` names the class that re-creates it (default: the model's own). Used by the forecasters'
    ``save`` methods; :func:`rnnbook.load_model` reads the file back.
    """

    path = os.fspath(path)
    if not path.endswith(FORECASTER_EXTENSION):
        raise ValueError(
            f"A {type(model).__name__} saves to a `{FORECASTER_EXTENSION}` file (its settings and "
            f"parameters; `.keras` files hold Keras models), got {path!r}."
        )
    header = {"format": _FORMAT, "class": kind or type(model).__name__, "config": config}

    def write(tmp):
        with open(tmp, "wb") as f:
            np.savez(f, **{_HEADER: np.array(json.dumps(header))}, **arrays)

    write_atomically(path, write)


def load_forecaster(path, classes):
    """Re-create the forecaster saved in the ``.npz`` file ``path`` (see :func:`save_forecaster`), one of
    ``classes`` (each with a ``from_saved(config, arrays)`` class method)."""

    if not os.fspath(path).endswith(FORECASTER_EXTENSION):
        raise ValueError(
            f"Expected a `.keras` file (a Keras model) or a `{FORECASTER_EXTENSION}` file (a forecaster) "
            f"saved with `model.save(...)`; got {os.fspath(path)!r}."
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            header = json.loads(str(archive[_HEADER][()]))
            arrays = {k: archive[k] for k in archive.files if k != _HEADER}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"{path!r} is not a forecaster saved by rnnbook (`model.save(...)`): {type(exc).__name__}: {exc}"
        ) from None
    classes = {c.__name__: c for c in classes}
    if header.get("format") != _FORMAT or header.get("class") not in classes:
        raise ValueError(
            f"{path!r} holds a {header.get('class')!r} forecaster in format {header.get('format')!r}; "
            f"this rnnbook reads format {_FORMAT} of {', '.join(classes)}."
        )
    return classes[header["class"]].from_saved(header["config"], arrays)

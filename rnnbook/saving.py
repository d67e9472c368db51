"""Saved models that load anywhere: ``.keras`` files written by any rnnbook Keras model, ``.npz`` files
written by its forecasters (ARMA, SARIMA, seasonal naive).

Every custom object rnnbook builds models from (the layers of :mod:`rnnbook.layers`, the metric
``last_time_step_mse``) is registered with Keras under the package name ``"rnnbook"``. A ``.keras``
file names them (``"rnnbook>UnrolledRNN"``), so a new process must register them before it loads one.
``import rnnbook`` arranges that without importing Keras itself: the moment Keras is imported, the
registrations follow (:mod:`rnnbook.backend`), so a plain ``keras.saving.load_model`` works after
``import rnnbook``, with the default ``safe_mode``. :func:`load_model` does the same in one call.

The forecasters (models of kind ``"forecaster"``) are no Keras models: ``model.save("sarima.npz")``
writes a NumPy ``.npz`` archive holding their settings as JSON and their fitted parameters as arrays
-- nothing in it can run code when it is read (it is loaded with ``allow_pickle=False``) -- and
:func:`load_model` re-creates the forecaster from them, forecasting exactly as the one saved.

Example:

>>> import rnnbook, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
>>> rnnbook.build_model("unrolled_rnn", n_steps=8).save(path)
>>> type(rnnbook.load_model(path).layers[-1]).__name__
'Dense'
"""

from __future__ import annotations

import json
import os
import tempfile

#: The file a forecaster saves to (a NumPy archive: settings as JSON, parameters as arrays).
FORECASTER_EXTENSION = ".npz"
# The archive's entry holding the forecaster's class and settings, and the version of that layout.
_HEADER, _FORMAT = "rnnbook_forecaster", 1


def register_custom_objects() -> None:
    """Register rnnbook's custom layers and metrics with Keras (idempotent; imports Keras)."""
    import rnnbook.layers  # noqa: F401  (the decorators register on import)
    import rnnbook.metrics  # noqa: F401


def load_model(path, *, compile: bool = True):
    """Load a ``.keras`` file saved from any rnnbook Keras model (trained or not, compiled or not), or a
    ``.npz`` file saved from a forecaster (ARMA, SARIMA, seasonal naive).

    Args:
        path: the ``.keras`` or ``.npz`` file.
        compile: restore the optimizer, loss and metrics too (as ``keras.saving.load_model``; a
            forecaster has none).

    Raises:
        FileNotFoundError: no such file. ValueError: not a ``.keras`` file or a forecaster's ``.npz``.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No saved model at {path!r}" + (" (it is a directory)." if os.path.isdir(path) else ".")
        )
    if path.endswith(FORECASTER_EXTENSION):
        return load_forecaster(path)
    if not path.endswith(".keras"):
        raise ValueError(
            f"Expected a `.keras` file (a Keras model) or a `{FORECASTER_EXTENSION}` file (a "
            f"forecaster) saved with `model.save(...)`; got {path!r}."
        )
    register_custom_objects()
    import keras

    return keras.saving.load_model(path, compile=compile)


def _forecaster_classes() -> dict:
    from rnnbook.models.arma import ArimaForecaster
    from rnnbook.models.seasonal import SeasonalNaive

    return {"ArimaForecaster": ArimaForecaster, "SeasonalNaive": SeasonalNaive}


def save_forecaster(path, model, config: dict, arrays: dict) -> None:
    """Write a forecaster's settings (``config``, JSON) and parameters (``arrays``) to a ``.npz`` file,
    atomically (written beside ``path``, then renamed over it).

    Used by the forecasters' ``save`` methods; :func:`load_model` reads the file back.
    """
    import numpy as np

    path = os.fspath(path)
    if not path.endswith(FORECASTER_EXTENSION):
        raise ValueError(
            f"A {type(model).__name__} saves to a `{FORECASTER_EXTENSION}` file (its settings and "
            f"parameters; `.keras` files hold Keras models), got {path!r}."
        )
    header = {"format": _FORMAT, "class": type(model).__name__, "config": config}
    fd, tmp = tempfile.mkstemp(prefix=".forecaster-", suffix=".tmp", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{_HEADER: np.array(json.dumps(header))}, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_forecaster(path):
    """Re-create the forecaster saved in the ``.npz`` file ``path`` (see :func:`save_forecaster`)."""
    import zipfile

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as archive:
            header = json.loads(str(archive[_HEADER][()]))
            arrays = {k: archive[k] for k in archive.files if k != _HEADER}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"{path!r} is not a forecaster saved by rnnbook (`model.save(...)`): {type(exc).__name__}: {exc}"
        ) from None
    classes = _forecaster_classes()
    if header.get("format") != _FORMAT or header.get("class") not in classes:
        raise ValueError(
            f"{path!r} holds a {header.get('class')!r} forecaster in format {header.get('format')!r}; "
            f"this rnnbook reads format {_FORMAT} of {', '.join(classes)}."
        )
    return classes[header["class"]].from_saved(header["config"], arrays)

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

import os

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras and
# rnnbook's Keras modules (layers, metrics, models).


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
    if not path.endswith(".keras"):  # a forecaster's file, or a file of neither kind (said there)
        from rnnbook.models._saved import load_forecaster
        from rnnbook.models.arma import ArimaForecaster
        from rnnbook.models.seasonal import SeasonalNaive
        from rnnbook.models.statistical import EtsForecaster, ThetaForecaster

        return load_forecaster(path, (ArimaForecaster, SeasonalNaive, EtsForecaster, ThetaForecaster))
    register_custom_objects()
    import keras

    return keras.saving.load_model(path, compile=compile)

"""Saved models that load anywhere: ``.keras`` files written by any rnnbook model.

Every custom object rnnbook builds models from (the layers of :mod:`rnnbook.layers`, the metric
``last_time_step_mse``) is registered with Keras under the package name ``"rnnbook"``. A ``.keras``
file names them (``"rnnbook>UnrolledRNN"``), so a new process must register them before it loads one.
``import rnnbook`` arranges that without importing Keras itself: the moment Keras is imported, the
registrations follow (:mod:`rnnbook.backend`), so a plain ``keras.saving.load_model`` works after
``import rnnbook``, with the default ``safe_mode``. :func:`load_model` does the same in one call.

Example:

>>> import rnnbook, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
>>> rnnbook.build_model("unrolled_rnn", n_steps=8).save(path)
>>> type(rnnbook.load_model(path).layers[-1]).__name__
'Dense'
"""

from __future__ import annotations

import os


def register_custom_objects() -> None:
    """Register rnnbook's custom layers and metrics with Keras (idempotent; imports Keras)."""
    import rnnbook.layers  # noqa: F401  (the decorators register on import)
    import rnnbook.metrics  # noqa: F401


def load_model(path, *, compile: bool = True):
    """Load a ``.keras`` file saved from any rnnbook model (trained or not, compiled or not).

    Args:
        path: the ``.keras`` file.
        compile: restore the optimizer, loss and metrics too (as ``keras.saving.load_model``).

    Raises:
        FileNotFoundError: no such file. ValueError: not a ``.keras`` file.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No saved model at {path!r}" + (" (it is a directory)." if os.path.isdir(path) else ".")
        )
    if not path.endswith(".keras"):
        raise ValueError(f"Expected a `.keras` file saved with `model.save(...)`; got {path!r}.")
    register_custom_objects()
    import keras

    return keras.saving.load_model(path, compile=compile)

"""Metrics: the chapter's ``last_time_step_mse`` (a Keras metric) and a NumPy ``mse``.

A seq2seq model forecasts the next ``horizon`` values at *every* time step, and its loss averages over
all of them; the forecast that matters at the end of the window is the one from the last time step.
``last_time_step_mse`` measures just that, so seq2seq models can be compared with seq2vec ones.

Used in: book/04_forecasting, book/06_lstm_gru, book/07_convolutions_wavenet and the trainer's evaluation.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="rnnbook")
def last_time_step_mse(y_true, y_pred):
    """MSE of the last time step's forecast, per series.

    Registered as serializable, so a model compiled with ``metrics=[last_time_step_mse]`` saves to and
    loads from a ``.keras`` file.

    Args:
        y_true: targets of shape ``(batch, steps, horizon)``.
        y_pred: forecasts of the same shape.

    Returns:
        Tensor of shape ``(batch,)``: for each series, the mean over the horizon of the squared error
        at the last time step (Keras averages it over the batch).

    Used in: book/04_forecasting, book/05_unstable_gradients, book/06_lstm_gru.

    Example:

    >>> y_true = keras.ops.zeros((2, 5, 3))
    >>> y_pred = keras.ops.ones((2, 5, 3))
    >>> keras.ops.convert_to_numpy(last_time_step_mse(y_true, y_pred)).tolist()
    [1.0, 1.0]
    """
    y_true = ops.convert_to_tensor(y_true)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    return ops.mean(ops.square(y_true[:, -1] - y_pred[:, -1]), axis=-1)


def mse(y_true, y_pred) -> float:
    """Mean squared error over every element, in float64.

    The shapes must match exactly: broadcasting ``(batch, 1)`` against ``(batch,)`` would silently
    compare every target with every forecast.

    Args:
        y_true: array of targets.
        y_pred: array of forecasts with the same shape.

    Returns:
        The MSE as a Python float.

    Used in: book/04_forecasting and the trainer's evaluation.

    Example:

    >>> mse([[0.0, 1.0]], [[1.0, 1.0]])
    0.5
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"`y_true` and `y_pred` must have the same shape, got {y_true.shape} and "
                         f"{y_pred.shape}.")
    if y_true.size == 0:
        raise ValueError("`y_true` and `y_pred` are empty.")
    return float(np.mean(np.square(y_true - y_pred)))

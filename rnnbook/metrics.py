"""Metrics: the chapter's ``last_time_step_mse`` (a Keras metric), NumPy ``mse``, ``mae``, ``mape``, ``mase``.

A seq2seq model forecasts the next ``horizon`` values at *every* time step, and its loss averages over
all of them; the forecast that matters at the end of the window is the one from the last time step.
``last_time_step_mse`` measures just that, so seq2seq models can be compared with seq2vec ones.

Used in: book/04_forecasting, book/05_unstable_gradients, book/06_lstm_gru and the trainer's evaluation.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from rnnbook._checks import renamed_keywords


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
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.square(y_true - y_pred)))


def _pair(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"`y_true` and `y_pred` must have the same shape, got {y_true.shape} and {y_pred.shape}."
        )
    if y_true.size == 0:
        raise ValueError("`y_true` and `y_pred` are empty.")
    return y_true, y_pred


def mae(y_true, y_pred) -> float:
    """Mean absolute error over every element, in float64 (same shapes required, as for :func:`mse`).

    Example:

    >>> mae([[0.0, 1.0]], [[1.0, 1.0]])
    0.5
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def mape(y_true, y_pred) -> float:
    """Mean absolute percentage error, in percent: ``100 * mean(|y - forecast| / |y|)``.

    Undefined when a target is 0: the result is then NaN (never a mean over the other targets).

    Example:

    >>> mape([100.0, 200.0], [110.0, 180.0])
    10.0
    >>> mape([0.0, 1.0], [0.0, 1.0])
    nan
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if (y_true == 0).any():
        return float("nan")
    return float(100 * np.mean(np.abs(y_true - y_pred) / np.abs(y_true)))


def mase(y_true, y_pred, naive_mae: float) -> float:
    """Mean absolute scaled error: the MAE divided by ``naive_mae``, the training period's MAE of the
    seasonal naive forecast (:class:`rnnbook.data.Units`). Below 1: better than that naive forecast did
    in training.

    Example:

    >>> mase([1.0, 2.0], [1.5, 2.5], naive_mae=2.0)
    0.25
    """
    if not naive_mae > 0:
        raise ValueError(
            f"MASE divides by the naive forecast's MAE, which must be positive; got {naive_mae}."
        )
    return mae(y_true, y_pred) / naive_mae


@renamed_keywords(target="layout")
def forecast_scores(y_true, y_pred, units=None, layout: str = "vector") -> dict:
    """MSE, MAE, MAPE and MASE of a forecast in the user's units, overall and per horizon step.

    Args:
        y_true, y_pred: targets and forecasts, ``(batch, horizon)`` or, for ``layout="seq2seq"``,
            ``(batch, steps, horizon)`` (only the last time step's forecast counts, as for the MSE).
        units: a :class:`rnnbook.data.Units` (scaled values are brought back to the user's units and
            MASE is reported), or ``None`` (values as they are, no MASE).
        layout: the data set's target layout (:data:`rnnbook.data.LAYOUTS`).

    Returns:
        ``{"mse", "mae", "mape", "mase", "mae_per_step"}``: floats (``mase`` is ``None`` without
        ``units``, NaN when the seasonal naive forecast was exact over the training period, and
        ``mape`` NaN when a target is 0) and a list with one MAE per step ahead.

    Used in: not in the book by name (`rnnbook.training.train` reports it for data sets with units).

    Example:

    >>> from rnnbook.data import Units
    >>> units = Units("riders", mean=100.0, std=10.0, naive_mae=5.0)
    >>> s = forecast_scores([[0.0, 1.0]], [[0.1, 0.5]], units)
    >>> round(s["mae"], 6), [round(v, 6) for v in s["mae_per_step"]], round(s["mase"], 6)
    (3.0, [1.0, 5.0], 0.6)
    """
    if units is not None:  # before any cast: a zero is found in the dtype the targets are stored in
        y_true, y_pred = invert_targets(y_true, units), units.invert(y_pred)
    y_true, y_pred = _pair(y_true, y_pred)
    if layout == "seq2seq":
        y_true, y_pred = y_true[:, -1], y_pred[:, -1]
    errors = np.abs(y_true - y_pred).reshape(len(y_true), -1)
    return {
        "mse": mse(y_true, y_pred),
        "mae": mae(y_true, y_pred),
        "mape": mape(y_true, y_pred),
        "mase": None
        if units is None
        else (mase(y_true, y_pred, units.naive_mae) if units.naive_mae > 0 else float("nan")),
        "mae_per_step": [float(v) for v in errors.mean(axis=0)],
    }


def invert_targets(y_scaled, units) -> np.ndarray:
    """Scaled targets back in the user's units, a zero of the user's exactly 0 (see :func:`_scaled_zeros`).

    Example:

    >>> from rnnbook.data import Units
    >>> units = Units("riders", mean=3.0, std=7.0, naive_mae=1.0)
    >>> y = np.array([(0.0 - 3.0) / 7.0, 1.0], dtype=np.float32)     # a zero and 10 riders, scaled
    >>> invert_targets(y, units).tolist()
    [0.0, 10.0]
    """
    inverted = units.invert(y_scaled)
    inverted[_scaled_zeros(y_scaled, units)] = 0.0
    return inverted


def _scaled_zeros(y_scaled, units) -> np.ndarray:
    """Where the scaled targets hold a 0 of the user's units.

    A zero scaled as ``(0 - mean) / std`` and stored in the targets' dtype comes back from
    :meth:`~rnnbook.data.Units.invert` as a tiny number, not 0, and MAPE would divide by it. Scaling a
    zero the same way in the same dtype gives the very same number, so zeros are found exactly.
    """
    y_scaled = np.asarray(y_scaled)
    dtype = y_scaled.dtype if y_scaled.dtype.kind == "f" else np.dtype(np.float64)
    zero = np.asarray((0.0 - units.mean) / units.std, dtype=np.float64).astype(dtype)
    return y_scaled.astype(dtype, copy=False) == zero


def multitask_scores(y_true, y_pred, target_units) -> dict:
    """:func:`forecast_scores` for each target column of a multitask forecast, in that column's units.

    Args:
        y_true, y_pred: ``(batch, n_targets * horizon)``, target-major: ``[:, j * horizon + k]`` is
            target ``j``, ``k + 1`` steps ahead (:func:`rnnbook.frames.frame_dataset`).
        target_units: one :class:`rnnbook.data.Units` per target column, in order.

    Returns:
        ``{column: {"mse", "mae", "mape", "mase", "mae_per_step"}}``, in the order of the columns.

    Example:

    >>> from rnnbook.data import Units
    >>> units = (Units("riders", 1000.0, 100.0, naive_mae=50.0), Units("rain", 2.0, 1.0, naive_mae=0.5))
    >>> s = multitask_scores([[0.0, 0.0, 1.0, 1.0]], [[0.5, 1.0, 1.0, 0.0]], units)
    >>> [(c, round(v["mae"], 6), v["mae_per_step"]) for c, v in s.items()]
    [('riders', 75.0, [50.0, 100.0]), ('rain', 0.5, [0.0, 1.0])]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    n_targets = len(target_units)
    if y_true.ndim != 2 or y_true.shape[1] % n_targets:
        raise ValueError(
            f"Multitask forecasts have shape (batch, n_targets * horizon) with n_targets={n_targets}, "
            f"got {y_true.shape}."
        )
    horizon = y_true.shape[1] // n_targets
    return {
        units.column: forecast_scores(
            y_true[:, j * horizon : (j + 1) * horizon], y_pred[:, j * horizon : (j + 1) * horizon], units
        )
        for j, units in enumerate(target_units)
    }

"""Windows, targets and splits: cutting series into the arrays a model reads and the targets it learns.

Every array is float32 with shape ``(batch, steps, features)``; the target layouts are described in
:mod:`rnnbook.data`.
"""

from __future__ import annotations

import numpy as np

from rnnbook._checks import check_choice, check_finite, check_positive_int, renamed_keywords

#: The target layouts: what ``y`` holds (see :mod:`rnnbook.data`).
LAYOUTS = ("one_step", "vector", "seq2seq")

#: The three splits, in time order.
SPLITS = ("train", "valid", "test")


_DTYPE_HINTS = {
    "M": " -- dates or times are not values: pass the measurements (the dates can index them)",
    "m": " -- durations are not values: convert them to numbers in the unit you mean first",
    "c": " -- complex values: put the real and imaginary parts in two features",
    "b": " -- booleans: convert them to 0.0 and 1.0 first if that is what you mean",
}


def as_real(series, name: str = "series") -> np.ndarray:
    """``series`` as a float32 array, refusing what is not real numbers instead of casting it.

    NumPy would turn dates into day counts and drop the imaginary part of complex values; rnnbook
    raises a ``ValueError`` naming the dtype instead.

    Example:

    >>> as_real([1, 2.5]).dtype
    dtype('float32')
    >>> as_real(np.array(["2024-01-01"], dtype="datetime64[D]"))   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: `series` must hold real numbers, got dtype datetime64[D] -- dates or times ...
    """
    array = np.asarray(series)
    if array.dtype.kind not in "iuf":
        raise ValueError(
            f"`{name}` must hold real numbers, got dtype {array.dtype}"
            f"{_DTYPE_HINTS.get(array.dtype.kind, '')}."
        )
    return array.astype(np.float32)


def _as_batch(series, name: str = "series") -> np.ndarray:
    series = as_real(series, name)
    if series.ndim != 3:
        raise ValueError(
            f"`{name}` must have rank 3 (batch, steps, features), got rank {series.ndim} with shape "
            f"{series.shape}; use `sliding_windows` to cut one long series into a batch."
        )
    if series.shape[0] == 0 or series.shape[2] == 0:
        raise ValueError(f"`{name}` is empty: shape {series.shape}.")
    return check_finite(name, series)


@renamed_keywords(target="layout")
def make_targets(series, n_steps: int, horizon: int = 1, layout: str = "one_step", target_feature: int = 0):
    """Split a batch of series into inputs and forecast targets.

    Args:
        series: array ``(batch, n_steps + horizon, features)``; its length must be exactly
            ``n_steps + horizon`` (nothing is truncated).
        n_steps: length of the input window.
        horizon: how many steps ahead to forecast.
        layout: ``"one_step"``, ``"vector"`` or ``"seq2seq"`` (see the module docstring).
        target_feature: which feature is forecast (inputs keep every feature).

    Returns:
        ``(X, y)``: ``X`` of shape ``(batch, n_steps, features)`` and ``y`` of shape
        ``(batch, horizon)`` or, for seq2seq, ``(batch, n_steps, horizon)``.

    Example:

    >>> from rnnbook.data import generate_time_series
    >>> s = generate_time_series(2, 60, seed=1)
    >>> X, Y = make_targets(s, 50, horizon=10, layout="seq2seq")
    >>> bool(Y[0, 3, 2] == s[0, 3 + 3, 0])
    True
    """
    series = _as_batch(series)
    n_steps = check_positive_int("n_steps", n_steps)
    horizon = check_positive_int("horizon", horizon)
    check_choice("layout", layout, LAYOUTS)
    if layout == "one_step" and horizon != 1:
        raise ValueError(
            f"layout='one_step' forecasts one step ahead, got horizon={horizon}; "
            "use layout='vector' or 'seq2seq' for several steps."
        )
    length, n_features = series.shape[1], series.shape[2]
    if n_steps + horizon != length:
        raise ValueError(
            f"The series have {length} steps but n_steps + horizon = {n_steps} + {horizon} = "
            f"{n_steps + horizon}; a window longer than the series cannot be filled and a shorter "
            "one would silently drop data."
        )
    if not 0 <= target_feature < n_features:
        raise ValueError(f"`target_feature`={target_feature} is out of range for {n_features} feature(s).")
    X = series[:, :n_steps]
    values = series[:, :, target_feature]
    if layout == "seq2seq":
        # Y[:, t, k] = value at t + 1 + k, built with one stacked slice per horizon step.
        Y = np.stack([values[:, k + 1 : k + 1 + n_steps] for k in range(horizon)], axis=-1)
    else:
        Y = values[:, n_steps : n_steps + horizon]
    return X, Y.astype(np.float32)


def sliding_windows(series, length: int, stride: int = 1) -> np.ndarray:
    """Cut one long series into overlapping windows of ``length`` steps.

    Args:
        series: array ``(time,)`` or ``(time, features)``.
        length: window length (input steps plus horizon).
        stride: distance between the starts of consecutive windows.

    Returns:
        float32 array ``(n_windows, length, features)``.

    Example:

    >>> sliding_windows(np.arange(10.0), 4, stride=3)[:, :, 0].tolist()
    [[0.0, 1.0, 2.0, 3.0], [3.0, 4.0, 5.0, 6.0], [6.0, 7.0, 8.0, 9.0]]
    """
    series = as_real(series)
    if series.ndim == 1:
        series = series[:, None]
    if series.ndim != 2:
        raise ValueError(
            f"`series` must have rank 1 (time,) or 2 (time, features), got shape {series.shape}."
        )
    check_finite("series", series)
    length = check_positive_int("length", length)
    stride = check_positive_int("stride", stride)
    if length > len(series):
        raise ValueError(f"The window length {length} is longer than the series ({len(series)} steps).")
    starts = np.arange(0, len(series) - length + 1, stride)
    return np.stack([series[s : s + length] for s in starts])


def split_batch(series, split):
    """Split a batch of series (first axis) into consecutive train, validation and test parts.

    ``split`` holds three positive sizes that must add up to the batch size exactly.
    """
    sizes = [check_positive_int(f"split[{i}]", s) for i, s in enumerate(split)]
    if len(sizes) != 3:
        raise ValueError(f"`split` needs three sizes (train, valid, test), got {split!r}.")
    if sum(sizes) != len(series):
        raise ValueError(
            f"The split sizes {tuple(sizes)} add up to {sum(sizes)}, but there are "
            f"{len(series)} series; every series must land in exactly one split."
        )
    a, b = sizes[0], sizes[0] + sizes[1]
    return series[:a], series[a:b], series[b:]


def split_in_time(n: int, fractions=(0.7, 0.2, 0.1)) -> list[int]:
    """The bounds ``[0, a, b, n]`` of the training, validation and test periods of a series of ``n``
    steps, in time order: ``a = round(fractions[0] * n)``, ``b = a + round(fractions[1] * n)``.

    Example:

    >>> split_in_time(309)
    [0, 216, 278, 309]
    """
    fractions = tuple(fractions)
    if (
        len(fractions) != 3
        or any(not isinstance(f, (int, float)) or f <= 0 for f in fractions)
        or abs(sum(fractions) - 1) > 1e-9
    ):
        raise ValueError(f"`fractions` must be three positive numbers adding up to 1, got {fractions!r}.")
    a = int(round(fractions[0] * n))
    return [0, a, a + int(round(fractions[1] * n)), n]


def scale_by_training(values, bounds, scale: bool = True):
    """Standardize each column of a series by its mean and standard deviation over the training period.

    The one scaling of a series split in time (:func:`rnnbook.data.real_dataset`,
    :func:`rnnbook.frames.frame_dataset`): only the training period's values set it, so nothing of a
    later split reaches an earlier one.

    Args:
        values: array ``(time, columns)``.
        bounds: ``[0, a, b, time]`` (:func:`split_in_time`): the training period is ``values[0:a]``.
        scale: ``False`` keeps the values (a mean of 0 and a standard deviation of 1). Defaults to ``True``.

    Returns:
        ``(scaled, mean, std)``: the scaled float64 array and each column's mean and standard deviation
        (``ddof=0``), each of shape ``(columns,)``. A column constant over the training period has a
        standard deviation of 0 and scales to NaN or infinity: check ``std`` before using it.

    Example:

    >>> scaled, mean, std = scale_by_training(np.array([[1.0], [3.0], [5.0], [9.0]]), [0, 2, 3, 4])
    >>> scaled[:, 0].tolist(), mean.tolist(), std.tolist()
    ([-1.0, 1.0, 3.0, 7.0], [2.0], [1.0])
    """
    values = np.asarray(values, dtype=np.float64)
    n_columns = values.shape[1]
    if not scale:
        return values - 0.0, np.zeros(n_columns), np.ones(n_columns)
    # Column by column, each contiguous: NumPy's pairwise sums, the same numbers as pandas' mean and std.
    train = [np.ascontiguousarray(values[bounds[0] : bounds[1], j]) for j in range(n_columns)]
    mean = np.array([column.mean() for column in train])
    std = np.array([column.std() for column in train])
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant column: the caller refuses it
        return (values - mean) / std, mean, std


@renamed_keywords(target="layout")
def window_periods(
    values, bounds, n_steps: int, horizon: int, layout: str, *, n_targets: int = 1, stride: int = 1, too_short
) -> list:
    """Window each period of one long series on its own, so no value of a later split reaches an earlier one.

    Args:
        values: array ``(time, features)``, already scaled; the target columns are its first ``n_targets``
            features.
        bounds: ``[0, a, b, time]`` (:func:`split_in_time`): the periods are ``values[0:a]``, ``[a:b]`` and
            ``[b:]``.
        n_steps, horizon, layout: see :func:`make_targets`.
        n_targets: how many target columns; their targets are concatenated target-major.
        stride: distance between the starts of consecutive windows.
        too_short: ``too_short(split, start, stop, length)`` -> the message of the ``ValueError`` raised
            for a period shorter than one window (``length = n_steps + horizon``).

    Returns:
        ``[X_train, y_train, X_valid, y_valid, X_test, y_test]``.
    """
    arrays = []
    length = n_steps + horizon
    for k, split in enumerate(SPLITS):
        a, b = bounds[k], bounds[k + 1]
        if b - a < length:
            raise ValueError(too_short(split, a, b, length))
        windows = sliding_windows(values[a:b], length, stride)
        cut = [make_targets(windows, n_steps, horizon, layout, target_feature=j) for j in range(n_targets)]
        arrays.extend((cut[0][0], np.concatenate([y for _, y in cut], axis=1)))  # target-major
    return arrays

"""Data for the chapter: the synthetic series, real series shipped with statsmodels, and windowing.

Every array is float32 with shape ``(batch, steps, features)``. Targets come in three shapes:

* ``"one_step"`` / ``"vector"``: ``y[i, k]`` is the value ``k + 1`` steps after the input window,
  shape ``(batch, horizon)`` (``horizon == 1`` for one step ahead);
* ``"seq2seq"``: ``Y[i, t, k]`` is the value ``k + 1`` steps after time step ``t``, shape
  ``(batch, steps, horizon)`` -- at every time step the model forecasts the next ``horizon`` values.

Used in: book/01_sequences, book/04_forecasting and every later chapter.

Example:

>>> from rnnbook import data
>>> ds = data.synthetic_dataset(n_series=100, n_steps=50, split=(70, 20, 10), horizon=10,
...                             target="seq2seq", seed=42)
>>> ds.X_train.shape, ds.y_train.shape
((70, 50, 1), (70, 50, 10))
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from rnnbook._checks import check_choice, check_finite, check_positive_int

TARGETS = ("one_step", "vector", "seq2seq")


DRAWS = ("default", "chapter")


def _rng(seed):
    # A Generator (or a legacy RandomState) passed in is used as is, so a caller can draw several
    # batches from one stream -- or reproduce the chapter's `np.random.seed(42)` draw exactly.
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    return np.random.default_rng(seed)


def generate_time_series(batch_size: int, n_steps: int, seed=None) -> np.ndarray:
    """The chapter's synthetic series: two sines with random frequencies and phases, plus noise.

    ``0.5 sin((t - o1)(10 f1 + 10)) + 0.2 sin((t - o2)(20 f2 + 20)) + 0.1 (u - 0.5)`` with
    ``t = linspace(0, 1, n_steps)`` and ``f1, f2, o1, o2, u ~ U[0, 1)``.

    Args:
        batch_size: number of series.
        n_steps: length of each series.
        seed: an ``int``, ``None``, a ``numpy.random.Generator`` or a legacy
            ``numpy.random.RandomState`` (``RandomState(42)`` draws exactly what the chapter's
            ``np.random.seed(42)`` followed by its ``generate_time_series`` draws).

    Returns:
        float32 array of shape ``(batch_size, n_steps, 1)``.

    Example:

    >>> generate_time_series(4, 60, seed=0).shape
    (4, 60, 1)
    """
    batch_size = check_positive_int("batch_size", batch_size)
    n_steps = check_positive_int("n_steps", n_steps)
    rng = _rng(seed)
    freq1, freq2, offsets1, offsets2 = rng.random((4, batch_size, 1))
    time = np.linspace(0, 1, n_steps)
    series = 0.5 * np.sin((time - offsets1) * (freq1 * 10 + 10))
    series += 0.2 * np.sin((time - offsets2) * (freq2 * 20 + 20))
    series += 0.1 * (rng.random((batch_size, n_steps)) - 0.5)
    return series[..., np.newaxis].astype(np.float32)


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


def make_targets(series, n_steps: int, horizon: int = 1, target: str = "one_step", target_feature: int = 0):
    """Split a batch of series into inputs and forecast targets.

    Args:
        series: array ``(batch, n_steps + horizon, features)``; its length must be exactly
            ``n_steps + horizon`` (nothing is truncated).
        n_steps: length of the input window.
        horizon: how many steps ahead to forecast.
        target: ``"one_step"``, ``"vector"`` or ``"seq2seq"`` (see the module docstring).
        target_feature: which feature is forecast (inputs keep every feature).

    Returns:
        ``(X, y)``: ``X`` of shape ``(batch, n_steps, features)`` and ``y`` of shape
        ``(batch, horizon)`` or, for seq2seq, ``(batch, n_steps, horizon)``.

    Example:

    >>> s = generate_time_series(2, 60, seed=1)
    >>> X, Y = make_targets(s, 50, horizon=10, target="seq2seq")
    >>> bool(Y[0, 3, 2] == s[0, 3 + 3, 0])
    True
    """
    series = _as_batch(series)
    n_steps = check_positive_int("n_steps", n_steps)
    horizon = check_positive_int("horizon", horizon)
    check_choice("target", target, TARGETS)
    if target == "one_step" and horizon != 1:
        raise ValueError(
            f"target='one_step' forecasts one step ahead, got horizon={horizon}; "
            "use target='vector' or 'seq2seq' for several steps."
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
    if target == "seq2seq":
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


@dataclasses.dataclass(frozen=True)
class Units:
    """How a data set's targets map back to the user's units, and the scale MASE divides by.

    Targets were scaled as ``(value - mean) / std`` with the training period's mean and standard
    deviation; :meth:`invert` undoes it. ``naive_mae`` is the mean absolute error, over the training
    period and in the user's units, of the seasonal naive forecast ``value(t - season)``: MASE divides a
    model's MAE by it (:func:`rnnbook.metrics.forecast_scores`).

    Example:

    >>> Units("riders", mean=10.0, std=2.0, naive_mae=1.5, season=7).invert(np.array([0.5]))
    array([11.])
    """

    column: str
    mean: float
    std: float
    naive_mae: float
    season: int = 1

    def invert(self, y) -> np.ndarray:
        """Scaled targets back in the user's units (float64)."""
        return np.asarray(y, dtype=np.float64) * self.std + self.mean


@dataclasses.dataclass
class Dataset:
    """Inputs and targets of the train, validation and test splits, with how they were made.

    Data sets made from a user's table (:mod:`rnnbook.frames`) also carry ``units`` (to report metrics
    in the user's units), ``columns`` (the name of each input feature), ``dates`` (per split, the date of
    each window's first forecast) and ``fit`` (the training recipe they ask for, see
    :data:`rnnbook.frames.REAL_FIT`).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_steps: int
    horizon: int
    target: str
    name: str = "synthetic"
    series: np.ndarray | None = dataclasses.field(default=None, repr=False)
    #: How to make the same data with other targets: ``recipe(horizon=..., target=...)`` (or ``None``).
    recipe: functools.partial | None = dataclasses.field(default=None, repr=False, compare=False)
    units: Units | None = dataclasses.field(default=None, repr=False)
    columns: tuple | None = dataclasses.field(default=None, repr=False)
    dates: dict | None = dataclasses.field(default=None, repr=False, compare=False)
    fit: dict | None = dataclasses.field(default=None, repr=False)
    #: Multitask data sets (several target columns, :func:`rnnbook.frames.frame_dataset`): one
    #: :class:`Units` per target column, in order (``units`` is then the first's); else ``None``.
    target_units: tuple | None = dataclasses.field(default=None, repr=False)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[-1]

    @property
    def n_targets(self) -> int:
        """How many columns are forecast: the targets ``y`` hold ``horizon`` values for each, target-major
        (``y[:, j * horizon + k]`` is target ``j``, ``k + 1`` steps ahead)."""
        return 1 if self.target_units is None else len(self.target_units)

    def splits(self):
        """``[("train", X, y), ("valid", X, y), ("test", X, y)]``."""
        return [
            ("train", self.X_train, self.y_train),
            ("valid", self.X_valid, self.y_valid),
            ("test", self.X_test, self.y_test),
        ]

    def retarget(self, horizon: int, target: str) -> Dataset:
        """The same data with other targets: the kept ``series`` cut anew when they are long enough,
        else the data set's ``recipe`` run again (the chapter's draw, a real series windowed anew)."""
        # The chapter draws each horizon anew: its series are cut only for the horizon they were drawn for.
        chapter = self.recipe is not None and self.recipe.keywords.get("draw") == "chapter"
        length = self.n_steps + horizon
        if self.series is not None and (
            self.series.shape[1] == length or self.series.shape[1] > length and not chapter
        ):
            n_train, n_valid = len(self.X_train), len(self.X_valid)
            ds = _dataset_from_series(
                self.series, self.n_steps, horizon, target, (n_train, n_valid, len(self.X_test)), self.name
            )
            return dataclasses.replace(ds, recipe=self.recipe)
        if self.recipe is not None:
            return self.recipe(horizon=horizon, target=target)
        raise ValueError(
            f"This dataset cannot be cut for horizon {horizon}: its series are too short or "
            "not kept; rebuild it with the new target."
        )


def _dataset_from_series(series, n_steps, horizon, target, split, name) -> Dataset:
    length = n_steps + horizon
    if series.shape[1] < length:
        raise ValueError(f"The series have {series.shape[1]} steps, fewer than n_steps + horizon = {length}.")
    parts = split_batch(series, split)
    arrays = []
    for part in parts:
        arrays.extend(make_targets(part[:, :length], n_steps, horizon, target))
    return Dataset(*arrays, n_steps=n_steps, horizon=horizon, target=target, name=name, series=series)


def synthetic_dataset(
    n_series: int = 10000,
    n_steps: int = 50,
    split=(7000, 2000, 1000),
    horizon: int = 1,
    target: str = "one_step",
    seed=42,
    max_horizon: int = 10,
    draw: str = "default",
) -> Dataset:
    """The chapter's data set: synthetic series, windowed and split.

    Two draws of the same generator:

    * ``draw="default"``: NumPy's ``default_rng(seed)``; the series are generated
      ``n_steps + max(horizon, max_horizon)`` long, so one seed gives the same inputs for every target
      and horizon up to ``max_horizon`` (handy to compare them side by side).
    * ``draw="chapter"``: exactly the chapter's data -- ``np.random.seed(seed)`` (NumPy's legacy
      generator, frozen across NumPy versions) and series ``n_steps + horizon`` long, drawn anew for
      each horizon as the chapter does (``generate_time_series(10000, n_steps + 1)`` for one step,
      ``n_steps + 10`` for ten). With seed 42 the naive forecasts score the published 0.020211 (one
      step) and 0.256974 (ten steps) on the validation set, so rnnbook's numbers can stand beside the
      published ones. ``max_horizon`` is not used.

    Example:

    >>> ds = synthetic_dataset(100, 50, (70, 20, 10))
    >>> ds.y_valid.shape
    (20, 1)
    >>> chapter = synthetic_dataset(horizon=1, draw="chapter")      # the chapter's 10,000 series
    >>> round(float(((chapter.X_valid[:, -1] - chapter.y_valid) ** 2).mean()), 6)
    0.020211
    """
    n_series = check_positive_int("n_series", n_series)
    n_steps = check_positive_int("n_steps", n_steps)
    horizon = check_positive_int("horizon", horizon)
    check_choice("draw", draw, DRAWS)
    if draw == "chapter":
        if isinstance(seed, (np.random.Generator, np.random.RandomState)) or seed is None:
            raise ValueError(
                f"draw='chapter' needs an int seed (the chapter calls np.random.seed(42)), got {seed!r}."
            )
        series = generate_time_series(n_series, n_steps + horizon, seed=np.random.RandomState(seed))
    else:
        series = generate_time_series(n_series, n_steps + max(horizon, max_horizon), seed=seed)
    ds = _dataset_from_series(series, n_steps, horizon, target, split, "synthetic")
    if isinstance(seed, (int, np.integer)):  # a Generator or None would draw other series
        ds.recipe = functools.partial(
            synthetic_dataset, n_series, n_steps, split, seed=seed, max_horizon=max_horizon, draw=draw
        )
    return ds


def profile_dataset(profile=None, horizon: int = 1, target: str = "one_step", seed=None) -> Dataset:
    """:func:`synthetic_dataset` sized by a run profile (see :mod:`rnnbook.profiles`)."""
    from rnnbook.profiles import get_profile

    p = profile if hasattr(profile, "n_series") else get_profile(profile)
    return synthetic_dataset(
        p.n_series, p.n_steps, p.split, horizon, target, p.seed if seed is None else seed, draw=p.draw
    )


# ------------------------------------------------------------------- tasks that show one lesson each
def logistic_series(batch_size: int, n_steps: int, seed=None) -> np.ndarray:
    """Series with nonlinear dynamics: the logistic map, which no linear model can forecast well.

    ``z(t + 1) = r z(t) (1 - z(t))`` with a growth rate ``r ~ U[3.6, 4.0)`` drawn per series (the chaotic
    regime) and ``z(0) ~ U[0.1, 0.9)``; the series is ``z(t) - 0.5`` plus a little observation noise,
    ``0.02 (u - 0.5)``. The next value is a quadratic function of the current one whose coefficient
    differs from series to series, so a forecaster must read ``r`` off the window and apply a
    nonlinearity: a deep RNN does, a linear autoregression cannot (book/04_forecasting).

    Example:

    >>> s = logistic_series(2, 30, seed=0)
    >>> s.shape, bool(abs(s).max() <= 0.51)
    ((2, 30, 1), True)
    """
    batch_size = check_positive_int("batch_size", batch_size)
    n_steps = check_positive_int("n_steps", n_steps)
    rng = _rng(seed)
    rate = rng.uniform(3.6, 4.0, batch_size)
    z = np.empty((batch_size, n_steps))
    z[:, 0] = rng.uniform(0.1, 0.9, batch_size)
    for t in range(1, n_steps):
        z[:, t] = rate * z[:, t - 1] * (1 - z[:, t - 1])
    series = z - 0.5 + 0.02 * (rng.random((batch_size, n_steps)) - 0.5)
    return series[..., np.newaxis].astype(np.float32)


def logistic_dataset(
    n_series: int = 10000,
    n_steps: int = 50,
    split=(7000, 2000, 1000),
    horizon: int = 1,
    target: str = "one_step",
    seed=42,
) -> Dataset:
    """:func:`logistic_series` windowed and split like the chapter's data (same sizes, same targets).

    Example:

    >>> logistic_dataset(100, 20, (60, 20, 20)).X_train.shape
    (60, 20, 1)
    """
    n_series = check_positive_int("n_series", n_series)
    n_steps = check_positive_int("n_steps", n_steps)
    horizon = check_positive_int("horizon", horizon)
    series = logistic_series(n_series, n_steps + max(horizon, 10), seed=seed)
    return _dataset_from_series(series, n_steps, horizon, target, split, "logistic")


def adding_problem(batch_size: int, n_steps: int, seed=None):
    """A task that needs a long memory: the adding problem (Hochreiter and Schmidhuber, 1997).

    Each step has two features: a value ``u(t) ~ U[0, 1)`` and a marker, 1 at exactly two steps -- one
    in the first half of the window, one in the second -- and 0 elsewhere. The answer is the sum of the
    two marked values. As a seq2seq target, ``Y[:, t, 0]`` is the sum of the values marked up to step
    ``t``, so the last step's target is the answer: to give it, a model must carry the first marked value
    for up to ``n_steps`` steps. Predicting the mean answer (1) scores an MSE of 1/6.

    Returns:
        ``(X, Y)``: float32 arrays ``(batch_size, n_steps, 2)`` and ``(batch_size, n_steps, 1)``.

    Example:

    >>> X, Y = adding_problem(3, 10, seed=0)
    >>> X.shape, Y.shape, X[:, :, 1].sum(axis=1).tolist()
    ((3, 10, 2), (3, 10, 1), [2.0, 2.0, 2.0])
    """
    batch_size = check_positive_int("batch_size", batch_size)
    n_steps = check_positive_int("n_steps", n_steps)
    if n_steps < 2:
        raise ValueError(f"The adding problem needs at least 2 steps (one marker per half), got {n_steps}.")
    rng = _rng(seed)
    values = rng.random((batch_size, n_steps))
    markers = np.zeros((batch_size, n_steps))
    rows, half = np.arange(batch_size), n_steps // 2
    # floor(u * k): uniform integers from either kind of generator (RandomState has no `integers`).
    markers[rows, np.floor(rng.random(batch_size) * half).astype(int)] = 1.0
    markers[rows, half + np.floor(rng.random(batch_size) * (n_steps - half)).astype(int)] = 1.0
    X = np.stack([values, markers], axis=-1).astype(np.float32)
    Y = np.cumsum(values * markers, axis=1)[..., np.newaxis].astype(np.float32)
    return X, Y


def adding_dataset(n_series: int = 10000, n_steps: int = 50, split=(7000, 2000, 1000), seed=42) -> Dataset:
    """:func:`adding_problem` split into training, validation and test sets (seq2seq targets, horizon 1).

    Example:

    >>> ds = adding_dataset(100, 20, (60, 20, 20))
    >>> ds.X_train.shape, ds.y_train.shape, ds.target
    ((60, 20, 2), (60, 20, 1), 'seq2seq')
    """
    X, Y = adding_problem(n_series, n_steps, seed=seed)
    parts = [split_batch(a, split) for a in (X, Y)]
    arrays = [a for i in range(3) for a in (parts[0][i], parts[1][i])]
    return Dataset(*arrays, n_steps=int(n_steps), horizon=1, target="seq2seq", name="adding")


# --------------------------------------------------------------------------------- real series
REAL_SERIES = {
    "co2": "Weekly atmospheric CO2 at Mauna Loa, 1958-2001 (ppm), statsmodels.datasets.co2; "
    "missing weeks linearly interpolated.",
    "sunspots": "Yearly sunspot activity 1700-2008, statsmodels.datasets.sunspots.",
    "elnino": "Monthly sea-surface temperature of the El Nino region 1950-2010 (deg C), "
    "statsmodels.datasets.elnino.",
    "taylor": "Half-hourly electricity demand in England and Wales, Monday 5 June to Sunday 27 August 2000 "
    "(MW), Taylor (2003); pmdarima.datasets.load_taylor (pmdarima: MIT license).",
}


def load_series(name: str):
    """Load a real univariate series that ships inside statsmodels or pmdarima (nothing is downloaded).

    Args:
        name: one of ``"co2"``, ``"sunspots"``, ``"elnino"`` (statsmodels) or ``"taylor"`` (pmdarima,
            a dependency of the book; the dates, which the package leaves out, are those of the source).

    Returns:
        A ``pandas.Series`` indexed by date (float64, no missing values).

    Example:

    >>> s = load_series("sunspots")
    >>> len(s), s.index[0].year
    (309, 1700)
    """
    import pandas as pd

    check_choice("name", name, tuple(REAL_SERIES))
    if name == "taylor":
        try:
            from pmdarima.datasets import load_taylor
        except ImportError:
            raise ValueError("The 'taylor' series ships with pmdarima: pip install pmdarima.") from None
        values = load_taylor(as_series=False)
        index = pd.date_range("2000-06-05", periods=len(values), freq="30min", name="date")
        return pd.Series(values, index=index, name="demand").astype("float64")
    from statsmodels import datasets

    if name == "co2":
        s = datasets.co2.load_pandas().data["co2"]
        # 59 of 2284 weeks are missing in the source; interpolating in time is the documented,
        # explicit choice here (windowing refuses NaNs rather than guessing).
        s = s.interpolate(method="time")
    elif name == "sunspots":
        df = datasets.sunspots.load_pandas().data
        s = pd.Series(
            df["SUNACTIVITY"].to_numpy(),
            index=pd.to_datetime(df["YEAR"].astype(int).astype(str), format="%Y"),
        )
    else:
        df = datasets.elnino.load_pandas().data
        months = df.columns[1:]
        values = df[months].to_numpy().ravel()
        index = pd.date_range(f"{int(df['YEAR'].iloc[0])}-01-01", periods=len(values), freq="MS")
        s = pd.Series(values, index=index)
    s = s.astype("float64").rename(name)
    check_finite(name, s.to_numpy())
    return s


def real_dataset(
    name: str,
    n_steps: int,
    horizon: int = 1,
    target: str = "one_step",
    fractions=(0.7, 0.2, 0.1),
    stride: int = 1,
    standardize: bool = True,
) -> Dataset:
    """Window a real series and split it in time (train before validation before test).

    The series is cut into train, validation and test periods first and each period is windowed on its
    own, so no target of a later split leaks into an earlier one. With ``standardize`` the values are
    scaled by the training period's mean and standard deviation.

    Example:

    >>> ds = real_dataset("sunspots", n_steps=20, horizon=1)
    >>> ds.X_train.shape[1:], ds.y_train.shape[1:]
    ((20, 1), (1,))
    """
    values = load_series(name).to_numpy(dtype=np.float64)
    n_steps = check_positive_int("n_steps", n_steps)
    horizon = check_positive_int("horizon", horizon)
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"`fractions` must be three positive numbers adding up to 1, got {fractions!r}.")
    bounds = np.cumsum([0] + [int(round(f * len(values))) for f in fractions[:2]] + [0])
    bounds[-1] = len(values)
    periods = [values[bounds[i] : bounds[i + 1]] for i in range(3)]
    mean, std = (periods[0].mean(), periods[0].std()) if standardize else (0.0, 1.0)
    arrays = []
    for split_name, period in zip(("train", "valid", "test"), periods):
        if len(period) < n_steps + horizon:
            raise ValueError(
                f"The {split_name} period of {name!r} has {len(period)} steps, fewer than "
                f"n_steps + horizon = {n_steps + horizon}: the {split_name} split would be empty."
            )
        windows = sliding_windows((period - mean) / std, n_steps + horizon, stride)
        arrays.extend(make_targets(windows, n_steps, horizon, target))
    return Dataset(
        *arrays,
        n_steps=n_steps,
        horizon=horizon,
        target=target,
        name=name,
        recipe=functools.partial(
            real_dataset, name, n_steps, fractions=fractions, stride=stride, standardize=standardize
        ),
    )

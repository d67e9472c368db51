"""The generated series: the chapter's two sines, the logistic map, the adding problem and long-period
series, as data sets."""

from __future__ import annotations

import functools

import numpy as np

from rnnbook._checks import check_choice, check_positive_int, renamed_keywords
from rnnbook.data.dataset import Dataset, _dataset_from_series
from rnnbook.data.windows import split_batch

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


@renamed_keywords(target="layout")
def synthetic_dataset(
    n_series: int = 10000,
    n_steps: int = 50,
    split=(7000, 2000, 1000),
    horizon: int = 1,
    layout: str = "one_step",
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
    ds = _dataset_from_series(series, n_steps, horizon, layout, split, "synthetic")
    if isinstance(seed, (int, np.integer)):  # a Generator or None would draw other series
        ds.rebuild = functools.partial(
            synthetic_dataset, n_series, n_steps, split, seed=seed, max_horizon=max_horizon, draw=draw
        )
    return ds


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


@renamed_keywords(target="layout")
def logistic_dataset(
    n_series: int = 10000,
    n_steps: int = 50,
    split=(7000, 2000, 1000),
    horizon: int = 1,
    layout: str = "one_step",
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
    return _dataset_from_series(series, n_steps, horizon, layout, split, "logistic")


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
    >>> ds.X_train.shape, ds.y_train.shape, ds.layout
    ((60, 20, 2), (60, 20, 1), 'seq2seq')
    """
    X, Y = adding_problem(n_series, n_steps, seed=seed)
    parts = [split_batch(a, split) for a in (X, Y)]
    arrays = [a for i in range(3) for a in (parts[0][i], parts[1][i])]
    return Dataset(*arrays, n_steps=int(n_steps), horizon=1, layout="seq2seq", name="adding")


def long_period_series(batch_size: int, n_steps: int, period: int = 400, noise: float = 0.1, seed=None):
    """Series that repeat every ``period`` steps: a task for a memory of ``period`` steps.

    Each series repeats a pattern of its own, ``period`` values drawn from a standard normal, from a
    random phase, plus Gaussian noise of standard deviation ``noise``. Nothing but the value one period
    back tells the next value, so forecasting one step ahead needs the last ``period`` values at hand:
    the seasonal naive forecast (season ``period``) scores about ``2 * noise**2``; predicting the mean
    scores about 1.

    Returns:
        float32 array of shape ``(batch_size, n_steps, 1)``.

    Example:

    >>> s = long_period_series(2, 30, period=10, noise=0.0, seed=0)
    >>> s.shape, bool((s[:, 10:] == s[:, :-10]).all())
    ((2, 30, 1), True)
    """
    batch_size = check_positive_int("batch_size", batch_size)
    n_steps = check_positive_int("n_steps", n_steps)
    period = check_positive_int("period", period)
    if not noise >= 0:
        raise ValueError(f"`noise` is a standard deviation: expected a number >= 0, got {noise!r}.")
    rng = _rng(seed)
    patterns = rng.normal(size=(batch_size, period))
    phases = np.floor(rng.random(batch_size) * period).astype(int)
    steps = (np.arange(n_steps)[np.newaxis, :] + phases[:, np.newaxis]) % period
    series = np.take_along_axis(patterns, steps, axis=1) + noise * rng.normal(size=(batch_size, n_steps))
    return series[..., np.newaxis].astype(np.float32)


def long_period_dataset(
    n_series: int = 500,
    n_steps: int = 1000,
    period: int = 400,
    split=(300, 100, 100),
    noise: float = 0.1,
    seed=42,
) -> Dataset:
    """:func:`long_period_series` as windows of ``n_steps`` with seq2seq targets one step ahead.

    At the last step of a window the value to forecast is the one ``period`` steps before it: a model
    must reach ``period`` steps back (chapter 7's very long sequences).

    Example:

    >>> ds = long_period_dataset(50, 100, period=40, split=(30, 10, 10))
    >>> ds.X_train.shape, ds.y_train.shape, ds.layout
    ((30, 100, 1), (30, 100, 1), 'seq2seq')
    """
    n_steps = check_positive_int("n_steps", n_steps)
    series = long_period_series(n_series, n_steps + 1, period, noise, seed=seed)
    return _dataset_from_series(series, n_steps, 1, "seq2seq", split, "long_period")

"""Real series that ship with statsmodels and pmdarima, windowed and split in time."""

from __future__ import annotations

import functools

import numpy as np

from rnnbook._checks import check_choice, check_finite, check_positive_int, renamed_keywords
from rnnbook.data.dataset import Dataset
from rnnbook.data.windows import scale_by_training, split_in_time, window_periods

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: pandas,
# statsmodels and pmdarima.

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


@renamed_keywords(target="layout")
def real_dataset(
    name: str,
    n_steps: int,
    horizon: int = 1,
    layout: str = "one_step",
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
    bounds = split_in_time(len(values), fractions)
    scaled, _, _ = scale_by_training(values[:, None], bounds, standardize)
    arrays = window_periods(
        scaled,
        bounds,
        n_steps,
        horizon,
        layout,
        stride=stride,
        too_short=lambda split, a, b, length: (
            f"The {split} period of {name!r} has {b - a} steps, fewer than n_steps + horizon = {length}: "
            f"the {split} split would be empty."
        ),
    )
    return Dataset(
        *arrays,
        n_steps=n_steps,
        horizon=horizon,
        layout=layout,
        name=name,
        rebuild=functools.partial(
            real_dataset, name, n_steps, fractions=fractions, stride=stride, standardize=standardize
        ),
    )

"""The seasonal period a series' dates imply: hourly data repeat daily (24), daily data weekly (7).

:func:`infer_season` is what :func:`rnnbook.frames.frame_dataset` (and ``rnnbook leaderboard --csv``)
uses when no ``season`` is given: the seasonal models (``seasonal_naive``, ``sarima``, ``ets``...) and
MASE's scale then follow the calendar instead of the lag-1 naive forecast.

Used in: ``rnnbook leaderboard --csv``.

Example:

>>> import pandas as pd
>>> infer_season(pd.date_range("2024-01-01", periods=30, freq="D"))
Season(period=7, frequency='daily', note='')
>>> infer_season(pd.date_range("2024-01-01", periods=30, freq="5min")).period
1
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: pandas.

#: The season each usual step implies (the step's name -> period in steps).
SEASONS = {"hourly": 24, "business-daily": 5, "daily": 7, "weekly": 52, "monthly": 12, "quarterly": 4}
# pandas frequency names (without a multiple or an anchor such as "-SUN") -> the step's name.
_FREQUENCIES = {
    "h": "hourly",
    "H": "hourly",
    "B": "business-daily",
    "D": "daily",
    "W": "weekly",
    "M": "monthly",
    "MS": "monthly",
    "ME": "monthly",
    "BM": "monthly",
    "BMS": "monthly",
    "BME": "monthly",
    "Q": "quarterly",
    "QS": "quarterly",
    "QE": "quarterly",
    "BQ": "quarterly",
    "BQS": "quarterly",
    "BQE": "quarterly",
}
_DAY = 86_400 * 10**9  # nanoseconds


@dataclasses.dataclass(frozen=True)
class Season:
    """The inferred seasonal period.

    Args:
        period: the season in steps (``1``: none recognised).
        frequency: the step's name (``"daily"``...) or the pandas step (``"5min"``) when it has no usual
            season.
        note: empty, or why the season is 1 (printed by the command line).
    """

    period: int
    frequency: str
    note: str = ""


def _named_step(dates) -> str | None:
    import pandas as pd

    with warnings.catch_warnings():  # pandas 3 warns that the string will become an offset
        warnings.simplefilter("ignore")
        freq = pd.infer_freq(dates) if len(dates) >= 3 else None
    if freq is not None:
        base = freq.split("-")[0].lstrip("0123456789")
        if base == freq.split("-")[0]:  # no multiple (a "2D" step has no usual season)
            return _FREQUENCIES.get(base)
        return None
    # pandas found no single frequency (month ends vary in length): the usual step, in days.
    step = int(np.median(np.diff(np.asarray(dates.as_unit("ns").asi8))))
    if step == 3600 * 10**9:
        return "hourly"
    if step == _DAY:
        return "daily"
    if step == 7 * _DAY:
        return "weekly"
    if 28 * _DAY <= step <= 31 * _DAY:
        return "monthly"
    if 89 * _DAY <= step <= 92 * _DAY:
        return "quarterly"
    return None


def infer_season(dates) -> Season:
    """The seasonal period of evenly spaced ``dates``: hourly 24, daily 7 (business days 5), weekly 52,
    monthly 12, quarterly 4; any other step 1, with a note saying so.

    Args:
        dates: a ``pandas.DatetimeIndex`` (sorted, at least 2 dates).

    Returns:
        A :class:`Season`.
    """
    import pandas as pd

    dates = pd.DatetimeIndex(dates)
    if len(dates) < 2:
        raise ValueError(f"Received {len(dates)} date(s); a season needs at least 2 to see the step.")
    name = _named_step(dates)
    if name is None:
        step = pd.Timedelta(int(np.median(np.diff(np.asarray(dates.as_unit("ns").asi8)))), unit="ns")
        note = f"no usual season for a step of {step}: season 1 (pass season= to set one)"
        return Season(1, str(step), note)
    return Season(SEASONS[name], name)

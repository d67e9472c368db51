"""Data sets from the user's own table: a pandas Series or DataFrame, or a CSV file.

:func:`frame_dataset` (:func:`csv_dataset` for a file) turns a table indexed by dates into a
:class:`rnnbook.data.Dataset` that every registered model trains on: the dates checked, the target
column(s) and the other features windowed, split in time and scaled on the training period, with the
:class:`~rnnbook.data.Units` that bring forecasts and metrics back to the table's units. The rules --
what a table must hold, what is refused (one :class:`TableError`), filling, time zones, features,
splits, several target columns, the season -- are stated once, in the README's "Your own series".

Models train on such a data set (one with units) with the real-data recipe :data:`REAL_RECIPE`: the
training plan picks it (:func:`rnnbook.training.plan_training`).

Used in: book/09_real_series, ``rnnbook leaderboard --csv``.

Example:

>>> import pandas as pd
>>> days = pd.date_range("2024-01-01", periods=100, freq="D")
>>> frame = pd.DataFrame({"riders": np.arange(100.0) % 7 * 100 + 1000}, index=days)
>>> ds = frame_dataset(frame, "riders", n_steps=14, horizon=7, layout="vector", calendar=["dayofweek"],
...                    split=("2024-02-20", "2024-03-15"), season=7)
>>> ds.X_train.shape, ds.columns[:2], ds.dates["valid"][0]
((30, 14, 8), ('riders', 'dayofweek=0'), Timestamp('2024-03-05 00:00:00'))
>>> ds.units.column, round(ds.units.naive_mae, 6)
('riders', 0.0)
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np

from rnnbook._checks import check_choice, check_positive_int, renamed_keywords, renamed_module_attribute
from rnnbook.data import LAYOUTS, SPLITS, Dataset, Units, scale_by_training, split_in_time, window_periods
from rnnbook.profiles import REAL_RECIPE as REAL_RECIPE  # re-exported: the recipe for a user's table
from rnnbook.seasons import infer_season

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: pandas.


class TableError(ValueError):
    """A table (or a table's option) that :func:`frame_dataset` cannot make a data set from.

    Every bad table is this one error, with one line naming the column or option at fault and, where
    there is one, the first bad row (and its CSV line); nothing of pandas' own escapes. It is a
    ``ValueError``, so ``except ValueError`` catches it too.
    """


# How much of a user's text (a column name, a cell, a header) an error quotes.
_QUOTE_CHARS = 80


def _short(text) -> str:
    """``repr(text)``, cut to :data:`_QUOTE_CHARS` characters with its full length said."""
    text = repr(text)
    if len(text) <= _QUOTE_CHARS:
        return text
    return f"{text[:_QUOTE_CHARS]}... ({len(text)} characters)"


def _names(columns) -> str:
    """The columns' names for an error: joined, and cut like :func:`_short` when they run long."""
    text = ", ".join(map(str, columns))
    if len(text) <= _QUOTE_CHARS:
        return text
    return f"{text[:_QUOTE_CHARS]}... ({len(columns)} column(s), {len(text)} characters)"


#: One-hot calendar features and their number of values.
CALENDAR = {"hour": 24, "dayofweek": 7, "month": 12}
# The DatetimeIndex attribute of each (pandas 3 deprecates `dayofweek` for `day_of_week`).
_CALENDAR_ATTRIBUTES = {"hour": "hour", "dayofweek": "day_of_week", "month": "month"}
#: How missing steps and values may be filled (``None``: they are errors).
FILLS = (None, "interpolate", "ffill")


def read_csv(path):
    """Read a CSV file into a ``pandas.DataFrame``; a missing or unreadable file is one clear error.

    Example:

    >>> read_csv("no/such.csv")
    Traceback (most recent call last):
    rnnbook.frames.TableError: The CSV file 'no/such.csv' does not exist.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise TableError(
            f"The CSV file {str(path)!r} does not {'exist' if not path.exists() else 'name a file'}."
        )
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TableError(f"The CSV file {str(path)!r} cannot be read: {str(exc).strip()}.") from None
    frame.attrs["csv"] = str(path)
    return frame


def csv_dataset(path, target_column, **options) -> Dataset:
    """:func:`frame_dataset` on a CSV file (named after the file unless ``name=`` is given).

    Used in: ``rnnbook leaderboard --csv``.
    """
    options.setdefault("name", Path(path).stem)
    return frame_dataset(read_csv(path), target_column, **options)


def _where(frame, position: int, dates=None) -> str:
    """``row 5 (2024-01-06)``, plus the CSV line for a table read from a file."""
    text = f"row {position}"
    if dates is not None:
        text += f" ({dates[position]})"
    if frame is not None and "csv" in frame.attrs:
        text += f", line {position + 2} of {frame.attrs['csv']}"
    return text


def table_dates(frame, date_column=None):
    """The dates of a table (its ``date_column``, or its index), parsed as :func:`frame_dataset` parses them.

    Used in: :mod:`rnnbook.backtest` (where each origin falls).
    """
    return _dates(frame, date_column)[0]


def _dates(frame, date_column):
    import pandas as pd

    if date_column is None:
        if not isinstance(frame.index, pd.DatetimeIndex):
            raise TableError(
                "The table has no dates: pass date_column= (its columns: "
                f"{_names(frame.columns)}) or index it by dates."
            )
        return frame.index.as_unit("ns"), frame.reset_index(drop=True)
    if date_column not in frame.columns:
        raise TableError(
            f"There is no date column {_short(date_column)}; the columns are {_names(frame.columns)}."
        )
    raw = frame[date_column]
    dates = raw if raw.dtype.kind == "M" else _parse_dates(frame, date_column)
    bad = np.flatnonzero(dates.isna().to_numpy())
    if len(bad):
        i = int(bad[0])
        raise TableError(
            f"Column {_short(date_column)} holds {_short(raw.iloc[i])} at {_where(frame, i)}; "
            "expected a date."
        )
    try:
        dates = pd.DatetimeIndex(dates).as_unit("ns")
    except (ValueError, TypeError, OverflowError) as exc:  # (a date pandas parses but cannot hold)
        raise TableError(f"Column {_short(date_column)} holds dates pandas cannot hold: {exc}.") from None
    return dates, frame.drop(columns=[date_column]).reset_index(drop=True)


# A date written with its UTC offset (or Z for UTC) at the end.
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})\s*$"


def _parse_dates(frame, date_column):
    """The date column parsed (unparseable dates ``NaT``). Dates whose UTC offsets differ -- daylight
    saving -- are converted to UTC; dates with and without an offset in one column are an error."""
    import pandas as pd

    raw = frame[date_column]
    try:
        with warnings.catch_warnings():  # (pandas' note that it guessed the format from the first date)
            warnings.simplefilter("ignore")
            return pd.to_datetime(raw, errors="coerce")
    except (ValueError, TypeError, OverflowError):  # "Mixed timezones detected": offsets that change
        pass
    offset = raw.astype(str).str.contains(_OFFSET, regex=True).to_numpy()
    if offset.any() and not offset.all():
        i = int(np.flatnonzero(offset != offset[0])[0])
        has = "has no UTC offset" if offset[0] else "has a UTC offset"
        raise TableError(
            f"Column {_short(date_column)} mixes dates with and without a UTC offset: "
            f"{_short(raw.iloc[i])} at {_where(frame, i)} {has}, unlike row 0 ({_short(raw.iloc[0])}); "
            "write every date the same way."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.to_datetime(raw, errors="coerce", utc=True)
    except (ValueError, TypeError, OverflowError) as exc:
        raise TableError(f"Column {_short(date_column)} holds dates pandas cannot read: {exc}.") from None


def _check_order(frame, dates) -> None:
    steps = np.diff(dates.asi8)
    if (steps <= 0).any():
        i = int(np.flatnonzero(steps <= 0)[0]) + 1
        if steps[i - 1] == 0:
            raise TableError(
                f"The date {dates[i]} appears twice, at rows {i - 1} and {i} "
                f"({_where(frame, i)}); expected one row per date."
            )
        raise TableError(
            f"The dates are not sorted: {_where(frame, i, dates)} comes after "
            f"{dates[i - 1]}; sort the table by date first."
        )


def _grid(frame, dates, freq):
    """The evenly spaced dates the table should have: ``freq``, else pandas' guess, else the usual step."""
    import pandas as pd

    if len(dates) < 3:
        raise TableError(f"The table has {len(dates)} row(s); a series needs many more.")
    if freq is None:
        with warnings.catch_warnings():  # pandas 3 warns that the string will become an offset
            warnings.simplefilter("ignore")
            freq = pd.infer_freq(dates)
    if freq is None:
        steps, counts = np.unique(np.diff(dates.asi8), return_counts=True)
        freq = pd.Timedelta(int(steps[np.argmax(counts)]), unit="ns")
    grid = pd.date_range(dates[0], dates[-1], freq=freq)
    off = dates.difference(grid)
    if len(off):
        i = int(dates.get_loc(off[0]))
        raise TableError(
            f"The dates are not evenly spaced: {_where(frame, i, dates)} is off the "
            f"{freq} grid that starts at {dates[0]}; pass freq= or fix the dates."
        )
    return grid


def _numeric(frame, column, dates):
    import pandas as pd

    values = frame[column]
    if values.dtype.kind in "iuf":
        return values.astype("float64")
    converted = pd.to_numeric(values, errors="coerce")
    bad = np.flatnonzero(converted.isna().to_numpy() & values.notna().to_numpy())
    if values.dtype.kind == "b" or not len(bad):
        kind = "booleans" if values.dtype.kind == "b" else f"dtype {values.dtype}"
        raise TableError(
            f"Column {_short(column)} holds {kind}; expected numbers (convert it, or pass it as "
            "categorical=)."
        )
    i = int(bad[0])
    raise TableError(
        f"Column {_short(column)} is not numeric: {_where(frame, i, dates)} holds "
        f"{_short(values.iloc[i])}; expected numbers (pass it as categorical= if it names a "
        "category)."
    )


def _check_complete(frame, column, values, dates, fill):
    import pandas as pd

    bad = np.flatnonzero(~np.isfinite(values) if values.dtype.kind == "f" else pd.isna(values))
    if len(bad):
        i = int(bad[0])
        how = "missing" if values.dtype.kind != "f" or np.isnan(values[i]) else "infinite"
        hint = (
            "that fill cannot reach (no earlier value)"
            if fill
            else "fill or drop them, or pass fill='interpolate' or fill='ffill'"
        )
        raise TableError(
            f"Column {_short(column)} has {len(bad)} {how} value(s), the first at "
            f"{_where(frame, i, dates)}; {hint}."
        )


def _period_bounds(dates, split, fractions, n):
    import pandas as pd

    if split is not None and fractions is not None:
        raise TableError("Pass split= (two dates) or fractions= (three numbers), not both.")
    if split is not None:
        if len(split) != 2:
            raise TableError(
                f"`split` needs two dates (first validation date, first test date), got {split!r}."
            )
        try:
            first_valid, first_test = (pd.Timestamp(d) for d in split)
        except (TypeError, ValueError):
            raise TableError(f"`split` needs two dates, got {split!r}.") from None
        if dates.tz is not None:  # dates without a zone are in the series' zone (UTC after a DST change)
            first_valid, first_test = (
                d.tz_localize(dates.tz) if d.tz is None else d.tz_convert(dates.tz)
                for d in (first_valid, first_test)
            )
        elif first_valid.tz is not None or first_test.tz is not None:
            raise TableError(
                f"`split` dates have a time zone and the table's dates have none, got {split!r}."
            )
        if not dates[0] < first_valid < first_test <= dates[-1]:
            raise TableError(
                f"`split` dates must satisfy {dates[0]} < first validation date < first test "
                f"date <= {dates[-1]}, got {first_valid} and {first_test}."
            )
        return [0, int(dates.searchsorted(first_valid)), int(dates.searchsorted(first_test)), n]
    try:
        return split_in_time(n, (0.7, 0.2, 0.1) if fractions is None else fractions)
    except ValueError as error:  # a bad `fractions` is a bad option of the table's reader
        raise TableError(str(error)) from None


def _check_calendar(calendar, columns: dict) -> None:
    """Each calendar item is one of :data:`CALENDAR` and no column's name: a column named ``month``
    next to the calendar's ``month`` would make ``known_future=["month"]`` and the features' names
    ambiguous."""
    for item in calendar:
        try:
            check_choice("calendar", item, tuple(CALENDAR))
        except ValueError as exc:
            raise TableError(str(exc)) from None
        for argument, names in columns.items():
            if item in names:
                raise TableError(
                    f"Received {item!r} both in `calendar` and in `{argument}`: a column of the table "
                    "has the calendar feature's name; rename the column, or leave the calendar item out."
                )


def _check_known_future(known_future, targets, inputs, calendar, categorical) -> tuple:
    """``known_future`` as a tuple, each name one of the calendar features, categorical columns or inputs."""
    if isinstance(known_future, str):  # one name, not its letters
        known_future = [known_future]
    known_future = tuple(known_future)
    allowed = [*calendar, *categorical, *inputs]
    for name in known_future:
        if name in targets:
            raise TableError(
                f"Received an invalid value for `known_future`: {_short(name)} is the target, whose "
                "future is what is forecast; expected calendar features, categorical columns or inputs."
            )
        if name not in allowed:
            listed = _names(allowed) if allowed else "none are given"
            raise TableError(
                f"Received an invalid value for `known_future`: {_short(name)} is not one of the "
                f"calendar features, categorical columns or inputs ({listed}); list it there too."
            )
    if len(set(known_future)) != len(known_future):
        raise TableError(f"`known_future` names a column twice, got {list(known_future)}.")
    return known_future


def _add_known_future(features, columns, spans, horizon: int):
    """``features`` with, at each row ``t``, the features in ``spans`` at rows ``t + 1 .. t + horizon``
    appended (zeros where the table ends: no window's input reaches them, since a window's inputs
    end ``horizon`` rows before the end of its period), and their columns' names."""
    known = np.concatenate([features[:, span] for span in spans], axis=1)
    names = [name for span in spans for name in columns[span]]
    future = np.zeros((len(features), horizon * known.shape[1]))
    for k in range(1, min(horizon, len(features) - 1) + 1):
        future[: len(features) - k, (k - 1) * known.shape[1] : k * known.shape[1]] = known[k:]
    columns = [*columns, *(f"{name}(t+{k})" for k in range(1, horizon + 1) for name in names)]
    return np.concatenate([features, future], axis=1), columns


def __getattr__(name):  # the old names, kept working for a release
    return renamed_module_attribute(__name__, name, {"REAL_FIT": "REAL_RECIPE"})


@renamed_keywords(target="layout")
def frame_dataset(
    frame,
    target_column=None,
    *,
    n_steps: int,
    horizon: int = 1,
    layout: str = "one_step",
    date_column: str | None = None,
    inputs=(),
    calendar=(),
    categorical=(),
    known_future=(),
    split=None,
    fractions=None,
    scale: bool = True,
    fill: str | None = None,
    freq=None,
    season: int | None = None,
    name: str | None = None,
) -> Dataset:
    """Window a table of dated values into train, validation and test sets, split in time.

    Args:
        frame: a ``pandas.DataFrame`` (or a ``Series``, its values the target) with a date column or a
            ``DatetimeIndex``.
        target_column: the column forecast (feature 0); for a ``Series``, ``None`` (its name is used).
            A list of several columns is multitask (features ``0 .. n - 1``; README "Your own series").
        n_steps, horizon, layout: window length, steps ahead, ``"one_step"``, ``"vector"`` or ``"seq2seq"``.
        date_column: the column holding the dates (``None``: the index).
        inputs: more numeric columns the models read (multivariate inputs).
        calendar: one-hot calendar features from the dates: ``"hour"``, ``"dayofweek"``, ``"month"``.
        categorical: columns of categories (any type), one-hot encoded.
        known_future: calendar features, categorical columns or ``inputs`` known in advance (a
            holiday calendar, a planned price), which are also given for the steps being forecast:
            at each time step ``t`` of a window, their values (scaled or one-hot) at ``t + 1 ..
            t + horizon`` are appended as more input features (named ``"dayofweek=3(t+1)"``), so a
            window stays ``(n_steps, n_features)``, with more features, and its last step carries the forecast
            steps' values. No target value and no other input of a later step enters a window; every
            value read is within the window's own period and its ``n_steps + horizon`` steps (the
            last windows' known-future values are the table's, known in advance). Defaults to ``()``.
        split: ``(first validation date, first test date)``; or ``fractions``: three numbers adding up to
            1 (default ``(0.7, 0.2, 0.1)``), in time order.
        scale: standardize numeric columns with the training period's mean and standard deviation.
        fill: ``None`` (gaps and missing values are errors), ``"interpolate"`` or ``"ffill"``.
        freq: the step between dates (a pandas frequency such as ``"h"`` or ``"D"``); default: inferred.
        season: the seasonal period in steps (7 for daily data with a weekly cycle, 24 for hourly data
            with a daily one): MASE's naive forecast is ``value(t - season)``. Default ``None``: inferred
            from the dates' step (:func:`rnnbook.seasons.infer_season`; 1 for an unusual step).
        name: the data set's name (default: the target column's).

    Returns:
        A :class:`~rnnbook.data.Dataset` with ``units``, ``columns`` and ``dates`` set.
    """
    import pandas as pd

    n_steps, horizon, season = _check_sizes(n_steps, horizon, season, layout, fill)
    if isinstance(frame, pd.Series):
        column = target_column or (frame.name if frame.name is not None else "value")
        frame = frame.rename(column).to_frame()
        target_column = column
    targets = _check_targets(frame, target_column, layout)
    inputs, calendar, categorical = list(inputs), list(calendar), list(categorical)
    _check_calendar(calendar, {"target_column": targets, "inputs": inputs, "categorical": categorical})
    known_future = _check_known_future(known_future, targets, inputs, calendar, categorical)
    dates, values, labels, grid = _read_columns(frame, date_column, targets, inputs, categorical, freq, fill)
    if season is None:
        season = infer_season(grid).period
    bounds = _period_bounds(dates, split, fractions, len(dates))
    scaled, mean, std = scale_by_training(values.to_numpy(dtype=np.float64), bounds, scale)
    constant = [c for c, sd in zip(values.columns, std) if not sd > 0]
    if constant:
        raise TableError(
            f"Column {constant[0]!r} is constant over the training period: it cannot be "
            "scaled (and tells a model nothing); drop it or pass scale=False."
        )
    features, columns = _encode(scaled, list(values.columns), dates, calendar, labels, known_future, horizon)
    all_units = _target_units(values.iloc[bounds[0] : bounds[1]], targets, mean, std, season)
    arrays = _windows(features, bounds, dates, n_steps, horizon, layout, len(targets))
    window_dates = {
        split_name: dates[bounds[k] + n_steps : bounds[k + 1] - horizon + 1]
        for k, split_name in enumerate(SPLITS)
    }
    options = {
        "n_steps": n_steps,
        "date_column": date_column,
        "inputs": tuple(inputs),
        "calendar": tuple(calendar),
        "categorical": tuple(categorical),
        "known_future": known_future,
        "split": split,
        "fractions": fractions,
        "scale": scale,
        "fill": fill,
        "freq": freq,
        "season": season,
        "name": name,
    }
    return Dataset(
        *arrays,
        n_steps=n_steps,
        horizon=horizon,
        layout=layout,
        name=name or ",".join(map(str, targets)),
        units=all_units[0],
        target_units=tuple(all_units) if len(targets) > 1 else None,
        columns=tuple(columns),
        dates=window_dates,
        rebuild=functools.partial(frame_dataset, frame, target_column, **options),
    )


def _check_sizes(n_steps, horizon, season, layout, fill):
    """The window sizes and the season as integers, the layout and fill checked; one TableError each."""
    try:
        n_steps = check_positive_int("n_steps", n_steps)
        horizon = check_positive_int("horizon", horizon)
        season = None if season is None else check_positive_int("season", season)
        check_choice("layout", layout, LAYOUTS)
        check_choice("fill", fill, FILLS)
    except ValueError as exc:  # an option of the table's: one error type for everything refused here
        raise TableError(str(exc)) from None
    if layout == "one_step" and horizon != 1:
        raise TableError(
            f"layout='one_step' forecasts one step ahead, got horizon={horizon}; use layout='vector' or "
            "'seq2seq' for several steps."
        )
    return n_steps, horizon, season


def _check_targets(frame, target_column, layout) -> list:
    """The target column(s) as a list, once ``frame`` is known to be a table with distinct columns."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TableError(f"Expected a pandas DataFrame or Series, got {type(frame).__name__}.")
    if target_column is None:
        raise TableError(
            f"Name the column to forecast: target_column= (its columns: {_names(frame.columns)})."
        )
    twice = frame.columns[frame.columns.duplicated()]
    if len(twice):
        raise TableError(
            f"Column {_short(twice[0])} appears more than once in the table; expected distinct column names."
        )
    targets = list(target_column) if isinstance(target_column, (list, tuple)) else [target_column]
    if not targets:
        raise TableError("Name at least one column to forecast: target_column= is empty.")
    if len(targets) > 1 and layout == "seq2seq":
        raise TableError(
            f"Several target columns ({', '.join(map(str, targets))}) need layout='one_step' or "
            "'vector': seq2seq targets forecast a single column."
        )
    return targets


def _read_columns(frame, date_column, targets, inputs, categorical, freq, fill):
    """``(dates, values, labels, grid)``: the checked dates (the evenly spaced ``grid`` once filled), the
    numeric columns (targets, then inputs) and the category columns on them, gaps filled only when asked."""
    import pandas as pd

    dates, table = _dates(frame, date_column)
    numeric = [*targets, *inputs]
    for column in numeric + categorical:
        if column not in table.columns:
            raise TableError(f"There is no column {column!r}; the columns are {_names(table.columns)}.")
    if len(set(numeric + categorical)) != len(numeric) + len(categorical):
        raise TableError(
            f"A column is listed twice (the target {', '.join(map(repr, targets))} "
            f"{'is always feature 0' if len(targets) == 1 else 'are always the first features'}: do "
            f"not list it in inputs); got inputs={inputs}, categorical={categorical}."
        )
    _check_order(frame, dates)
    grid = _grid(frame, dates, freq)
    values = pd.DataFrame({c: _numeric(table, c, dates).to_numpy() for c in numeric}, index=dates)
    labels = pd.DataFrame({c: table[c].to_numpy() for c in categorical}, index=dates)
    if len(grid) != len(dates):
        if fill is None:
            missing = grid.difference(dates)[0]
            i = int(dates.searchsorted(missing))
            raise TableError(
                f"The dates have gaps: {grid.difference(dates).size} step(s) missing, the first "
                f"{missing} (between {_where(frame, i - 1, dates)} and {dates[i]}); pass "
                "fill='interpolate' or fill='ffill', or fix the data."
            )
        values, labels = values.reindex(grid), labels.reindex(grid)
        dates = grid
    if fill == "interpolate":
        values = values.interpolate(method="time", limit_area="inside")
    elif fill == "ffill":
        values = values.ffill()
    if fill is not None:
        labels = labels.ffill()
    where = frame if len(dates) == len(frame) else None  # rows moved by the fill: report dates only
    for column in numeric:
        _check_complete(where, column, values[column].to_numpy(), dates, fill)
    for column in categorical:
        _check_complete(where, column, labels[column].to_numpy(), dates, fill)
    return dates, values, labels, grid


def _encode(scaled, numeric, dates, calendar, labels, known_future, horizon):
    """The feature matrix and its columns' names: the scaled numeric columns, the calendar and category
    one-hots, then the known-future inputs' next ``horizon`` values."""
    parts = [scaled]
    columns = list(numeric)
    spans = {column: slice(k, k + 1) for k, column in enumerate(numeric)}  # each name's features
    for item in calendar:
        spans[item] = slice(len(columns), len(columns) + CALENDAR[item])
        codes = np.asarray(getattr(dates, _CALENDAR_ATTRIBUTES[item]))
        parts.append(np.eye(CALENDAR[item])[codes - (item == "month")])  # months count from 1
        columns += [f"{item}={k + (item == 'month')}" for k in range(CALENDAR[item])]
    for column in labels.columns:
        categories = sorted(labels[column].unique(), key=str)
        spans[column] = slice(len(columns), len(columns) + len(categories))
        parts.append(
            (labels[column].to_numpy()[:, None] == np.array(categories, dtype=object)[None]).astype(
                np.float64
            )
        )
        columns += [f"{column}={c}" for c in categories]
    features = np.concatenate(parts, axis=1)
    if known_future:
        features, columns = _add_known_future(features, columns, [spans[c] for c in known_future], horizon)
    return features, columns


def _target_units(train_values, targets, mean, std, season) -> list:
    """One :class:`~rnnbook.data.Units` per target column (they come first): its training mean and
    standard deviation, and the training period's seasonal naive MAE (MASE's scale)."""
    if len(train_values) <= season:
        raise TableError(f"The training period has {len(train_values)} steps, not more than season={season}.")
    units = []
    for j, column in enumerate(targets):
        target_train = train_values[column].to_numpy()
        naive_mae = float(np.mean(np.abs(target_train[season:] - target_train[:-season])))
        units.append(Units(str(column), float(mean[j]), float(std[j]), naive_mae, season))
    return units


def _windows(features, bounds, dates, n_steps, horizon, layout, n_targets):
    """Each period's windows and targets (:func:`rnnbook.data.window_periods`); a period too short for
    one window is the table's fault, a TableError."""
    try:
        return window_periods(
            features,
            bounds,
            n_steps,
            horizon,
            layout,
            n_targets=n_targets,
            too_short=lambda split_name, a, b, length: (
                f"The {split_name} period ({dates[a] if a < len(dates) else 'empty'} on) has "
                f"{b - a} steps, fewer than n_steps + horizon = {length}: its split would be "
                "empty; move the split dates or shorten the windows."
            ),
        )
    except ValueError as error:
        raise TableError(str(error)) from None

"""rnnbook.frames fuzzed: random tables either window exactly like a slow reference, or are refused with
rnnbook's one error for bad tables, naming the column or option at fault.

A seeded NumPy generator (the same tables on every run) builds tables with random column names and
types, dates with random defects (unsorted, duplicated, gaps, other formats, unparseable, UTC offsets
that change or are missing), NaN, infinities and text at random rows, and random window, split, fill,
scaling, calendar and category options; each goes through :func:`frame_dataset` or, written to a CSV
file, :func:`csv_dataset`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnbook.data import Dataset
from rnnbook.frames import TableError, csv_dataset, frame_dataset

N_TABLES = 600
NAMES = ["y", "load (MW)", "été", "1", "a,b", "x" * 120, "rain", "Target", "  padded  ", "n"]
OPTIONS = ("n_steps", "horizon", "target", "split", "fractions", "fill", "season", "calendar", "steps")
# Whole-column refusals (no row to name).
WHOLE_COLUMN = ("holds dtype", "holds booleans", "constant over", "appears more than once", "is listed twice")


def _case(rng: np.random.Generator) -> dict:
    """One random table, how it is passed, and what it must give: ``must_fail`` names a defect that
    has to be refused whatever the options."""
    n = int(rng.choice([0, 2, 5])) if rng.random() < 0.05 else int(rng.integers(60, 160))
    freq = str(rng.choice(["D", "h"]))
    zone = str(
        rng.choice(["naive", "naive", "fixed", "dst"] if freq == "h" else ["naive"] * 6 + ["fixed", "dst"])
    )
    start = "2024-03-29" if freq == "h" else "2024-03-01"  # hourly dates cross the 31 March DST change
    tz = {"naive": None, "fixed": "Asia/Kolkata", "dst": "Europe/Paris"}[zone]
    grid = pd.date_range(start, periods=n, freq=freq, tz=tz)
    target_name, input_name, kind_name, flag_name = rng.choice(NAMES, 4, replace=False).tolist()
    columns = {target_name: 100 + np.cumsum(rng.normal(0, 1, n)).round(3)}
    if rng.random() < 0.3:
        columns[target_name] = rng.integers(0, 5, n)  # counts, with zeros
    inputs, categorical, must_fail = [], [], []
    if rng.random() < 0.5:
        columns[input_name] = rng.normal(0, 1, n).round(4)
        inputs.append(input_name)
    if rng.random() < 0.3:
        columns[kind_name] = rng.choice(["W", "A", "U"], n)
        if rng.random() < 0.8:
            categorical.append(kind_name)
        else:
            inputs.append(kind_name)  # text as a numeric input: refused
            must_fail.append("text input")
    if rng.random() < 0.1:
        columns[flag_name] = rng.random(n) < 0.5
        inputs.append(flag_name)
        must_fail.append("boolean input")
    frame = pd.DataFrame(columns)
    dates = [t.isoformat(sep=" ") if zone != "naive" else str(t) for t in grid]
    if freq == "D" and zone == "dst" and n > 31:
        must_fail.append("daily dates in UTC are 23 or 25 hours apart across DST")

    def some_row(lo=0):
        return int(rng.integers(lo, n)) if n > lo else None

    defect = str(rng.choice(["none"] * 14 + ["unsorted", "duplicate", "gap", "format", "text", "naive-row"]))
    row = some_row(1)
    if row is not None and n > 3 and row < n - 1:
        if defect == "unsorted":
            dates[row], dates[row + 1] = dates[row + 1], dates[row]
            must_fail.append("unsorted")
        elif defect == "duplicate":
            dates[row] = dates[row - 1]
            must_fail.append("duplicate")
        elif defect == "gap":
            dates[row] = None  # dropped below
        elif defect == "format":
            dates[row] = grid[row].strftime("%d/%m/%Y %H:%M")
            must_fail.append("other format")
        elif defect == "text":
            dates[row] = "not a date"
            must_fail.append("text date")
        elif defect == "naive-row" and zone != "naive":
            dates[row] = grid[row].strftime("%Y-%m-%d %H:%M:%S")
            must_fail.append("offset missing")
    frame.insert(0, "date", dates)
    kept = [i for i in range(n) if dates[i] is not None]
    gap = len(kept) < n
    value_defect = str(rng.choice(["none"] * 8 + ["nan", "nan", "inf", "text"]))
    vrow = some_row()
    if vrow is not None:
        if value_defect == "nan":
            frame[target_name] = frame[target_name].astype("float64")
            frame.loc[vrow, target_name] = np.nan
        elif value_defect == "inf":
            frame[target_name] = frame[target_name].astype("float64")
            frame.loc[vrow, target_name] = np.inf
            must_fail.append("infinity")
        elif value_defect == "text":
            frame[target_name] = frame[target_name].astype(object)
            frame.loc[vrow, target_name] = "n/a?"
            must_fail.append("text value")
    frame = frame.iloc[kept].reset_index(drop=True)
    horizon = int(rng.choice([1, 1, 2, 4]))
    options = {
        "n_steps": int(rng.integers(1, 12)),
        "horizon": horizon,
        "target": str(
            rng.choice(["vector", "seq2seq"] if horizon > 1 else ["one_step", "vector", "seq2seq"])
        ),
        "fill": rng.choice([None, None, "interpolate", "ffill"]),
        "scale": bool(rng.random() < 0.8),
        "season": int(rng.choice([1, 1, 7])),
        "inputs": inputs,
        "categorical": categorical,
        "calendar": list(rng.choice(["hour", "dayofweek", "month"], int(rng.integers(0, 3)), replace=False)),
    }
    if rng.random() < 0.05:
        options["target"] = "one_step"  # with horizon > 1: an option at fault
        if horizon > 1:
            must_fail.append("one_step with horizon > 1")
    if rng.random() < 0.3 and n > 10:
        a, b = sorted(rng.choice(np.arange(1, n), 2, replace=False))
        options["split"] = (str(grid[a].tz_localize(None)), str(grid[b].tz_localize(None)))
    elif rng.random() < 0.3:
        f = rng.dirichlet([3, 1, 1]).round(3)
        f[0] = 1 - f[1] - f[2]
        options["fractions"] = tuple(float(v) for v in f) if rng.random() < 0.9 else (0.5, 0.5, 0.5)
    if gap and options["fill"] is None:
        must_fail.append("gap without fill")
    if value_defect == "nan" and vrow is not None and vrow in kept:
        if options["fill"] is None:
            must_fail.append("NaN without fill")
        elif kept.index(vrow) == 0 or (
            options["fill"] == "interpolate" and kept.index(vrow) == len(kept) - 1
        ):
            must_fail.append("NaN that fill cannot reach")
    return {
        "frame": frame,
        "target": target_name,
        "options": options,
        "grid": grid,
        "zone": zone,
        "freq": freq,
        "must_fail": must_fail,
        "columns": [target_name, *inputs, *categorical, "date"],
    }


def _reference(case: dict) -> dict:
    """The windows the data set must hold, computed the slow way, step by step."""
    frame, options, grid = case["frame"], case["options"], case["grid"]
    # Dates as the reader must see them: UTC when the offsets change, else as written.
    dates = grid.tz_convert("UTC") if case["zone"] == "dst" else grid
    position = {t: i for i, t in enumerate(grid)}
    if grid.tz is None:
        parsed = pd.to_datetime(frame["date"])
    else:
        parsed = pd.to_datetime(frame["date"], utc=True).dt.tz_convert(grid.tz)
    rows = [position[t] for t in parsed]
    numeric = [case["target"], *options["inputs"]]
    values = np.full((len(grid), len(numeric)), np.nan)
    values[rows] = frame[numeric].to_numpy(dtype=np.float64)
    labels = {c: [None] * len(grid) for c in options["categorical"]}
    for c in options["categorical"]:
        for r, v in zip(rows, frame[c]):
            labels[c][r] = v
    for j in range(len(numeric)):
        column = values[:, j]
        missing = np.isnan(column)
        if options["fill"] == "ffill":
            for i in range(1, len(column)):
                if np.isnan(column[i]):
                    column[i] = column[i - 1]
        elif options["fill"] == "interpolate":
            known = np.flatnonzero(~missing)
            inside = missing & (np.arange(len(column)) > known[0]) & (np.arange(len(column)) < known[-1])
            column[inside] = np.interp(np.flatnonzero(inside), known, column[known])
    for c in options["categorical"]:
        for i in range(1, len(grid)):
            if labels[c][i] is None:
                labels[c][i] = labels[c][i - 1]
    n = len(grid)
    if "split" in options:
        first_valid, first_test = (pd.Timestamp(d) for d in options["split"])
        naive = dates.tz_localize(None) if dates.tz is not None else dates
        bounds = [0, int(np.searchsorted(naive, first_valid)), int(np.searchsorted(naive, first_test)), n]
    else:
        f = options.get("fractions") or (0.7, 0.2, 0.1)
        a = int(round(f[0] * n))
        bounds = [0, a, a + int(round(f[1] * n)), n]
    if options["scale"]:
        train = values[: bounds[1]]
        mean, std = train.mean(axis=0), train.std(axis=0)
    else:
        mean, std = np.zeros(len(numeric)), np.ones(len(numeric))
    features = [(values - mean) / std]
    for item in options["calendar"]:
        codes = {"hour": dates.hour, "dayofweek": dates.day_of_week, "month": dates.month - 1}[item]
        features.append(np.eye({"hour": 24, "dayofweek": 7, "month": 12}[item])[np.asarray(codes)])
    for c in options["categorical"]:
        categories = sorted(set(labels[c]), key=str)
        features.append(np.array([[float(v == k) for k in categories] for v in labels[c]]))
    features = np.concatenate(features, axis=1)
    n_steps, horizon, target = options["n_steps"], options["horizon"], options["target"]
    out = {}
    for k, split in enumerate(("train", "valid", "test")):
        X, y = [], []
        for i in range(bounds[k], bounds[k + 1] - n_steps - horizon + 1):
            X.append(features[i : i + n_steps])
            series = features[:, 0]
            if target == "seq2seq":
                y.append([[series[i + t + 1 + h] for h in range(horizon)] for t in range(n_steps)])
            else:
                y.append([series[i + n_steps + h] for h in range(horizon)])
        out[split] = (np.array(X), np.array(y))
    return out


def _names_what_is_at_fault(message: str, case: dict) -> bool:
    named = [c for c in case["columns"] if repr(c)[:40] in message]
    option = any(o in message for o in OPTIONS)
    dates = "date" in message
    return bool(named) or option or dates or "row(s)" in message


@pytest.mark.parametrize("chunk", range(3))
def test_random_tables_window_like_the_reference_or_are_refused_with_one_error(chunk, tmp_path):
    rng = np.random.default_rng([2026, chunk])
    tried = built = 0
    for k in range(N_TABLES // 3):
        case = _case(rng)
        via_csv = rng.random() < 0.4
        tried += 1
        try:
            if via_csv:
                path = tmp_path / f"t{k}.csv"
                case["frame"].to_csv(path, index=False)
                ds = csv_dataset(path, case["target"], date_column="date", **case["options"])
            else:
                ds = frame_dataset(case["frame"], case["target"], date_column="date", **case["options"])
        except TableError as exc:
            message = str(exc)
            assert "\n" not in message and len(message) < 600, message
            assert _names_what_is_at_fault(message, case), (message, case["must_fail"], case["options"])
            if case["must_fail"] and "Column" in message and not any(w in message for w in WHOLE_COLUMN):
                assert "row" in message, message
            continue
        assert isinstance(ds, Dataset)
        assert not case["must_fail"], (case["must_fail"], case["options"], case["frame"].head(10))
        built += 1
        want = _reference(case)
        for split, X, y in ds.splits():
            np.testing.assert_allclose(X, want[split][0], rtol=1e-5, atol=1e-5, err_msg=f"{split} X")
            np.testing.assert_allclose(
                y.reshape(want[split][1].shape), want[split][1], rtol=1e-5, atol=1e-5, err_msg=f"{split} y"
            )
    # The generator must reach both outcomes, or the test checks nothing of one of them.
    assert tried == N_TABLES // 3 and 10 < built < tried, built

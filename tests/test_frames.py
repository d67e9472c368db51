"""rnnbook.frames: data sets from a user's table (DataFrame, Series, CSV), splits, scaling and errors."""

import re

import numpy as np
import pandas as pd
import pytest

from rnnbook import data
from rnnbook.frames import csv_dataset, frame_dataset, read_csv


def daily(n=60, start="2024-01-01"):
    dates = pd.date_range(start, periods=n, freq="D")
    return pd.DataFrame(
        {
            "date": dates,
            "riders": 1000.0 + 10 * np.arange(n) + 50 * (np.arange(n) % 7),
            "rain": np.arange(n) % 3 * 1.5,
            "kind": ["W", "W", "W", "W", "W", "A", "U"] * (n // 7) + ["W"] * (n % 7),
        }
    )


def test_windows_hold_the_table_values_in_time_order_with_dates():
    frame = daily()
    ds = frame_dataset(
        frame,
        "riders",
        date_column="date",
        n_steps=5,
        horizon=3,
        layout="vector",
        fractions=(0.5, 0.25, 0.25),
        scale=False,
    )
    # 30 / 15 / 15 rows, each windowed on its own: 30 - 8 + 1 = 23 and 15 - 8 + 1 = 8 windows.
    assert (len(ds.X_train), len(ds.X_valid), len(ds.X_test)) == (23, 8, 8)
    riders = frame["riders"].to_numpy()
    np.testing.assert_array_equal(ds.X_valid[0, :, 0], riders[30:35])
    np.testing.assert_array_equal(ds.y_valid[0], riders[35:38])
    np.testing.assert_array_equal(ds.y_test[-1], riders[57:60])
    assert ds.dates["valid"][0] == pd.Timestamp("2024-02-05")  # the first forecast's date (row 35)
    assert len(ds.dates["test"]) == len(ds.X_test)
    assert ds.columns == ("riders",)


def test_split_by_dates_leaks_nothing_across_periods():
    frame = daily()
    riders = frame["riders"].to_numpy()
    ds = frame_dataset(
        frame,
        "riders",
        date_column="date",
        n_steps=5,
        horizon=1,
        layout="one_step",
        split=("2024-01-31", "2024-02-15"),
        scale=False,
    )
    # Train is Jan 1-30 (rows 0-29): its last target is row 29, validation's first window starts at row 30.
    assert ds.y_train[-1, 0] == riders[29]
    np.testing.assert_array_equal(ds.X_valid[0, :, 0], riders[30:35])
    assert ds.dates["train"][-1] < pd.Timestamp("2024-01-31") <= ds.dates["valid"][0]
    assert ds.dates["valid"][-1] < pd.Timestamp("2024-02-15") <= ds.dates["test"][0]


def test_scaling_uses_the_training_period_and_units_invert_it():
    frame = daily(70)
    ds = frame_dataset(
        frame,
        "riders",
        date_column="date",
        n_steps=7,
        horizon=7,
        layout="vector",
        fractions=(0.6, 0.2, 0.2),
        season=7,
    )
    train_values = frame["riders"].to_numpy()[:42]
    assert ds.units.mean == pytest.approx(train_values.mean())
    assert ds.units.std == pytest.approx(train_values.std())
    np.testing.assert_allclose(ds.units.invert(ds.y_test[0]), frame["riders"].to_numpy()[63:70], rtol=1e-6)
    # MASE's scale: the training period's MAE of the value one season earlier (here 10 * 7 = 70).
    assert ds.units.naive_mae == pytest.approx(70.0)


def test_multivariate_inputs_calendar_and_categories():
    frame = daily(70)
    ds = frame_dataset(
        frame,
        "riders",
        date_column="date",
        inputs=["rain"],
        calendar=["dayofweek"],
        categorical=["kind"],
        n_steps=7,
        horizon=1,
        fractions=(0.6, 0.2, 0.2),
    )
    assert ds.columns == (
        "riders",
        "rain",
        *(f"dayofweek={k}" for k in range(7)),
        "kind=A",
        "kind=U",
        "kind=W",
    )
    assert ds.X_train.shape[-1] == 12
    first = ds.X_train[0]
    days = pd.date_range("2024-01-01", periods=7)
    np.testing.assert_array_equal(first[:, 2:9].argmax(axis=1), days.day_of_week)
    np.testing.assert_array_equal(first[:, 9:].sum(axis=1), np.ones(7))  # one category per row
    assert first[5, 9] == 1.0 and first[6, 10] == 1.0  # rows 5 and 6: "A" then "U"
    # Numeric inputs are scaled by the training period, one-hot columns are not.
    assert abs(ds.X_train[:, :, 1].mean()) < 0.2


def known_future_dataset(frame, known_future=("dayofweek", "kind"), **options):
    """Three days ahead from a week of riders, rain, day of week and kind; ``known_future`` as given."""
    return frame_dataset(
        frame,
        "riders",
        date_column="date",
        inputs=["rain"],
        calendar=["dayofweek"],
        categorical=["kind"],
        known_future=known_future,
        n_steps=7,
        horizon=3,
        layout="vector",
        split=("2024-02-20", "2024-03-20"),
        **options,
    )


def test_known_future_inputs_give_each_step_the_next_horizon_steps_values():
    frame = daily(100)
    ds = known_future_dataset(frame)
    plain = known_future_dataset(frame, known_future=())
    # 12 features (riders, rain, 7 days, 3 kinds), then the 10 known ones at t+1, t+2 and t+3.
    assert ds.X_train.shape == (*plain.X_train.shape[:2], 12 + 3 * 10)
    assert ds.columns[12] == "dayofweek=0(t+1)" and ds.columns[-1] == "kind=W(t+3)"
    np.testing.assert_array_equal(ds.X_train[..., :12], plain.X_train)
    np.testing.assert_array_equal(ds.y_train, plain.y_train)
    # In every split, the last step of a window carries the forecast steps' day of week and kind.
    for split in ("train", "valid", "test"):
        X, dates = getattr(ds, f"X_{split}"), ds.dates[split]
        for k in range(3):
            block = X[:, -1, 12 + 10 * k : 22 + 10 * k]
            forecast_dates = dates + pd.Timedelta(days=k)
            np.testing.assert_array_equal(block[:, :7].argmax(axis=1), forecast_dates.day_of_week)
            kinds = frame.set_index("date").loc[forecast_dates, "kind"].to_numpy()
            np.testing.assert_array_equal(np.array(["A", "U", "W"])[block[:, 7:].argmax(axis=1)], kinds)


@pytest.mark.parametrize("argument", ["inputs", "categorical", "target_column"])
def test_a_column_named_like_a_calendar_feature_is_refused_in_one_line(argument):
    from rnnbook.frames import TableError

    column = {"inputs": "rain", "categorical": "kind", "target_column": "riders"}[argument]
    frame = daily(100).rename(columns={column: "dayofweek"})
    options = {"inputs": ["rain"], "categorical": ["kind"], "target_column": "riders"}
    options[argument] = "dayofweek" if argument == "target_column" else ["dayofweek"]
    target = options.pop("target_column")
    with pytest.raises(TableError, match=rf"^Received 'dayofweek' both in `calendar` and in `{argument}`"):
        frame_dataset(
            frame, target, date_column="date", calendar=["dayofweek"], n_steps=7, horizon=1, **options
        )


def test_known_future_inputs_leak_no_unknown_future_value():
    frame = daily(100)
    ds = known_future_dataset(frame)
    origin = int(np.flatnonzero(frame["date"] == ds.dates["valid"][5])[0])  # window 5's first forecast
    changed = frame.copy()
    rng = np.random.default_rng(0)
    changed.loc[origin:, "riders"] = rng.permutation(changed.loc[origin:, "riders"].to_numpy()) + 500
    changed.loc[origin:, "rain"] = rng.normal(size=len(frame) - origin)
    again = known_future_dataset(changed)
    # The training period is before the origin: its scaling is the same, and so is window 5's input.
    np.testing.assert_array_equal(again.X_valid[5], ds.X_valid[5])
    assert not np.array_equal(again.y_valid[5], ds.y_valid[5])
    # A known-future column changed after the origin changes that window's input, and only its future part.
    kinds = frame.copy()
    kinds.loc[origin, "kind"] = "U" if frame.loc[origin, "kind"] != "U" else "W"
    moved = known_future_dataset(kinds)
    differs = np.flatnonzero((moved.X_valid[5] != ds.X_valid[5]).any(axis=0))
    assert len(differs) and all("(t+" in moved.columns[j] for j in differs)


def test_hour_and_month_one_hots_follow_the_dates():
    hours = pd.date_range("2024-01-31 20:00", periods=400, freq="h")
    series = pd.Series(np.sin(np.arange(400.0)), hours, name="load")
    ds = frame_dataset(series, n_steps=10, calendar=["hour", "month"], scale=False)
    assert ds.columns[1] == "hour=0" and ds.columns[-12:] == tuple(f"month={m}" for m in range(1, 13))
    first = ds.X_train[0]  # Jan 31 20:00 to Feb 1 05:00
    np.testing.assert_array_equal(first[:, 1:25].argmax(axis=1), [20, 21, 22, 23, 0, 1, 2, 3, 4, 5])
    np.testing.assert_array_equal(first[:, 25:].argmax(axis=1) + 1, [1] * 4 + [2] * 6)


def test_a_series_and_a_csv_file_give_the_same_dataset(tmp_path):
    frame = daily()
    series = frame.set_index("date")["riders"]
    a = frame_dataset(series, n_steps=5, horizon=1)
    path = tmp_path / "riders.csv"
    frame.to_csv(path, index=False)
    b = csv_dataset(path, "riders", date_column="date", n_steps=5, horizon=1)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert b.name == "riders" and a.units == b.units


def test_shape_dataset_cuts_the_same_table_again():
    ds = frame_dataset(
        daily(),
        "riders",
        date_column="date",
        n_steps=5,
        horizon=3,
        layout="vector",
        fractions=(0.5, 0.25, 0.25),
    )
    seq = data.shape_dataset(ds, 3, "seq2seq")
    assert seq.y_train.shape == (len(ds.X_train), 5, 3) and seq.units == ds.units


def test_fill_interpolates_or_carries_forward_a_gap_and_a_missing_value():
    frame = daily().drop(index=10).reset_index(drop=True)  # Jan 11 missing
    frame.loc[19, "riders"] = np.nan  # and Jan 21's value
    # riders(i) = 1000 + 10 i + 50 (i % 7): 1190 on Jan 10 (i = 9), 1310 on Jan 12 (i = 11).
    for fill, expected in (("interpolate", 1250.0), ("ffill", 1190.0)):
        ds = frame_dataset(
            frame,
            "riders",
            date_column="date",
            n_steps=11,
            horizon=1,
            scale=False,
            fill=fill,
            fractions=(0.6, 0.2, 0.2),
        )
        assert ds.X_train[0, 10, 0] == expected
        assert np.isfinite(ds.X_train).all()


BAD = [
    (
        lambda f: f.assign(date=f["date"].astype(str).where(f.index != 4, "yesterday")),
        "Column 'date' holds 'yesterday' at row 4; expected a date.",
    ),
    (
        lambda f: f.iloc[[0, 1, 3, 2, *range(4, len(f))]].reset_index(drop=True),
        "The dates are not sorted: row 3 (2024-01-03 00:00:00) comes after 2024-01-04 00:00:00",
    ),
    (
        lambda f: pd.concat([f.iloc[:6], f.iloc[5:]]).reset_index(drop=True),
        "The date 2024-01-06 00:00:00 appears twice, at rows 5 and 6",
    ),
    (
        lambda f: f.drop(index=[7, 8]).reset_index(drop=True),
        "The dates have gaps: 2 step(s) missing, the first 2024-01-08 00:00:00 (between row 6 "
        "(2024-01-07 00:00:00) and 2024-01-10 00:00:00); pass fill='interpolate' or fill='ffill'",
    ),
    (
        lambda f: f.assign(riders=f["riders"].astype(object).where(f.index != 9, "n/a")),
        "Column 'riders' is not numeric: row 9 (2024-01-10 00:00:00) holds 'n/a'; expected numbers",
    ),
    (
        lambda f: f.assign(riders=f["riders"].where(f.index != 12)),
        "Column 'riders' has 1 missing value(s), the first at row 12 (2024-01-13 00:00:00); "
        "fill or drop them",
    ),
    (
        lambda f: f.assign(riders=f["riders"].where(f.index != 13, np.inf)),
        "Column 'riders' has 1 infinite value(s), the first at row 13",
    ),
    (lambda f: f.assign(rain=0.0), "Column 'rain' is constant over the training period"),
]


@pytest.mark.parametrize("corrupt,message", BAD)
def test_bad_tables_are_refused_naming_the_column_and_the_first_bad_row(corrupt, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        frame_dataset(corrupt(daily()), "riders", date_column="date", inputs=["rain"], n_steps=5)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"date_column": "day"}, "There is no date column 'day'; the columns are date, riders, rain, kind."),
        ({"date_column": None}, "The table has no dates: pass date_column="),
        ({"inputs": ["snow"]}, "There is no column 'snow'"),
        ({"inputs": ["riders"]}, "A column is listed twice (the target 'riders' is always feature 0"),
        ({"inputs": ["kind"]}, "Column 'kind' is not numeric: row 0 (2024-01-01 00:00:00) holds 'W'"),
        ({"calendar": ["week"]}, "`calendar`, expected one of 'hour', 'dayofweek', 'month', got 'week'"),
        ({"split": ("2024-01-20",)}, "`split` needs two dates"),
        ({"split": ("2024-02-20", "2024-01-20")}, "`split` dates must satisfy"),
        ({"fractions": (0.5, 0.5, 0.5)}, "`fractions` must be three positive numbers adding up to 1"),
        ({"split": ("2024-01-20", "2024-02-01"), "fractions": (0.6, 0.2, 0.2)}, "not both"),
        (
            {"split": ("2024-02-20", "2024-02-25")},
            "The valid period (2024-02-20 00:00:00 on) has 5 steps, fewer than n_steps + horizon = 6",
        ),
        ({"fill": "zero"}, "`fill`, expected one of None, 'interpolate', 'ffill', got 'zero'"),
        (
            {"known_future": ["rain"], "calendar": ["dayofweek"]},
            "`known_future`: 'rain' is not one of the calendar features, categorical columns or inputs "
            "(dayofweek); list it there too.",
        ),
        ({"known_future": ["riders"]}, "`known_future`: 'riders' is the target"),
        ({"known_future": ["rain", "rain"], "inputs": ["rain"]}, "`known_future` names a column twice"),
    ],
)
def test_bad_arguments_get_one_clear_line(kwargs, message):
    options = {"date_column": "date", **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        frame_dataset(daily(), "riders", n_steps=5, **options)


def test_csv_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        read_csv(tmp_path / "missing.csv")
    path = tmp_path / "bad.csv"
    frame = daily()
    frame.loc[3, "riders"] = np.nan
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=re.escape(f"row 3 (2024-01-04 00:00:00), line 5 of {path}")):
        csv_dataset(path, "riders", date_column="date", n_steps=5)


def test_the_taylor_series_has_half_hourly_dates():
    s = data.load_series("taylor")
    assert len(s) == 4032 and s.index[0] == pd.Timestamp("2000-06-05")
    assert s.index[-1] == pd.Timestamp("2000-08-27 23:30") and s.iloc[0] == 22262.0


def test_several_target_columns_are_forecast_target_major_each_scaled_on_its_own():
    frame = daily()
    frame["rain"] += 0.5  # (no zero targets)
    raw = frame_dataset(
        frame,
        ["riders", "rain"],
        date_column="date",
        n_steps=5,
        horizon=3,
        layout="vector",
        fractions=(0.5, 0.25, 0.25),
        scale=False,
    )
    riders, rain = frame["riders"].to_numpy(), frame["rain"].to_numpy()
    assert raw.n_targets == 2 and raw.columns[:2] == ("riders", "rain") and raw.y_valid.shape == (8, 6)
    np.testing.assert_array_equal(raw.y_valid[0], [*riders[35:38], *rain[35:38]])  # target-major
    np.testing.assert_array_equal(raw.X_valid[0, :, 1], rain[30:35])
    ds = frame_dataset(
        frame,
        ["riders", "rain"],
        date_column="date",
        n_steps=5,
        horizon=3,
        layout="vector",
        season=7,
        fractions=(0.7, 0.15, 0.15),
    )
    assert [u.column for u in ds.target_units] == ["riders", "rain"] and ds.units == ds.target_units[0]
    assert ds.target_units[1].mean == pytest.approx(rain[:42].mean())
    assert ds.target_units[1].std == pytest.approx(rain[:42].std())
    np.testing.assert_allclose(ds.target_units[1].invert(ds.y_test[-1, 3:]), rain[-3:], rtol=1e-6)
    np.testing.assert_allclose(ds.target_units[0].invert(ds.y_test[-1, :3]), riders[-3:], rtol=1e-6)
    # One step ahead: one value per target.
    one = frame_dataset(
        frame, ["riders", "rain"], date_column="date", n_steps=5, scale=False, fractions=(0.5, 0.25, 0.25)
    )
    np.testing.assert_array_equal(one.y_train[0], [riders[5], rain[5]])
    assert data.shape_dataset(one, 3, "vector").y_train.shape[1] == 6  # the leaderboard cuts it anew
    with pytest.raises(ValueError, match="seq2seq targets forecast a single column"):
        frame_dataset(frame, ["riders", "rain"], date_column="date", n_steps=5, horizon=3, layout="seq2seq")
    with pytest.raises(ValueError, match="There is no column 'snow'"):
        frame_dataset(frame, ["riders", "snow"], date_column="date", n_steps=5)
    with pytest.raises(ValueError, match="A column is listed twice"):
        frame_dataset(frame, ["riders", "rain"], date_column="date", inputs=["rain"], n_steps=5)


def _multitask(horizon):
    frame = daily(84)
    frame["rain"] += 0.5
    return frame, frame_dataset(
        frame,
        ["riders", "rain"],
        date_column="date",
        n_steps=7,
        horizon=horizon,
        layout="vector" if horizon > 1 else "one_step",
        fractions=(0.5, 0.25, 0.25),
        season=7,
    )


@pytest.mark.parametrize("horizon", [1, 2])
def test_baselines_score_each_target_in_its_own_units(horizon):
    from rnnbook.training import train

    frame, ds = _multitask(horizon)
    # The test period is rows 63-83; windows start 7 rows in and forecast `horizon` steps.
    for name, lag in (("naive_last_value", None), ("seasonal_naive", 7)):
        result = train(name, ds, progress=False, cache=False)
        assert result.horizon == horizon and result.params == 0
        rows = {r["target"]: r for r in result.rows()}
        assert list(rows) == ["riders", "rain"]
        for column in ("riders", "rain"):
            values = frame[column].to_numpy()[63:]
            errors = [
                [abs(values[t + k] - values[t - 1 if lag is None else t + k - lag]) for k in range(horizon)]
                for t in range(7, len(values) - horizon + 1)
            ]
            scores = result.scores["test"][column]
            assert rows[column]["test_mae"] == scores["mae"] == pytest.approx(np.mean(errors), rel=1e-5)
            np.testing.assert_allclose(scores["mae_per_step"], np.mean(errors, axis=0), rtol=1e-5)
            assert scores["mase"] == pytest.approx(
                np.mean(errors) / ds.target_units[column == "rain"].naive_mae
            )
            assert rows[column]["test_mse"] == pytest.approx(np.mean(np.square(errors)), rel=1e-5)
        # Two very different scales: riders move by tens to hundreds, rain by less than 3.
        assert rows["riders"]["test_mae"] > 20 and rows["rain"]["test_mae"] < 3


def test_a_learned_model_forecasts_every_target_and_the_others_say_why_they_cannot():
    from rnnbook.registry import get_spec
    from rnnbook.training import cannot_train_on, train

    _, ds = _multitask(2)
    result = train("linear", ds, retarget=True, horizon=2, epochs=2, progress=False, cache=False)
    assert result.model.output_shape == (None, 4) and result.params == 7 * 2 * 4 + 4
    assert [r["target"] for r in result.rows()] == ["riders", "rain"]
    with pytest.raises(ValueError, match="several target columns: use rows"):
        result.row()
    assert "a single target column (the data has 2)" in cannot_train_on(get_spec("seq2seq_gru"), ds)
    assert (
        cannot_train_on(get_spec("sarima"), ds)
        == "it models a single series, and the data has 2 target columns"
    )
    assert "single input feature" in cannot_train_on(get_spec("iterative_deep_rnn"), ds)
    with pytest.raises(ValueError, match="sarima cannot train on this data: it models a single series"):
        train("sarima", ds, progress=False, cache=False)


# ------------------------------------------------------------------ one error class, DST, long headers
def test_hourly_dates_across_a_daylight_saving_change_are_read_in_utc(tmp_path):
    from rnnbook.frames import TableError

    hours = pd.date_range("2024-03-29", periods=120, freq="h", tz="Europe/Paris")  # 31 March: 23 hours
    load = 1000 + 200 * np.sin(2 * np.pi * np.arange(120) / 24)
    frame = pd.DataFrame({"load": load}, index=hours)
    path = tmp_path / "load.csv"
    pd.DataFrame({"time": [t.isoformat() for t in hours], "load": load}).to_csv(path, index=False)
    assert "+01:00" in path.read_text() and "+02:00" in path.read_text()  # the offset changes
    from_csv = csv_dataset(path, "load", date_column="time", n_steps=12, fractions=(0.6, 0.2, 0.2))
    from_frame = frame_dataset(frame, "load", n_steps=12, fractions=(0.6, 0.2, 0.2))
    np.testing.assert_array_equal(from_csv.X_train, from_frame.X_train)
    np.testing.assert_array_equal(from_csv.y_test, from_frame.y_test)
    assert str(from_csv.dates["valid"].tz) == "UTC"
    assert from_csv.dates["valid"][0] == from_frame.dates["valid"][0]  # the same instant
    mixed = pd.read_csv(path)
    mixed.loc[7, "time"] = "2024-03-29 07:00:00"  # no offset, among dates that have one
    mixed.to_csv(path, index=False)
    with pytest.raises(TableError, match=r"mixes dates with and without a UTC offset: .* row 7, line 9 of"):
        csv_dataset(path, "load", date_column="time", n_steps=12)


def test_a_duplicated_column_name_is_one_line_naming_it():
    from rnnbook.frames import TableError

    frame = daily()[["date", "riders", "rain"]]
    frame.columns = ["date", "riders", "riders"]
    with pytest.raises(TableError, match="Column 'riders' appears more than once"):
        frame_dataset(frame, "riders", date_column="date", n_steps=7)


def test_a_garbage_header_is_quoted_short_and_every_refusal_is_a_table_error(tmp_path):
    from rnnbook.frames import TableError

    path = tmp_path / "garbage.csv"
    path.write_text("x" * 100_000 + "\n1\n2\n")
    with pytest.raises(TableError) as caught:
        csv_dataset(path, "y", date_column="date", n_steps=3)
    message = str(caught.value)
    assert len(message) < 300 and "100000 characters)" in message, message
    assert issubclass(TableError, ValueError)
    with pytest.raises(TableError, match="argument `n_steps`"):
        frame_dataset(daily(), "riders", date_column="date", n_steps=0)

"""Backtests over rolling origins (rnnbook.backtest), checked against a backtest computed by hand."""

import numpy as np
import pandas as pd
import pytest

from rnnbook.backtest import origin_datasets, plan_origins, run_backtest


def _frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    days = pd.date_range("2022-01-03", periods=n, freq="D")
    values = 100 + 20 * (days.day_of_week >= 5) + rng.normal(0, 5, n).cumsum()
    return pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "y": values})


def test_naive_and_seasonal_naive_match_a_backtest_by_hand():
    frame = _frame()
    y = frame["y"].to_numpy()
    bt = run_backtest(
        frame,
        "y",
        ["naive_n_steps", "seasonal_naive"],
        date_column="day",
        n_steps=14,
        horizon=2,
        n_origins=3,
        spacing=5,
    )
    rows = {(r["model"], r["origin"], r["step"]): r for r in bt.rows}
    assert len(bt.rows) == 2 * 3 * 2
    # The last test block ends with the series: origins at rows 200 - 2 + 1 - 5 * (3, 2, 1).
    for origin in (184, 189, 194):
        date = frame["day"][origin]
        for step in (1, 2):
            starts = np.arange(origin, origin + 5)  # the forecasts of the block start here
            truth = y[starts + step - 1]
            naive = np.abs(truth - y[starts - 1]).mean()
            seasonal = np.abs(truth - y[starts + step - 1 - 7]).mean()
            assert rows["naive_n_steps", date, step]["mae"] == pytest.approx(naive, rel=1e-5)
            assert rows["seasonal_naive", date, step]["mae"] == pytest.approx(seasonal, rel=1e-5)
            assert rows["seasonal_naive", date, step]["windows"] == 5
    summary = bt.summary()
    by_hand = np.mean([rows["naive_n_steps", frame["day"][o], 2]["mae"] for o in (184, 189, 194)])
    assert summary.loc[("naive_n_steps", 2), "mae_mean"] == pytest.approx(by_hand)
    assert summary.loc[("naive_n_steps", 2), "origins"] == 3
    assert {"mae_std", "mase_mean", "coverage_80_mean", "coverage_95_std"} <= set(summary.columns)


def test_no_origin_sees_its_future():
    # Shuffle every value from the first origin on: that origin's training, validation and scaling must
    # not change, nor the inputs of its first test window.
    frame = _frame()
    cuts = plan_origins(len(frame), n_steps=14, horizon=2, n_origins=3, spacing=5)
    shuffled = frame.copy()
    future = shuffled["y"].to_numpy()[cuts[0].origin :].copy()
    np.random.default_rng(1).shuffle(future)
    shuffled.loc[cuts[0].origin :, "y"] = future
    options = {"date_column": "day", "season": 7}
    (_, _, before), (_, _, after) = (
        next(origin_datasets(f, "y", cuts, 14, 2, options)) for f in (frame, shuffled)
    )
    for name in ("X_train", "y_train", "X_valid", "y_valid"):
        np.testing.assert_array_equal(getattr(before, name), getattr(after, name))
    assert before.units == after.units
    np.testing.assert_array_equal(before.X_test[0], after.X_test[0])
    assert not np.array_equal(before.y_test, after.y_test)  # the test targets did change


def test_sliding_windows_keep_the_first_origins_training_length():
    expanding = plan_origins(300, n_steps=10, horizon=1, n_origins=4, spacing=7)
    sliding = plan_origins(300, n_steps=10, horizon=1, n_origins=4, spacing=7, history="sliding")
    assert [o.start for o in expanding] == [0] * 4
    assert [o.valid - o.start for o in sliding] == [expanding[0].valid] * 4
    assert [o.origin for o in sliding] == [o.origin for o in expanding] == [272, 279, 286, 293]


def test_too_many_origins_is_one_clear_error():
    with pytest.raises(ValueError, match="use fewer origins, a smaller spacing or shorter windows"):
        plan_origins(100, n_steps=10, horizon=1, n_origins=20, spacing=5)
    with pytest.raises(ValueError, match="`history`"):
        plan_origins(100, n_steps=10, horizon=1, n_origins=2, spacing=5, history="rolling")


def test_a_network_backtests_with_seeds_and_interval_coverage():
    frame = _frame(300)
    bt = run_backtest(
        frame,
        "y",
        ["linear"],
        date_column="day",
        n_steps=14,
        horizon=1,
        n_origins=2,
        spacing=14,
        seeds=(1, 2),
    )
    assert sorted({(r["seed"], r["origin"]) for r in bt.rows}) == [
        (s, frame["day"][o]) for s in (1, 2) for o in (272, 286)
    ]
    assert all(0 <= r["coverage_95"] <= 1 and r["width_95"] > r["width_80"] for r in bt.rows)
    block = bt.forecasts["linear"]
    assert block["forecast"].shape == (14, 1) and len(block["dates"]) == 14
    assert (block["lower"][95] <= block["forecast"]).all()


def test_hourly_dates_across_a_daylight_saving_change_backtest_with_one_name_per_origin():
    # Hourly Berlin dates written with their offset (+01:00, then +02:00 after 2024-03-31 02:00): the
    # table reader reads them in UTC, and so must the backtest; origins 12 hours apart keep their hour.
    hours = pd.date_range("2024-03-25", periods=24 * 14, freq="h", tz="Europe/Berlin")
    values = 10 + np.sin(np.arange(len(hours)) * 2 * np.pi / 24)
    frame = pd.DataFrame({"time": hours.strftime("%Y-%m-%dT%H:%M:%S%z"), "load": values})
    bt = run_backtest(
        frame, "load", ["naive_last_value"], date_column="time", n_steps=24, n_origins=3, spacing=12
    )
    origins = sorted({r["origin"] for r in bt.rows})
    assert len(origins) == 3 and all("T" in o for o in origins)  # date and hour: three distinct names
    assert bt.summary().loc[("naive_last_value", 1), "origins"] == 3


def test_a_target_of_exactly_zero_makes_the_backtest_mape_nan():
    frame = _frame()
    frame.loc[195, "y"] = 0.0  # in the last origin's test block
    bt = run_backtest(frame, "y", ["naive_n_steps"], date_column="day", n_steps=14, n_origins=1, spacing=5)
    (row,) = [r for r in bt.rows if r["step"] == 1]
    assert np.isnan(row["mape"]) and np.isfinite(row["mae"])


def test_known_future_inputs_reach_every_origin_without_its_future_targets():
    # The day of week is known in advance: each origin's last test window carries the forecast day's.
    frame = _frame()
    cuts = plan_origins(len(frame), n_steps=14, horizon=2, n_origins=3, spacing=5)
    options = {"date_column": "day", "season": 7, "calendar": ["dayofweek"], "known_future": ["dayofweek"]}
    shuffled = frame.copy()
    shuffled.loc[cuts[0].origin :, "y"] = np.random.default_rng(1).permutation(
        frame["y"].to_numpy()[cuts[0].origin :]
    )
    (_, _, before), (_, _, after) = (
        next(origin_datasets(f, "y", cuts, 14, 2, options)) for f in (frame, shuffled)
    )
    assert before.columns[-1] == "dayofweek=6(t+2)" and before.X_test.shape[-1] == 1 + 7 + 2 * 7
    np.testing.assert_array_equal(before.X_test[0], after.X_test[0])
    for k in (1, 2):  # the first test window's last step: the days of its two forecast steps
        day = pd.Timestamp(frame["day"][cuts[0].origin + k - 1]).day_of_week
        assert before.X_test[0, -1, 8 + 7 * (k - 1) + day] == 1.0
    bt = run_backtest(
        frame, "y", ["seasonal_naive"], n_steps=14, horizon=2, n_origins=3, spacing=5, **options
    )
    assert len(bt.rows) == 3 * 2


def test_a_backtest_trains_its_networks_on_the_workers_and_reads_them_back(prefill_calls, monkeypatch):
    models_dir, given = prefill_calls
    options = dict(date_column="day", n_steps=14, horizon=2, n_origins=2, spacing=14, seeds=(1, 2))
    frame = _frame(300)
    models = ["linear", "seasonal_naive"]
    alone = run_backtest(frame, "y", models, **options)  # conftest: no cache
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(models_dir))
    together = run_backtest(frame, "y", models, workers=2, **options)
    # without the cache nothing went to the workers; with it 2 origins x 2 seeds of the network
    # did, stored before the loop began (a forecaster is no Keras model), and the loop read them
    # back and trained nothing
    assert given == [(0, 0), (4, 4)]
    assert len(list(models_dir.iterdir())) == 4
    pd.testing.assert_frame_equal(
        pd.DataFrame(together.rows).drop(columns="fit_seconds"),
        pd.DataFrame(alone.rows).drop(columns="fit_seconds"),
    )
    again = run_backtest(frame, "y", ["linear"], **options)  # every run read back: nothing trains
    assert again.rows == [r for r in together.rows if r["model"] == "linear"]

"""The leaderboard on a user's series: the same models at horizon 1 are one row (rnnbook.leaderboard)."""

import numpy as np
import pandas as pd

from rnnbook.frames import frame_dataset
from rnnbook.leaderboard import format_table, merge_same_models, run_leaderboard


def test_the_same_models_at_horizon_1_are_trained_once_and_shown_as_one_row():
    days = pd.date_range("2024-01-01", periods=200, freq="D")
    ds = frame_dataset(pd.Series(np.sin(np.arange(200.0)) + 2, days, name="x"), n_steps=14)
    rows = run_leaderboard(
        ["naive_last_value", "naive_n_steps", "seasonal_naive"], dataset=ds, progress=False
    )
    assert sorted(r["model"] for r in rows) == ["naive_last_value", "seasonal_naive"]
    (naive,) = [r for r in rows if r["model"] == "naive_last_value"]
    assert naive["same_as"] == ["naive_n_steps"]
    assert "naive_last_value = naive_n_steps" in format_table(rows)


def test_other_horizons_keep_every_model():
    names = ["linear", "linear_n_steps", "deep_rnn", "iterative_deep_rnn"]
    assert merge_same_models(names, horizon=3) == (names, {})
    assert merge_same_models(names, horizon=1) == (
        ["linear", "deep_rnn"],
        {"linear": ["linear_n_steps"], "deep_rnn": ["iterative_deep_rnn"]},
    )

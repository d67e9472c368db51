"""rnnbook.leaderboard: its JSON file (strict, atomic, permissions and links kept) and same-model rows."""

import json
import math
import os

import numpy as np
import pandas as pd
import pytest

from rnnbook.frames import frame_dataset
from rnnbook.leaderboard import (
    check_json_path,
    format_table,
    merge_same_models,
    run_leaderboard,
    strict_json,
    write_json,
)

ROW = {"model": "m", "horizon": 1, "val_mse": 0.5, "test_mse": 0.25, "params": 3, "fit_seconds": 1.0}


def _strict_load(text: str):
    def refuse(token):
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_a_nan_or_infinite_metric_is_written_as_null(tmp_path):
    rows = [{**ROW, "val_mase": float("nan"), "test_mape": float("inf"), "mae_per_step": [1.0, -math.inf]}]
    path = write_json(tmp_path / "lb.json", rows, "quick", "jax")
    payload = _strict_load(path.read_text())  # what JavaScript's JSON.parse and jq accept
    row = payload["rows"][0]
    assert row["val_mase"] is None and row["test_mape"] is None and row["mae_per_step"] == [1.0, None]
    assert row["val_mse"] == 0.5
    assert strict_json({"a": (1.0, float("nan"))}) == {"a": [1.0, None]}


def test_an_existing_file_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path):
    existing = tmp_path / "shared.json"
    existing.write_text("{}")
    os.chmod(existing, 0o644)
    write_json(existing, [ROW], "quick", "jax")
    assert existing.stat().st_mode & 0o777 == 0o644 and _strict_load(existing.read_text())["rows"]
    previous = os.umask(0o022)
    try:
        new = write_json(tmp_path / "new.json", [ROW], "quick", "jax")
    finally:
        os.umask(previous)
    assert new.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.json", "shared.json"]  # no temporary left


def test_a_symbolic_link_is_written_through_to_its_target(tmp_path):
    (tmp_path / "results").mkdir()
    target = tmp_path / "results" / "lb.json"
    target.write_text("{}")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    assert check_json_path(link) == link
    write_json(link, [ROW], "quick", "jax")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert _strict_load(target.read_text())["rows"] == [ROW]


def test_a_missing_directory_is_refused_and_not_created(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        check_json_path(tmp_path / "typo" / "lb.json")
    with pytest.raises(ValueError, match="names no file"):
        check_json_path("")
    assert list(tmp_path.iterdir()) == []


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


def _seeded_backtest():
    """A backtest by hand: three networks with 3 seeds at 2 origins, a forecaster fitted once."""
    from rnnbook.backtest import Backtest

    per_seed = {
        "gru": [1.0, 1.1, 1.2],
        "rnn": [1.15, 1.3, 1.4],  # overlaps gru's range
        "lin": [2.0, 2.1, 2.2],  # beaten by rnn: its best is worse than rnn's worst
        "seasonal_naive": [3.0],
    }
    rows = [
        {"model": m, "seed": 42 + i, "origin": o, "step": 1, "mae": v + d, "mse": v, "mape": v, "mase": v}
        | {"fit_seconds": 0.5}
        for m, values in per_seed.items()
        for i, v in enumerate(values)
        for o, d in (("2024-01-01", -0.01), ("2024-01-08", 0.01))
    ]
    return Backtest(rows, levels=())


def test_the_backtest_table_marks_a_model_indistinguishable_from_the_one_above():
    from rnnbook.cli import _ranked_summary
    from rnnbook.leaderboard import format_backtest

    backtest = _seeded_backtest()
    assert backtest.seed_scores("mae")["rnn"] == pytest.approx([1.15, 1.3, 1.4])
    summary = _ranked_summary(backtest, "mae", {"gru": ["gru_twin"]})
    assert list(summary.index) == ["gru = gru_twin", "rnn", "lin", "seasonal_naive"]
    assert list(summary["seeds"]) == [3, 3, 3, 1]
    assert list(summary["indistinguishable_from"]) == [None, "gru = gru_twin", None, None]
    records = summary.reset_index().to_dict("records")  # what the JSON's "summary" holds
    assert json.loads(json.dumps(strict_json(records)))[1]["indistinguishable_from"] == "gru = gru_twin"
    lines = format_backtest(summary, "mae").splitlines()
    marks = {line.split()[0]: line.endswith("≈") for line in lines[2:6]}
    assert marks == {"gru": False, "rnn": True, "lin": False, "seasonal_naive": False}
    assert lines[-1].startswith("≈ indistinguishable from the model above it (mae of each seed), by the ")
    assert "worst-vs-best rule (rnnbook.compare.verdict)" in lines[-1] and len(lines) == 7


def test_fewer_than_three_seeds_are_not_compared_and_no_footnote_is_printed():
    from rnnbook.leaderboard import format_backtest, indistinguishable_from, mark_indistinguishable

    scores = {"a": [1.0, 1.1], "b": [1.05, 1.2], "c": [1.1, float("nan"), 1.3], "d": [1.2, 1.25, 1.3]}
    assert indistinguishable_from(["a", "b", "c", "d"], scores) == {}  # too few seeds, or a NaN
    assert indistinguishable_from(["b", "d"], {**scores, "b": [1.05, 1.2, 1.25]}) == {"d": "b"}
    table = pd.DataFrame(
        {"mae_mean": [1.0, 1.1], "mae_std": 0.1, "mase_mean": 1.0, "mase_std": 0.1, "fit_seconds": 1.0},
        index=pd.Index(["a", "b"], name="model"),
    )
    text = format_backtest(mark_indistinguishable(table, scores), "mae")
    assert "≈" not in text.split("\n", 1)[1] and len(text.splitlines()) == 4  # header, rule, two rows


def test_a_board_trains_on_the_workers_and_reads_every_run_back(prefill_calls, monkeypatch):
    models_dir, given = prefill_calls
    names = ["linear", "naive_last_value", "seasonal_naive"]
    days = pd.date_range("2024-01-01", periods=200, freq="D")
    ds = frame_dataset(pd.Series(np.sin(np.arange(200.0)) + 2, days, name="x"), n_steps=14)
    alone = run_leaderboard(names, dataset=ds, progress=False, n_seeds=2)  # conftest: no cache
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(models_dir))
    together = run_leaderboard(names, dataset=ds, progress=False, n_seeds=2, workers=2)
    # without the cache nothing went to the workers; with it two seeds of each Keras model did (a
    # forecaster is no Keras model), stored before the loop began, and the loop read them back and
    # trained nothing
    assert given == [(0, 0), (4, 4)]
    assert len(list(models_dir.iterdir())) == 4

    def scores(rows):
        return [{k: v for k, v in r.items() if k != "fit_seconds"} for r in rows]

    assert scores(together) == scores(alone)

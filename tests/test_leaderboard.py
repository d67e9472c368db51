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

"""The rnnbook console script: `rnnbook models` and `rnnbook leaderboard`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("rnnbook")


def run(*args, check=True):
    env = dict(os.environ)
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, check=check, env=env, timeout=600)


def test_console_script_is_installed():
    assert SCRIPT.exists(), f"`rnnbook` console script missing next to {sys.executable}"


def test_models_lists_every_builtin_with_a_description():
    out = run("models").stdout
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    from test_registry import CHAPTER_MODELS

    assert CHAPTER_MODELS <= set(lines)
    assert all(len(line.split(None, 1)) == 2 for line in lines.values())


def test_leaderboard_prints_the_table_and_writes_json(tmp_path):
    path = tmp_path / "lb" / "quick.json"
    proc = run("leaderboard", "--profile", "quick", "--models", "naive_last_value", "linear",
               "--json", str(path), "--quiet")
    assert "model" in proc.stdout and "val_mse" in proc.stdout and "naive_last_value" in proc.stdout
    payload = json.loads(path.read_text())
    assert payload["profile"] == "quick" and payload["backend"] in {"jax", "tensorflow", "torch"}
    assert [set(r) for r in payload["rows"]] == [
        {"model", "horizon", "val_mse", "test_mse", "params", "fit_seconds"}] * 2
    rows = {r["model"]: r for r in payload["rows"]}
    assert rows["naive_last_value"]["params"] == 0 and rows["linear"]["params"] == 51
    assert rows["linear"]["val_mse"] < rows["naive_last_value"]["val_mse"]
    # The naive forecast of the quick validation split, recomputed here from the data helpers.
    from rnnbook import data, profiles

    p = profiles.get_profile("quick")
    ds = data.synthetic_dataset(p.n_series, p.n_steps, p.split, seed=p.seed)
    naive = float(((ds.X_valid[:, -1, 0] - ds.y_valid[:, 0]) ** 2).mean())
    assert rows["naive_last_value"]["val_mse"] == pytest.approx(naive, rel=1e-5)


def test_unknown_model_is_a_clear_error():
    proc = run("leaderboard", "--models", "lstmm", check=False)
    assert proc.returncode == 2
    assert "Unknown model 'lstmm'" in proc.stderr and "seq2seq_gru" in proc.stderr

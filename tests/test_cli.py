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
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, check=check, env=env, timeout=600
    )


def test_console_script_is_installed():
    assert SCRIPT.exists(), f"`rnnbook` console script missing next to {sys.executable}"


def test_models_lists_every_builtin_with_a_description():
    out = run("models").stdout
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    from model_support import CHAPTER_MODELS

    assert set(CHAPTER_MODELS) <= set(lines)
    assert all(len(line.split(None, 1)) == 2 for line in lines.values())


def test_leaderboard_prints_the_table_and_writes_json(tmp_path):
    (tmp_path / "lb").mkdir()
    path = tmp_path / "lb" / "quick.json"
    proc = run(
        "leaderboard",
        "--profile",
        "quick",
        "--models",
        "naive_last_value",
        "linear",
        "--json",
        str(path),
        "--quiet",
    )
    assert "model" in proc.stdout and "val_mse" in proc.stdout and "naive_last_value" in proc.stdout
    payload = json.loads(path.read_text())
    assert payload["profile"] == "quick" and payload["backend"] in {"jax", "tensorflow", "torch"}
    assert [set(r) for r in payload["rows"]] == [
        {"model", "horizon", "val_mse", "test_mse", "params", "fit_seconds"}
    ] * 2
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


def _one_clear_line(proc, *fragments):
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr and len(lines) >= 1, proc.stderr
    error = [line for line in lines if line.startswith("error:") or "error:" in line]
    assert len(error) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in error[0], (fragment, error[0])
    return error[0]


@pytest.mark.parametrize(
    "target, fragment", [("DIR", "is a directory"), ("/proc/rnnbook.json", "cannot be written")]
)
def test_a_bad_json_path_is_refused_before_any_training(tmp_path, target, fragment):
    target = str(tmp_path) if target == "DIR" else target
    proc = run("leaderboard", "--models", "linear", "--json", target, check=False)
    assert proc.returncode == 2
    _one_clear_line(proc, "--json", fragment)
    assert "[1/1]" not in proc.stdout, "nothing may train before the path is checked"


def test_a_bad_profile_from_the_environment_says_so():
    env = {**os.environ, "RNNBOOK_PROFILE": "bogus"}
    proc = subprocess.run(
        [str(SCRIPT), "leaderboard", "--models", "linear"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 2
    _one_clear_line(proc, "Unknown profile 'bogus' (from RNNBOOK_PROFILE)", "full, quick")


def test_a_negative_seed_names_the_option():
    proc = run("leaderboard", "--seed", "-5", check=False)
    assert proc.returncode == 2
    assert (
        "--seed" in proc.stderr and "non-negative integer" in proc.stderr and "Traceback" not in proc.stderr
    )


def test_backend_is_accepted_after_the_subcommand_and_version_is_printed():
    from rnnbook import __version__

    assert run("--version").stdout.strip() == f"rnnbook {__version__}"
    backend = os.environ.get("KERAS_BACKEND", "jax")
    proc = run("models", "--backend", backend)
    assert "linear" in proc.stdout
    other = "torch" if backend != "torch" else "jax"
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lb.json"
        run("leaderboard", "--models", "naive_last_value", "--quiet", "--json", str(out), "--backend", other)
        assert json.loads(out.read_text())["backend"] == other, "--backend after the subcommand takes effect"


def test_redirected_progress_has_no_terminal_codes(tmp_path):
    proc = run("leaderboard", "--models", "linear", "--profile", "quick")
    assert "\x1b[" not in proc.stdout and "\r" not in proc.stdout and "\b" not in proc.stdout
    assert "[1/1] linear" in proc.stdout and " epochs - loss: " in proc.stdout


def test_exit_code_one_when_a_model_fails_and_its_error_is_listed(tmp_path):
    import plugin_packages as pp

    with pp.on_path(pp.install(tmp_path / "plugins", pp.BROKEN)):
        path = tmp_path / "out.json"
        proc = run(
            "leaderboard",
            "--models",
            "wrong_shape",
            "naive_last_value",
            "--json",
            str(path),
            "--quiet",
            check=False,
        )
    assert proc.returncode == 1, proc.stderr
    assert "wrong_shape: BROKEN: PluginContractError" in proc.stdout and "Traceback" not in proc.stderr
    payload = json.loads(path.read_text())
    assert payload["partial"] is False and [r["model"] for r in payload["rows"]] == ["naive_last_value"]
    assert "(batch, 3)" in payload["errors"]["wrong_shape"]


def test_ctrl_c_keeps_the_finished_rows_marks_them_partial_and_exits_130(tmp_path):
    import signal

    path, errors = tmp_path / "lb.json", tmp_path / "stderr.txt"
    with errors.open("w") as stderr:
        proc = subprocess.Popen(
            [
                str(SCRIPT),
                "leaderboard",
                "--models",
                "naive_last_value",
                "linear",
                "deep_rnn",
                "seq2seq_lstm",
                "--json",
                str(path),
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        # The third model starts only once the first two rows are written: interrupt it then.
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("[3/4] deep_rnn"):
                break
        else:
            pytest.fail(f"the leaderboard ended before its third model: {''.join(seen)[-2000:]}")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=300)
    err = errors.read_text()
    assert proc.returncode == 130, (proc.returncode, err[-2000:])
    assert "Traceback" not in err and "interrupted" in err
    payload = json.loads(path.read_text())
    assert payload["partial"] is True
    names = [r["model"] for r in payload["rows"]]
    assert {"naive_last_value", "linear"} <= set(names) and "seq2seq_lstm" not in names
    assert not list(tmp_path.glob(".lb.json.*")), "no temporary file may be left behind"


def test_ctrl_c_during_a_backtest_keeps_every_finished_model_and_origin_and_exits_130(tmp_path):
    import signal

    csv, path, errors = tmp_path / "riders.csv", tmp_path / "bt.json", tmp_path / "stderr.txt"
    _weekly_csv(csv, n=400)
    args = ["--csv", str(csv), "--target", "riders", "--date-column", "day", "--n-steps", "14"]
    backtest = ["--backtest", "3", "--models", "seasonal_naive", "linear", "--json", str(path)]
    with errors.open("w") as stderr:
        proc = subprocess.Popen(
            [str(SCRIPT), "leaderboard", *args, *backtest], stdout=subprocess.PIPE, stderr=stderr, text=True
        )
        # linear starts at the second origin once the first origin's two models and seasonal_naive at the
        # second are in the JSON file: interrupt it then.
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("backtest linear origin") and sum("origin" in s for s in seen) == 4:
                break
        else:
            pytest.fail(f"the backtest ended before its second origin: {''.join(seen)[-2000:]}")
        second = line.split()[3]
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=300)
    err = errors.read_text()
    assert proc.returncode == 130, (proc.returncode, err[-2000:])
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == f"interrupted; the rows finished so far are in {path} (partial)"
    payload = json.loads(path.read_text())
    assert payload["partial"] is True
    done = {(r["model"], r["origin"]) for r in payload["backtest"]["rows"]}
    first = min(origin for _, origin in done)
    assert {("seasonal_naive", first), ("linear", first), ("seasonal_naive", second)} <= done
    assert len(done) <= 4 and max(origin for _, origin in done) == second  # no third origin started
    assert not list(tmp_path.glob(".bt.json.*")), "no temporary file may be left behind"


def _weekly_csv(path, n=200, drop=None):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    days = pd.date_range("2023-01-02", periods=n, freq="D")
    riders = 1000 + 300 * (days.day_of_week >= 5) + 5 * np.arange(n) + rng.normal(0, 20, n)
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "riders": riders.round(1)})
    if drop is not None:
        frame = frame.drop(index=drop)
    frame.to_csv(path, index=False)
    return frame


def run_on_riders(csv, *args, check=True):
    """``rnnbook leaderboard`` on a CSV written by :func:`_weekly_csv`, then ``args``."""
    return run(
        "leaderboard", "--csv", str(csv), "--target", "riders", "--date-column", "day", *args, check=check
    )


def test_leaderboard_on_a_csv_reports_metrics_in_the_users_units(tmp_path):
    import numpy as np

    csv, out = tmp_path / "riders.csv", tmp_path / "riders.json"
    frame = _weekly_csv(csv)
    proc = run_on_riders(
        csv,
        "--models",
        "naive_last_value",
        "seasonal_naive",
        "linear",
        "--season",
        "7",
        "--n-steps",
        "14",
        "--horizon",
        "3",
        "--fractions",
        "0.6,0.2,0.2",
        "--json",
        str(out),
        "--quiet",
        "--n-seeds",
        "1",  # seeds are not the point here
    )
    assert f"data={csv} target=riders" in proc.stdout and "test_mase" in proc.stdout
    payload = json.loads(out.read_text())
    assert payload["dataset"]["windows"] == [120 - 16, 40 - 16, 40 - 16] and not payload["partial"]
    from rnnbook.frames import REAL_RECIPE

    assert payload["dataset"]["recipe"] == REAL_RECIPE  # what the rows were trained with
    rows = {r["model"]: r for r in payload["rows"]}
    assert [r["model"] for r in payload["rows"]][0] != "naive_last_value"  # sorted by validation MAE
    # The seasonal naive forecast's test MAE, recomputed from the CSV's values: the test period is its
    # last 40 days; the forecasts start 14 days in and copy the value 7 days earlier.
    riders = frame["riders"].to_numpy()[160:]
    errors = [abs(riders[t + k] - riders[t + k - 7]) for t in range(14, 40 - 2) for k in range(3)]
    assert rows["seasonal_naive"]["test_mae"] == pytest.approx(np.mean(errors), rel=1e-4)
    assert rows["seasonal_naive"]["params"] == 0 and rows["seasonal_naive"]["horizon"] == 3
    assert rows["linear"]["val_mae"] < rows["naive_last_value"]["val_mae"]


@pytest.mark.parametrize(
    "extra,fragment",
    [
        (["--target", "riders"], "--target describes your own series: it needs --csv FILE."),
        (["--metric", "mae"], "--metric mae is in your series' units: it needs --csv FILE."),
        (["--csv", "{dir}/none.csv", "--target", "riders"], "does not exist"),
        (["--csv", "{gappy}", "--date-column", "day"], "--csv needs --target COLUMN"),
        (
            ["--csv", "{gappy}", "--target", "riders", "--date-column", "day"],
            "The dates have gaps: 1 step(s) missing, the first 2023-01-12 00:00:00 (between row 9 "
            "(2023-01-11 00:00:00), line 11 of",
        ),
        (["--csv", "{gappy}", "--target", "bikes", "--date-column", "day"], "There is no column 'bikes'"),
        (["--csv", "{gappy}", "--target", "riders", "--fractions", "0.5,0.5"], "--fractions: expected three"),
        (["--known-future", "dayofweek"], "--known-future describes your own series: it needs --csv FILE."),
        (
            [
                "--csv",
                "{weekly}",
                "--target",
                "riders",
                "--date-column",
                "day",
                "--known-future",
                "dayofweek",
            ],
            "Received an invalid value for --known-future: 'dayofweek' is not one of the calendar features, "
            "categorical columns or inputs (none are given); list it there too.",
        ),
    ],
)
def test_a_bad_csv_or_option_is_one_line_before_any_training(tmp_path, extra, fragment):
    gappy = tmp_path / "gappy.csv"
    _weekly_csv(gappy, n=60, drop=[10])
    weekly = tmp_path / "weekly.csv"
    _weekly_csv(weekly, n=60)
    args = [a.format(dir=tmp_path, gappy=gappy, weekly=weekly) for a in extra]
    proc = run("leaderboard", "--models", "linear", *args, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert fragment in proc.stderr.strip().splitlines()[-1]  # one line (argparse puts its usage above)


def test_a_column_named_like_a_calendar_feature_names_the_flags(tmp_path):
    import pandas as pd

    csv = tmp_path / "riders.csv"
    _weekly_csv(csv, n=200)
    frame = pd.read_csv(csv).rename(columns={"riders": "month"})
    frame.to_csv(csv, index=False)
    proc = run(
        "leaderboard",
        "--csv",
        str(csv),
        "--target",
        "month",
        "--date-column",
        "day",
        "--calendar",
        "month",
        "--models",
        "naive_last_value",
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "Received 'month' both in --calendar and in --target" in proc.stderr


def test_known_future_columns_are_given_for_the_forecast_steps_and_recorded(tmp_path):
    csv, out = tmp_path / "riders.csv", tmp_path / "riders.json"
    _weekly_csv(csv, n=200)
    proc = run_on_riders(
        csv,
        "--calendar",
        "dayofweek",
        "--known-future",
        "dayofweek",
        "--n-steps",
        "14",
        "--horizon",
        "2",
        "--models",
        "seasonal_naive",
        "--json",
        str(out),
        "--quiet",
    )
    assert "seasonal_naive" in proc.stdout
    dataset = json.loads(out.read_text())["dataset"]
    assert dataset["known_future"] == ["dayofweek"]
    assert dataset["columns"][8:] == [f"dayofweek={d}(t+{k})" for k in (1, 2) for d in range(7)]


def test_networks_on_a_csv_train_with_three_seeds_by_default_and_the_rule_marks_ties(tmp_path):
    # linear and linear_n_steps are one architecture: with the same seeds their ranges overlap, so the
    # second is marked indistinguishable; seasonal_naive is fitted once and never compared.
    import numpy as np

    from rnnbook.compare import verdict

    csv, out = tmp_path / "riders.csv", tmp_path / "riders.json"
    _weekly_csv(csv)
    args = ["--date-column", "day", "--n-steps", "14", "--horizon", "2", "--fractions", "0.6,0.2,0.2"]
    models = ["--models", "seasonal_naive", "linear", "linear_n_steps"]
    proc = run("leaderboard", "--csv", str(csv), "--target", "riders", *args, *models, "--json", str(out))
    assert "seeds 42, 43, 44" in proc.stdout
    payload = json.loads(out.read_text())
    assert payload["dataset"]["seeds"] == [42, 43, 44]
    rows = payload["rows"]
    for row in rows:
        if row["model"] == "seasonal_naive":
            assert "per_seed" not in row and row["indistinguishable_from"] is None
            continue
        assert row["seeds"] == [42, 43, 44] and len(row["per_seed"]["val_mae"]) == 3
        assert row["val_mae"] == pytest.approx(np.mean(row["per_seed"]["val_mae"]))
        assert row["test_mae_std"] == pytest.approx(np.std(row["per_seed"]["test_mae"], ddof=1))
    for above, row in zip(rows, rows[1:]):  # the one rule, on each seed's validation MAE
        compared = "per_seed" in above and "per_seed" in row
        tie = compared and verdict(above["per_seed"]["val_mae"], row["per_seed"]["val_mae"]).winner is None
        assert row["indistinguishable_from"] == (above["model"] if tie else None)
    assert [r["indistinguishable_from"] is not None for r in rows].count(True) >= 1
    table = {line.split()[0]: line for line in proc.stdout.splitlines() if line.split()[:1]}
    for row in rows:
        assert table[row["model"]].endswith("≈") == (row["indistinguishable_from"] is not None)
    assert "≈ indistinguishable from the model above it (validation mae of each seed)" in proc.stdout


def _multivariate_args(csv, out):
    return [
        "leaderboard",
        "--csv",
        str(csv),
        "--target",
        "riders",
        "--date-column",
        "day",
        "--calendar",
        "dayofweek",
        "--n-steps",
        "14",
        "--horizon",
        "3",
        "--fractions",
        "0.6,0.2,0.2",
        "--json",
        str(out),
        "--quiet",
        "--n-seeds",
        "1",  # seeds are not the point here
    ]


def test_models_not_named_that_cannot_take_the_data_are_skipped_saying_why(tmp_path, monkeypatch, capsys):
    # Every model by default (here three, to keep it short): the iterative one needs a single input
    # feature, the data has 8 (riders and 7 day-of-week one-hots): it is skipped, and the run succeeds.
    from rnnbook import cli, leaderboard
    from rnnbook.registry import get_spec

    chosen = [get_spec(n) for n in ("naive_last_value", "iterative_deep_rnn", "linear")]
    monkeypatch.setattr(leaderboard, "list_models", lambda include_broken=True: chosen)
    csv, out = tmp_path / "riders.csv", tmp_path / "riders.json"
    _weekly_csv(csv)
    assert cli.main(_multivariate_args(csv, out)) == 0
    stdout = capsys.readouterr().out
    why = "it feeds its forecasts back as inputs, so it needs a single input feature (the data has 8)"
    assert f"skipped iterative_deep_rnn: {why}" in stdout and "BROKEN" not in stdout
    payload = json.loads(out.read_text())
    assert payload["skipped"] == {"iterative_deep_rnn": why} and payload["errors"] == {}
    assert {r["model"] for r in payload["rows"]} == {"naive_last_value", "linear"}


def test_a_model_named_that_cannot_take_the_data_is_a_clear_error(tmp_path):
    csv, out = tmp_path / "riders.csv", tmp_path / "riders.json"
    _weekly_csv(csv)
    models = ["--models", "iterative_deep_rnn", "naive_last_value"]
    proc = run(*_multivariate_args(csv, out), *models, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (
        "iterative_deep_rnn: BROKEN: ValueError: iterative_deep_rnn cannot train on this data: it feeds "
        "its forecasts back as inputs, so it needs a single input feature (the data has 8)." in proc.stdout
    )
    payload = json.loads(out.read_text())
    assert [r["model"] for r in payload["rows"]] == ["naive_last_value"] and payload["skipped"] == {}


def _two_targets_csv(path, n=120):
    import numpy as np
    import pandas as pd

    days = pd.date_range("2023-01-02", periods=n, freq="D")
    riders = 1000 + 300 * (days.day_of_week >= 5) + 5 * np.arange(n)
    rain = 0.5 + (np.arange(n) % 3) * 1.5
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "riders": riders.astype(float), "rain": rain})
    frame.to_csv(path, index=False)
    return frame


@pytest.mark.parametrize("targets", [["--target", "riders,rain"], ["--target", "riders", "--target", "rain"]])
def test_leaderboard_on_several_targets_has_one_row_per_model_and_target_in_its_units(tmp_path, targets):
    import numpy as np

    csv, out = tmp_path / "two.csv", tmp_path / "two.json"
    frame = _two_targets_csv(csv)
    proc = run(
        "leaderboard",
        "--csv",
        str(csv),
        *targets,
        "--date-column",
        "day",
        "--models",
        "naive_last_value",
        "linear",
        "--n-steps",
        "14",
        "--horizon",
        "2",
        "--fractions",
        "0.5,0.25,0.25",
        "--json",
        str(out),
        "--quiet",
        "--n-seeds",
        "1",  # seeds are not the point here
    )
    assert "target=riders,rain" in proc.stdout and "target " in proc.stdout.splitlines()[2]
    payload = json.loads(out.read_text())
    assert payload["dataset"]["target"] == ["riders", "rain"]
    rows = [(r["model"], r["target"]) for r in payload["rows"]]
    assert sorted(rows) == sorted((m, t) for m in ("naive_last_value", "linear") for t in ("riders", "rain"))
    assert [t for _, t in rows] == ["riders", "riders", "rain", "rain"]  # by target, then validation MAE
    naive = {r["target"]: r for r in payload["rows"] if r["model"] == "naive_last_value"}
    for column in ("riders", "rain"):  # the test period: the last 30 days, windows of 14, 2 steps ahead
        values = frame[column].to_numpy()[90:]
        errors = [abs(values[t + k] - values[t - 1]) for t in range(14, 30 - 1) for k in range(2)]
        assert naive[column]["test_mae"] == pytest.approx(np.mean(errors), rel=1e-5)
    assert naive["riders"]["test_mae"] > 50 > 3 > naive["rain"]["test_mae"]


def test_several_targets_skip_the_models_that_forecast_one(tmp_path, monkeypatch, capsys):
    from rnnbook import cli, leaderboard
    from rnnbook.registry import get_spec

    chosen = [get_spec(n) for n in ("seasonal_naive", "sarima", "seq2seq_gru")]
    monkeypatch.setattr(leaderboard, "list_models", lambda include_broken=True: chosen)
    csv, out = tmp_path / "two.csv", tmp_path / "two.json"
    _two_targets_csv(csv)
    args = ["leaderboard", "--csv", str(csv), "--target", "riders,rain", "--date-column", "day"]
    args += ["--n-steps", "14", "--horizon", "2", "--season", "7", "--fractions", "0.5,0.25,0.25"]
    args += ["--json", str(out), "--quiet"]
    assert cli.main(args) == 0
    stdout = capsys.readouterr().out
    assert "skipped sarima: it models a single series, and the data has 2 target columns" in stdout
    assert "skipped seq2seq_gru: it forecasts at every time step (seq2seq)" in stdout
    payload = json.loads(out.read_text())
    assert set(payload["skipped"]) == {"sarima", "seq2seq_gru"}
    assert [r["model"] for r in payload["rows"]] == ["seasonal_naive"] * 2


def test_a_seed_beyond_32_bits_is_a_usage_error_before_any_training():
    proc = run("leaderboard", "--models", "linear", "--seed", "4294967296", check=False)
    assert proc.returncode == 2 and "[1/1]" not in proc.stdout
    line = proc.stderr.strip().splitlines()[-1]
    assert "--seed" in line and "4294967295" in line and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "target, fragment",
    [("", "names no file"), ("{tmp}/no/such/dir/out.json", "does not exist (create it first)")],
)
def test_json_names_a_file_in_a_directory_that_exists_and_creates_none(tmp_path, target, fragment):
    proc = run("leaderboard", "--models", "linear", "--json", target.format(tmp=tmp_path), check=False)
    assert proc.returncode == 2 and "[1/1]" not in proc.stdout
    _one_clear_line(proc, "--json", fragment)
    assert list(tmp_path.iterdir()) == [], "no directory may be left behind"


def test_a_model_named_twice_trains_once_and_says_so(tmp_path):
    out = tmp_path / "twice.json"
    args = ["leaderboard", "--profile", "quick", "--quiet", "--json", str(out)]
    proc = run(*args, "--models", "naive_last_value", "naive_last_value")
    assert "naive_last_value more than once; each trains once" in proc.stderr
    assert [r["model"] for r in json.loads(out.read_text())["rows"]] == ["naive_last_value"]


def test_csv_errors_suggest_the_flags_of_the_command_line(tmp_path):
    csv = tmp_path / "holes.csv"
    frame = _weekly_csv(tmp_path / "full.csv", n=60)
    frame.loc[5, "riders"] = None
    frame.to_csv(csv, index=False)
    proc = run(
        "leaderboard",
        "--models",
        "linear",
        "--csv",
        str(csv),
        "--target",
        "riders",
        "--date-column",
        "day",
        check=False,
    )
    assert proc.returncode == 2
    line = _one_clear_line(proc, "--fill interpolate or --fill ffill", "row 5")
    assert "fill=" not in line
    from rnnbook.frames import frame_dataset  # the Python function names its arguments

    with pytest.raises(ValueError, match="fill='interpolate'"):
        frame_dataset(frame, "riders", date_column="day", n_steps=7)


def test_leaderboard_on_a_daily_csv_infers_a_weekly_season(tmp_path):
    # No --season, --n-steps, --horizon or split: the defaults must work on a daily series, SARIMA included.
    csv, out = tmp_path / "riders.csv", tmp_path / "riders.json"
    _weekly_csv(csv, n=730)  # about two years
    proc = run_on_riders(
        csv,
        "--models",
        "seasonal_naive",
        "sarima",
        "--json",
        str(out),
        "--quiet",
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "season=7 (inferred)" in proc.stdout.splitlines()[1]
    payload = json.loads(out.read_text())
    assert payload["dataset"]["season"] == 7 and payload["dataset"]["season_inferred"] is True
    assert sorted(r["model"] for r in payload["rows"]) == ["sarima", "seasonal_naive"]
    assert payload["errors"] == {}


def test_a_backtest_with_a_report_on_a_daily_csv(tmp_path):
    # About two years of daily data, 3 origins: the baselines and one network with two seeds; the same
    # models at horizon 1 (naive_last_value and naive_n_steps) are one row.
    csv, out, report = tmp_path / "riders.csv", tmp_path / "bt.json", tmp_path / "report"
    _weekly_csv(csv, n=730)
    models = ["seasonal_naive", "naive_last_value", "naive_n_steps", "theta", "linear"]
    proc = run_on_riders(
        csv,
        "--n-steps",
        "28",
        "--models",
        *models,
        "--backtest",
        "3",
        "--n-seeds",
        "2",
        "--level",
        "80,95",
        "--json",
        str(out),
        "--report",
        str(report),
        "--quiet",
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "3 origins 28 steps apart, expanding history, seeds 42, 43" in proc.stdout
    assert "naive_last_value = naive_n_steps" in proc.stdout
    payload = json.loads(out.read_text())["backtest"]
    assert (
        payload["origins"] == 3
        and payload["levels"] == [80, 95]
        and not json.loads(out.read_text())["partial"]
    )
    summary = payload["summary"]
    assert [r["model"] for r in summary][0] != "naive_last_value = naive_n_steps"  # ranked by the mean MAE
    assert [r["mae_mean"] for r in summary] == sorted(r["mae_mean"] for r in summary)
    assert {r["model"] for r in summary} == {
        "seasonal_naive",
        "naive_last_value = naive_n_steps",
        "theta",
        "linear",
    }
    linear = [r for r in payload["rows"] if r["model"] == "linear"]
    assert {r["seed"] for r in linear} == {42, 43} and len({r["origin"] for r in linear}) == 3
    assert len(linear) == 2 * 3  # two seeds at three origins, one step ahead
    page = (report / "index.html").read_text()
    assert "<table" in page and "theta" in page
    for png in ("spread.png", "forecasts.png", "per_step.png"):
        assert f'src="{png}"' in page and (report / png).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--origin-spacing", "7"], "--origin-spacing is an option of a backtest: it needs --backtest K."),
        (["--backtest", "3", "--level", "80,120"], "argument --level: expected levels in percent"),
        (["--backtest", "3", "--history", "rolling"], "argument --history: invalid choice"),
        (["--backtest", "3", "--n-seeds", "0"], "argument --n-seeds: expected a positive integer"),
        (["--backtest", "3", "--fill", "ffill"], "--fill cannot be used with --backtest"),
        (["--backtest", "3", "--fractions", "0.6,0.2,0.2"], "--fractions cannot be used with --backtest"),
        (["--backtest", "60"], "use fewer origins, a smaller spacing or shorter windows"),
        (["--backtest", "3", "--seed", "4294967295", "--n-seeds", "3"], "go past 2**32 - 1"),
    ],
)
def test_bad_backtest_options_are_one_line_before_training(tmp_path, extra, message):
    csv = tmp_path / "riders.csv"
    _weekly_csv(csv)
    proc = run_on_riders(
        csv,
        "--n-steps",
        "14",
        "--models",
        "linear",
        *extra,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert message in proc.stderr.strip().splitlines()[-1]  # one line (after argparse's usage)
    assert "backtest linear" not in proc.stdout

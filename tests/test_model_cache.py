"""The trained-model cache: a hit gives exactly the miss's numbers; bad entries and races are survived."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from model_support import TINY

from rnnbook import cache, model_cache
from rnnbook.profiles import Profile
from rnnbook.training import train


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    path = tmp_path / "models"
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(path))
    model_cache._reported.clear()
    return path


def _entries(path):
    return sorted(p.name for p in path.iterdir() if not p.name.startswith("."))


@pytest.mark.parametrize("name", ["deep_rnn", "iterative_deep_rnn", "seq2seq_gru"])
def test_a_hit_returns_exactly_what_the_miss_returned(cache_dir, name):
    miss = train(name, profile=TINY, progress=False)
    assert not miss.cached and len(_entries(cache_dir)) == 1
    hit = train(name, profile=TINY, progress=False)
    assert hit.cached
    for field in (
        "val_mse",
        "test_mse",
        "params",
        "fit_seconds",
        "epochs",
        "history",
        "epoch_seconds",
        "horizon",
        "batch_size",
        "learning_rate",
    ):
        assert getattr(hit, field) == getattr(miss, field), field
    X = miss.dataset.X_test
    np.testing.assert_array_equal(hit.model.predict(X, verbose=0), miss.model.predict(X, verbose=0))


def test_anything_that_changes_the_model_misses(cache_dir):
    train("linear", profile=TINY, progress=False)
    for changed in ({"seed": 7}, {"epochs": 1}, {"learning_rate": 0.02}, {"batch_size": 8}):
        assert not train("linear", profile=TINY, progress=False, **changed).cached, changed
    data = Profile(
        "tiny2", n_series=100, n_steps=20, split=(60, 20, 20), epochs=2, batch_size=16, patience=None
    )
    assert not train("linear", profile=data, progress=False).cached
    assert len(_entries(cache_dir)) == 6


def test_cache_false_and_the_environment_turn_it_off(cache_dir, monkeypatch):
    train("linear", profile=TINY, progress=False, cache=False)
    assert not cache_dir.exists() or _entries(cache_dir) == []
    for variable in ("RNNBOOK_MODEL_CACHE", "RNNBOOK_CACHE"):
        with monkeypatch.context() as m:
            m.setenv(variable, "0")
            assert model_cache.directory() is None
    train("linear", profile=TINY, progress=False)
    assert train("linear", profile=TINY, progress=False).cached


@pytest.mark.parametrize("damage", ["truncate the model", "garble the record", "remove the model"])
def test_a_corrupt_entry_is_reported_once_removed_and_retrained(cache_dir, damage):
    first = train("linear", profile=TINY, progress=False)
    entry = cache_dir / _entries(cache_dir)[0]
    if damage == "truncate the model":
        data = (entry / "model.keras").read_bytes()
        (entry / "model.keras").write_bytes(data[: len(data) // 2])
    elif damage == "garble the record":
        (entry / "result.json").write_text("{not json")
    else:
        (entry / "model.keras").unlink()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = train("linear", profile=TINY, progress=False)
    reports = [w for w in caught if issubclass(w.category, cache.CacheWarning)]
    assert len(reports) == 1 and "unusable" in str(reports[0].message)
    assert not again.cached and again.val_mse == pytest.approx(first.val_mse, rel=1e-6)
    third = train("linear", profile=TINY, progress=False)  # the retrained entry is whole again
    assert third.cached and third.val_mse == again.val_mse
    record = json.loads((entry / "result.json").read_text())
    assert record["format"] == model_cache.FORMAT and len(record["model_sha256"]) == 64


def test_a_leftover_temporary_directory_is_not_an_entry(cache_dir):
    train("linear", profile=TINY, progress=False)
    (cache_dir / ".0123456789abcdef-x.tmp").mkdir()
    assert train("linear", profile=TINY, progress=False).cached


TRAIN_AND_PRINT = """
import json, rnnbook
from rnnbook.profiles import Profile
from rnnbook.training import train
tiny = Profile("tiny", n_series=120, n_steps=20, split=(80, 20, 20), epochs=2, batch_size=16, patience=None)
r = train("deep_rnn", profile=tiny, progress=False)
print(json.dumps({"val": r.val_mse, "cached": r.cached}))
"""


def test_two_processes_training_the_same_model_at_once_both_succeed_and_leave_one_entry(cache_dir):
    env = {**os.environ, "RNNBOOK_MODEL_CACHE": str(cache_dir)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", TRAIN_AND_PRINT],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outs]
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    assert results[0]["val"] == results[1]["val"]
    assert len(_entries(cache_dir)) == 1
    assert not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp")], "no temporary directory is left"
    assert train("deep_rnn", profile=TINY, progress=False).cached


def test_an_unwritable_cache_trains_anyway_with_one_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(blocker / "models"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [train("linear", profile=TINY, progress=False) for _ in range(2)]
    assert not any(r.cached for r in results)
    assert sum(issubclass(w.category, cache.CacheWarning) for w in caught) == 1


def test_the_key_covers_the_code_the_backend_and_the_data():
    import keras

    fields = model_cache.backend_fields()
    assert fields["backend"] == keras.backend.backend() and fields["keras"] == keras.__version__
    a = np.zeros((2, 3), "float32")
    assert model_cache.fingerprint(a) != model_cache.fingerprint(a.astype("float64"))
    assert model_cache.fingerprint(a) != model_cache.fingerprint(a.reshape(3, 2))
    assert model_cache.make_key({"x": np.array([1, 2])}) != model_cache.make_key({"x": np.array([1, 3])})


def test_the_code_key_changes_with_training_code_not_with_presentation(tmp_path):
    import shutil

    package = tmp_path / "rnnbook"
    shutil.copytree(Path(model_cache.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = model_cache.code_fingerprint(package)
    assert before == model_cache.code_fingerprint()
    (package / "widgets" / "gates.py").write_text("# a widget edited\n", encoding="utf-8")
    (package / "plotting.py").write_text("# a plot edited\n", encoding="utf-8")
    assert model_cache.code_fingerprint(package) == before
    (package / "layers.py").write_text("# a layer edited\n", encoding="utf-8")
    assert model_cache.code_fingerprint(package) != before


def test_a_model_redefined_under_the_same_name_misses(cache_dir):
    import keras

    from rnnbook.specs import BUILTINS, register_model

    def define(units):
        @register_model("notebook_model", overwrite=True)
        def notebook_model(n_steps=50, n_features=1, horizon=1):
            """A model a reader registers in a notebook."""
            return keras.Sequential(
                [
                    keras.Input((n_steps, n_features)),
                    keras.layers.Flatten(),
                    keras.layers.Dense(units),
                    keras.layers.Dense(horizon),
                ]
            )

        return notebook_model

    try:
        define(3)
        first = train("notebook_model", profile=TINY, progress=False)
        assert train("notebook_model", profile=TINY, progress=False).cached

        def edited(n_steps=50, n_features=1, horizon=1):  # same name, other code
            return keras.Sequential(
                [keras.Input((n_steps, n_features)), keras.layers.Flatten(), keras.layers.Dense(horizon)]
            )

        register_model("notebook_model", overwrite=True)(edited)
        second = train("notebook_model", profile=TINY, progress=False)
        assert not second.cached and second.params != first.params
    finally:
        BUILTINS.pop("notebook_model", None)


def test_a_run_with_the_callers_own_callbacks_is_neither_read_nor_stored(cache_dir):
    import keras

    train("linear", profile=TINY, progress=False)
    seen = []
    custom = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    result = train("linear", profile=TINY, progress=False, callbacks=[custom])
    assert not result.cached and seen == [0, 1], "the caller's callbacks must run"
    assert len(_entries(cache_dir)) == 1


def test_an_iterative_hit_has_its_one_step_model_compiled_like_a_miss(cache_dir):
    miss = train("iterative_deep_rnn", profile=TINY, progress=False)
    hit = train("iterative_deep_rnn", profile=TINY, progress=False)
    assert hit.cached and miss.model.step_model.compiled and hit.model.step_model.compiled
    assert type(hit.model.step_model.optimizer) is type(miss.model.step_model.optimizer)


def test_a_default_spelled_out_reads_the_run_that_left_it_out(cache_dir):
    implicit = train("deep_rnn_dense", profile=TINY, progress=False)
    explicit = train("deep_rnn_dense", profile=TINY, progress=False, activation="tanh")
    assert explicit.cached and explicit.val_mse == implicit.val_mse
    other = train("deep_rnn_dense", profile=TINY, progress=False, activation="relu")
    assert not other.cached and len(_entries(cache_dir)) == 2

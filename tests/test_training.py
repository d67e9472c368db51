"""One training recipe for every model: targets, metrics, seeds, iterative and strided models."""

import dataclasses

import numpy as np
import pytest
from model_support import TINY

from rnnbook import data
from rnnbook.registry import get_spec
from rnnbook.training import forecast_mse, plan_training, predict, train


def test_forecast_mse_uses_the_last_time_step_for_seq2seq():
    y = np.zeros((2, 5, 3))
    p = np.zeros((2, 5, 3))
    p[:, :-1] = 10.0  # errors before the last step do not count
    p[:, -1] = 2.0
    assert forecast_mse(y, p, "seq2seq") == 4.0
    assert forecast_mse(y[:, 0], p[:, -1], "vector") == 4.0
    with pytest.raises(ValueError, match="does not match"):
        forecast_mse(y, p[:, :2], "vector")


def test_naive_score_equals_the_hand_computed_one():
    result = train("naive_last_value", profile=TINY, progress=False)
    ds = result.dataset
    assert result.params == 0 and result.epochs == 0 and result.history == {}  # nothing to fit
    assert result.val_mse == pytest.approx(
        float(((ds.X_valid[:, -1, 0] - ds.y_valid[:, 0]) ** 2).mean()), rel=1e-6
    )


def test_same_seed_same_numbers_and_different_seed_differs():
    a = train("linear", profile=TINY, seed=3, progress=False)
    b = train("linear", profile=TINY, seed=3, progress=False)
    c = train("linear", profile=TINY, seed=4, progress=False)
    np.testing.assert_allclose(
        a.model.predict(a.dataset.X_test, verbose=0),
        b.model.predict(b.dataset.X_test, verbose=0),
        rtol=1e-6,
        atol=1e-7,
    )
    assert a.val_mse == pytest.approx(b.val_mse, rel=1e-6)
    assert c.val_mse != pytest.approx(a.val_mse, rel=1e-6)


def test_iterative_model_trains_one_step_and_is_scored_ten_steps_ahead():
    result = train("iterative_deep_rnn", profile=TINY, epochs=1, progress=False, units=(4, 4))
    assert result.horizon == 10 and result.dataset.layout == "vector"
    assert result.dataset.y_valid.shape == (20, 10)
    assert np.isfinite(result.val_mse) and len(result.history["loss"]) == 1


def test_strided_conv_targets_are_sliced_like_the_chapter():
    spec = get_spec("seq2seq_conv1d_gru")
    ds = plan_training(
        spec.name, profile=dataclasses.replace(TINY, n_steps=50), seed=0, cache=False
    ).train_data
    full = data.synthetic_dataset(TINY.n_series, 50, TINY.split, horizon=10, layout="seq2seq", seed=0)
    np.testing.assert_array_equal(ds.y_train, full.y_train[:, 3::2])
    result = train("seq2seq_conv1d_gru", ds, profile=TINY, epochs=1, progress=False)
    assert result.model.output_shape[1] == ds.y_train.shape[1]


def test_forecaster_models_train_through_the_same_function():
    result = train("arma", profile=TINY, progress=False)
    assert result.params > 0 and np.isfinite(result.val_mse) and result.val_mse < 0.1


def test_training_arguments_are_checked():
    with pytest.raises(ValueError, match="`epochs`"):
        train("linear", profile=TINY, epochs=0, progress=False)
    with pytest.raises(ValueError, match="`learning_rate`"):
        train("linear", profile=TINY, learning_rate=-0.1, progress=False)


def test_a_dataset_with_the_wrong_targets_is_named_before_training():
    from rnnbook import data

    one_step = data.synthetic_dataset(60, 20, (40, 10, 10), seed=0)
    with pytest.raises(
        ValueError,
        match="'seq2seq_gru' trains on 'seq2seq' targets, but the dataset has "
        "'one_step' targets; make it with layout='seq2seq'",
    ):
        train("seq2seq_gru", one_step, epochs=1, progress=False)
    vector = data.synthetic_dataset(60, 20, (40, 10, 10), horizon=5, layout="vector", seed=0)
    with pytest.raises(ValueError, match="horizon=3 does not match the dataset's horizon 5"):
        train("linear_n_steps", vector, horizon=3, epochs=1, progress=False)
    # Without an explicit horizon, the dataset's is used.
    assert train("linear_n_steps", vector, epochs=1, progress=False).horizon == 5


def test_a_one_step_model_asked_for_a_horizon_learns_vector_targets():
    r = train("linear", profile=TINY, horizon=4, progress=False)
    assert r.dataset.layout == "vector" and r.dataset.y_valid.shape == (20, 4)
    assert r.model.output_shape == (None, 4) and r.horizon == 4
    vector = data.synthetic_dataset(120, 20, (80, 20, 20), horizon=4, layout="vector", seed=42)
    same = train("linear", vector, profile=TINY, progress=False)  # the same, from a dataset
    assert same.val_mse == pytest.approx(r.val_mse, rel=1e-6)
    with pytest.raises(ValueError, match="trains on 'one_step' targets"):
        train(
            "linear",
            data.synthetic_dataset(120, 20, (80, 20, 20), horizon=4, layout="seq2seq"),
            profile=TINY,
            progress=False,
        )


def test_the_book_profile_ignores_a_models_own_recipe():
    from rnnbook.profiles import get_profile

    book = dataclasses.replace(get_profile("full"), n_series=120, n_steps=20, split=(80, 20, 20), epochs=2)
    r = train("simple_rnn", profile=book, progress=False)  # its own recipe: learning rate 0.02
    assert (r.learning_rate, r.batch_size, r.schedule, r.epochs) == (0.01, 50, "cosine", 2)
    assert train("simple_rnn", profile=TINY, progress=False).learning_rate == 0.02


def _hourly_dataset(horizon=3, layout="vector"):
    import pandas as pd

    from rnnbook.frames import frame_dataset

    hours = pd.date_range("2024-01-01", periods=500, freq="h")
    rng = np.random.default_rng(1)
    load = 100 + 20 * np.sin(2 * np.pi * hours.hour / 24) + rng.normal(0, 2, len(hours))
    return frame_dataset(
        pd.Series(load, hours, name="load"),
        n_steps=24,
        horizon=horizon,
        layout=layout,
        season=24,
        fractions=(0.6, 0.2, 0.2),
    )


def test_a_users_series_trains_with_its_own_recipe_and_scores_in_its_units():
    from rnnbook.frames import REAL_RECIPE

    ds = _hourly_dataset()
    result = train("linear", ds, retarget=True, epochs=3, progress=False)
    assert (result.batch_size, result.learning_rate, result.schedule) == (
        REAL_RECIPE["batch_size"],
        REAL_RECIPE["learning_rate"],
        "plateau",
    )
    assert result.horizon == 3 and result.model.output_shape == (None, 3)
    forecast = predict(result.model, ds.X_test)
    by_hand = np.abs(ds.units.invert(forecast) - ds.units.invert(ds.y_test))
    assert result.scores["test"]["mae"] == pytest.approx(by_hand.mean(), rel=1e-6)
    np.testing.assert_allclose(result.scores["test"]["mae_per_step"], by_hand.mean(axis=0), rtol=1e-6)
    assert result.scores["test"]["mase"] == pytest.approx(by_hand.mean() / ds.units.naive_mae, rel=1e-6)
    row = result.row()
    assert row["test_mae"] == result.scores["test"]["mae"] and row["val_mse"] == result.scores["valid"]["mse"]


def test_seasonal_models_take_the_datasets_season_and_iterative_models_its_horizon():
    ds = _hourly_dataset(horizon=5)
    naive = train("seasonal_naive", ds, retarget=True, progress=False)
    assert naive.model.season == 24 and naive.params == 0
    # The value 24 hours earlier, straight from the windows.
    np.testing.assert_array_equal(predict(naive.model, ds.X_valid), ds.X_valid[:, 0:5, 0])
    iterative = train("iterative_deep_rnn", ds, retarget=True, epochs=1, progress=False)
    assert iterative.dataset.y_valid.shape == (len(ds.X_valid), 5) and iterative.scores is not None
    seq = plan_training("seq2seq_gru", ds, retarget=True, cache=False).train_data
    assert seq.layout == "seq2seq" and seq.y_train.shape[1:] == (24, 5)


def test_a_synthetic_dataset_keeps_the_profiles_recipe():
    ds = data.synthetic_dataset(60, 20, (40, 10, 10), seed=0)
    assert ds.units is None
    result = train("linear", ds, profile=TINY, epochs=1, progress=False)
    assert result.schedule == TINY.schedule and result.scores is None and "val_mae" not in result.row()


def test_the_plan_decides_targets_horizon_width_and_evaluation_set():
    from rnnbook.training import plan_training

    plan = plan_training("linear", profile=TINY, horizon=4, cache=False)
    assert (plan.train_data.layout, plan.train_data.y_valid.shape, plan.horizon, plan.width) == (
        "vector",
        (20, 4),
        4,
        4,
    )
    assert plan.eval_data is plan.train_data and plan.cache_key is None
    iterative = plan_training("iterative_deep_rnn", profile=TINY, cache=False)
    assert (iterative.train_data.layout, iterative.train_data.y_valid.shape) == ("one_step", (20, 1))
    assert (iterative.eval_data.layout, iterative.eval_data.y_valid.shape) == ("vector", (20, 10))
    assert (iterative.recipe.epochs, iterative.recipe.batch_size) == (TINY.epochs, TINY.batch_size)
    # The same call plans the same data (the plan draws nothing the seed does not fix).
    again = plan_training("iterative_deep_rnn", profile=TINY, cache=False)
    np.testing.assert_array_equal(again.train_data.X_train, iterative.train_data.X_train)


def test_a_forecaster_asked_for_a_horizon_learns_vector_targets_like_any_one_step_model():
    from rnnbook.training import model_layout, plan_training

    assert [
        model_layout(get_spec(n), 3) for n in ("linear", "arma", "iterative_deep_rnn", "seq2seq_gru")
    ] == [
        "vector",
        "vector",
        "one_step",
        "seq2seq",
    ]
    assert plan_training("arma", profile=TINY, horizon=3).train_data.y_train.shape == (80, 3)
    result = train("seasonal_naive", profile=TINY, horizon=3, season=1, progress=False)
    ds = result.dataset
    np.testing.assert_array_equal(predict(result.model, ds.X_valid), np.repeat(ds.X_valid[:, -1:, 0], 3, 1))
    assert result.val_mse == pytest.approx(float(((ds.X_valid[:, -1:, 0] - ds.y_valid) ** 2).mean()))


def test_the_plan_keys_the_cache_on_what_changes_the_weights(tmp_path, monkeypatch):
    from rnnbook.training import plan_training

    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(tmp_path))
    key = plan_training("linear", profile=TINY, cache=True).cache_key
    assert key is not None and key == plan_training("linear", profile=TINY, cache=True).cache_key
    assert key != plan_training("linear", profile=TINY, cache=True, seed=1).cache_key
    assert key != plan_training("linear", profile=TINY, cache=True, epochs=3).cache_key
    assert plan_training("arma", profile=TINY, cache=True).cache_key is None  # forecasters are not cached


def test_only_the_training_plan_shapes_data_for_a_model_and_keys_the_cache():
    """`train`'s answer to "which data, which targets, which settings" lives in one place: the
    functions that cut a data set for a model and key the trained-model cache are called only by the
    plan (and by each other, and by the deprecated names `dataset_for`, `retarget_for` and
    `model_target`). The widget-results cache (widgets/_cache.py) keys widget computations, not
    trained models, and model_cache.py defines the key functions."""
    import ast
    from pathlib import Path

    import rnnbook

    guarded = {
        "dataset_for",
        "retarget_for",
        "_model_dataset",
        "model_layout",
        "_slice_time_steps",
        "_cache_key",
        "make_key",
        "fingerprint",
        "code_fingerprint",
        "builder_fingerprint",
    }
    allowed = {
        ("training.py", f)
        for f in (
            "plan_training",
            "_model_dataset",
            "_cache_key",
            "dataset_for",
            "retarget_for",
            "model_target",
        )
    }
    root = Path(rnnbook.__file__).parent
    callers = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in ("model_cache.py", "widgets/_cache.py"):
            continue
        for func in ast.walk(ast.parse(path.read_text())):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Call):
                    called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if called in guarded:
                        callers.add((rel, func.name))
    assert callers - allowed == set()
    assert ("training.py", "plan_training") in callers


def test_the_old_shaping_names_warn_and_give_the_plans_data():
    from rnnbook.training import dataset_for, retarget_for

    spec = get_spec("seq2seq_conv1d_gru")
    plan = plan_training(spec.name, profile=TINY, seed=0, cache=False)
    with pytest.warns(DeprecationWarning, match="use `rnnbook.training.plan_training`"):
        old = dataset_for(spec, TINY, 10, seed=0)
    np.testing.assert_array_equal(old.y_train, plan.train_data.y_train)
    ds = _hourly_dataset()
    with pytest.warns(DeprecationWarning, match=r"use `train\(name, dataset, retarget=True\)`"):
        cut = retarget_for(get_spec("seq2seq_gru"), ds)
    np.testing.assert_array_equal(
        cut.y_valid, plan_training("seq2seq_gru", ds, retarget=True).train_data.y_valid
    )


def test_the_plan_picks_the_real_data_recipe_for_a_table_with_units():
    from rnnbook.frames import REAL_RECIPE

    table = _hourly_dataset()
    plan = plan_training("linear", table, retarget=True, profile=TINY, cache=False)
    recipe = dataclasses.asdict(plan.recipe)
    assert {k: recipe[k] for k in REAL_RECIPE} == REAL_RECIPE
    assert (recipe["clipnorm"], recipe["global_clipnorm"]) == (
        None,
        None,
    )  # the real-data recipe clips nothing
    synthetic = plan_training("linear", data.synthetic_dataset(60, 20, (40, 10, 10), seed=0), profile=TINY)
    assert (synthetic.recipe.epochs, synthetic.recipe.schedule) == (TINY.epochs, TINY.schedule)
    with pytest.warns(DeprecationWarning, match="Dataset.fit"):
        assert table.fit == REAL_RECIPE


@pytest.mark.parametrize("kind", ["clipnorm", "global_clipnorm"])
def test_gradient_clipping_reaches_the_optimizer(kind):
    ds = data.synthetic_dataset(60, 20, (40, 10, 10), seed=0)
    r = train("linear", ds, profile=TINY, epochs=1, progress=False, cache=False, **{kind: 0.5})
    assert getattr(r.model.optimizer, kind) == 0.5
    other = {"clipnorm": "global_clipnorm", "global_clipnorm": "clipnorm"}[kind]
    assert getattr(r.model.optimizer, other) is None
    assert getattr(plan_training("linear", ds, profile=TINY, **{kind: 0.5}).recipe, kind) == 0.5
    unclipped = plan_training("linear", ds, profile=TINY).recipe
    assert (unclipped.clipnorm, unclipped.global_clipnorm) == (None, None)


def test_a_models_own_clipping_survives_a_tables_recipe_and_yields_to_the_callers():
    from rnnbook.registry import get_spec
    from rnnbook.specs import BUILTINS, register_model

    register_model("clipped_linear_for_test", recipe={"clipnorm": 0.25})(get_spec("linear").builder)
    try:
        table = _hourly_dataset()
        own = plan_training("clipped_linear_for_test", table, retarget=True, profile=TINY, cache=False).recipe
        assert (own.clipnorm, own.global_clipnorm, own.schedule) == (0.25, None, "plateau")
        caller = plan_training(
            "clipped_linear_for_test", table, retarget=True, profile=TINY, cache=False, global_clipnorm=2.0
        ).recipe
        assert (caller.clipnorm, caller.global_clipnorm) == (None, 2.0)
    finally:
        del BUILTINS["clipped_linear_for_test"]


def test_gradient_clipping_refuses_a_bad_value_in_one_line():
    with pytest.raises(ValueError, match=r"argument `clipnorm`, expected a positive number, got 0\.$"):
        plan_training("linear", profile=TINY, clipnorm=0, cache=False)
    with pytest.raises(ValueError, match="both `clipnorm` and `global_clipnorm`; expected at most one"):
        plan_training("linear", profile=TINY, clipnorm=1.0, global_clipnorm=1.0, cache=False)


def test_the_optimizer_choice_reaches_the_model_and_the_cache_key(tmp_path, monkeypatch):
    ds = data.synthetic_dataset(60, 20, (40, 10, 10), seed=0)
    r = train(
        "linear", ds, profile=TINY, epochs=1, progress=False, cache=False, optimizer="sgd", clipnorm=0.5
    )
    assert type(r.model.optimizer).__name__ == "SGD"
    assert (r.model.optimizer.momentum, r.model.optimizer.clipnorm) == (0.9, 0.5)
    default = train("linear", ds, profile=TINY, epochs=1, progress=False, cache=False)
    assert type(default.model.optimizer).__name__ == "Adam"
    assert plan_training("linear", ds, profile=TINY).recipe.optimizer == "adam"
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(tmp_path))
    sgd, adam = (plan_training("linear", ds, profile=TINY, cache=True, optimizer=o) for o in ("sgd", "adam"))
    assert None is not sgd.cache_key != adam.cache_key  # an SGD run is never served Adam's weights


def test_the_optimizer_choice_refuses_a_bad_value_in_one_line():
    with pytest.raises(
        ValueError, match=r"argument `optimizer`, expected one of 'adam', 'sgd', got 'rmsprop'\.$"
    ):
        plan_training("linear", profile=TINY, optimizer="rmsprop", cache=False)


def test_the_gradient_norm_record_follows_the_weights_and_changes_none(tmp_path, monkeypatch):
    from rnnbook.gradients import parameter_gradient_norm
    from rnnbook.training import GRADIENT_PROBE

    ds = data.synthetic_dataset(300, 20, (280, 10, 10), seed=0)
    kwargs = dict(profile=TINY, epochs=3, progress=False, cache=False)
    plain = train("simple_rnn", ds, **kwargs)
    recorded = train("simple_rnn", ds, gradient_norm=True, **kwargs)
    norms = recorded.history["gradient_norm"]
    # at the initial weights, then after every update: 280 windows in batches of TINY's size
    updates = 3 * int(np.ceil(280 / recorded.batch_size))
    assert len(norms) == 1 + updates and all(n > 0 for n in norms)
    assert "gradient_norm" not in plain.history
    # the record changes no weight: the same losses, bit for bit
    assert recorded.history["loss"] == plain.history["loss"] and recorded.val_mse == plain.val_mse
    # the last value is the gradient at the trained weights, on the first training windows
    assert GRADIENT_PROBE < len(ds.X_train)
    probe = (ds.X_train[:GRADIENT_PROBE], ds.y_train[:GRADIENT_PROBE])
    np.testing.assert_allclose(norms[-1], parameter_gradient_norm(recorded.model, *probe), rtol=1e-5)
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(tmp_path))
    keys = [
        plan_training("simple_rnn", ds, profile=TINY, cache=True, gradient_norm=g).cache_key
        for g in (False, True)
    ]
    assert None not in keys and keys[0] != keys[1]  # a cached run without the record never answers for one
    with pytest.raises(TypeError, match=r"`gradient_norm` must be True or False, got 1\.$"):
        plan_training("simple_rnn", ds, profile=TINY, gradient_norm=1, cache=False)

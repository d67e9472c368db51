"""Real plugin packages, installed during the test run into a folder of their own: a working one and a
broken one."""

import warnings

import numpy as np
import plugin_packages as pp
import pytest

import rnnbook
from rnnbook import registry
from rnnbook.training import train


@pytest.fixture(scope="module")
def plugin_folder(tmp_path_factory):
    """The two example packages, installed once into a folder of their own (not the interpreter)."""
    return pp.install(tmp_path_factory.mktemp("plugins"), pp.WORKING, pp.BROKEN)


@pytest.fixture(autouse=True)
def installed_plugins(plugin_folder):
    """Each test sees the plugins freshly loaded, whatever the tests before it did."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", registry.PluginWarning)
        with pp.on_path(plugin_folder):
            yield


def test_working_plugin_is_listed_and_builds():
    with pytest.warns(registry.PluginWarning, match="broken_import"):
        registry.refresh()
        specs = {s.name: s for s in rnnbook.list_models()}
    spec = specs["mlp_forecaster"]
    assert spec.ok and spec.source.startswith("plugin rnnbook-example-plugin 1.0.0")
    assert spec.description == "Two-layer perceptron on the flattened window (example plugin)."
    model = rnnbook.build_model("mlp_forecaster", n_steps=12, hidden_units=4)
    assert model.output_shape == (None, 1)
    assert model.count_params() == 12 * 4 + 4 + 4 + 1


def test_broken_import_is_recorded_and_the_rest_works():
    specs = {s.name: s for s in rnnbook.list_models()}
    assert not specs["broken_import"].ok
    assert "ModuleNotFoundError" in specs["broken_import"].error
    assert "missing_module" in specs["broken_import"].error
    with pytest.raises(RuntimeError, match="broken_import.*is broken"):
        rnnbook.build_model("broken_import")
    assert rnnbook.build_model("linear", n_steps=5).output_shape == (None, 1)


def test_broken_build_is_reported_by_check_plugins():
    with pytest.warns(registry.PluginWarning, match="broken_build.*broken on purpose"):
        errors = registry.check_plugins()
    assert set(errors) == {"broken_import", "broken_build", "wrong_shape", "rigid_builder"}
    with pytest.raises(RuntimeError, match="broken_build.*failed to build.*broken on purpose"):
        rnnbook.build_model("broken_build")


def test_plugin_trains_through_the_common_recipe():
    ds = rnnbook.data.synthetic_dataset(120, 20, (80, 20, 20), seed=0)
    result = train("mlp_forecaster", ds, epochs=2, progress=False)
    assert np.isfinite(result.val_mse) and result.params > 0 and result.horizon == 1


def test_leaderboard_skips_a_broken_plugin_with_a_warning(monkeypatch):
    from rnnbook.leaderboard import run_leaderboard
    from rnnbook.profiles import Profile

    tiny = Profile(
        "tiny", n_series=60, n_steps=20, split=(40, 10, 10), epochs=1, batch_size=16, patience=None
    )
    errors = {}
    with pytest.warns(registry.PluginWarning, match="broken_build"):
        rows = run_leaderboard(
            ["naive_last_value", "mlp_forecaster", "broken_build"],
            profile=tiny,
            progress=False,
            errors=errors,
        )
    assert [r["model"] for r in rows] == sorted(
        [r["model"] for r in rows], key=lambda m: next(r["val_mse"] for r in rows if r["model"] == m)
    )
    assert {r["model"] for r in rows} == {"naive_last_value", "mlp_forecaster"}
    assert "broken on purpose" in errors["broken_build"]


def test_a_plugin_with_the_wrong_output_shape_is_broken_before_any_training():
    with pytest.raises(registry.PluginContractError) as info:
        rnnbook.build_model("wrong_shape", n_steps=12)
    message = str(info.value)
    assert "'wrong_shape'" in message and "rnnbook-broken-plugin" in message
    assert "must map (batch, 12, 1) to (batch, 1); it returned (batch, 3)" in message
    with pytest.raises(registry.PluginContractError, match=r"to \(batch, 5\); it returned \(batch, 3\)"):
        rnnbook.build_model("wrong_shape", n_steps=12, horizon=5)
    with pytest.warns(registry.PluginWarning, match="wrong_shape"):
        errors = registry.check_plugins()
    assert errors["wrong_shape"].startswith("breaks the contract: for layout 'one_step' and horizon 1")


def test_a_builder_without_the_contract_keywords_is_broken():
    with pytest.raises(
        registry.PluginContractError,
        match="must accept the keyword arguments n_steps, "
        "n_features, horizon; it lacks n_steps, n_features, horizon",
    ):
        rnnbook.build_model("rigid_builder")


def test_an_unknown_plugin_hyper_parameter_is_named():
    with pytest.raises(
        ValueError, match="'mlp_forecaster' has no hyper-parameter 'hidden'; it takes hidden_units"
    ):
        rnnbook.build_model("mlp_forecaster", hidden=3)


def test_the_leaderboard_lists_a_contract_breaker_without_training_it():
    from rnnbook.leaderboard import run_leaderboard
    from rnnbook.profiles import Profile

    tiny = Profile(
        "tiny", n_series=60, n_steps=20, split=(40, 10, 10), epochs=1, batch_size=16, patience=None
    )
    errors = {}
    with pytest.warns(registry.PluginWarning, match="wrong_shape"):
        rows = run_leaderboard(
            ["wrong_shape", "naive_last_value"], profile=tiny, progress=False, errors=errors
        )
    assert [r["model"] for r in rows] == ["naive_last_value"]
    assert "PluginContractError" in errors["wrong_shape"] and "(batch, 3)" in errors["wrong_shape"]


def test_a_name_clash_with_a_built_in_is_reported_once_and_the_built_in_wins():
    registry.refresh()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(5):
            rnnbook.list_models()
            rnnbook.get_spec("linear")
    clashes = [w for w in caught if "has the name of a built-in" in str(w.message)]
    assert len(clashes) == 1 and "'linear'" in str(clashes[0].message)
    assert rnnbook.get_spec("linear").source == "builtin"


def test_the_forecast_widget_shows_a_broken_plugin_with_its_error_and_still_works():
    from rnnbook.widgets import forecast_explorer

    with pytest.warns(registry.PluginWarning, match="wrong_shape"):
        view = forecast_explorer(
            models=["naive_last_value", "wrong_shape", "broken_import"],
            series=("synthetic",),
            horizons=(2,),
            epochs=1,
        )
    assert {key[1] for key in view.data} == {"naive_last_value"}
    text = " ".join(v for v in view.frames.values() if isinstance(v, str))
    assert "wrong_shape</b> is broken" in text and "(batch, 3)" in text
    assert "broken_import</b> is broken" in text and "ModuleNotFoundError" in text

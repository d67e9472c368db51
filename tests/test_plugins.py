"""Real plugin packages, installed during the test run: a working one and a broken one."""

import warnings

import numpy as np
import pytest

import rnnbook
from rnnbook import registry
from rnnbook.training import train

import plugin_packages as pp


@pytest.fixture(scope="module", autouse=True)
def installed_plugins():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", registry.PluginWarning)
        pp.install(pp.WORKING, pp.BROKEN)
    yield
    pp.uninstall("rnnbook-broken-plugin")


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
    assert set(errors) == {"broken_import", "broken_build"}
    with pytest.raises(RuntimeError, match="broken_build.*failed to build.*broken on purpose"):
        rnnbook.build_model("broken_build")


def test_plugin_trains_through_the_common_recipe():
    ds = rnnbook.data.synthetic_dataset(120, 20, (80, 20, 20), seed=0)
    result = train("mlp_forecaster", ds, epochs=2, progress=False)
    assert np.isfinite(result.val_mse) and result.params > 0 and result.horizon == 1


def test_leaderboard_skips_a_broken_plugin_with_a_warning(monkeypatch):
    from rnnbook.leaderboard import run_leaderboard
    from rnnbook.profiles import Profile

    tiny = Profile("tiny", n_series=60, n_steps=20, split=(40, 10, 10), epochs=1, batch_size=16, patience=None)
    errors = {}
    with pytest.warns(registry.PluginWarning, match="broken_build"):
        rows = run_leaderboard(["naive_last_value", "mlp_forecaster", "broken_build"], profile=tiny,
                               progress=False, errors=errors)
    assert [r["model"] for r in rows] == sorted([r["model"] for r in rows], key=lambda m: next(
        r["val_mse"] for r in rows if r["model"] == m))
    assert {r["model"] for r in rows} == {"naive_last_value", "mlp_forecaster"}
    assert "broken on purpose" in errors["broken_build"]

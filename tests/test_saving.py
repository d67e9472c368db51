"""Every Keras model round-trips through a .keras file; every custom layer through its config."""

import copy

import keras
import numpy as np
import pytest

import rnnbook
from rnnbook.layers import (
    GatedActivationUnit,
    IterativeForecaster,
    LNSimpleRNNCell,
    RepeatLastValue,
    UnrolledRNN,
    WaveNetResidualBlock,
)

N_STEPS = 12
KERAS_MODELS = [s.name for s in rnnbook.list_models() if s.source == "builtin" and s.kind != "forecaster"]
X = np.random.default_rng(0).normal(size=(3, N_STEPS, 1)).astype("float32")


def to_np(x):
    return keras.ops.convert_to_numpy(x)


def without_build_configs(config):
    # keras.layers.RNN records its cell's build config only once the cell is built; that bookkeeping
    # is not part of what the config must preserve.
    if isinstance(config, dict):
        return {k: without_build_configs(v) for k, v in config.items() if k != "build_config"}
    return config


def perturb_weights(model):
    # Non-default values (BatchNorm statistics, zero biases) make a weight that fails to load visible.
    rng = np.random.default_rng(1)
    model.set_weights([w + 0.1 * rng.normal(size=w.shape).astype(w.dtype) for w in model.get_weights()])


@pytest.mark.parametrize("name", KERAS_MODELS)
def test_model_round_trips_through_a_keras_file(name, tmp_path):
    keras.utils.set_random_seed(0)
    hparams = {"horizon": 3} if rnnbook.get_spec(name).kind == "iterative" else {}  # faster to trace
    model = rnnbook.build_model(name, n_steps=N_STEPS, **hparams)
    perturb_weights(model)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    # Called directly (inference mode) rather than through `predict`, which would trace and compile
    # two more functions per model for the same numbers.
    np.testing.assert_allclose(to_np(loaded(X)), to_np(model(X)), atol=1e-6)
    if isinstance(model, IterativeForecaster):
        assert loaded.horizon == model.horizon
        np.testing.assert_allclose(to_np(loaded.step_model(X)), to_np(model.step_model(X)), atol=1e-6)


LAYERS = [
    (lambda: RepeatLastValue(4, feature=1), (2, N_STEPS, 2)),
    (
        lambda: UnrolledRNN(keras.layers.LSTMCell(3), return_sequences=True, return_state=True),
        (2, N_STEPS, 2),
    ),
    (lambda: UnrolledRNN(LNSimpleRNNCell(3, activation="relu"), return_all_states=True), (2, N_STEPS, 2)),
    (lambda: keras.layers.RNN(LNSimpleRNNCell(3)), (2, N_STEPS, 2)),
    (lambda: GatedActivationUnit(), (2, N_STEPS, 4)),
    (lambda: WaveNetResidualBlock(2, dilation_rate=4, kernel_size=3), (2, N_STEPS, 2)),
    (lambda: WaveNetResidualBlock(2, dilation_rate=4, gated=False), (2, N_STEPS, 2)),
    (
        lambda: IterativeForecaster(
            keras.Sequential([keras.Input((N_STEPS, 1)), keras.layers.SimpleRNN(1)]), 3
        ),
        (2, N_STEPS, 1),
    ),
]


@pytest.mark.parametrize(
    "make_layer, shape",
    LAYERS,
    ids=[
        "repeat_last_value",
        "unrolled_lstm",
        "unrolled_layernorm",
        "rnn_layernorm_cell",
        "gated_activation",
        "residual_block",
        "residual_block_without_gates",
        "iterative_forecaster",
    ],
)
def test_layer_config_round_trip(make_layer, shape):
    layer = make_layer()
    x = np.random.default_rng(2).normal(size=shape).astype("float32")
    expected = layer(x)
    config = layer.get_config()
    clone = type(layer).from_config(copy.deepcopy(config))  # keras.layers.RNN pops from it
    clone(x)
    assert without_build_configs(clone.get_config()) == without_build_configs(config)
    clone.set_weights(layer.get_weights())
    for a, b in zip(keras.tree.flatten(clone(x)), keras.tree.flatten(expected)):
        np.testing.assert_allclose(to_np(a), to_np(b), atol=1e-6)
    # Through the registered name too, as load_model does it.
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer)


def test_cell_config_round_trip():
    cell = LNSimpleRNNCell(5, activation="relu", name="cell")
    config = cell.get_config()
    assert {"units": 5, "activation": "relu"}.items() <= config.items()
    assert LNSimpleRNNCell.from_config(config).get_config() == config


# ---------------------------------------------------------------------------- in a fresh process
LOAD_IN_A_FRESH_PROCESS = """
import sys, numpy as np
import rnnbook            # nothing else: no rnnbook.layers, no rnnbook.metrics
import keras
X = np.load(sys.argv[1])
out = {}
for path in sys.argv[2:]:
    loader = rnnbook.load_model if path.endswith(".via-rnnbook.keras") else keras.saving.load_model
    model = loader(path)
    out[path] = keras.ops.convert_to_numpy(model(X))
np.savez(sys.argv[1] + ".out.npz", **{str(i): out[p] for i, p in enumerate(sys.argv[2:])})
"""


def test_every_model_saved_here_loads_in_a_fresh_process_after_a_plain_import_rnnbook(tmp_path):
    import subprocess
    import sys

    from rnnbook.training import train

    expected, paths = [], []
    # Plugins made of Keras layers only load anywhere too (the test environment installs the example one).
    plugins = [s.name for s in rnnbook.list_models(include_broken=False) if s.source != "builtin"]
    assert "mlp_forecaster" in plugins
    for name in KERAS_MODELS + plugins:
        keras.utils.set_random_seed(0)
        hparams = {"horizon": 3} if rnnbook.get_spec(name).kind == "iterative" else {}
        model = rnnbook.build_model(name, n_steps=N_STEPS, **hparams)
        perturb_weights(model)
        path = tmp_path / f"{name}.keras"
        model.save(path)
        paths.append(path)
        expected.append(to_np(model(X)))
    # Trained and compiled by the common recipe, with the seq2seq metric: loaded through rnnbook.load_model.
    ds = rnnbook.data.synthetic_dataset(60, N_STEPS, (40, 10, 10), horizon=3, layout="seq2seq", seed=0)
    trained = train("seq2seq_gru", ds, epochs=1, progress=False)
    path = tmp_path / "seq2seq_gru_trained.via-rnnbook.keras"
    trained.model.save(path)
    paths.append(path)
    expected.append(to_np(trained.model(X)))
    np.save(tmp_path / "X.npy", X)
    proc = subprocess.run(
        [sys.executable, "-c", LOAD_IN_A_FRESH_PROCESS, str(tmp_path / "X.npy"), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = np.load(tmp_path / "X.npy.out.npz")
    for i, (path, want) in enumerate(zip(paths, expected)):
        np.testing.assert_allclose(loaded[str(i)], want, atol=1e-5, err_msg=path.name)


def test_import_rnnbook_registers_nothing_until_keras_is_imported():
    import subprocess
    import sys

    code = (
        "import sys, importlib.util, rnnbook; "
        "importlib.util.find_spec('keras');   # a mere lookup must not use up the hook\n"
        "print(sorted(m for m in ('keras', 'jax', 'tensorflow', 'torch', 'rnnbook.layers') "
        "if m in sys.modules)); import keras; "
        "print('rnnbook>UnrolledRNN' in keras.saving.get_custom_objects())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "True"]


def test_load_model_says_what_is_wrong_with_a_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="No saved model at"):
        rnnbook.load_model(tmp_path / "missing.keras")
    with pytest.raises(FileNotFoundError, match="it is a directory"):
        rnnbook.load_model(tmp_path)
    (tmp_path / "weights.h5").write_text("")
    with pytest.raises(ValueError, match="Expected a `.keras` file .* or a `.npz` file"):
        rnnbook.load_model(tmp_path / "weights.h5")


FORECASTERS_IN_A_FRESH_PROCESS = """
import sys
import numpy as np
import rnnbook

X = np.load(sys.argv[1])
out = {}
for path in sys.argv[2:]:
    model = rnnbook.load_model(path)
    out[path] = model.predict(X)
    out[path + ".horizon3"] = model.with_horizon(3).predict(X)
np.savez(sys.argv[1] + ".out.npz", **{str(i): out[p] for i, p in enumerate(out)})
"""


def test_forecasters_save_and_load_in_a_fresh_process_forecasting_the_same(tmp_path):
    import subprocess
    import sys

    ds = rnnbook.data.synthetic_dataset(60, 16, (40, 10, 10), seed=0)
    hparams = {
        "arma": {"max_fit_windows": 5},
        "sarima": {"season": 4, "max_fit_windows": 5},
        "ets": {"season": 4},
        "auto_arima": {"season": 1},
        "theta": {"season": 4},
    }
    expected, paths = [], []
    for name in ("arma", "sarima", "seasonal_naive", "ets", "auto_arima", "theta"):
        model = rnnbook.build_model(name, n_steps=16, **hparams.get(name, {})).fit(ds.X_train, ds.y_train)
        path = tmp_path / f"{name}.npz"
        model.save(path)
        paths.append(path)
        expected += [model.predict(ds.X_test), model.with_horizon(3).predict(ds.X_test)]
    with np.load(paths[0], allow_pickle=False) as archive:  # settings and parameters only: no pickle
        assert sorted(archive.files) == ["params", "rnnbook_forecaster"]
    np.save(tmp_path / "X.npy", ds.X_test)
    proc = subprocess.run(
        [sys.executable, "-c", FORECASTERS_IN_A_FRESH_PROCESS, str(tmp_path / "X.npy"), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = np.load(tmp_path / "X.npy.out.npz")
    for i, want in enumerate(expected):
        np.testing.assert_array_equal(loaded[str(i)], want)  # identical forecasts, not merely close


def test_a_forecaster_refuses_a_keras_file_name_and_a_bad_npz_is_one_error(tmp_path):
    model = rnnbook.build_model("seasonal_naive")
    with pytest.raises(ValueError, match="saves to a `.npz` file"):
        model.save(tmp_path / "naive.keras")
    assert list(tmp_path.iterdir()) == []
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))
    with pytest.raises(ValueError, match="is not a forecaster saved by rnnbook"):
        rnnbook.load_model(tmp_path / "other.npz")

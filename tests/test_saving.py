"""Every Keras model round-trips through a .keras file; every custom layer through its config."""

import copy

import keras
import numpy as np
import pytest

import rnnbook
from rnnbook.layers import (GatedActivationUnit, IterativeForecaster, LNSimpleRNNCell, RepeatLastValue,
                            UnrolledRNN, WaveNetResidualBlock)

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
    hparams = {"horizon": 3} if rnnbook.get_spec(name).kind == "iterative" else {}   # faster to trace
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
    (lambda: UnrolledRNN(keras.layers.LSTMCell(3), return_sequences=True, return_state=True), (2, N_STEPS, 2)),
    (lambda: UnrolledRNN(LNSimpleRNNCell(3, activation="relu"), return_all_states=True), (2, N_STEPS, 2)),
    (lambda: keras.layers.RNN(LNSimpleRNNCell(3)), (2, N_STEPS, 2)),
    (lambda: GatedActivationUnit(), (2, N_STEPS, 4)),
    (lambda: WaveNetResidualBlock(2, dilation_rate=4, kernel_size=3), (2, N_STEPS, 2)),
    (lambda: IterativeForecaster(keras.Sequential([keras.Input((N_STEPS, 1)), keras.layers.SimpleRNN(1)]), 3),
     (2, N_STEPS, 1)),
]


@pytest.mark.parametrize("make_layer, shape", LAYERS,
                         ids=["repeat_last_value", "unrolled_lstm", "unrolled_layernorm", "rnn_layernorm_cell",
                              "gated_activation", "residual_block", "iterative_forecaster"])
def test_layer_config_round_trip(make_layer, shape):
    layer = make_layer()
    x = np.random.default_rng(2).normal(size=shape).astype("float32")
    expected = layer(x)
    config = layer.get_config()
    clone = type(layer).from_config(copy.deepcopy(config))      # keras.layers.RNN pops from it
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

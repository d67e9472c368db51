"""Every registered built-in model builds, trains one step and forecasts the right shape."""

import keras
import numpy as np
import pytest
from model_support import CHAPTER_MODELS

import rnnbook
from rnnbook import data
from rnnbook.layers import IterativeForecaster

N_STEPS = 10
BUILTINS = [spec.name for spec in rnnbook.list_models() if spec.source == "builtin"]
KERAS_MODELS = [n for n in BUILTINS if rnnbook.get_spec(n).kind != "forecaster"]

# The chapter's models, by registry name, in registration order (their targets, horizons and kinds are
# checked by behaviour below: what each model outputs, and on which targets it trains).
NAMES = CHAPTER_MODELS


def dataset(spec, layout=None, n_steps=N_STEPS):
    layout = layout or spec.train_layout
    return data.synthetic_dataset(
        16, n_steps, (8, 4, 4), horizon=1 if layout == "one_step" else spec.horizon, layout=layout, seed=0
    )


def targets(spec, y, n_steps=N_STEPS, hparams=None):
    if spec.time_steps is not None:
        return y[:, spec.time_steps(n_steps, hparams or {})]
    return y


def test_the_registry_holds_the_whole_zoo():
    assert BUILTINS == list(NAMES)  # every one, in the order `rnnbook models` lists
    for name in NAMES:
        spec = rnnbook.get_spec(name)
        assert spec.description and spec.description != "(no description)"
        assert "Used in:" in spec.builder.__doc__


@pytest.mark.parametrize("name", KERAS_MODELS)
def test_builds_trains_one_step_and_predicts(name):
    keras.utils.set_random_seed(0)
    spec = rnnbook.get_spec(name)
    model = rnnbook.build_model(name, n_steps=N_STEPS)
    trained = model.step_model if spec.kind == "iterative" else model
    trained.compile(loss="mse", optimizer="adam")
    ds = dataset(spec)
    y_train = targets(spec, ds.y_train)
    loss = trained.train_on_batch(ds.X_train, y_train)
    assert np.isfinite(loss)
    predictions = keras.ops.convert_to_numpy(model(ds.X_valid))
    expected = dataset(spec, layout=spec.eval_layout)
    assert predictions.shape == targets(spec, expected.y_valid).shape
    assert np.isfinite(predictions).all()


@pytest.mark.parametrize(
    "name",
    ["deep_rnn", "seq2vec_rnn", "seq2seq_gru", "wavenet", "seq2seq_conv1d_gru", "linear", "encoder_decoder"],
)
def test_multivariate_inputs(name):
    spec = rnnbook.get_spec(name)
    model = rnnbook.build_model(name, n_steps=N_STEPS, n_features=3)
    x = np.random.default_rng(0).normal(size=(2, N_STEPS, 3)).astype("float32")
    forecast = keras.ops.convert_to_numpy(model(x))
    if spec.eval_layout == "seq2seq":  # a forecast at every (kept) time step
        steps = targets(spec, np.zeros((2, N_STEPS, spec.horizon))).shape[1]
        assert forecast.shape == (2, steps, spec.horizon)
    else:
        assert forecast.shape == (2, spec.horizon)
    assert np.isfinite(forecast).all()


def test_builder_horizon_overrides_the_default():
    assert rnnbook.build_model("seq2seq_gru", n_steps=N_STEPS, horizon=3).output_shape == (None, N_STEPS, 3)
    assert rnnbook.build_model("encoder_decoder", n_steps=N_STEPS, horizon=4).output_shape == (None, 4)
    model = rnnbook.build_model("iterative_deep_rnn", n_steps=N_STEPS, horizon=5)
    assert model.predict(np.zeros((2, N_STEPS, 1), "float32"), verbose=0).shape == (2, 5)


ACCEPT_ANY_LENGTH = [
    "naive_last_value",
    "simple_rnn",
    "deep_rnn",
    "deep_rnn_dense",
    "iterative_deep_rnn",
    "seq2vec_rnn",
    "seq2seq_rnn",
    "seq2seq_layernorm_rnn",
    "encoder_decoder",
    "seq2seq_lstm",
    "seq2seq_conv1d_gru",
    "wavenet_simple",
    "wavenet",
]


@pytest.mark.parametrize("name", ACCEPT_ANY_LENGTH)
def test_n_steps_none_accepts_any_length(name):
    hparams = {"horizon": 2} if name == "iterative_deep_rnn" else {}  # a shorter loop to trace
    model = rnnbook.build_model(name, n_steps=None, **hparams)
    for length in (12, 17):
        # Called directly, not through `predict`: one traced call per length.
        out = keras.ops.convert_to_numpy(model(np.zeros((2, length, 1), "float32")))
        spec = rnnbook.get_spec(name)
        horizon = hparams.get("horizon", spec.horizon)
        if spec.layout == "seq2seq":  # one forecast per (kept) time step
            steps = np.arange(length)[spec.time_steps(length, {})].size if spec.time_steps else length
            assert out.shape == (2, steps, horizon), (name, length, out.shape)
        else:
            assert out.shape == (2, horizon), (name, length, out.shape)


@pytest.mark.parametrize("name", ["linear", "linear_n_steps", "unrolled_rnn"])
def test_n_steps_none_raises_where_unsupported(name):
    with pytest.raises(ValueError, match="n_steps"):
        rnnbook.build_model(name, n_steps=None)


INVALID = [
    ("deep_rnn", {"units": (20, 0)}, "units"),
    ("deep_rnn", {"units": ()}, "units"),
    ("deep_rnn", {"head": "conv"}, "head"),
    ("deep_rnn", {"activation": "sigmoid"}, "activation"),
    ("deep_rnn_dense", {"units": 2.5}, "units"),
    ("iterative_deep_rnn", {"head": "lstm"}, "head"),
    ("unrolled_rnn", {"units": 0}, "units"),
    ("unrolled_rnn", {"cell": "transformer"}, "cell"),
    ("seq2vec_rnn", {"units": (True,)}, "units"),
    ("seq2seq_rnn", {"units": -1}, "units"),
    ("seq2seq_rnn", {"activation": "sigmoid"}, "activation"),
    ("seq2seq_layernorm_rnn", {"activation": "gelu"}, "activation"),
    ("seq2seq_rnn_dropout", {"dropout": 1.0}, "dropout"),
    ("seq2seq_rnn_dropout", {"recurrent_dropout": -0.1}, "recurrent_dropout"),
    ("seq2seq_rnn_batchnorm", {"units": (0,)}, "units"),
    ("seq2seq_layernorm_rnn", {"units": (20, None)}, "units"),
    ("encoder_decoder", {"encoder_units": 0}, "encoder_units"),
    ("encoder_decoder", {"decoder_units": 0}, "decoder_units"),
    ("seq2seq_lstm", {"units": (0,)}, "units"),
    ("seq2seq_gru", {"units": (0,)}, "units"),
    ("seq2seq_conv1d_gru", {"filters": 0}, "filters"),
    ("seq2seq_conv1d_gru", {"kernel_size": 0}, "kernel_size"),
    ("seq2seq_conv1d_gru", {"strides": 0}, "strides"),
    ("seq2seq_conv1d_gru", {"dilation_rate": 0}, "dilation_rate"),
    ("seq2seq_conv1d_gru", {"units": (0,)}, "units"),
    ("wavenet_simple", {"dilation_rates": (1, 0)}, "dilation_rates"),
    ("wavenet_simple", {"kernel_size": 0}, "kernel_size"),
    ("wavenet_simple", {"n_stacks": 0}, "n_stacks"),
    ("wavenet", {"filters": 0}, "filters"),
    ("wavenet", {"dilation_rates": ()}, "dilation_rates"),
    ("wavenet", {"dilation_rates": 4}, "dilation_rates"),
    ("arma", {"order": (2, 0)}, "order"),
    ("arma", {"order": (-1, 0, 1)}, "order"),
    ("arma", {"seasonal_order": (1, 0, 0)}, "seasonal_order"),
    ("arma", {"trend": "quadratic"}, "trend"),
]


@pytest.mark.parametrize("name, hparams, argument", INVALID)
def test_invalid_hparams_raise_naming_the_argument(name, hparams, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        rnnbook.build_model(name, n_steps=N_STEPS, **hparams)


def test_conv_longer_than_the_window_raises():
    with pytest.raises(ValueError, match="n_steps"):
        rnnbook.build_model("seq2seq_conv1d_gru", n_steps=10, kernel_size=4, strides=1, dilation_rate=4)


def test_iterative_deep_rnn_is_univariate():
    with pytest.raises(ValueError, match="n_features"):
        rnnbook.build_model("iterative_deep_rnn", n_steps=N_STEPS, n_features=2)


def test_iterative_deep_rnn_wraps_a_one_step_deep_rnn():
    model = rnnbook.build_model("iterative_deep_rnn", n_steps=N_STEPS, units=(4,), head="dense")
    assert isinstance(model, IterativeForecaster)
    assert model.step_model.output_shape == (None, 1)
    assert model.count_params() == model.step_model.count_params()


@pytest.mark.parametrize("head, activation", [("rnn", "relu"), ("dense", "tanh")])
def test_deep_rnn_heads(head, activation):
    model = rnnbook.build_model(
        "deep_rnn", n_steps=N_STEPS, units=(3, 4, 5), head=head, activation=activation
    )
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.SimpleRNN)]
    assert [layer.units for layer in recurrent] == ([3, 4, 5, 1] if head == "rnn" else [3, 4, 5])
    assert [layer.return_sequences for layer in recurrent] == [True] * (len(recurrent) - 1) + [False]
    assert recurrent[0].activation is keras.activations.get(activation)


@pytest.mark.parametrize("name", ["seq2seq_rnn", "seq2seq_layernorm_rnn"])
def test_seq2seq_rnns_take_relu_inside_the_recurrence(name):
    model = rnnbook.build_model(name, n_steps=N_STEPS, units=(3, 4), activation="relu")
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]
    cells = [getattr(layer, "cell", layer) for layer in recurrent]
    assert len(cells) == 2
    assert all(cell.activation is keras.activations.relu for cell in cells)


def test_the_same_seed_gives_the_same_predictions():
    spec = rnnbook.get_spec("deep_rnn")
    ds = dataset(spec)

    def run(seed):
        keras.utils.set_random_seed(seed)
        model = rnnbook.build_model("deep_rnn_dense", n_steps=N_STEPS, units=(4,))
        model.compile(loss="mse", optimizer="adam")
        model.fit(ds.X_train, ds.y_train, epochs=1, batch_size=4, verbose=0)
        return model.predict(ds.X_valid, verbose=0)

    first, second, other = run(7), run(7), run(8)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_arma_is_a_forecaster():
    spec = rnnbook.get_spec("arma")
    ds = dataset(spec, n_steps=30)
    model = rnnbook.build_model("arma", n_steps=30)
    assert model.count_params() == 5
    assert model.fit(ds.X_train, ds.y_train) is model
    assert model.predict(ds.X_valid).shape == ds.y_valid.shape


def test_recurrent_dropout_draws_one_mask_per_sequence():
    # Chapter 5's eq-recurrent-dropout and chapter 6's note on fused kernels: Keras draws the mask on
    # h(t-1) once per sequence and applies it at every step. With an impulse input at step 0 and an
    # identity-like recurrence, a unit dropped once stays at 0; a unit kept survives every step. A new
    # mask per step would keep a unit to step 20 with probability 0.8**20 ~ 1%, not 80%.
    model = rnnbook.build_model("seq2seq_rnn_dropout", n_steps=21, units=(64,), dropout=0.0)
    layer = model.layers[0]
    assert isinstance(layer, keras.layers.SimpleRNN) and layer.cell.recurrent_dropout == 0.2
    layer.set_weights([np.ones((1, 64)), 0.8 * np.eye(64), np.zeros(64)])  # 0.8 * 1/(1 - 0.2) = 1
    impulse = np.zeros((256, 21, 1), "float32")
    impulse[:, 0] = 1.0
    keras.utils.set_random_seed(0)
    states = keras.ops.convert_to_numpy(layer(impulse, training=True))
    alive_at_step_1 = np.abs(states[:, 1]) > 0
    alive_at_the_end = np.abs(states[:, -1]) > 0
    assert 0.7 < alive_at_step_1.mean() < 0.9  # the mask drops a fifth of the units
    np.testing.assert_array_equal(alive_at_the_end, alive_at_step_1)  # ... the same ones at every step


def _recurrent_layers(layer):
    """Every LSTM or GRU layer inside ``layer`` (a model, a wrapper or a layer), depth first."""
    if isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)):
        return [layer]
    inner = list(getattr(layer, "layers", []))
    if isinstance(getattr(layer, "layer", None), keras.layers.Layer):  # Bidirectional, TimeDistributed
        inner.append(layer.layer)
    if isinstance(layer, IterativeForecaster):
        inner.append(layer.step_model)
    return [found for child in inner for found in _recurrent_layers(child)]


def test_every_lstm_and_gru_of_the_book_can_take_the_fused_kernel():
    # Chapter 6's note on fused (cuDNN) kernels says no LSTM or GRU of the book leaves the fused path:
    # the default activations, a bias, no recurrent dropout, no unrolling and, for a GRU, reset_after.
    found = {}
    for name in CHAPTER_MODELS:
        if rnnbook.get_spec(name).kind == "forecaster":
            continue
        for layer in _recurrent_layers(rnnbook.build_model(name)):
            cell = layer.cell
            found.setdefault(name, []).append(type(layer).__name__)
            assert cell.activation is keras.activations.tanh, name
            assert cell.recurrent_activation is keras.activations.sigmoid, name
            assert cell.use_bias and cell.recurrent_dropout == 0 and not layer.unroll, name
            assert getattr(cell, "reset_after", True), name
    # the check covers the chapter's gated models, not an empty list
    assert {"seq2seq_lstm", "seq2seq_gru", "seq2seq_conv1d_gru"} <= set(found), found

"""Tests of rnnbook.layers: values, shapes, equivalences and argument checks (any Keras backend)."""

import keras
import numpy as np
import pytest
from keras import ops

from rnnbook.layers import (
    GatedActivationUnit,
    IterativeForecaster,
    LNSimpleRNNCell,
    RepeatLastValue,
    UnrolledRNN,
    WaveNetResidualBlock,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 12, 3)).astype("float32")


def to_np(x):
    return ops.convert_to_numpy(x)


# ------------------------------------------------------------------------------ RepeatLastValue
def test_repeat_last_value_repeats_the_chosen_feature():
    np.testing.assert_allclose(to_np(RepeatLastValue(5)(X)), np.repeat(X[:, -1, :1], 5, axis=1))
    np.testing.assert_allclose(to_np(RepeatLastValue(2, feature=2)(X)), np.repeat(X[:, -1, 2:], 2, axis=1))
    layer = RepeatLastValue(3)
    layer.build(X.shape)
    assert layer.weights == []


@pytest.mark.parametrize(
    "kwargs, arg", [({"horizon": 0}, "horizon"), ({"horizon": 2, "feature": -1}, "feature")]
)
def test_repeat_last_value_rejects_bad_arguments(kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        RepeatLastValue(**kwargs)


def test_repeat_last_value_rejects_a_missing_feature():
    with pytest.raises(ValueError, match="out of range"):
        RepeatLastValue(2, feature=3)(X)


# ---------------------------------------------------------------------------------- UnrolledRNN
CELLS = [
    lambda: keras.layers.SimpleRNNCell(5),
    lambda: keras.layers.LSTMCell(5),
    lambda: keras.layers.GRUCell(5),
]


@pytest.mark.parametrize("make_cell", CELLS, ids=["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_unrolled_rnn_equals_keras_rnn(make_cell, return_sequences):
    reference = keras.layers.RNN(make_cell(), return_sequences=return_sequences, return_state=True)
    expected = reference(X)
    unrolled = UnrolledRNN(make_cell(), return_sequences=return_sequences, return_state=True)
    unrolled.build(X.shape)
    unrolled.set_weights(reference.get_weights())
    got = unrolled(X)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(to_np(g), to_np(e), atol=1e-5)


@pytest.mark.parametrize("make_cell", CELLS, ids=["simple_rnn", "lstm", "gru"])
def test_unrolled_rnn_returns_every_steps_states(make_cell):
    layer = UnrolledRNN(make_cell(), return_sequences=True, return_state=True, return_all_states=True)
    outputs, *states = layer(X)
    n_states = len(states) // 2
    final, every = states[:n_states], states[n_states:]
    for f, e in zip(final, every):
        assert tuple(e.shape) == (4, 12, 5)
        np.testing.assert_allclose(to_np(e)[:, -1], to_np(f), atol=1e-6)
    # The first state of every Keras cell is its output (h).
    np.testing.assert_allclose(to_np(every[0]), to_np(outputs), atol=1e-6)
    assert [tuple(s) for s in layer.compute_output_shape(X.shape)] == [
        tuple(t.shape) for t in [outputs, *states]
    ]


def test_unrolled_rnn_with_a_layernorm_cell_matches_keras_rnn():
    reference = keras.layers.RNN(LNSimpleRNNCell(5), return_sequences=True)
    expected = reference(X)
    unrolled = UnrolledRNN(LNSimpleRNNCell(5), return_sequences=True)
    unrolled.build(X.shape)
    unrolled.set_weights(reference.get_weights())
    np.testing.assert_allclose(to_np(unrolled(X)), to_np(expected), atol=1e-5)


def test_unrolled_rnn_needs_a_static_length():
    with pytest.raises(ValueError, match="static"):
        keras.Sequential([keras.Input((None, 3)), UnrolledRNN(keras.layers.SimpleRNNCell(4))])


def test_unrolled_rnn_rejects_a_non_cell():
    with pytest.raises(ValueError, match="state_size"):
        UnrolledRNN(keras.layers.Dense(3))


def test_unrolled_rnn_dropout_only_in_training():
    layer = UnrolledRNN(keras.layers.SimpleRNNCell(8, dropout=0.5, recurrent_dropout=0.5))
    inference = [to_np(layer(X, training=False)) for _ in range(2)]
    np.testing.assert_allclose(inference[0], inference[1])
    training = [to_np(layer(X, training=True)) for _ in range(2)]
    assert not np.allclose(training[0], inference[0])
    # The mask is drawn afresh for each batch, not kept from the previous call.
    assert not np.allclose(training[0], training[1])


# ------------------------------------------------------------------------------ LNSimpleRNNCell
def test_layernorm_cell_computes_activation_of_normalized_linear_step():
    cell = LNSimpleRNNCell(6)
    cell.build((None, 3))
    state = RNG.normal(size=(4, 6)).astype("float32")
    out, new_states = cell(X[:, 0], [state])
    kernel, recurrent_kernel, bias = cell.simple_rnn_cell.get_weights()
    z = X[:, 0] @ kernel + state @ recurrent_kernel + bias
    z = (z - z.mean(-1, keepdims=True)) / np.sqrt(z.var(-1, keepdims=True) + cell.layer_norm.epsilon)
    np.testing.assert_allclose(to_np(out), np.tanh(z), atol=1e-5)
    np.testing.assert_allclose(to_np(new_states[0]), to_np(out))
    assert cell.state_size == cell.output_size == 6
    assert tuple(cell.get_initial_state(batch_size=4)[0].shape) == (4, 6)


def test_layernorm_cell_in_an_rnn():
    y = keras.layers.RNN(LNSimpleRNNCell(7, activation="relu"), return_sequences=True)(X)
    assert tuple(y.shape) == (4, 12, 7)
    assert to_np(y).min() >= 0


@pytest.mark.parametrize(
    "kwargs, arg", [({"units": 0}, "units"), ({"units": 3, "activation": "nope"}, "activation")]
)
def test_layernorm_cell_rejects_bad_arguments(kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        LNSimpleRNNCell(**kwargs)


# ---------------------------------------------------------------------------------------- WaveNet
def test_gated_activation_applies_tanh_once():
    z = RNG.normal(size=(2, 5, 8)).astype("float32")
    expected = np.tanh(z[..., :4]) / (1 + np.exp(-z[..., 4:]))
    np.testing.assert_allclose(to_np(GatedActivationUnit()(z)), expected, atol=1e-6)


def test_gated_activation_needs_even_channels():
    with pytest.raises(ValueError, match="even"):
        GatedActivationUnit()(np.zeros((2, 5, 3), "float32"))


def test_residual_block_outputs():
    block = WaveNetResidualBlock(3, dilation_rate=2)
    residual, skip = block(X)
    np.testing.assert_allclose(to_np(residual), X + to_np(skip), atol=1e-6)
    assert tuple(skip.shape) == X.shape
    assert len(block.trainable_weights) == 4  # two convolutions, kernel and bias each


def test_residual_block_without_gates_is_a_relu_convolution_and_a_1x1():
    block = WaveNetResidualBlock(3, dilation_rate=2, gated=False)
    residual, skip = block(X)
    conv, one_by_one = block.dilated_conv, block.conv_1x1
    # by hand: ReLU of the causal convolution, then the 1x1 convolution
    expected = to_np(one_by_one(np.maximum(to_np(conv(X)), 0.0)))
    np.testing.assert_allclose(to_np(skip), expected, atol=1e-6)
    np.testing.assert_allclose(to_np(residual), X + expected, atol=1e-6)
    # the gated block's first convolution has twice the channels (filter and gate)
    gated = WaveNetResidualBlock(3, dilation_rate=2)
    gated.build(X.shape)
    # kernel 2 x 3 inputs x channels + biases, then the 1x1 convolution's 3 x 3 + 3
    assert block.count_params() == 2 * 3 * 3 + 3 + 3 * 3 + 3
    assert gated.count_params() == 2 * 3 * 6 + 6 + 3 * 3 + 3
    with pytest.raises(TypeError, match="`gated` must be True or False"):
        WaveNetResidualBlock(3, 1, gated="no")


def test_residual_block_is_causal():
    block = WaveNetResidualBlock(3, dilation_rate=2, kernel_size=3)
    changed = X.copy()
    changed[:, 7:] += 1.0
    for a, b in zip(block(X), block(changed)):
        np.testing.assert_allclose(to_np(a)[:, :7], to_np(b)[:, :7], atol=1e-6)
        assert not np.allclose(to_np(a)[:, 7:], to_np(b)[:, 7:])


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        ({"filters": 0, "dilation_rate": 1}, "filters"),
        ({"filters": 3, "dilation_rate": 0}, "dilation_rate"),
        ({"filters": 3, "dilation_rate": 1, "kernel_size": 0}, "kernel_size"),
    ],
)
def test_residual_block_rejects_bad_arguments(kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        WaveNetResidualBlock(**kwargs)


def test_residual_block_needs_matching_channels():
    with pytest.raises(ValueError, match="channels"):
        WaveNetResidualBlock(4, 1)(X)


# --------------------------------------------------------------------------- IterativeForecaster
def _linear_step(n_steps, weights, bias=0.0):
    return keras.Sequential(
        [
            keras.Input((n_steps, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(
                1,
                kernel_initializer=keras.initializers.Constant(weights),
                bias_initializer=keras.initializers.Constant(bias),
            ),
        ]
    )


def test_iterative_forecaster_feeds_back_its_forecasts():
    n_steps, horizon = 6, 4
    w = RNG.normal(size=(n_steps, 1)).astype("float32") * 0.3
    model = IterativeForecaster(_linear_step(n_steps, w, 0.1), horizon)
    x = RNG.normal(size=(3, n_steps, 1)).astype("float32")
    window, expected = x[:, :, 0].copy(), []
    for _ in range(horizon):
        y = window @ w[:, 0] + 0.1
        expected.append(y)
        window = np.concatenate([window[:, 1:], y[:, None]], axis=1)
    np.testing.assert_allclose(to_np(model(x)), np.stack(expected, axis=1), rtol=1e-5, atol=1e-6)
    assert model.step_model.weights and len(model.weights) == len(model.step_model.weights)


def test_iterative_forecaster_predict_equals_its_unrolled_call():
    # predict loops over the step model's own predict instead of compiling the unrolled call
    step = keras.Sequential([keras.Input((8, 1)), keras.layers.SimpleRNN(5, seed=1), keras.layers.Dense(1)])
    model = IterativeForecaster(step, 4)
    x = RNG.normal(size=(7, 8, 1))  # float64, as NumPy draws it: cast like Keras casts it
    got = model.predict(x, batch_size=3, verbose=0)
    assert got.shape == (7, 4) and got.dtype == np.float32
    np.testing.assert_allclose(got, to_np(model(x.astype("float32"))), rtol=1e-5, atol=1e-6)


def test_iterative_forecaster_predict_rejects_multivariate_inputs():
    with pytest.raises(ValueError, match="features"):
        IterativeForecaster(_linear_step(12, 0.0), 3).predict(X, verbose=0)


def test_iterative_forecaster_rejects_multivariate_inputs():
    model = IterativeForecaster(_linear_step(12, 0.0), 3)
    with pytest.raises(ValueError, match="features"):
        model(X)


def test_iterative_forecaster_needs_a_one_step_model():
    step = keras.Sequential([keras.Input((6, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="one value"):
        IterativeForecaster(step, 3)(np.zeros((2, 6, 1), "float32"))


def test_iterative_forecaster_rejects_bad_horizon():
    with pytest.raises(ValueError, match="`horizon`"):
        IterativeForecaster(_linear_step(6, 0.0), 0)

"""The NumPy equations reproduce Keras' SimpleRNN, LSTM and GRU over whole sequences."""

import keras  # noqa: E402
import numpy as np
import pytest

from rnnbook import equations as eq  # first: rnnbook picks the Keras backend (JAX unless set)

M, T, N_INPUTS, UNITS = 3, 12, 2, 4
ATOL = 1e-5


@pytest.fixture
def X():
    return np.random.default_rng(0).normal(size=(M, T, N_INPUTS)).astype("float32")


def randomized(layer, X, seed=1, scale=0.5):
    """Build ``layer`` on ``X`` and give it random weights (biases included, so they are tested)."""
    layer.build(X.shape)  # cheaper than a first call, which JAX would have to compile
    rng = np.random.default_rng(seed)
    layer.set_weights([scale * rng.normal(size=w.shape).astype("float32") for w in layer.weights])
    return layer


def keras_outputs(layer, X, **kwargs):
    return keras.ops.convert_to_numpy(layer(X, **kwargs))


# ---------------------------------------------------------------------------------------------
# Equal to Keras
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_simple_rnn_matches_keras(X, activation):
    layer = keras.layers.SimpleRNN(UNITS, activation=activation, return_sequences=True)
    layer = randomized(layer, X)
    w = eq.weights_from_keras(layer)
    trace = eq.simple_rnn_forward(X, w["Wx"], w["Wh"], w["b"], activation=activation)
    np.testing.assert_allclose(trace.h, keras_outputs(layer, X), atol=ATOL)
    np.testing.assert_allclose(eq.forward_from_keras(layer, X).h, keras_outputs(layer, X), atol=ATOL)


def test_lstm_matches_keras(X):
    layer = randomized(keras.layers.LSTM(UNITS, return_sequences=True), X)
    w = eq.weights_from_keras(layer)
    trace = eq.lstm_forward(X, w["kernel"], w["recurrent_kernel"], w["bias"])
    np.testing.assert_allclose(trace.h, keras_outputs(layer, X), atol=ATOL)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_keras(X, reset_after):
    layer = randomized(keras.layers.GRU(UNITS, return_sequences=True, reset_after=reset_after), X)
    w = eq.weights_from_keras(layer)
    assert w["bias"].shape == ((2, 3 * UNITS) if reset_after else (3 * UNITS,))
    trace = eq.gru_forward(X, **w, reset_after=reset_after)
    np.testing.assert_allclose(trace.h, keras_outputs(layer, X), atol=ATOL)
    np.testing.assert_allclose(eq.forward_from_keras(layer, X).h, keras_outputs(layer, X), atol=ATOL)


@pytest.mark.parametrize(
    "cell_class", [keras.layers.SimpleRNNCell, keras.layers.LSTMCell, keras.layers.GRUCell]
)
def test_rnn_wrapper_and_cell(X, cell_class):
    layer = randomized(keras.layers.RNN(cell_class(UNITS), return_sequences=True), X)
    expected = keras_outputs(layer, X)
    np.testing.assert_allclose(eq.forward_from_keras(layer, X).h, expected, atol=ATOL)
    np.testing.assert_allclose(eq.forward_from_keras(layer.cell, X).h, expected, atol=ATOL)


def test_last_output_matches_layer_without_return_sequences(X):
    layer = randomized(keras.layers.LSTM(UNITS), X)
    expected = keras_outputs(layer, X)  # (m, n_neurons): the last output only
    np.testing.assert_allclose(eq.forward_from_keras(layer, X).last, expected, atol=ATOL)


def test_initial_state_matches_keras(X):
    layer = randomized(keras.layers.LSTM(UNITS, return_sequences=True), X)
    rng = np.random.default_rng(2)
    h0, c0 = (rng.normal(size=(M, UNITS)).astype("float32") for _ in range(2))
    expected = keras_outputs(layer, X, initial_state=[h0, c0])
    np.testing.assert_allclose(eq.forward_from_keras(layer, X, h0=h0, c0=c0).h, expected, atol=ATOL)


def test_no_bias_and_go_backwards(X):
    layer = randomized(keras.layers.GRU(UNITS, use_bias=False, go_backwards=True, return_sequences=True), X)
    assert eq.weights_from_keras(layer)["bias"].shape == (2, 3 * UNITS)
    expected = keras_outputs(layer, X)
    np.testing.assert_allclose(eq.forward_from_keras(layer, X).h, expected, atol=ATOL)


# ---------------------------------------------------------------------------------------------
# The equations agree with one another
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def simple_weights():
    rng = np.random.default_rng(3)
    Wx, Wh = rng.normal(size=(N_INPUTS, UNITS)), 0.5 * rng.normal(size=(UNITS, UNITS))
    return Wx, Wh, rng.normal(size=UNITS)


def test_equation_15_1_per_instance_equals_15_2_row_by_row(X, simple_weights):
    batch = eq.simple_rnn_forward(X, *simple_weights)
    for i in range(M):
        one = eq.simple_rnn_forward(X[i], *simple_weights)  # (T, n_inputs): W^T x, column vectors
        for name in ("h_prev", "xw", "hw", "z", "h"):
            np.testing.assert_allclose(getattr(one, name), getattr(batch, name)[i], atol=1e-12)


@pytest.mark.parametrize(
    "forward, n_gates, bias_shape",
    [
        (eq.lstm_forward, 4, (4 * UNITS,)),
        (eq.gru_forward, 3, (2, 3 * UNITS)),
    ],
)
def test_gated_cells_instance_equals_batch_row(X, forward, n_gates, bias_shape):
    rng = np.random.default_rng(4)
    w = (
        rng.normal(size=(N_INPUTS, n_gates * UNITS)),
        rng.normal(size=(UNITS, n_gates * UNITS)),
        rng.normal(size=bias_shape),
    )
    np.testing.assert_allclose(forward(X[1], *w).h, forward(X, *w).h[1], atol=1e-12)


def test_concatenated_form_equals_split_form(X, simple_weights):
    Wx, Wh, b = simple_weights
    W = eq.concat_weights(Wx, Wh)
    assert W.shape == (N_INPUTS + UNITS, UNITS)
    np.testing.assert_array_equal(W[:N_INPUTS], Wx)
    split, concat = eq.simple_rnn_forward(X, Wx, Wh, b), eq.simple_rnn_forward_concat(X, W, b)
    for name in ("h_prev", "xw", "hw", "z", "h"):
        np.testing.assert_allclose(getattr(concat, name), getattr(split, name), atol=1e-12)
    np.testing.assert_allclose(eq.simple_rnn_forward_concat(X[0], W, b).h, split.h[0], atol=1e-12)


def test_step_function_is_one_column_of_the_unrolled_network(X, simple_weights):
    trace = eq.simple_rnn_forward(X, *simple_weights, activation="relu")
    t = 5
    h = eq.simple_rnn_step(X[:, t], trace.h_prev[:, t], *simple_weights, activation="relu")
    np.testing.assert_allclose(h, trace.h[:, t])
    h_one = eq.simple_rnn_step(X[0, t], trace.h_prev[0, t], *simple_weights, activation="relu")
    np.testing.assert_allclose(h_one, trace.h[0, t])


def test_gated_step_functions(X):
    rng = np.random.default_rng(5)
    k4, r4, b4 = rng.normal(size=(N_INPUTS, 16)), rng.normal(size=(4, 16)), rng.normal(size=16)
    lstm = eq.lstm_forward(X, k4, r4, b4)
    h, c = eq.lstm_step(X[:, 3], lstm.h_prev[:, 3], lstm.c_prev[:, 3], k4, r4, b4)
    np.testing.assert_allclose(h, lstm.h[:, 3])
    np.testing.assert_allclose(c, lstm.c[:, 3])
    k3, r3, b3 = rng.normal(size=(N_INPUTS, 12)), rng.normal(size=(4, 12)), rng.normal(size=12)
    gru = eq.gru_forward(X, k3, r3, b3, reset_after=False)
    h = eq.gru_step(X[:, 3], gru.h_prev[:, 3], k3, r3, b3, reset_after=False)
    np.testing.assert_allclose(h, gru.h[:, 3])


# ---------------------------------------------------------------------------------------------
# Traces
# ---------------------------------------------------------------------------------------------


def test_simple_rnn_trace(X, simple_weights):
    Wx, Wh, b = simple_weights
    for x, shape in ((X, (M, T, UNITS)), (X[0], (T, UNITS))):
        trace = eq.simple_rnn_forward(x, Wx, Wh, b)
        for name in ("h_prev", "xw", "hw", "z", "h"):
            assert getattr(trace, name).shape == shape, name
        assert trace.x.shape == x.shape and trace.is_batch == (x.ndim == 3)
        assert trace.n_steps == T and trace.outputs is trace.h
        np.testing.assert_array_equal(trace.last, trace.h[..., -1, :])
        np.testing.assert_allclose(trace.z, trace.xw + trace.hw + b)
        np.testing.assert_allclose(trace.h, np.tanh(trace.z))
        np.testing.assert_array_equal(trace.h_prev[..., 1:, :], trace.h[..., :-1, :])
        assert not trace.h_prev[..., 0, :].any()  # h0 = 0 by default


def test_lstm_trace_shapes_and_consistency(X):
    rng = np.random.default_rng(6)
    trace = eq.lstm_forward(X, rng.normal(size=(N_INPUTS, 16)), rng.normal(size=(4, 16)), None)
    for name in ("h_prev", "c_prev", "i", "f", "o", "g", "c", "h"):
        assert getattr(trace, name).shape == (M, T, UNITS), name
    np.testing.assert_allclose(trace.h, trace.o * np.tanh(trace.c))
    np.testing.assert_allclose(trace.c, trace.f * trace.c_prev + trace.i * trace.g)
    for gate in (trace.i, trace.f, trace.o):
        assert ((gate > 0) & (gate < 1)).all()
    assert trace.last_c.shape == (M, UNITS)


def test_gru_trace_shapes_and_consistency(X):
    rng = np.random.default_rng(7)
    trace = eq.gru_forward(X[0], rng.normal(size=(N_INPUTS, 12)), rng.normal(size=(4, 12)), None)
    for name in ("h_prev", "z", "r", "g", "h"):
        assert getattr(trace, name).shape == (T, UNITS), name
    np.testing.assert_allclose(trace.h, trace.z * trace.h_prev + (1 - trace.z) * trace.g)
    assert trace.last.shape == (UNITS,)


def test_traces_are_frozen(X, simple_weights):
    trace = eq.simple_rnn_forward(X, *simple_weights)
    with pytest.raises(AttributeError):
        trace.h = None


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_bad_X_rank_and_features(simple_weights):
    with pytest.raises(ValueError, match=r"argument `X`.*rank 2.*got shape \(5,\)"):
        eq.simple_rnn_forward(np.zeros(5), *simple_weights)
    with pytest.raises(ValueError, match=r"argument `X`.*2 features.*got shape \(3, 7, 5\)"):
        eq.simple_rnn_forward(np.zeros((3, 7, 5)), *simple_weights)


def test_bad_weight_shapes(X, simple_weights):
    Wx, Wh, b = simple_weights
    with pytest.raises(ValueError, match=r"argument `Wh`.*\(4, 4\).*got shape \(4, 3\)"):
        eq.simple_rnn_forward(X, Wx, Wh[:, :3], b)
    with pytest.raises(ValueError, match=r"argument `b`.*got shape \(5,\)"):
        eq.simple_rnn_forward(X, Wx, Wh, np.zeros(5))
    with pytest.raises(ValueError, match=r"argument `W`.*\(6, 4\).*got shape \(7, 4\)"):
        eq.simple_rnn_forward_concat(X, np.zeros((7, 4)), b)
    with pytest.raises(ValueError, match=r"argument `kernel`.*got shape \(2, 12\)"):
        eq.lstm_forward(X, np.zeros((2, 12)), np.zeros((4, 16)), None)
    with pytest.raises(ValueError, match=r"argument `recurrent_kernel`.*got shape \(4, 12\)"):
        eq.lstm_forward(X, np.zeros((2, 16)), np.zeros((4, 12)), None)


def test_gru_bias_layout_hint(X):
    with pytest.raises(ValueError, match=r"argument `bias`.*\(2, 12\).*reset_after=False"):
        eq.gru_forward(X, np.zeros((2, 12)), np.zeros((4, 12)), np.zeros(12))
    with pytest.raises(ValueError, match=r"argument `bias`.*\(12,\).*reset_after=True"):
        eq.gru_forward(X, np.zeros((2, 12)), np.zeros((4, 12)), np.zeros((2, 12)), reset_after=False)


def test_bad_initial_state_and_activation(X, simple_weights):
    with pytest.raises(ValueError, match=r"argument `h0`.*got shape \(2, 4\)"):
        eq.simple_rnn_forward(X, *simple_weights, h0=np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"argument `activation`.*'softplus'"):
        eq.simple_rnn_forward(X, *simple_weights, activation="softplus")
    with pytest.raises(ValueError, match=r"argument `x_t`"):
        eq.simple_rnn_step(np.zeros((3, 5)), np.zeros((3, 4)), *simple_weights)
    shared = eq.simple_rnn_forward(X, *simple_weights, h0=np.ones(4))  # (n_neurons,) is shared
    np.testing.assert_array_equal(shared.h_prev[:, 0], np.ones((M, 4)))


def test_keras_bridge_errors(X):
    with pytest.raises(ValueError, match=r"argument `layer_or_cell`.*got Dense"):
        eq.weights_from_keras(keras.layers.Dense(3))
    with pytest.raises(ValueError, match=r"no weights yet"):
        eq.weights_from_keras(keras.layers.SimpleRNN(3))
    layer = randomized(keras.layers.SimpleRNN(UNITS), X)
    with pytest.raises(ValueError, match=r"argument `c0`"):
        eq.forward_from_keras(layer, X, c0=np.zeros((M, UNITS)))

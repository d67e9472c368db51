"""Backpropagation through time: autodiff norms, the NumPy algorithm, vanishing and exploding."""

import keras  # noqa: E402
import numpy as np
import pytest

from rnnbook import equations as eq  # first: rnnbook picks the Keras backend (JAX unless set)
from rnnbook.gradients import (
    hidden_state_gradient_norms,
    hidden_state_gradients,
    layer_gradient_norms,
    parameter_gradient_norm,
    simple_rnn_bptt_numpy,
)

M, T, N_INPUTS, UNITS = 4, 20, 1, 5


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return (
        rng.normal(size=(M, T, N_INPUTS)).astype("float32"),
        rng.normal(size=(M, UNITS)).astype("float32"),
    )


def simple_rnn(Wx, Wh, b, activation="tanh"):
    layer = keras.layers.SimpleRNN(UNITS, activation=activation)
    layer.build((None, None, Wx.shape[0]))
    layer.set_weights([np.asarray(w, "float32") for w in (Wx, Wh, b)])
    return layer


def random_weights(seed=1, scale=0.5):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(N_INPUTS, UNITS)),
        scale * rng.normal(size=(UNITS, UNITS)),
        0.1 * rng.normal(size=UNITS),
    )


@pytest.mark.parametrize("layer_class", [keras.layers.SimpleRNN, keras.layers.LSTM, keras.layers.GRU])
def test_one_finite_positive_norm_per_step(data, layer_class):
    X, y = data
    norms = hidden_state_gradient_norms(layer_class(UNITS), X, y)
    assert norms.shape == (T,)
    assert np.isfinite(norms).all() and (norms > 0).all()


def test_equals_numpy_bptt(data):
    X, y = data
    Wx, Wh, b = random_weights()
    layer = simple_rnn(Wx, Wh, b)
    grads = hidden_state_gradients(layer, X, y)  # (m, T, n_neurons)
    # L = mean((h(T) - y)^2) over the m * n_neurons values.
    h_last = eq.simple_rnn_forward(X, Wx, Wh, b).last
    result = simple_rnn_bptt_numpy(X, Wx, Wh, b, dL_dh_last=2 * (h_last - y) / y.size)
    assert grads.shape == result.dh.shape == (M, T, UNITS)
    scale = np.abs(result.dh).max()
    np.testing.assert_allclose(grads, result.dh, atol=1e-4 * scale)
    np.testing.assert_allclose(hidden_state_gradient_norms(layer, X, y), result.norms, rtol=1e-4)


def test_finite_difference_on_one_state(data):
    X, y = data
    Wx, Wh, b = random_weights()
    t, i, j, delta = 12, 2, 3, 1e-6
    grads = hidden_state_gradients(simple_rnn(Wx, Wh, b), X, y)
    h_t = eq.simple_rnn_forward(X[:, : t + 1], Wx, Wh, b).last

    def loss(shift):
        # Nudge one neuron of h(t) and finish the sequence from there (float64 NumPy).
        h0 = h_t.copy()
        h0[i, j] += shift
        h_last = eq.simple_rnn_forward(X[:, t + 1 :], Wx, Wh, b, h0=h0).last
        return np.mean((h_last - y) ** 2)

    numeric = (loss(delta) - loss(-delta)) / (2 * delta)
    np.testing.assert_allclose(grads[i, t, j], numeric, rtol=1e-3)


def test_numpy_bptt_weight_gradients_by_finite_differences(data):
    X, y = data
    X = X.astype(np.float64)
    Wx, Wh, b = random_weights()

    def loss(Wx, Wh, b):
        return np.mean((eq.simple_rnn_forward(X, Wx, Wh, b).last - y) ** 2)

    h_last = eq.simple_rnn_forward(X, Wx, Wh, b).last
    result = simple_rnn_bptt_numpy(X, Wx, Wh, b, dL_dh_last=2 * (h_last - y) / y.size)
    delta = 1e-6
    for name, index in (("dWx", (0, 1)), ("dWh", (2, 4)), ("db", (3,))):
        args = [w.copy() for w in (Wx, Wh, b)]
        k = ("dWx", "dWh", "db").index(name)
        args[k][index] += delta
        up = loss(*args)
        args[k][index] -= 2 * delta
        numeric = (up - loss(*args)) / (2 * delta)
        np.testing.assert_allclose(getattr(result, name)[index], numeric, rtol=1e-5)


def test_numpy_bptt_one_instance_equals_batch_row(data):
    X, y = data
    Wx, Wh, b = random_weights()
    g = np.random.default_rng(2).normal(size=(M, UNITS))
    batch = simple_rnn_bptt_numpy(X, Wx, Wh, b, g, activation="relu")
    one = simple_rnn_bptt_numpy(X[1], Wx, Wh, b, g[1], activation="relu")
    assert one.dh.shape == (T, UNITS) and one.norms.shape == (T,)
    np.testing.assert_allclose(one.dh, batch.dh[1])


def test_vanishing_gradients_with_small_recurrent_weights(data):
    X, y = data
    Wx, _, b = random_weights()
    q = np.linalg.qr(np.random.default_rng(3).normal(size=(UNITS, UNITS)))[0]
    norms = hidden_state_gradient_norms(simple_rnn(Wx, 0.5 * q, b), X, y)
    # |d h(t) / d h(t-1)| <= 0.5: the gradient shrinks at every step back in time.
    assert (np.diff(norms) > 0).all()
    assert norms[0] < 1e-4 * norms[-1]


def test_exploding_gradients_with_large_recurrent_weights_and_relu(data):
    X, y = data
    X = np.abs(X)  # positive inputs and weights keep every ReLU active
    Wx, b = np.abs(random_weights()[0]), np.zeros(UNITS)
    norms = hidden_state_gradient_norms(simple_rnn(Wx, 1.5 * np.eye(UNITS), b, "relu"), X, y)
    assert np.isfinite(norms).all()
    assert (np.diff(norms) < 0).all()
    assert norms[0] > 1e2 * norms[-1]


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.layers.LSTM(UNITS),
        lambda: keras.layers.GRU(UNITS, reset_after=False),
        lambda: keras.layers.LSTMCell(UNITS),
        lambda: keras.layers.RNN(keras.layers.GRUCell(UNITS)),
    ],
)
def test_gated_layers_and_cells(data, make):
    X, y = data
    norms = hidden_state_gradient_norms(make(), X, y)
    assert norms.shape == (T,) and np.isfinite(norms).all() and (norms > 0).all()


def test_lstm_last_gradient_is_the_loss_gradient(data):
    X, y = data
    layer = keras.layers.LSTM(UNITS)
    layer.build(X.shape)
    grads = hidden_state_gradients(layer, X, y)
    h_last = eq.forward_from_keras(layer, X).last
    np.testing.assert_allclose(grads[:, -1], 2 * (h_last - y) / y.size, atol=1e-6)


def test_dense_head_and_sequence_target(data):
    X, _ = data
    rng = np.random.default_rng(4)
    head = keras.layers.Dense(1)
    y = rng.normal(size=(M, 1))  # the head's output shape
    norms = hidden_state_gradient_norms(keras.layers.GRU(UNITS), X, y, head=head)
    assert norms.shape == (T,) and (norms > 0).all()
    # seq2seq: every output enters the loss, so dL/dh(T) is only the direct term.
    layer = keras.layers.SimpleRNN(UNITS)
    layer.build(X.shape)
    Y = rng.normal(size=(M, T, UNITS)).astype("float32")
    grads = hidden_state_gradients(layer, X, Y, outputs="sequence", loss="mae")
    h = eq.forward_from_keras(layer, X).h
    np.testing.assert_allclose(grads[:, -1], np.sign(h[:, -1] - Y[:, -1]) / Y.size, atol=1e-7)


def test_callable_loss_and_head(data):
    X, y = data
    layer = keras.layers.SimpleRNN(UNITS)
    mse = hidden_state_gradient_norms(layer, X, y)
    same = hidden_state_gradient_norms(
        layer, X, y, loss=keras.losses.mean_squared_error, head=lambda h: 1.0 * h
    )
    np.testing.assert_allclose(same, mse, rtol=1e-5)


def test_errors(data):
    X, y = data
    layer = keras.layers.SimpleRNN(UNITS)
    with pytest.raises(ValueError, match=r"`y`.*expected shape \(4, 5\).*got shape \(4, 1\)"):
        hidden_state_gradient_norms(layer, X, y[:, :1])
    with pytest.raises(ValueError, match=r"argument `X`.*rank 3.*got shape \(20, 1\)"):
        hidden_state_gradient_norms(layer, X[0], y)
    with pytest.raises(ValueError, match=r"argument `outputs`"):
        hidden_state_gradient_norms(layer, X, y, outputs="first")
    with pytest.raises(ValueError, match=r"argument `loss`"):
        hidden_state_gradient_norms(layer, X, y, loss="huber")
    with pytest.raises(ValueError, match=r"argument `layer_or_cell`"):
        hidden_state_gradient_norms(keras.layers.Dense(3), X, y)
    with pytest.raises(ValueError, match=r"argument `dL_dh_last`.*got shape \(5,\)"):
        simple_rnn_bptt_numpy(X, *random_weights(), dL_dh_last=np.zeros(UNITS))


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.layers.LSTM(UNITS),
        lambda: keras.layers.GRU(UNITS),
        lambda: keras.layers.GRU(UNITS, reset_after=False),
    ],
    ids=["lstm", "gru", "gru_reset_before"],
)
def test_gated_gradients_by_finite_differences(data, make):
    # dL/dh(t) of a gated layer, nudging one neuron of h(t) and finishing the sequence with the NumPy
    # equations in float64 (the LSTM's long-term state c(t) is held: the gradient is a partial one).
    X, y = data
    layer = make()
    layer.build(X.shape)
    rng = np.random.default_rng(3)
    layer.set_weights([0.6 * rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()])
    grads = hidden_state_gradients(layer, X, y)
    t, delta = 9, 1e-6
    head = eq.forward_from_keras(layer, X[:, : t + 1])
    c_t = head.c[:, -1] if hasattr(head, "c") else None
    for i, j in ((0, 0), (2, 3)):

        def loss(shift, i=i, j=j):
            h0 = head.h[:, -1].astype(np.float64).copy()
            h0[i, j] += shift
            rest = eq.forward_from_keras(layer, X[:, t + 1 :], h0=h0, c0=c_t)
            return np.mean((rest.last - y) ** 2)

        numeric = (loss(delta) - loss(-delta)) / (2 * delta)
        np.testing.assert_allclose(grads[i, t, j], numeric, rtol=2e-3, atol=1e-7)
    assert np.abs(grads[:, t]).max() > 1e-4  # not a trivially zero gradient


def test_lstm_cell_state_gradient_by_finite_differences(data):
    # dL/dc(t): nudge one neuron of c(t), recompute h(t) = o(t) * tanh(c(t)) from it (the path the
    # total derivative includes) and finish the sequence with the NumPy equations in float64.
    X, y = data
    layer = keras.layers.LSTM(UNITS)
    layer.build(X.shape)
    rng = np.random.default_rng(5)
    layer.set_weights([0.6 * rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()])
    grads = hidden_state_gradients(layer, X, y, state="c")
    t, delta = 9, 1e-6
    trace = eq.forward_from_keras(layer, X[:, : t + 1])
    for i, j in ((0, 0), (3, 2)):

        def loss(shift, i=i, j=j):
            c0 = trace.c[:, -1].astype(np.float64).copy()
            c0[i, j] += shift
            h0 = trace.o[:, -1] * np.tanh(c0)
            rest = eq.forward_from_keras(layer, X[:, t + 1 :], h0=h0, c0=c0)
            return np.mean((rest.last - y) ** 2)

        numeric = (loss(delta) - loss(-delta)) / (2 * delta)
        np.testing.assert_allclose(grads[i, t, j], numeric, rtol=2e-3, atol=1e-7)
    assert np.abs(grads[:, t]).max() > 1e-4  # not a trivially zero gradient
    # At the last step c(T) reaches the loss only through h(T) = o * tanh(c(T)).
    h_grads = hidden_state_gradients(layer, X, y)
    last = eq.forward_from_keras(layer, X)
    expected = h_grads[:, -1] * last.o[:, -1] * (1 - np.tanh(last.c[:, -1]) ** 2)
    np.testing.assert_allclose(grads[:, -1], expected, rtol=1e-4, atol=1e-7)
    # the norms follow the same state
    np.testing.assert_allclose(
        hidden_state_gradient_norms(layer, X, y, state="c"),
        np.sqrt((grads.astype(np.float64) ** 2).sum(axis=(0, 2))),
        rtol=1e-5,
    )


def test_cell_state_only_for_an_lstm(data):
    X, y = data
    with pytest.raises(ValueError, match=r"`state`, expected 'h' for a GRUCell.*got 'c'"):
        hidden_state_gradients(keras.layers.GRU(UNITS), X, y, state="c")
    with pytest.raises(ValueError, match=r"argument `state`"):
        hidden_state_gradients(keras.layers.LSTM(UNITS), X, y, state="x")


@pytest.fixture
def stacked_lstm(data):
    X, _ = data
    model = keras.Sequential(
        [
            keras.Input(X.shape[1:]),
            keras.layers.LSTM(UNITS, return_sequences=True),
            keras.layers.LSTM(UNITS, return_sequences=True),
            keras.layers.Dense(1),
        ]
    )
    rng = np.random.default_rng(6)
    model.set_weights([0.6 * rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def test_layer_gradient_norms_in_a_stack(data, stacked_lstm):
    # The model's last-step loss, through one layer: the layers below feed it, those above are the head.
    X, _ = data
    y = np.random.default_rng(7).normal(size=(M, 1)).astype("float32")
    first, second, dense = stacked_lstm.layers
    H1 = keras.ops.convert_to_numpy(first(X))
    np.testing.assert_allclose(
        layer_gradient_norms(stacked_lstm, -2, X, y),
        hidden_state_gradient_norms(second, H1, y, head=dense),
        rtol=1e-5,
    )
    for state in ("h", "c"):
        expected = hidden_state_gradient_norms(
            first, X, y, head=lambda H: dense(second(H))[:, -1], outputs="sequence", state=state
        )
        np.testing.assert_allclose(
            layer_gradient_norms(stacked_lstm, first, X, y, state=state), expected, rtol=1e-5
        )
    with pytest.raises(ValueError, match=r"argument `layer`, expected one of the model's layers"):
        layer_gradient_norms(stacked_lstm, keras.layers.LSTM(UNITS), X, y)


def test_parameter_gradient_norm_of_a_linear_model():
    # L = mean((X W + b - y)^2): dL/dW = 2 X^T r / m, dL/db = 2 sum(r) / m, r the residuals.
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    W, b = rng.normal(size=(3, 1)), rng.normal(size=1)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    for scale in (1.0, 3.0):  # a second model of the same architecture: its own weights count
        model.set_weights([(scale * W).astype("float32"), b.astype("float32")])
        r = X @ (scale * W) + b - y
        expected = np.sqrt(np.sum((2 * X.T @ r / 6) ** 2) + np.sum(2 * r.sum() / 6) ** 2)
        np.testing.assert_allclose(parameter_gradient_norm(model, X, y), expected, rtol=1e-5)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])


def test_layer_gradient_norms_in_a_seq2vec_stack(data):
    # A model that forecasts from its last state only: nothing to crop, the first layer's sequence
    # feeds the second, whose last state feeds the head.
    X, _ = data
    y = np.random.default_rng(9).normal(size=(M, 1)).astype("float32")
    model = keras.Sequential(
        [
            keras.Input(X.shape[1:]),
            keras.layers.SimpleRNN(UNITS, return_sequences=True),
            keras.layers.SimpleRNN(UNITS),
            keras.layers.Dense(1),
        ]
    )
    first, second, dense = model.layers
    expected = hidden_state_gradient_norms(first, X, y, head=lambda H: dense(second(H)), outputs="sequence")
    np.testing.assert_allclose(layer_gradient_norms(model, 0, X, y), expected, rtol=1e-5)
    np.testing.assert_allclose(
        layer_gradient_norms(model, np.int64(-2), X, y),
        hidden_state_gradient_norms(second, keras.ops.convert_to_numpy(first(X)), y, head=dense),
        rtol=1e-5,
    )
    for bad in (3, -4, True, "first"):
        with pytest.raises(ValueError, match=r"argument `layer`.*index \(-3 to 2\)"):
            layer_gradient_norms(model, bad, X, y)

"""The chapter's equations, executed: NumPy forward passes that reproduce Keras' recurrent layers.

Each function takes the weights of the matching Keras layer and unrolls the recurrence over a whole
sequence with nothing but NumPy, keeping every intermediate value at every time step -- "the
unrolled RNN" of the book's figures and widgets. The tests check that the outputs equal those of
``keras.layers.SimpleRNN``, ``LSTM`` and ``GRU`` to 1e-5.

Shapes follow the book: ``m`` instances per mini-batch, ``T`` time steps, ``n_inputs`` features per
step and ``n_neurons`` recurrent neurons (Keras' ``units``). A sequence is either one instance of
shape ``(T, n_inputs)`` (equation 15-1, column vectors) or a mini-batch of shape
``(m, T, n_inputs)`` (equation 15-2, one row per instance); every array of the returned trace has
the matching time axis: ``(T, n_neurons)`` or ``(m, T, n_neurons)``.

Computations run in float64 so that the reference is more exact than the float32 layer it checks.

Used in: book/02_recurrent_neurons, book/06_lstm_gru.

Example:

>>> import numpy as np
>>> from rnnbook import equations
>>> rng = np.random.default_rng(0)
>>> Wx, Wh, b = rng.normal(size=(1, 3)), rng.normal(size=(3, 3)) * 0.5, np.zeros(3)
>>> trace = equations.simple_rnn_forward(rng.normal(size=(4, 20, 1)), Wx, Wh, b)
>>> trace.h.shape, trace.last.shape   # (m, T, n_neurons), (m, n_neurons)
((4, 20, 3), (4, 3))
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "GRUTrace",
    "LSTMTrace",
    "SimpleRNNTrace",
    "concat_weights",
    "forward_from_keras",
    "gru_forward",
    "gru_step",
    "lstm_forward",
    "lstm_step",
    "simple_rnn_forward",
    "simple_rnn_forward_concat",
    "simple_rnn_step",
    "weights_from_keras",
]


def _sigmoid(z):
    # The two-branch form never overflows exp() for large |z|, unlike 1 / (1 + exp(-z)).
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _hard_sigmoid(z):
    # Keras 3's definition: relu6(z + 3) / 6 (Keras 2 used 0.2 z + 0.5).
    return np.clip((z + 3.0) / 6.0, 0.0, 1.0)


#: The activation functions the reference implementations understand, by Keras name.
ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": _sigmoid,
    "hard_sigmoid": _hard_sigmoid,
    "linear": lambda z: z,
}


def _activation(name: str, value):
    key = "linear" if value is None else value
    if key not in ACTIVATIONS:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected one of "
            f"{', '.join(repr(k) for k in ACTIVATIONS)}, got {value!r}."
        )
    return ACTIVATIONS[key]


# --------------------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------------------


def _array(name: str, value, ndim=None, what: str = "") -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected a numeric array, "
            f"got {type(value).__name__} ({error})."
        ) from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected an array of rank {ndim}"
            f"{' ' + what if what else ''}, got shape {array.shape}."
        )
    return array


def _expect_shape(name: str, array: np.ndarray, shape: tuple, what: str) -> np.ndarray:
    if array.shape != tuple(shape):
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected shape {tuple(shape)} "
            f"{what}, got shape {array.shape}."
        )
    return array


def _sequence(X, n_inputs: int, kernel_name: str):
    """``X`` as float64 plus whether it is one instance ``(T, n_inputs)`` rather than a batch."""
    X = _array("X", X)
    if X.ndim not in (2, 3):
        raise ValueError(
            "Received an invalid value for argument `X`, expected an array of rank 2 "
            f"(T, n_inputs) for one instance or rank 3 (m, T, n_inputs) for a mini-batch, "
            f"got shape {X.shape}."
        )
    if X.shape[-2] == 0:
        raise ValueError(
            f"Received an invalid value for argument `X`, expected at least one time step, "
            f"got shape {X.shape}."
        )
    if X.shape[-1] != n_inputs:
        raise ValueError(
            f"Received an invalid value for argument `X`, expected {n_inputs} features per time "
            f"step (the first dimension of `{kernel_name}`), got shape {X.shape}."
        )
    return X, X.ndim == 2


def _initial_state(name: str, value, X: np.ndarray, single: bool, units: int) -> np.ndarray:
    """A zero state by default; a ``(n_neurons,)`` state is shared by every instance of a batch."""
    batch_shape = () if single else (X.shape[0],)
    if value is None:
        return np.zeros(batch_shape + (units,))
    state = _array(name, value)
    if state.shape == (units,):
        return np.broadcast_to(state, batch_shape + (units,)).copy()
    if not single and state.shape == batch_shape + (units,):
        return state.copy()
    expected = f"({units},)" if single else f"({units},) or {batch_shape + (units,)}"
    raise ValueError(
        f"Received an invalid value for argument `{name}`, expected shape {expected} "
        f"(n_neurons = {units}) for `X` of shape {X.shape}, got shape {state.shape}."
    )


def _stack(steps, single: bool) -> np.ndarray:
    # Time is axis 0 for one instance and axis 1 for a batch, as in Keras' (m, T, ...) layout.
    return np.stack(steps, axis=0 if single else 1)


def _gate_weights(kernel, recurrent_kernel, n_gates: int):
    kernel = _array("kernel", kernel, 2, "(n_inputs, n_gates * n_neurons)")
    recurrent_kernel = _array(
        "recurrent_kernel", recurrent_kernel, 2, "(n_neurons, n_gates * n_neurons)"
    )
    units = recurrent_kernel.shape[0]
    _expect_shape(
        "recurrent_kernel", recurrent_kernel, (units, n_gates * units),
        f"(n_neurons, {n_gates} * n_neurons) with n_neurons = {units}",
    )
    if kernel.shape[1] != n_gates * units:
        raise ValueError(
            f"Received an invalid value for argument `kernel`, expected shape "
            f"({kernel.shape[0]}, {n_gates * units}) ({n_gates} * n_neurons columns to match "
            f"`recurrent_kernel` of shape {recurrent_kernel.shape}), got shape {kernel.shape}."
        )
    return kernel, recurrent_kernel, units


# --------------------------------------------------------------------------------------------------
# Traces
# --------------------------------------------------------------------------------------------------


class _Trace:
    """Conveniences shared by every trace: the output sequence and the last output."""

    @property
    def is_batch(self) -> bool:
        """``True`` for a mini-batch ``(m, T, ...)``, ``False`` for one instance ``(T, ...)``."""
        return self.x.ndim == 3

    @property
    def n_steps(self) -> int:
        """The number of time steps ``T``."""
        return self.h.shape[-2]

    @property
    def outputs(self) -> np.ndarray:
        """The output sequence ``h(1) ... h(T)`` -- what ``return_sequences=True`` returns."""
        return self.h

    @property
    def last(self) -> np.ndarray:
        """The last output ``h(T)`` -- what a recurrent layer returns by default."""
        return self.h[..., -1, :]


@dataclasses.dataclass(frozen=True, eq=False)
class SimpleRNNTrace(_Trace):
    """Every intermediate value of a simple RNN, time step by time step.

    ``z = xw + hw + b`` is the weighted sum before the activation and ``h = phi(z)``; every array
    has shape ``(T, n_neurons)`` for one instance or ``(m, T, n_neurons)`` for a mini-batch,
    except ``x``, which is the input sequence as given.

    Attributes:
        x: the inputs ``x(t)``, shape ``(T, n_inputs)`` or ``(m, T, n_inputs)``.
        h_prev: the previous outputs ``y(t-1)`` fed back in (``h_prev[..., 0, :]`` is ``h0``).
        xw: the input part ``X(t) W_x``.
        hw: the recurrent part ``Y(t-1) W_y``.
        z: the weighted sum ``X(t) W_x + Y(t-1) W_y + b``.
        h: the outputs ``Y(t) = phi(z)``.
    """

    x: np.ndarray
    h_prev: np.ndarray
    xw: np.ndarray
    hw: np.ndarray
    z: np.ndarray
    h: np.ndarray


@dataclasses.dataclass(frozen=True, eq=False)
class LSTMTrace(_Trace):
    """Every gate and state of an LSTM cell, time step by time step.

    Arrays have shape ``(T, n_neurons)`` for one instance or ``(m, T, n_neurons)`` for a batch.

    Attributes:
        x: the inputs ``x(t)``.
        h_prev: the short-term state ``h(t-1)`` entering each step.
        c_prev: the long-term state ``c(t-1)`` entering each step.
        i: the input gate.
        f: the forget gate.
        o: the output gate.
        g: the candidate ``g(t)`` (Keras calls its weights the ``c`` block).
        c: the long-term state ``c(t) = f * c(t-1) + i * g``.
        h: the short-term state and output ``h(t) = o * tanh(c(t))``.
    """

    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    i: np.ndarray
    f: np.ndarray
    o: np.ndarray
    g: np.ndarray
    c: np.ndarray
    h: np.ndarray

    @property
    def last_c(self) -> np.ndarray:
        """The last long-term state ``c(T)`` (Keras' second state with ``return_state``)."""
        return self.c[..., -1, :]


@dataclasses.dataclass(frozen=True, eq=False)
class GRUTrace(_Trace):
    """Every gate and state of a GRU cell, time step by time step.

    Arrays have shape ``(T, n_neurons)`` for one instance or ``(m, T, n_neurons)`` for a batch.

    Attributes:
        x: the inputs ``x(t)``.
        h_prev: the state ``h(t-1)`` entering each step.
        z: the update gate (Keras keeps ``z`` of the *old* state).
        r: the reset gate.
        g: the candidate state.
        h: the new state and output ``h(t) = z * h(t-1) + (1 - z) * g``.
    """

    x: np.ndarray
    h_prev: np.ndarray
    z: np.ndarray
    r: np.ndarray
    g: np.ndarray
    h: np.ndarray


# --------------------------------------------------------------------------------------------------
# Simple RNN: equations 15-1 and 15-2
# --------------------------------------------------------------------------------------------------


def _simple_rnn_weights(Wx, Wh, b):
    Wx = _array("Wx", Wx, 2, "(n_inputs, n_neurons)")
    units = Wx.shape[1]
    Wh = _expect_shape(
        "Wh", _array("Wh", Wh), (units, units),
        f"(n_neurons, n_neurons) to match `Wx` of shape {Wx.shape}",
    )
    b = np.zeros(units) if b is None else _array("b", b)
    _expect_shape("b", b, (units,), f"(n_neurons,) to match `Wx` of shape {Wx.shape}")
    return Wx, Wh, b


def _simple_rnn_parts(x_t, h_prev, Wx, Wh, b, phi):
    if x_t.ndim == 1:
        # Equation 15-1, one instance with column vectors: the weights are transposed.
        xw, hw = Wx.T @ x_t, Wh.T @ h_prev
    else:
        # Equation 15-2, a mini-batch with one instance per row: no transposes.
        xw, hw = x_t @ Wx, h_prev @ Wh
    z = xw + hw + b
    return xw, hw, z, phi(z)


def simple_rnn_step(x_t, h_prev, Wx, Wh, b, activation="tanh"):
    r"""One time step of a layer of recurrent neurons (equations 15-1 and 15-2).

    For one instance (vectors ``x_t``, ``h_prev``), equation 15-1:

    $$\mathbf{y}_{(t)} = \phi\left(\mathbf{W}_x^\intercal \mathbf{x}_{(t)}
      + \mathbf{W}_y^\intercal \mathbf{y}_{(t-1)} + \mathbf{b}\right)$$

    For a mini-batch (one instance per row), equation 15-2:

    $$\mathbf{Y}_{(t)} = \phi\left(\mathbf{X}_{(t)} \mathbf{W}_x
      + \mathbf{Y}_{(t-1)} \mathbf{W}_y + \mathbf{b}\right)$$

    Args:
        x_t: inputs at time ``t``, shape ``(n_inputs,)`` or ``(m, n_inputs)``.
        h_prev: outputs at time ``t - 1``, shape ``(n_neurons,)`` or ``(m, n_neurons)``.
        Wx: input weights, shape ``(n_inputs, n_neurons)`` (Keras' ``kernel``).
        Wh: recurrent weights ``W_y``, shape ``(n_neurons, n_neurons)`` (``recurrent_kernel``).
        b: bias, shape ``(n_neurons,)``; ``None`` for no bias.
        activation: ``"tanh"`` (Keras' default), ``"relu"``, ``"sigmoid"``, ``"hard_sigmoid"``
            or ``"linear"``.

    Returns:
        The outputs at time ``t``, shape ``(n_neurons,)`` or ``(m, n_neurons)``.

    Example:

    >>> Wx, Wh, b = np.ones((2, 3)), np.eye(3), np.zeros(3)
    >>> simple_rnn_step(np.zeros((5, 2)), np.zeros((5, 3)), Wx, Wh, b).shape  # (m, n_neurons)
    (5, 3)

    Used in: book/02_recurrent_neurons.
    """
    Wx, Wh, b = _simple_rnn_weights(Wx, Wh, b)
    phi = _activation("activation", activation)
    x_t = _array("x_t", x_t)
    if x_t.ndim not in (1, 2) or x_t.shape[-1] != Wx.shape[0]:
        raise ValueError(
            f"Received an invalid value for argument `x_t`, expected shape ({Wx.shape[0]},) or "
            f"(m, {Wx.shape[0]}) to match `Wx` of shape {Wx.shape}, got shape {x_t.shape}."
        )
    h_prev = _array("h_prev", h_prev)
    if h_prev.shape != x_t.shape[:-1] + (Wx.shape[1],):
        raise ValueError(
            f"Received an invalid value for argument `h_prev`, expected shape "
            f"{x_t.shape[:-1] + (Wx.shape[1],)} for `x_t` of shape {x_t.shape} and "
            f"n_neurons = {Wx.shape[1]}, got shape {h_prev.shape}."
        )
    return _simple_rnn_parts(x_t, h_prev, Wx, Wh, b, phi)[3]


def simple_rnn_forward(X, Wx, Wh, b, h0=None, activation="tanh") -> SimpleRNNTrace:
    r"""Unroll a layer of recurrent neurons through time (equations 15-1 and 15-2).

    At every time step ``t = 1 ... T``:

    $$\mathbf{Y}_{(t)} = \phi\left(\mathbf{X}_{(t)} \mathbf{W}_x
      + \mathbf{Y}_{(t-1)} \mathbf{W}_y + \mathbf{b}\right)$$

    with ``Y(0) = h0`` (zeros by default, as in Keras). ``X`` of shape ``(T, n_inputs)`` is one
    instance, computed with equation 15-1 (``W^T x``); ``(m, T, n_inputs)`` is a mini-batch,
    computed with equation 15-2. Equals ``keras.layers.SimpleRNN(n_neurons,
    return_sequences=True)`` with the same weights.

    Args:
        X: input sequences, shape ``(T, n_inputs)`` or ``(m, T, n_inputs)``.
        Wx: input weights, shape ``(n_inputs, n_neurons)`` (Keras' ``kernel``).
        Wh: recurrent weights ``W_y``, shape ``(n_neurons, n_neurons)`` (``recurrent_kernel``).
        b: bias, shape ``(n_neurons,)``; ``None`` for no bias.
        h0: initial state, shape ``(n_neurons,)`` (shared by all instances) or ``(m, n_neurons)``.
        activation: ``"tanh"`` (default), ``"relu"``, ``"sigmoid"``, ``"hard_sigmoid"`` or
            ``"linear"``.

    Returns:
        A `SimpleRNNTrace` with ``x, h_prev, xw, hw, z, h`` per time step, each of shape
        ``(T, n_neurons)`` or ``(m, T, n_neurons)``; ``.outputs`` and ``.last`` for the layer's
        outputs.

    Example:

    >>> rng = np.random.default_rng(42)
    >>> X = rng.normal(size=(32, 50, 1))                 # (m, T, n_inputs)
    >>> Wx, Wh, b = rng.normal(size=(1, 5)), 0.3 * rng.normal(size=(5, 5)), np.zeros(5)
    >>> trace = simple_rnn_forward(X, Wx, Wh, b)
    >>> trace.h.shape                                    # (m, T, n_neurons)
    (32, 50, 5)
    >>> simple_rnn_forward(X[0], Wx, Wh, b).h.shape      # (T, n_neurons): equation 15-1
    (50, 5)

    Used in: book/02_recurrent_neurons.
    """
    Wx, Wh, b = _simple_rnn_weights(Wx, Wh, b)
    phi = _activation("activation", activation)
    X, single = _sequence(X, Wx.shape[0], "Wx")
    h = _initial_state("h0", h0, X, single, Wx.shape[1])
    steps = []
    for t in range(X.shape[-2]):
        x_t = X[t] if single else X[:, t]
        xw, hw, z, h_new = _simple_rnn_parts(x_t, h, Wx, Wh, b, phi)
        steps.append((x_t, h, xw, hw, z, h_new))
        h = h_new
    x, h_prev, xw, hw, z, h = (_stack(part, single) for part in zip(*steps))
    return SimpleRNNTrace(x=X, h_prev=h_prev, xw=xw, hw=hw, z=z, h=h)


def concat_weights(Wx, Wh) -> np.ndarray:
    r"""Stack the input and recurrent weights into one matrix ``W = [W_x; W_y]``.

    $$\mathbf{W} = \begin{bmatrix} \mathbf{W}_x \\ \mathbf{W}_y \end{bmatrix}$$

    so that ``[X(t) Y(t-1)] W = X(t) W_x + Y(t-1) W_y`` (equation 15-2, second form).

    Args:
        Wx: input weights, shape ``(n_inputs, n_neurons)``.
        Wh: recurrent weights, shape ``(n_neurons, n_neurons)``.

    Returns:
        ``W`` of shape ``(n_inputs + n_neurons, n_neurons)``.

    Example:

    >>> concat_weights(np.ones((1, 3)), np.eye(3)).shape   # (n_inputs + n_neurons, n_neurons)
    (4, 3)

    Used in: book/02_recurrent_neurons.
    """
    Wx, Wh, _ = _simple_rnn_weights(Wx, Wh, None)
    return np.vstack([Wx, Wh])


def simple_rnn_forward_concat(X, W, b, h0=None, activation="tanh") -> SimpleRNNTrace:
    r"""Unroll a recurrent layer with the concatenated form of equation 15-2.

    $$\mathbf{Y}_{(t)} = \phi\left(\left[\mathbf{X}_{(t)} \; \mathbf{Y}_{(t-1)}\right]
      \mathbf{W} + \mathbf{b}\right), \qquad
      \mathbf{W} = \begin{bmatrix} \mathbf{W}_x \\ \mathbf{W}_y \end{bmatrix}$$

    One matrix product per step instead of two; the result equals `simple_rnn_forward` with
    ``W = concat_weights(Wx, Wh)``.

    Args:
        X: input sequences, shape ``(T, n_inputs)`` or ``(m, T, n_inputs)``.
        W: stacked weights, shape ``(n_inputs + n_neurons, n_neurons)`` (see `concat_weights`).
        b: bias, shape ``(n_neurons,)``; ``None`` for no bias.
        h0: initial state, shape ``(n_neurons,)`` or ``(m, n_neurons)``; zeros by default.
        activation: as in `simple_rnn_forward`.

    Returns:
        A `SimpleRNNTrace`; ``z`` comes from the single product, ``xw`` and ``hw`` from the two
        blocks of ``W`` so the widgets can show both parts.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> Wx, Wh = rng.normal(size=(1, 5)), 0.3 * rng.normal(size=(5, 5))
    >>> X = rng.normal(size=(8, 30, 1))                          # (m, T, n_inputs)
    >>> trace = simple_rnn_forward_concat(X, concat_weights(Wx, Wh), np.zeros(5))
    >>> np.allclose(trace.h, simple_rnn_forward(X, Wx, Wh, np.zeros(5)).h)
    True

    Used in: book/02_recurrent_neurons.
    """
    W = _array("W", W, 2, "(n_inputs + n_neurons, n_neurons)")
    units = W.shape[1]
    phi = _activation("activation", activation)
    X = _array("X", X)
    n_inputs = W.shape[0] - units
    if n_inputs < 1:
        raise ValueError(
            f"Received an invalid value for argument `W`, expected shape "
            f"(n_inputs + n_neurons, n_neurons) with at least one input row, got shape {W.shape}."
        )
    if X.ndim in (2, 3) and X.shape[-1] != n_inputs:
        raise ValueError(
            f"Received an invalid value for argument `W`, expected shape "
            f"({X.shape[-1] + units}, {units}) (n_inputs + n_neurons rows for `X` of shape "
            f"{X.shape}), got shape {W.shape}."
        )
    X, single = _sequence(X, n_inputs, "W")
    b = np.zeros(units) if b is None else _expect_shape(
        "b", _array("b", b), (units,), f"(n_neurons,) to match `W` of shape {W.shape}"
    )
    h = _initial_state("h0", h0, X, single, units)
    Wx, Wh = W[:n_inputs], W[n_inputs:]
    steps = []
    for t in range(X.shape[-2]):
        x_t = X[t] if single else X[:, t]
        xh = np.concatenate([x_t, h], axis=-1)  # [X(t) Y(t-1)]: one row per instance
        z = xh @ W + b
        h_new = phi(z)
        steps.append((x_t, h, x_t @ Wx, h @ Wh, z, h_new))
        h = h_new
    x, h_prev, xw, hw, z, h = (_stack(part, single) for part in zip(*steps))
    return SimpleRNNTrace(x=X, h_prev=h_prev, xw=xw, hw=hw, z=z, h=h)


# --------------------------------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------------------------------


def _lstm_parts(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, act, rec_act):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    # Keras orders the four blocks of columns i, f, c (our g), o.
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=-1)
    i, f, g, o = rec_act(z_i), rec_act(z_f), act(z_g), rec_act(z_o)
    c = f * c_prev + i * g
    h = o * act(c)
    return i, f, o, g, c, h


def _lstm_weights(kernel, recurrent_kernel, bias):
    kernel, recurrent_kernel, units = _gate_weights(kernel, recurrent_kernel, 4)
    bias = np.zeros(4 * units) if bias is None else _array("bias", bias)
    _expect_shape("bias", bias, (4 * units,), f"(4 * n_neurons,) with n_neurons = {units}")
    return kernel, recurrent_kernel, bias, units


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, activation="tanh",
              recurrent_activation="sigmoid"):
    r"""One time step of an LSTM cell; returns ``(h, c)``.

    See `lstm_forward` for the equations.

    Args:
        x_t: inputs at time ``t``, shape ``(m, n_inputs)`` (or ``(n_inputs,)``).
        h_prev: short-term state ``h(t-1)``, shape ``(m, n_neurons)`` (or ``(n_neurons,)``).
        c_prev: long-term state ``c(t-1)``, same shape as ``h_prev``.
        kernel: shape ``(n_inputs, 4 * n_neurons)``, blocks of columns ``i, f, g, o``.
        recurrent_kernel: shape ``(n_neurons, 4 * n_neurons)``, same blocks.
        bias: shape ``(4 * n_neurons,)``; ``None`` for no bias.
        activation: activation of ``g`` and of ``c`` in ``h`` (``"tanh"``).
        recurrent_activation: activation of the gates (``"sigmoid"``).

    Returns:
        A tuple ``(h, c)``, each of the shape of ``h_prev``.

    Example:

    >>> h, c = lstm_step(np.ones((2, 1)), np.zeros((2, 3)), np.zeros((2, 3)),
    ...                  np.ones((1, 12)), np.zeros((3, 12)), np.zeros(12))
    >>> h.shape, c.shape                                  # (m, n_neurons) each
    ((2, 3), (2, 3))

    Used in: book/06_lstm_gru.
    """
    kernel, recurrent_kernel, bias, units = _lstm_weights(kernel, recurrent_kernel, bias)
    x_t = _array("x_t", x_t)
    if x_t.ndim not in (1, 2) or x_t.shape[-1] != kernel.shape[0]:
        raise ValueError(
            f"Received an invalid value for argument `x_t`, expected shape (m, {kernel.shape[0]}) "
            f"to match `kernel` of shape {kernel.shape}, got shape {x_t.shape}."
        )
    state_shape = x_t.shape[:-1] + (units,)
    h_prev = _expect_shape("h_prev", _array("h_prev", h_prev), state_shape, "(m, n_neurons)")
    c_prev = _expect_shape("c_prev", _array("c_prev", c_prev), state_shape, "(m, n_neurons)")
    act = _activation("activation", activation)
    rec_act = _activation("recurrent_activation", recurrent_activation)
    *_, c, h = _lstm_parts(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, act, rec_act)
    return h, c


def lstm_forward(X, kernel, recurrent_kernel, bias, h0=None, c0=None, *, activation="tanh",
                 recurrent_activation="sigmoid") -> LSTMTrace:
    r"""Unroll an LSTM cell through time with Keras' weight layout.

    $$\begin{aligned}
    \mathbf{i}_{(t)} &= \sigma(\mathbf{W}_{xi}^\intercal \mathbf{x}_{(t)}
        + \mathbf{W}_{hi}^\intercal \mathbf{h}_{(t-1)} + \mathbf{b}_i) \\
    \mathbf{f}_{(t)} &= \sigma(\mathbf{W}_{xf}^\intercal \mathbf{x}_{(t)}
        + \mathbf{W}_{hf}^\intercal \mathbf{h}_{(t-1)} + \mathbf{b}_f) \\
    \mathbf{o}_{(t)} &= \sigma(\mathbf{W}_{xo}^\intercal \mathbf{x}_{(t)}
        + \mathbf{W}_{ho}^\intercal \mathbf{h}_{(t-1)} + \mathbf{b}_o) \\
    \mathbf{g}_{(t)} &= \tanh(\mathbf{W}_{xg}^\intercal \mathbf{x}_{(t)}
        + \mathbf{W}_{hg}^\intercal \mathbf{h}_{(t-1)} + \mathbf{b}_g) \\
    \mathbf{c}_{(t)} &= \mathbf{f}_{(t)} \otimes \mathbf{c}_{(t-1)}
        + \mathbf{i}_{(t)} \otimes \mathbf{g}_{(t)} \\
    \mathbf{y}_{(t)} = \mathbf{h}_{(t)} &= \mathbf{o}_{(t)} \otimes \tanh(\mathbf{c}_{(t)})
    \end{aligned}$$

    Keras stores the four weight matrices side by side in the column order ``i, f, c, o`` (its
    ``c`` block is the book's ``g``). ``unit_forget_bias=True`` only initializes ``b_f`` to 1; it
    changes nothing here. Equals ``keras.layers.LSTM(n_neurons, return_sequences=True)``.

    Args:
        X: input sequences, shape ``(T, n_inputs)`` or ``(m, T, n_inputs)``.
        kernel: shape ``(n_inputs, 4 * n_neurons)``.
        recurrent_kernel: shape ``(n_neurons, 4 * n_neurons)``.
        bias: shape ``(4 * n_neurons,)``; ``None`` for no bias.
        h0: initial short-term state, ``(n_neurons,)`` or ``(m, n_neurons)``; zeros by default.
        c0: initial long-term state, same shapes; zeros by default.
        activation: activation of ``g`` and of ``c`` in ``h`` (``"tanh"``).
        recurrent_activation: activation of the gates (``"sigmoid"``).

    Returns:
        An `LSTMTrace` with ``i, f, o, g, c, h`` (and ``x, h_prev, c_prev``) per time step, each of
        shape ``(T, n_neurons)`` or ``(m, T, n_neurons)``.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(4, 25, 2))                   # (m, T, n_inputs)
    >>> kernel, rec = rng.normal(size=(2, 12)), rng.normal(size=(3, 12))  # n_neurons = 3
    >>> trace = lstm_forward(X, kernel, rec, np.zeros(12))
    >>> trace.c.shape, trace.last.shape                   # (m, T, n_neurons), (m, n_neurons)
    ((4, 25, 3), (4, 3))
    >>> np.allclose(trace.h, trace.o * np.tanh(trace.c))
    True

    Used in: book/06_lstm_gru.
    """
    kernel, recurrent_kernel, bias, units = _lstm_weights(kernel, recurrent_kernel, bias)
    act = _activation("activation", activation)
    rec_act = _activation("recurrent_activation", recurrent_activation)
    X, single = _sequence(X, kernel.shape[0], "kernel")
    h = _initial_state("h0", h0, X, single, units)
    c = _initial_state("c0", c0, X, single, units)
    steps = []
    for t in range(X.shape[-2]):
        x_t = X[t] if single else X[:, t]
        i, f, o, g, c_new, h_new = _lstm_parts(
            x_t, h, c, kernel, recurrent_kernel, bias, act, rec_act
        )
        steps.append((h, c, i, f, o, g, c_new, h_new))
        h, c = h_new, c_new
    h_prev, c_prev, i, f, o, g, c, h = (_stack(part, single) for part in zip(*steps))
    return LSTMTrace(x=X, h_prev=h_prev, c_prev=c_prev, i=i, f=f, o=o, g=g, c=c, h=h)


# --------------------------------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------------------------------


def _gru_weights(kernel, recurrent_kernel, bias, reset_after):
    kernel, recurrent_kernel, units = _gate_weights(kernel, recurrent_kernel, 3)
    if not isinstance(reset_after, bool):
        raise ValueError(
            f"Received an invalid value for argument `reset_after`, expected True or False, "
            f"got {reset_after!r}."
        )
    shape = (2, 3 * units) if reset_after else (3 * units,)
    if bias is None:
        return kernel, recurrent_kernel, np.zeros(shape), units
    bias = _array("bias", bias)
    if bias.shape != shape:
        hint = ""
        if bias.shape == (3 * units,):
            hint = " (a bias of shape (3 * n_neurons,) belongs to a GRU with reset_after=False)"
        elif bias.shape == (2, 3 * units):
            hint = " (a bias of shape (2, 3 * n_neurons) belongs to a GRU with reset_after=True)"
        raise ValueError(
            f"Received an invalid value for argument `bias`, expected shape {shape} for "
            f"reset_after={reset_after} and n_neurons = {units}{hint}, got shape {bias.shape}."
        )
    return kernel, recurrent_kernel, bias, units


def _gru_parts(x_t, h_prev, kernel, recurrent_kernel, bias, reset_after, act, rec_act):
    units = recurrent_kernel.shape[0]
    # reset_after=True (Keras 3's default, the cuDNN variant) has two biases: one for the inputs,
    # one for the recurrent part, because the reset gate multiplies the recurrent product.
    input_bias = bias[0] if reset_after else bias
    x_z, x_r, x_g = np.split(x_t @ kernel + input_bias, 3, axis=-1)
    if reset_after:
        h_z, h_r, h_g = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
    else:
        h_z, h_r = np.split(h_prev @ recurrent_kernel[:, : 2 * units], 2, axis=-1)
    z = rec_act(x_z + h_z)
    r = rec_act(x_r + h_r)
    if reset_after:
        g = act(x_g + r * h_g)  # reset after the product: r * (h W_hg + b_hg)
    else:
        g = act(x_g + (r * h_prev) @ recurrent_kernel[:, 2 * units:])  # the book's form
    # z is the fraction of the old state kept, as in Cho et al. (2014, eq. 7), Keras and eq-gru; Chung et
    # al. (2014) and many figures swap z and 1 - z.
    h = z * h_prev + (1.0 - z) * g
    return z, r, g, h


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias, reset_after=True, activation="tanh",
             recurrent_activation="sigmoid"):
    r"""One time step of a GRU cell; returns ``h(t)``.

    See `gru_forward` for the equations.

    Args:
        x_t: inputs at time ``t``, shape ``(m, n_inputs)`` (or ``(n_inputs,)``).
        h_prev: state ``h(t-1)``, shape ``(m, n_neurons)`` (or ``(n_neurons,)``).
        kernel: shape ``(n_inputs, 3 * n_neurons)``, blocks of columns ``z, r, g``.
        recurrent_kernel: shape ``(n_neurons, 3 * n_neurons)``, same blocks.
        bias: shape ``(2, 3 * n_neurons)`` if ``reset_after`` else ``(3 * n_neurons,)``; ``None``
            for no bias.
        reset_after: Keras' ``reset_after`` (``True`` by default in Keras 3).
        activation: activation of the candidate ``g`` (``"tanh"``).
        recurrent_activation: activation of the gates (``"sigmoid"``).

    Returns:
        The new state, shape of ``h_prev``.

    Example:

    >>> gru_step(np.ones((2, 1)), np.zeros((2, 3)), np.ones((1, 9)), np.zeros((3, 9)),
    ...          np.zeros((2, 9))).shape                  # (m, n_neurons)
    (2, 3)

    Used in: book/06_lstm_gru.
    """
    kernel, recurrent_kernel, bias, units = _gru_weights(
        kernel, recurrent_kernel, bias, reset_after
    )
    x_t = _array("x_t", x_t)
    if x_t.ndim not in (1, 2) or x_t.shape[-1] != kernel.shape[0]:
        raise ValueError(
            f"Received an invalid value for argument `x_t`, expected shape (m, {kernel.shape[0]}) "
            f"to match `kernel` of shape {kernel.shape}, got shape {x_t.shape}."
        )
    h_prev = _expect_shape(
        "h_prev", _array("h_prev", h_prev), x_t.shape[:-1] + (units,), "(m, n_neurons)"
    )
    act = _activation("activation", activation)
    rec_act = _activation("recurrent_activation", recurrent_activation)
    return _gru_parts(x_t, h_prev, kernel, recurrent_kernel, bias, reset_after, act, rec_act)[3]


def gru_forward(X, kernel, recurrent_kernel, bias, reset_after=True, h0=None, *,
                activation="tanh", recurrent_activation="sigmoid") -> GRUTrace:
    r"""Unroll a GRU cell through time with Keras' weight layout.

    $$\begin{aligned}
    \mathbf{z}_{(t)} &= \sigma(\mathbf{W}_{xz}^\intercal \mathbf{x}_{(t)}
        + \mathbf{W}_{hz}^\intercal \mathbf{h}_{(t-1)} + \mathbf{b}_z) \\
    \mathbf{r}_{(t)} &= \sigma(\mathbf{W}_{xr}^\intercal \mathbf{x}_{(t)}
        + \mathbf{W}_{hr}^\intercal \mathbf{h}_{(t-1)} + \mathbf{b}_r) \\
    \mathbf{g}_{(t)} &= \tanh(\mathbf{W}_{xg}^\intercal \mathbf{x}_{(t)}
        + \mathbf{W}_{hg}^\intercal (\mathbf{r}_{(t)} \otimes \mathbf{h}_{(t-1)}) + \mathbf{b}_g) \\
    \mathbf{h}_{(t)} &= \mathbf{z}_{(t)} \otimes \mathbf{h}_{(t-1)}
        + (1 - \mathbf{z}_{(t)}) \otimes \mathbf{g}_{(t)}
    \end{aligned}$$

    That is ``reset_after=False``. With ``reset_after=True`` (Keras 3's default) the reset gate
    multiplies the recurrent product instead, and the recurrent part has its own bias:
    ``g = tanh(W_xg^T x + b_xg + r * (W_hg^T h(t-1) + b_hg))``. Keras' ``z`` weighs the *old*
    state, where the book's figure has ``(1 - z)``: the same model with ``z`` flipped. Equals
    ``keras.layers.GRU(n_neurons, return_sequences=True, reset_after=...)``.

    Args:
        X: input sequences, shape ``(T, n_inputs)`` or ``(m, T, n_inputs)``.
        kernel: shape ``(n_inputs, 3 * n_neurons)``, blocks of columns ``z, r, g``.
        recurrent_kernel: shape ``(n_neurons, 3 * n_neurons)``.
        bias: shape ``(2, 3 * n_neurons)`` (input bias, recurrent bias) if ``reset_after`` else
            ``(3 * n_neurons,)``; ``None`` for no bias.
        reset_after: Keras' ``reset_after``.
        h0: initial state, ``(n_neurons,)`` or ``(m, n_neurons)``; zeros by default.
        activation: activation of ``g`` (``"tanh"``).
        recurrent_activation: activation of the gates (``"sigmoid"``).

    Returns:
        A `GRUTrace` with ``z, r, g, h`` (and ``x, h_prev``) per time step, each of shape
        ``(T, n_neurons)`` or ``(m, T, n_neurons)``.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(4, 25, 2))                   # (m, T, n_inputs)
    >>> kernel, rec = rng.normal(size=(2, 9)), rng.normal(size=(3, 9))    # n_neurons = 3
    >>> gru_forward(X, kernel, rec, np.zeros((2, 9))).z.shape              # (m, T, n_neurons)
    (4, 25, 3)

    Used in: book/06_lstm_gru.
    """
    kernel, recurrent_kernel, bias, units = _gru_weights(
        kernel, recurrent_kernel, bias, reset_after
    )
    act = _activation("activation", activation)
    rec_act = _activation("recurrent_activation", recurrent_activation)
    X, single = _sequence(X, kernel.shape[0], "kernel")
    h = _initial_state("h0", h0, X, single, units)
    steps = []
    for t in range(X.shape[-2]):
        x_t = X[t] if single else X[:, t]
        z, r, g, h_new = _gru_parts(
            x_t, h, kernel, recurrent_kernel, bias, reset_after, act, rec_act
        )
        steps.append((h, z, r, g, h_new))
        h = h_new
    h_prev, z, r, g, h = (_stack(part, single) for part in zip(*steps))
    return GRUTrace(x=X, h_prev=h_prev, z=z, r=r, g=g, h=h)


# --------------------------------------------------------------------------------------------------
# Keras bridge
# --------------------------------------------------------------------------------------------------


def _keras_cell(layer_or_cell):
    """``(kind, cell)`` for a SimpleRNN/LSTM/GRU layer, cell, or ``RNN(cell)`` wrapper."""
    import keras

    cell = getattr(layer_or_cell, "cell", layer_or_cell)
    for kind, cls in (
        ("simple_rnn", keras.layers.SimpleRNNCell),
        ("lstm", keras.layers.LSTMCell),
        ("gru", keras.layers.GRUCell),
    ):
        if isinstance(cell, cls):
            return kind, cell
    raise ValueError(
        "Received an invalid value for argument `layer_or_cell`, expected a keras.layers "
        "SimpleRNN, LSTM or GRU layer, one of their cells, or an RNN wrapping one of those cells, "
        f"got {type(layer_or_cell).__name__}."
    )


def _activation_name(cell, attribute: str) -> str:
    import keras

    name = keras.activations.serialize(getattr(cell, attribute))
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"The {attribute} of {cell.name!r} is {name!r}; the reference implementations support "
            f"{', '.join(repr(k) for k in ACTIVATIONS)}."
        )
    return name


def _keras_config(layer_or_cell) -> dict:
    """Everything the forward functions need besides the weights: kind, activations, layout."""
    kind, cell = _keras_cell(layer_or_cell)
    config = {"kind": kind, "activation": _activation_name(cell, "activation")}
    if kind != "simple_rnn":
        config["recurrent_activation"] = _activation_name(cell, "recurrent_activation")
    if kind == "gru":
        config["reset_after"] = bool(cell.reset_after)
    config["go_backwards"] = bool(getattr(layer_or_cell, "go_backwards", False))
    return config


def weights_from_keras(layer_or_cell) -> dict:
    """The weights of a Keras recurrent layer or cell as NumPy arrays, named as our arguments.

    The keys match the weight arguments of the forward function for that kind of cell, so
    ``simple_rnn_forward(X, **weights_from_keras(layer))`` works (for a GRU, pass
    ``reset_after=layer.reset_after`` too, or use `forward_from_keras`). A layer built with
    ``use_bias=False`` gets a zero bias of the usual shape.

    Args:
        layer_or_cell: a built ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``, one of their
            cells, or a ``keras.layers.RNN`` wrapping such a cell.

    Returns:
        For a simple RNN ``{"Wx": (n_inputs, n_neurons), "Wh": (n_neurons, n_neurons),
        "b": (n_neurons,)}``; for an LSTM ``{"kernel": (n_inputs, 4 n_neurons),
        "recurrent_kernel": (n_neurons, 4 n_neurons), "bias": (4 n_neurons,)}``; for a GRU the
        same keys with ``3 n_neurons`` columns and a bias of shape ``(2, 3 n_neurons)``
        (``reset_after=True``) or ``(3 n_neurons,)``.

    Example:

    >>> import keras
    >>> layer = keras.layers.SimpleRNN(5)
    >>> _ = layer(np.zeros((1, 10, 1), dtype="float32"))   # builds the layer
    >>> {k: v.shape for k, v in weights_from_keras(layer).items()}
    {'Wx': (1, 5), 'Wh': (5, 5), 'b': (5,)}

    Used in: book/02_recurrent_neurons, book/06_lstm_gru.
    """
    kind, cell = _keras_cell(layer_or_cell)
    if not cell.built:
        raise ValueError(
            f"Received an invalid value for argument `layer_or_cell`: {cell.name!r} has no weights "
            "yet; call it on a batch (or call `build(input_shape)`) first."
        )
    import keras

    def numpy(variable):
        # Via a plain tensor: converting a Variable directly trips NumPy 2's `copy`
        # DeprecationWarning on some backends.
        tensor = keras.ops.copy(variable)
        return np.asarray(keras.ops.convert_to_numpy(tensor), dtype=np.float64)

    kernel, recurrent = numpy(cell.kernel), numpy(cell.recurrent_kernel)
    units = recurrent.shape[0]
    if cell.use_bias:
        bias = numpy(cell.bias)
    elif kind == "gru" and cell.reset_after:
        bias = np.zeros((2, 3 * units))
    else:
        bias = np.zeros(kernel.shape[1])
    if kind == "simple_rnn":
        return {"Wx": kernel, "Wh": recurrent, "b": bias}
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}


def forward_from_keras(layer, X, h0=None, c0=None):
    """Run the NumPy reference of a Keras recurrent layer (or cell) on ``X``.

    Reads the weights (`weights_from_keras`), the activations and, for a GRU, ``reset_after``,
    then calls `simple_rnn_forward`, `lstm_forward` or `gru_forward`. A layer with
    ``go_backwards=True`` reads ``X`` from the last step to the first; the trace is then in that
    processing order, like the layer's ``return_sequences=True`` output.

    Args:
        layer: a built ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``, a cell, or an ``RNN``
            wrapper around one.
        X: input sequences, shape ``(T, n_inputs)`` or ``(m, T, n_inputs)``.
        h0: initial (short-term) state, ``(n_neurons,)`` or ``(m, n_neurons)``; zeros by default.
        c0: initial long-term state of an LSTM; must stay ``None`` for other cells.

    Returns:
        A `SimpleRNNTrace`, `LSTMTrace` or `GRUTrace`.

    Example:

    >>> import keras
    >>> X = np.random.default_rng(0).normal(size=(3, 20, 1)).astype("float32")  # (m, T, n_inputs)
    >>> layer = keras.layers.GRU(4, return_sequences=True)
    >>> Y = keras.ops.convert_to_numpy(layer(X))                                # (m, T, n_neurons)
    >>> trace = forward_from_keras(layer, X)
    >>> bool(np.allclose(trace.h, Y, atol=1e-5))
    True

    Used in: book/02_recurrent_neurons, book/06_lstm_gru.
    """
    config = _keras_config(layer)
    weights = weights_from_keras(layer)
    X = _array("X", X)
    if config["go_backwards"] and X.ndim in (2, 3):
        X = np.flip(X, axis=-2)
    if config["kind"] == "simple_rnn":
        if c0 is not None:
            raise ValueError(
                "Received an invalid value for argument `c0`, expected None (only an LSTM has a "
                f"long-term state), got an array of shape {np.shape(c0)}."
            )
        return simple_rnn_forward(X, **weights, h0=h0, activation=config["activation"])
    activations = {
        "activation": config["activation"],
        "recurrent_activation": config["recurrent_activation"],
    }
    if config["kind"] == "lstm":
        return lstm_forward(X, **weights, h0=h0, c0=c0, **activations)
    if c0 is not None:
        raise ValueError(
            "Received an invalid value for argument `c0`, expected None (only an LSTM has a "
            f"long-term state), got an array of shape {np.shape(c0)}."
        )
    return gru_forward(X, **weights, reset_after=config["reset_after"], h0=h0, **activations)

"""Simple RNN: equations 15-1 and 15-2, per step and unrolled, separate and concatenated weights.

Used in: book/02_recurrent_neurons.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnbook._checks import check_array, check_shape
from rnnbook.equations import cells
from rnnbook.equations.base import (
    Trace,
    activation_function,
    as_sequence,
    initial_state,
    stack_steps,
)

__all__ = [
    "SimpleRNNTrace",
    "concat_weights",
    "simple_rnn_forward",
    "simple_rnn_forward_concat",
    "simple_rnn_step",
    "simple_rnn_weights",
]


@dataclasses.dataclass(frozen=True, eq=False)
class SimpleRNNTrace(Trace):
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


def simple_rnn_weights(Wx, Wh, b):
    """``(Wx, Wh, b)`` checked against each other and as float64 (``b=None``: zeros)."""
    Wx = check_array("Wx", Wx, 2, "(n_inputs, n_neurons)")
    units = Wx.shape[1]
    Wh = check_shape(
        "Wh",
        check_array("Wh", Wh),
        (units, units),
        f"(n_neurons, n_neurons) to match `Wx` of shape {Wx.shape}",
    )
    b = np.zeros(units) if b is None else check_array("b", b)
    check_shape("b", b, (units,), f"(n_neurons,) to match `Wx` of shape {Wx.shape}")
    return Wx, Wh, b


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

    Used in: not in the book (`simple_rnn_forward` unrolls it).
    """
    Wx, Wh, b = simple_rnn_weights(Wx, Wh, b)
    phi = activation_function("activation", activation)
    x_t = check_array("x_t", x_t)
    if x_t.ndim not in (1, 2) or x_t.shape[-1] != Wx.shape[0]:
        raise ValueError(
            f"Received an invalid value for argument `x_t`, expected shape ({Wx.shape[0]},) or "
            f"(m, {Wx.shape[0]}) to match `Wx` of shape {Wx.shape}, got shape {x_t.shape}."
        )
    h_prev = check_array("h_prev", h_prev)
    if h_prev.shape != x_t.shape[:-1] + (Wx.shape[1],):
        raise ValueError(
            f"Received an invalid value for argument `h_prev`, expected shape "
            f"{x_t.shape[:-1] + (Wx.shape[1],)} for `x_t` of shape {x_t.shape} and "
            f"n_neurons = {Wx.shape[1]}, got shape {h_prev.shape}."
        )
    return cells.simple_rnn_parts(x_t, h_prev, Wx, Wh, b, phi)[3]


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
    Wx, Wh, b = simple_rnn_weights(Wx, Wh, b)
    phi = activation_function("activation", activation)
    X, single = as_sequence(X, Wx.shape[0], "Wx")
    h = initial_state("h0", h0, X, single, Wx.shape[1])
    steps = []
    for t in range(X.shape[-2]):
        x_t = X[t] if single else X[:, t]
        xw, hw, z, h_new = cells.simple_rnn_parts(x_t, h, Wx, Wh, b, phi)
        steps.append((x_t, h, xw, hw, z, h_new))
        h = h_new
    x, h_prev, xw, hw, z, h = (stack_steps(part, single) for part in zip(*steps))
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
    Wx, Wh, _ = simple_rnn_weights(Wx, Wh, None)
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
    W = check_array("W", W, 2, "(n_inputs + n_neurons, n_neurons)")
    units = W.shape[1]
    phi = activation_function("activation", activation)
    X = check_array("X", X)
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
    X, single = as_sequence(X, n_inputs, "W")
    b = (
        np.zeros(units)
        if b is None
        else check_shape("b", check_array("b", b), (units,), f"(n_neurons,) to match `W` of shape {W.shape}")
    )
    h = initial_state("h0", h0, X, single, units)
    Wx, Wh = W[:n_inputs], W[n_inputs:]
    steps = []
    for t in range(X.shape[-2]):
        x_t = X[t] if single else X[:, t]
        xh = np.concatenate([x_t, h], axis=-1)  # [X(t) Y(t-1)]: one row per instance
        z = xh @ W + b
        h_new = phi(z)
        steps.append((x_t, h, x_t @ Wx, h @ Wh, z, h_new))
        h = h_new
    x, h_prev, xw, hw, z, h = (stack_steps(part, single) for part in zip(*steps))
    return SimpleRNNTrace(x=X, h_prev=h_prev, xw=xw, hw=hw, z=z, h=h)

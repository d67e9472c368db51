"""LSTM cell (Hochreiter and Schmidhuber, 1997, with a forget gate) in Keras' weight layout.

Used in: chapter 6, through `forward_from_keras`.
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
    gate_weights,
    initial_state,
    stack_steps,
)

__all__ = [
    "LSTMTrace",
    "lstm_forward",
    "lstm_step",
]


@dataclasses.dataclass(frozen=True, eq=False)
class LSTMTrace(Trace):
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


def _lstm_weights(kernel, recurrent_kernel, bias):
    kernel, recurrent_kernel, units = gate_weights(kernel, recurrent_kernel, 4)
    bias = np.zeros(4 * units) if bias is None else check_array("bias", bias)
    check_shape("bias", bias, (4 * units,), f"(4 * n_neurons,) with n_neurons = {units}")
    return kernel, recurrent_kernel, bias, units


def lstm_step(
    x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, activation="tanh", recurrent_activation="sigmoid"
):
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

    Used in: not in the book (`lstm_forward` unrolls it).
    """
    kernel, recurrent_kernel, bias, units = _lstm_weights(kernel, recurrent_kernel, bias)
    x_t = check_array("x_t", x_t)
    if x_t.ndim not in (1, 2) or x_t.shape[-1] != kernel.shape[0]:
        raise ValueError(
            f"Received an invalid value for argument `x_t`, expected shape (m, {kernel.shape[0]}) "
            f"to match `kernel` of shape {kernel.shape}, got shape {x_t.shape}."
        )
    state_shape = x_t.shape[:-1] + (units,)
    h_prev = check_shape("h_prev", check_array("h_prev", h_prev), state_shape, "(m, n_neurons)")
    c_prev = check_shape("c_prev", check_array("c_prev", c_prev), state_shape, "(m, n_neurons)")
    act = activation_function("activation", activation)
    rec_act = activation_function("recurrent_activation", recurrent_activation)
    *_, c, h = cells.lstm_parts(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, act, rec_act)
    return h, c


def lstm_forward(
    X, kernel, recurrent_kernel, bias, h0=None, c0=None, *, activation="tanh", recurrent_activation="sigmoid"
) -> LSTMTrace:
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

    Used in: not in the book by name (`forward_from_keras` runs it in chapter 6).
    """
    kernel, recurrent_kernel, bias, units = _lstm_weights(kernel, recurrent_kernel, bias)
    act = activation_function("activation", activation)
    rec_act = activation_function("recurrent_activation", recurrent_activation)
    X, single = as_sequence(X, kernel.shape[0], "kernel")
    h = initial_state("h0", h0, X, single, units)
    c = initial_state("c0", c0, X, single, units)
    steps = []
    for t in range(X.shape[-2]):
        x_t = X[t] if single else X[:, t]
        i, f, o, g, c_new, h_new = cells.lstm_parts(x_t, h, c, kernel, recurrent_kernel, bias, act, rec_act)
        steps.append((h, c, i, f, o, g, c_new, h_new))
        h, c = h_new, c_new
    h_prev, c_prev, i, f, o, g, c, h = (stack_steps(part, single) for part in zip(*steps))
    return LSTMTrace(x=X, h_prev=h_prev, c_prev=c_prev, i=i, f=f, o=o, g=g, c=c, h=h)

"""GRU cell (Cho et al., 2014) in Keras' weight layout, ``reset_after`` both ways.

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
    "GRUTrace",
    "gru_forward",
    "gru_step",
]


@dataclasses.dataclass(frozen=True, eq=False)
class GRUTrace(Trace):
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


def _gru_weights(kernel, recurrent_kernel, bias, reset_after):
    kernel, recurrent_kernel, units = gate_weights(kernel, recurrent_kernel, 3)
    if not isinstance(reset_after, bool):
        raise ValueError(
            f"Received an invalid value for argument `reset_after`, expected True or False, "
            f"got {reset_after!r}."
        )
    shape = (2, 3 * units) if reset_after else (3 * units,)
    if bias is None:
        return kernel, recurrent_kernel, np.zeros(shape), units
    bias = check_array("bias", bias)
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


def gru_step(
    x_t,
    h_prev,
    kernel,
    recurrent_kernel,
    bias,
    reset_after=True,
    activation="tanh",
    recurrent_activation="sigmoid",
):
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

    Used in: not in the book (`gru_forward` unrolls it).
    """
    kernel, recurrent_kernel, bias, units = _gru_weights(kernel, recurrent_kernel, bias, reset_after)
    x_t = check_array("x_t", x_t)
    if x_t.ndim not in (1, 2) or x_t.shape[-1] != kernel.shape[0]:
        raise ValueError(
            f"Received an invalid value for argument `x_t`, expected shape (m, {kernel.shape[0]}) "
            f"to match `kernel` of shape {kernel.shape}, got shape {x_t.shape}."
        )
    h_prev = check_shape("h_prev", check_array("h_prev", h_prev), x_t.shape[:-1] + (units,), "(m, n_neurons)")
    act = activation_function("activation", activation)
    rec_act = activation_function("recurrent_activation", recurrent_activation)
    return cells.gru_parts(x_t, h_prev, kernel, recurrent_kernel, bias, reset_after, act, rec_act)[3]


def gru_forward(
    X,
    kernel,
    recurrent_kernel,
    bias,
    reset_after=True,
    h0=None,
    *,
    activation="tanh",
    recurrent_activation="sigmoid",
) -> GRUTrace:
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

    Used in: not in the book by name (`forward_from_keras` runs it in chapter 6).
    """
    kernel, recurrent_kernel, bias, units = _gru_weights(kernel, recurrent_kernel, bias, reset_after)
    act = activation_function("activation", activation)
    rec_act = activation_function("recurrent_activation", recurrent_activation)
    X, single = as_sequence(X, kernel.shape[0], "kernel")
    h = initial_state("h0", h0, X, single, units)
    steps = []
    for t in range(X.shape[-2]):
        x_t = X[t] if single else X[:, t]
        z, r, g, h_new = cells.gru_parts(x_t, h, kernel, recurrent_kernel, bias, reset_after, act, rec_act)
        steps.append((h, z, r, g, h_new))
        h = h_new
    h_prev, z, r, g, h = (stack_steps(part, single) for part in zip(*steps))
    return GRUTrace(x=X, h_prev=h_prev, z=z, r=r, g=g, h=h)

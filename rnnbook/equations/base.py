"""What every cell family shares: activations, the sequence and state helpers, the trace base class.

Arrays are float64 NumPy; a sequence is one instance ``(T, n_inputs)`` or a mini-batch
``(m, T, n_inputs)``.
"""

from __future__ import annotations

import numpy as np

from rnnbook._checks import check_array, check_shape

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "Trace",
    "activation_function",
    "as_sequence",
    "gate_weights",
    "initial_state",
    "stack_steps",
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


#: The activation functions the reference implementations understand: Keras name -> NumPy function.
ACTIVATION_FUNCTIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": _sigmoid,
    "hard_sigmoid": _hard_sigmoid,
    "linear": lambda z: z,
}


def activation_function(name: str, value):
    """The NumPy function for a Keras activation name (``None`` is linear); ``ValueError`` otherwise."""
    key = "linear" if value is None else value
    if key not in ACTIVATION_FUNCTIONS:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected one of "
            f"{', '.join(repr(k) for k in ACTIVATION_FUNCTIONS)}, got {value!r}."
        )
    return ACTIVATION_FUNCTIONS[key]


def as_sequence(X, n_inputs: int, kernel_name: str):
    """``X`` as float64 plus whether it is one instance ``(T, n_inputs)`` rather than a batch."""
    X = check_array("X", X)
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


def initial_state(name: str, value, X: np.ndarray, single: bool, units: int) -> np.ndarray:
    """A zero state by default; a ``(n_neurons,)`` state is shared by every instance of a batch."""
    batch_shape = () if single else (X.shape[0],)
    if value is None:
        return np.zeros(batch_shape + (units,))
    state = check_array(name, value)
    if state.shape == (units,):
        return np.broadcast_to(state, batch_shape + (units,)).copy()
    if not single and state.shape == batch_shape + (units,):
        return state.copy()
    expected = f"({units},)" if single else f"({units},) or {batch_shape + (units,)}"
    raise ValueError(
        f"Received an invalid value for argument `{name}`, expected shape {expected} "
        f"(n_neurons = {units}) for `X` of shape {X.shape}, got shape {state.shape}."
    )


def stack_steps(steps, single: bool) -> np.ndarray:
    # Time is axis 0 for one instance and axis 1 for a batch, as in Keras' (m, T, ...) layout.
    return np.stack(steps, axis=0 if single else 1)


def gate_weights(kernel, recurrent_kernel, n_gates: int):
    kernel = check_array("kernel", kernel, 2, "(n_inputs, n_gates * n_neurons)")
    recurrent_kernel = check_array(
        "recurrent_kernel", recurrent_kernel, 2, "(n_neurons, n_gates * n_neurons)"
    )
    units = recurrent_kernel.shape[0]
    check_shape(
        "recurrent_kernel",
        recurrent_kernel,
        (units, n_gates * units),
        f"(n_neurons, {n_gates} * n_neurons) with n_neurons = {units}",
    )
    if kernel.shape[1] != n_gates * units:
        raise ValueError(
            f"Received an invalid value for argument `kernel`, expected shape "
            f"({kernel.shape[0]}, {n_gates * units}) ({n_gates} * n_neurons columns to match "
            f"`recurrent_kernel` of shape {recurrent_kernel.shape}), got shape {kernel.shape}."
        )
    return kernel, recurrent_kernel, units


class Trace:
    """Base class of the traces: what every trace offers (the output sequence, the last output)."""

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

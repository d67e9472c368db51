"""One step of each cell, written once: for the NumPy reference and for the backends' autodiff.

Each ``*_parts`` function computes one time step and returns every intermediate value the book
shows. It takes an array namespace ``ops`` with ``matmul`` and ``split``: `NUMPY` (the default) for
the float64 reference forward passes of this package, and `keras_ops()` for `rnnbook.gradients`,
which differentiates the very same step with JAX, TensorFlow or PyTorch. The activations are
passed in as functions for the same reason (NumPy ones here, ``keras.activations`` there).

Argument checks happen once per sequence in the callers, not here: these run at every step.

Example:

>>> import numpy as np
>>> from rnnbook.equations import cells
>>> x, h = np.ones((2, 1)), np.zeros((2, 3))                  # (m, n_inputs), (m, n_neurons)
>>> xw, hw, z, h_new = cells.simple_rnn_parts(x, h, np.ones((1, 3)), np.eye(3), np.zeros(3), np.tanh)
>>> h_new.shape
(2, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras.

__all__ = ["NUMPY", "ArrayOps", "gru_parts", "keras_ops", "lstm_parts", "simple_rnn_parts"]


class ArrayOps(NamedTuple):
    """The two array operations a cell step needs besides arithmetic."""

    matmul: Callable
    split: Callable


#: NumPy's operations: the reference implementations.
NUMPY = ArrayOps(matmul=np.matmul, split=np.split)


def keras_ops() -> ArrayOps:
    """``keras.ops``' operations: the same steps on the active backend, differentiable."""
    import keras

    return ArrayOps(matmul=keras.ops.matmul, split=keras.ops.split)


def simple_rnn_parts(x_t, h_prev, Wx, Wh, b, phi, ops: ArrayOps = NUMPY):
    """One step of a simple RNN: ``(xw, hw, z, h)`` with ``z = xw + hw + b`` and ``h = phi(z)``."""
    if ops is NUMPY and x_t.ndim == 1:
        # Equation 15-1, one instance with column vectors: the weights are transposed.
        xw, hw = Wx.T @ x_t, Wh.T @ h_prev
    else:
        # Equation 15-2, a mini-batch with one instance per row: no transposes.
        xw, hw = ops.matmul(x_t, Wx), ops.matmul(h_prev, Wh)
    z = xw + hw + b
    return xw, hw, z, phi(z)


def lstm_parts(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, act, rec_act, ops: ArrayOps = NUMPY):
    """One step of an LSTM cell: ``(i, f, o, g, c, h)``."""
    z = ops.matmul(x_t, kernel) + ops.matmul(h_prev, recurrent_kernel) + bias
    # Keras orders the four blocks of columns i, f, c (our g), o.
    z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)
    i, f, g, o = rec_act(z_i), rec_act(z_f), act(z_g), rec_act(z_o)
    c = f * c_prev + i * g
    h = o * act(c)
    return i, f, o, g, c, h


def gru_parts(x_t, h_prev, kernel, recurrent_kernel, bias, reset_after, act, rec_act, ops: ArrayOps = NUMPY):
    """One step of a GRU cell: ``(z, r, g, h)``."""
    units = recurrent_kernel.shape[0]
    # reset_after=True (Keras 3's default, the cuDNN variant) has two biases: one for the inputs,
    # one for the recurrent part, because the reset gate multiplies the recurrent product.
    input_bias = bias[0] if reset_after else bias
    x_z, x_r, x_g = ops.split(ops.matmul(x_t, kernel) + input_bias, 3, axis=-1)
    if reset_after:
        h_z, h_r, h_g = ops.split(ops.matmul(h_prev, recurrent_kernel) + bias[1], 3, axis=-1)
    else:
        h_z, h_r = ops.split(ops.matmul(h_prev, recurrent_kernel[:, : 2 * units]), 2, axis=-1)
    z = rec_act(x_z + h_z)
    r = rec_act(x_r + h_r)
    if reset_after:
        g = act(x_g + r * h_g)  # reset after the product: r * (h W_hg + b_hg)
    else:
        g = act(x_g + ops.matmul(r * h_prev, recurrent_kernel[:, 2 * units :]))  # the book's form
    # z is the fraction of the old state kept, as in Cho et al. (2014, eq. 7), Keras and eq-gru; Chung et
    # al. (2014) and many figures swap z and 1 - z.
    h = z * h_prev + (1.0 - z) * g
    return z, r, g, h

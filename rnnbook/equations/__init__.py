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

The package holds one module per cell family and the bridge to Keras:

* `rnnbook.equations.cells` -- one step of each cell, written once, for NumPy and for autodiff;
* `rnnbook.equations.simple_rnn`, `lstm`, `gru` -- checked arguments, per-step and unrolled passes,
  the traces;
* `rnnbook.equations.keras_bridge` -- a Keras layer's weights and configuration, its reference pass;
* `rnnbook.equations.base` -- what they share: activations, the sequence and state helpers, the trace base
  class (argument checks live in `rnnbook._checks`, with every other check).
"""

from rnnbook.equations.base import ACTIVATION_FUNCTIONS
from rnnbook.equations.gru import GRUTrace, gru_forward, gru_step
from rnnbook.equations.keras_bridge import forward_from_keras, weights_from_keras
from rnnbook.equations.lstm import LSTMTrace, lstm_forward, lstm_step
from rnnbook.equations.simple_rnn import (
    SimpleRNNTrace,
    concat_weights,
    simple_rnn_forward,
    simple_rnn_forward_concat,
    simple_rnn_step,
)

__all__ = [
    "ACTIVATION_FUNCTIONS",
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

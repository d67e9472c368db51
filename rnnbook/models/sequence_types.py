"""Small runnable models, one per input/output sequence type (not registered: they illustrate, not forecast).

* seq2seq (sequence-to-sequence): a value out at every step (e.g. forecast the next value at each step);
* seq2vec (sequence-to-vector): one vector out for the whole sequence (e.g. a sentiment score);
* vec2seq (vector-to-sequence): one vector in, a sequence out (e.g. an image caption);
* encoder-decoder: a seq2vec encoder then a vec2seq decoder (e.g. translation).

Used in: book/02_recurrent_neurons.

Example:

>>> import numpy as np
>>> model = seq2vec_model(n_inputs=3, n_outputs=2)
>>> model.predict(np.zeros((4, 7, 3)), verbose=0).shape   # (batch, n_outputs)
(4, 2)
"""

from __future__ import annotations

import keras

from rnnbook._checks import check_positive_int


def _sizes(n_inputs, n_outputs, units):
    return (
        check_positive_int("n_inputs", n_inputs),
        check_positive_int("n_outputs", n_outputs),
        check_positive_int("units", units),
    )


def seq2seq_model(n_inputs=1, n_outputs=1, units=20, n_steps=None):
    """Sequence to sequence: ``(batch, steps, n_inputs)`` to ``(batch, steps, n_outputs)``.

    Args:
        n_inputs: features per input step. Defaults to ``1``.
        n_outputs: values per output step. Defaults to ``1``.
        units: size of the SimpleRNN. Defaults to ``20``.
        n_steps: input length, ``None`` for any. Defaults to ``None``.

    Used in: book/02_recurrent_neurons.
    """
    n_inputs, n_outputs, units = _sizes(n_inputs, n_outputs, units)
    return keras.Sequential(
        [
            keras.Input((n_steps, n_inputs)),
            keras.layers.SimpleRNN(units, return_sequences=True),  # one output per input step
            keras.layers.TimeDistributed(keras.layers.Dense(n_outputs)),
        ],
        name="seq2seq",
    )


def seq2vec_model(n_inputs=1, n_outputs=1, units=20, n_steps=None):
    """Sequence to vector: ``(batch, steps, n_inputs)`` to ``(batch, n_outputs)``.

    Only the last step's output is kept (``return_sequences=False``).

    Used in: book/02_recurrent_neurons.
    """
    n_inputs, n_outputs, units = _sizes(n_inputs, n_outputs, units)
    return keras.Sequential(
        [
            keras.Input((n_steps, n_inputs)),
            keras.layers.SimpleRNN(units),
            keras.layers.Dense(n_outputs),
        ],
        name="seq2vec",
    )


def vec2seq_model(n_inputs=1, n_outputs=1, steps_out=10, units=20):
    """Vector to sequence: ``(batch, n_inputs)`` to ``(batch, steps_out, n_outputs)``.

    The same input vector is fed to the RNN at every output step (``RepeatVector``).

    Args:
        steps_out: length of the output sequence. Defaults to ``10``.

    Used in: book/02_recurrent_neurons.
    """
    n_inputs, n_outputs, units = _sizes(n_inputs, n_outputs, units)
    steps_out = check_positive_int("steps_out", steps_out)
    return keras.Sequential(
        [
            keras.Input((n_inputs,)),
            keras.layers.RepeatVector(steps_out),
            keras.layers.SimpleRNN(units, return_sequences=True),
            keras.layers.TimeDistributed(keras.layers.Dense(n_outputs)),
        ],
        name="vec2seq",
    )


def encoder_decoder_model(n_inputs=1, n_outputs=1, steps_out=10, units=20, n_steps=None):
    """Encoder-decoder: ``(batch, steps, n_inputs)`` to ``(batch, steps_out, n_outputs)``.

    The encoder (sequence to vector) reads the whole input before the decoder (vector to sequence)
    writes anything, so input and output lengths are independent.

    Args:
        steps_out: length of the output sequence. Defaults to ``10``.

    Used in: book/02_recurrent_neurons.
    """
    n_inputs, n_outputs, units = _sizes(n_inputs, n_outputs, units)
    steps_out = check_positive_int("steps_out", steps_out)
    return keras.Sequential(
        [
            keras.Input((n_steps, n_inputs)),
            keras.layers.SimpleRNN(units, name="encoder"),
            keras.layers.RepeatVector(steps_out),
            keras.layers.SimpleRNN(units, return_sequences=True, name="decoder"),
            keras.layers.TimeDistributed(keras.layers.Dense(n_outputs)),
        ],
        name="encoder_decoder",
    )

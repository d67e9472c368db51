"""Small runnable models, one per input/output sequence type (not registered: they illustrate, not forecast).

* seq2seq (sequence-to-sequence): a value out at every step (e.g. forecast the next value at each step);
* seq2vec (sequence-to-vector): one vector out for the whole sequence (e.g. a sentiment score);
* vec2seq (vector-to-sequence): one vector in, a sequence out (e.g. an image caption);
* encoder-decoder: a seq2vec encoder then a vec2seq decoder (e.g. translation).

The sizes are named as in the registry (README glossary): ``n_features`` per input step, ``horizon``
values per output (step), ``n_steps`` input steps and ``n_steps_out`` output steps.

Used in: book/02_recurrent_neurons.

Example:

>>> import numpy as np
>>> model = seq2vec_model(n_features=3, horizon=2)
>>> model.predict(np.zeros((4, 7, 3)), verbose=0).shape   # (batch, horizon)
(4, 2)
"""

from __future__ import annotations

import keras

from rnnbook._checks import check_positive_int, renamed_keywords
from rnnbook.models._parts import seq2seq_head, window_input

#: The old argument names (before the glossary), kept working for a release.
_OLD_NAMES = renamed_keywords(n_inputs="n_features", n_outputs="horizon")
_OLD_STEPS_OUT = renamed_keywords(steps_out="n_steps_out")


def _sizes(n_features, horizon, units):  # the old names n_inputs, n_outputs, steps_out warn (below)
    return (
        check_positive_int("n_features", n_features),
        check_positive_int("horizon", horizon),
        check_positive_int("units", units),
    )


@_OLD_NAMES
def seq2seq_model(n_features=1, horizon=1, units=20, n_steps=None):
    """Sequence to sequence: ``(batch, steps, n_features)`` to ``(batch, steps, horizon)``.

    Args:
        n_features: features per input step. Defaults to ``1``.
        horizon: values per output step (steps ahead forecast at each step). Defaults to ``1``.
        units: size of the SimpleRNN. Defaults to ``20``.
        n_steps: input length, ``None`` for any. Defaults to ``None``.

    Used in: book/02_recurrent_neurons.
    """
    n_features, horizon, units = _sizes(n_features, horizon, units)
    return keras.Sequential(
        [
            window_input(n_steps, n_features),
            keras.layers.SimpleRNN(units, return_sequences=True),  # one output per input step
            seq2seq_head(horizon, name=None),
        ],
        name="seq2seq",
    )


@_OLD_NAMES
def seq2vec_model(n_features=1, horizon=1, units=20, n_steps=None):
    """Sequence to vector: ``(batch, steps, n_features)`` to ``(batch, horizon)``.

    Only the last step's output is kept (``return_sequences=False``).

    Used in: book/02_recurrent_neurons.
    """
    n_features, horizon, units = _sizes(n_features, horizon, units)
    return keras.Sequential(
        [
            window_input(n_steps, n_features),
            keras.layers.SimpleRNN(units),
            keras.layers.Dense(horizon),
        ],
        name="seq2vec",
    )


@_OLD_STEPS_OUT
@_OLD_NAMES
def vec2seq_model(n_features=1, horizon=1, n_steps_out=10, units=20):
    """Vector to sequence: ``(batch, n_features)`` to ``(batch, n_steps_out, horizon)``.

    The same input vector is fed to the RNN at every output step (``RepeatVector``).

    Args:
        n_steps_out: length of the output sequence. Defaults to ``10``.

    Used in: book/02_recurrent_neurons.
    """
    n_features, horizon, units = _sizes(n_features, horizon, units)
    n_steps_out = check_positive_int("n_steps_out", n_steps_out)
    return keras.Sequential(
        [
            keras.Input((n_features,)),
            keras.layers.RepeatVector(n_steps_out),
            keras.layers.SimpleRNN(units, return_sequences=True),
            seq2seq_head(horizon, name=None),
        ],
        name="vec2seq",
    )


@_OLD_STEPS_OUT
@_OLD_NAMES
def encoder_decoder_model(n_features=1, horizon=1, n_steps_out=10, units=20, n_steps=None):
    """Encoder-decoder: ``(batch, steps, n_features)`` to ``(batch, n_steps_out, horizon)``.

    The encoder (sequence to vector) reads the whole input before the decoder (vector to sequence)
    writes anything, so input and output lengths are independent.

    Args:
        n_steps_out: length of the output sequence. Defaults to ``10``.

    Used in: book/02_recurrent_neurons.
    """
    n_features, horizon, units = _sizes(n_features, horizon, units)
    n_steps_out = check_positive_int("n_steps_out", n_steps_out)
    return keras.Sequential(
        [
            window_input(n_steps, n_features),
            keras.layers.SimpleRNN(units, name="encoder"),
            keras.layers.RepeatVector(n_steps_out),
            keras.layers.SimpleRNN(units, return_sequences=True, name="decoder"),
            seq2seq_head(horizon, name=None),
        ],
        name="encoder_decoder",
    )

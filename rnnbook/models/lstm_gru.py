"""Seq2seq models of LSTM and GRU layers: the chapter's answer to short-term memory.

Used in: book/06_lstm_gru.
"""

from __future__ import annotations

import keras

from rnnbook.models._parts import seq2seq_stack
from rnnbook.specs import register_model


def _gated_seq2seq(name, layer_class, n_steps, n_features, horizon, units):
    return seq2seq_stack(
        name, n_steps, n_features, horizon, units, lambda u: layer_class(u, return_sequences=True)
    )


@register_model(
    "seq2seq_lstm",
    description="Seq2seq LSTM(20) x2 + Dense(10) at every step.",
    layout="seq2seq",
    horizon=10,
)
def seq2seq_lstm(n_steps=50, n_features=1, horizon=10, units=(20, 20)):
    """Stacked LSTM layers returning sequences, forecasting ``horizon`` values at every step.

    Args:
        units: sizes of the LSTM layers. Defaults to ``(20, 20)``.

    Used in: book/06_lstm_gru.
    """
    return _gated_seq2seq("seq2seq_lstm", keras.layers.LSTM, n_steps, n_features, horizon, units)


@register_model(
    "seq2seq_gru",
    description="Seq2seq GRU(20) x2 + Dense(10) at every step.",
    layout="seq2seq",
    horizon=10,
)
def seq2seq_gru(n_steps=50, n_features=1, horizon=10, units=(20, 20)):
    """Stacked GRU layers returning sequences, forecasting ``horizon`` values at every step.

    Args:
        units: sizes of the GRU layers. Defaults to ``(20, 20)``.

    Used in: book/06_lstm_gru.
    """
    return _gated_seq2seq("seq2seq_gru", keras.layers.GRU, n_steps, n_features, horizon, units)

"""What the registry's Keras models are built from: the input window and the seq2seq stack."""

from __future__ import annotations

import keras

from rnnbook._checks import check_units


def window_input(n_steps, n_features):
    """Every model's input: a window of ``n_steps`` steps of ``n_features`` features, named ``"window"``."""
    return keras.Input((n_steps, n_features), name="window")


def seq2seq_head(horizon: int, name: str | None = "forecasts"):
    """At every time step, forecast the next ``horizon`` values: the chapter's ``TimeDistributed(Dense)``.

    A ``Dense`` layer given a sequence acts on its last axis, one step at a time with the same weights,
    which is what ``TimeDistributed(Dense(...))`` computes. The plain ``Dense`` is used because Keras 3's
    ``TimeDistributed`` loops over a static time axis in Python: on JAX the compiled program holds one
    copy of the dense layer per step, and ``seq2seq_gru``'s first epoch took 5.97 s instead of 3.34 s
    (50 steps); at 1,000 steps compiling the looped version took minutes.
    """
    return keras.layers.Dense(horizon, name=name)


def seq2seq_stack(name: str, n_steps, n_features, horizon: int, units, recurrent, between=None):
    """A seq2seq model: the window, one ``recurrent(u)`` layer per entry of ``units`` (each followed by
    ``between()`` when given), then :func:`seq2seq_head`.

    Args:
        recurrent: ``units -> layer`` returning sequences (``SimpleRNN``, ``LSTM``, ``GRU``, ``RNN(cell)``).
        between: a layer factory put after each recurrent layer (``BatchNormalization``), or ``None``.

    Returns:
        An uncompiled ``keras.Sequential`` named ``name``.
    """
    units = check_units(units)
    layers = [window_input(n_steps, n_features)]
    for u in units:
        layers.append(recurrent(u))
        if between is not None:
            layers.append(between())
    layers.append(seq2seq_head(horizon))
    return keras.Sequential(layers, name=name)

"""The bridge to Keras: read a recurrent layer's weights and configuration, run its NumPy reference.

Used in: book/02_recurrent_neurons, book/06_lstm_gru.
"""

from __future__ import annotations

import numpy as np

from rnnbook._checks import check_array
from rnnbook.equations.base import ACTIVATION_FUNCTIONS
from rnnbook.equations.gru import gru_forward
from rnnbook.equations.lstm import lstm_forward
from rnnbook.equations.simple_rnn import simple_rnn_forward

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras.

__all__ = ["forward_from_keras", "keras_cell", "keras_config", "weights_from_keras"]


def keras_cell(layer_or_cell):
    """``(kind, cell)`` for a SimpleRNN/LSTM/GRU layer, cell, or ``RNN(cell)`` wrapper."""
    import keras

    cell = getattr(layer_or_cell, "cell", layer_or_cell)
    for kind, cls in (
        ("simple_rnn", keras.layers.SimpleRNNCell),
        ("lstm", keras.layers.LSTMCell),
        ("gru", keras.layers.GRUCell),
    ):
        if isinstance(cell, cls):
            return kind, cell
    raise ValueError(
        "Received an invalid value for argument `layer_or_cell`, expected a keras.layers "
        "SimpleRNN, LSTM or GRU layer, one of their cells, or an RNN wrapping one of those cells, "
        f"got {type(layer_or_cell).__name__}."
    )


def _activation_name(cell, attribute: str) -> str:
    import keras

    name = keras.activations.serialize(getattr(cell, attribute))
    if not isinstance(name, str) or name not in ACTIVATION_FUNCTIONS:
        raise ValueError(
            f"The {attribute} of {cell.name!r} is {name!r}; the reference implementations support "
            f"{', '.join(repr(k) for k in ACTIVATION_FUNCTIONS)}."
        )
    return name


def keras_config(layer_or_cell) -> dict:
    """Everything the forward functions need besides the weights: kind, activations, layout."""
    kind, cell = keras_cell(layer_or_cell)
    config = {"kind": kind, "activation": _activation_name(cell, "activation")}
    if kind != "simple_rnn":
        config["recurrent_activation"] = _activation_name(cell, "recurrent_activation")
    if kind == "gru":
        config["reset_after"] = bool(cell.reset_after)
    config["go_backwards"] = bool(getattr(layer_or_cell, "go_backwards", False))
    return config


def weights_from_keras(layer_or_cell) -> dict:
    """The weights of a Keras recurrent layer or cell as NumPy arrays, named as our arguments.

    The keys match the weight arguments of the forward function for that kind of cell, so
    ``simple_rnn_forward(X, **weights_from_keras(layer))`` works (for a GRU, pass
    ``reset_after=layer.reset_after`` too, or use `forward_from_keras`). A layer built with
    ``use_bias=False`` gets a zero bias of the usual shape.

    Args:
        layer_or_cell: a built ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``, one of their
            cells, or a ``keras.layers.RNN`` wrapping such a cell.

    Returns:
        For a simple RNN ``{"Wx": (n_inputs, n_neurons), "Wh": (n_neurons, n_neurons),
        "b": (n_neurons,)}``; for an LSTM ``{"kernel": (n_inputs, 4 n_neurons),
        "recurrent_kernel": (n_neurons, 4 n_neurons), "bias": (4 n_neurons,)}``; for a GRU the
        same keys with ``3 n_neurons`` columns and a bias of shape ``(2, 3 n_neurons)``
        (``reset_after=True``) or ``(3 n_neurons,)``.

    Example:

    >>> import keras
    >>> layer = keras.layers.SimpleRNN(5)
    >>> _ = layer(np.zeros((1, 10, 1), dtype="float32"))   # builds the layer
    >>> {k: v.shape for k, v in weights_from_keras(layer).items()}
    {'Wx': (1, 5), 'Wh': (5, 5), 'b': (5,)}

    Used in: book/02_recurrent_neurons, book/06_lstm_gru.
    """
    kind, cell = keras_cell(layer_or_cell)
    if not cell.built:
        raise ValueError(
            f"Received an invalid value for argument `layer_or_cell`: {cell.name!r} has no weights "
            "yet; call it on a batch (or call `build(input_shape)`) first."
        )
    import keras

    def numpy(variable):
        # Via a plain tensor: converting a Variable directly trips NumPy 2's `copy`
        # DeprecationWarning on some backends.
        tensor = keras.ops.copy(variable)
        return np.asarray(keras.ops.convert_to_numpy(tensor), dtype=np.float64)

    kernel, recurrent = numpy(cell.kernel), numpy(cell.recurrent_kernel)
    units = recurrent.shape[0]
    if cell.use_bias:
        bias = numpy(cell.bias)
    elif kind == "gru" and cell.reset_after:
        bias = np.zeros((2, 3 * units))
    else:
        bias = np.zeros(kernel.shape[1])
    if kind == "simple_rnn":
        return {"Wx": kernel, "Wh": recurrent, "b": bias}
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}


def forward_from_keras(layer, X, h0=None, c0=None):
    """Run the NumPy reference of a Keras recurrent layer (or cell) on ``X``.

    Reads the weights (`weights_from_keras`), the activations and, for a GRU, ``reset_after``,
    then calls `simple_rnn_forward`, `lstm_forward` or `gru_forward`. A layer with
    ``go_backwards=True`` reads ``X`` from the last step to the first; the trace is then in that
    processing order, like the layer's ``return_sequences=True`` output.

    Args:
        layer: a built ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``, a cell, or an ``RNN``
            wrapper around one.
        X: input sequences, shape ``(T, n_inputs)`` or ``(m, T, n_inputs)``.
        h0: initial (short-term) state, ``(n_neurons,)`` or ``(m, n_neurons)``; zeros by default.
        c0: initial long-term state of an LSTM; must stay ``None`` for other cells.

    Returns:
        A `SimpleRNNTrace`, `LSTMTrace` or `GRUTrace`.

    Example:

    >>> import keras
    >>> X = np.random.default_rng(0).normal(size=(3, 20, 1)).astype("float32")  # (m, T, n_inputs)
    >>> layer = keras.layers.GRU(4, return_sequences=True)
    >>> Y = keras.ops.convert_to_numpy(layer(X))                                # (m, T, n_neurons)
    >>> trace = forward_from_keras(layer, X)
    >>> bool(np.allclose(trace.h, Y, atol=1e-5))
    True

    Used in: book/06_lstm_gru.
    """
    config = keras_config(layer)
    weights = weights_from_keras(layer)
    X = check_array("X", X)
    if config["go_backwards"] and X.ndim in (2, 3):
        X = np.flip(X, axis=-2)
    if config["kind"] == "simple_rnn":
        if c0 is not None:
            raise ValueError(
                "Received an invalid value for argument `c0`, expected None (only an LSTM has a "
                f"long-term state), got an array of shape {np.shape(c0)}."
            )
        return simple_rnn_forward(X, **weights, h0=h0, activation=config["activation"])
    activations = {
        "activation": config["activation"],
        "recurrent_activation": config["recurrent_activation"],
    }
    if config["kind"] == "lstm":
        return lstm_forward(X, **weights, h0=h0, c0=c0, **activations)
    if c0 is not None:
        raise ValueError(
            "Received an invalid value for argument `c0`, expected None (only an LSTM has a "
            f"long-term state), got an array of shape {np.shape(c0)}."
        )
    return gru_forward(X, **weights, reset_after=config["reset_after"], h0=h0, **activations)

"""Models made of SimpleRNN layers: from the 1-unit RNN to seq2seq, normalized and encoder-decoder ones.

Used in: book/04_forecasting, book/05_unstable_gradients.
"""

from __future__ import annotations

import keras

from rnnbook._checks import check_choice, check_fraction, check_positive_int, check_units
from rnnbook.layers import IterativeForecaster, LNSimpleRNNCell, UnrolledRNN
from rnnbook.models._parts import seq2seq_head, seq2seq_stack, window_input
from rnnbook.specs import register_model

#: The activations the SimpleRNN models offer (the chapter compares these two).
ACTIVATIONS = ("tanh", "relu")
HEADS = ("rnn", "dense")
#: The cells `unrolled_rnn` can unroll, by name.
UNROLLED_CELLS = {
    "simple_rnn": keras.layers.SimpleRNNCell,
    "lstm": keras.layers.LSTMCell,
    "gru": keras.layers.GRUCell,
    "layernorm": LNSimpleRNNCell,
}


@register_model(
    "unrolled_rnn",
    description="The chapter's custom RNN loop (UnrolledRNN of a SimpleRNNCell(20)) + Dense.",
    layout="one_step",
    horizon=1,
)
def unrolled_rnn(n_steps=50, n_features=1, horizon=1, units=20, cell="simple_rnn"):
    """A recurrent cell applied step by step in a Python loop, then a Dense forecast.

    Args:
        units: size of the cell. Defaults to ``20``.
        cell: ``"simple_rnn"``, ``"lstm"``, ``"gru"`` or ``"layernorm"`` (:class:`LNSimpleRNNCell`).

    Needs a fixed ``n_steps``: the loop is unrolled over the static time axis.

    Used in: not in the book by name (chapter 8's leaderboard trains it; chapter 2 teaches its layer).
    """
    units = check_positive_int("units", units)
    check_choice("cell", cell, tuple(UNROLLED_CELLS))
    if n_steps is None:
        raise ValueError(
            "`unrolled_rnn` loops over the time steps in Python, so it needs a fixed "
            "input length: pass an integer `n_steps` (got None)."
        )
    return keras.Sequential(
        [
            window_input(n_steps, n_features),
            UnrolledRNN(UNROLLED_CELLS[cell](units), name="unrolled_rnn"),
            keras.layers.Dense(horizon),
        ],
        name="unrolled_rnn",
    )


# The chapter trains the 1-unit RNN with Adam(5e-3) for 20 epochs on 7000 series; with the quick
# profile's 8 epochs on 1400 series that stops short of the naive forecast, 0.02 passes it.
@register_model(
    "simple_rnn",
    description="The chapter's 1-unit SimpleRNN.",
    layout="one_step",
    horizon=1,
    recipe={"learning_rate": 0.02},
)
def simple_rnn(n_steps=50, n_features=1, horizon=1):
    """The simplest RNN: one SimpleRNN layer with one unit (``horizon`` units), whose output is the
    forecast. Three parameters for one step ahead; accepts any length (``n_steps=None``).

    Used in: book/04_forecasting.
    """
    return keras.Sequential(
        [window_input(n_steps, n_features), keras.layers.SimpleRNN(horizon)], name="simple_rnn"
    )


def _deep_rnn(name, n_steps, n_features, horizon, units, head, activation):
    units = check_units(units)
    check_choice("head", head, HEADS)
    check_choice("activation", activation, ACTIVATIONS)
    layers = [window_input(n_steps, n_features)]
    if head == "rnn":
        # The chapter's deep RNN: every hidden layer returns sequences and a SimpleRNN(1) outputs the
        # forecast. It keeps the default tanh so the forecast is not cut at 0 when activation="relu".
        layers += [keras.layers.SimpleRNN(u, return_sequences=True, activation=activation) for u in units]
        layers.append(keras.layers.SimpleRNN(horizon, name="rnn_head"))
    else:
        # A Dense head: faster to train, any output activation, and the last recurrent layer only
        # needs to return its final output.
        layers += [
            keras.layers.SimpleRNN(u, return_sequences=True, activation=activation) for u in units[:-1]
        ]
        layers.append(keras.layers.SimpleRNN(units[-1], activation=activation))
        layers.append(keras.layers.Dense(horizon, name="dense_head"))
    return keras.Sequential(layers, name=name)


@register_model(
    "deep_rnn",
    description="Deep RNN: SimpleRNN(20) x2 returning sequences + SimpleRNN(1).",
    layout="one_step",
    horizon=1,
)
def deep_rnn(n_steps=50, n_features=1, horizon=1, units=(20, 20), head="rnn", activation="tanh"):
    """Stacked SimpleRNN layers and a recurrent or Dense head.

    Args:
        units: sizes of the hidden SimpleRNN layers. Defaults to ``(20, 20)``.
        head: ``"rnn"``: every hidden layer returns sequences and a ``SimpleRNN(horizon)`` outputs the
            forecast (the chapter's first deep RNN); ``"dense"``: the last hidden layer returns only its
            final output and ``Dense(horizon)`` forecasts.
        activation: ``"tanh"`` or ``"relu"`` for the hidden layers.

    Used in: book/04_forecasting.
    """
    return _deep_rnn("deep_rnn", n_steps, n_features, horizon, units, head, activation)


@register_model(
    "deep_rnn_dense",
    description="Deep RNN with a Dense head: SimpleRNN(20) x2 + Dense(1).",
    layout="one_step",
    horizon=1,
)
def deep_rnn_dense(n_steps=50, n_features=1, horizon=1, units=(20, 20), activation="tanh"):
    """:func:`deep_rnn` with ``head="dense"``.

    Used in: book/04_forecasting.
    """
    return _deep_rnn("deep_rnn_dense", n_steps, n_features, horizon, units, "dense", activation)


@register_model(
    "iterative_deep_rnn",
    description="Deep RNN trained one step ahead, fed its own forecasts 10 times.",
    layout="one_step",
    horizon=10,
    kind="iterative",
)
def iterative_deep_rnn(n_steps=50, n_features=1, horizon=10, units=(20, 20), head="rnn", activation="tanh"):
    """A one-step :func:`deep_rnn` wrapped in :class:`~rnnbook.layers.IterativeForecaster`.

    Train ``model.step_model`` on one-step targets; ``model`` forecasts ``horizon`` steps. Univariate
    inputs only (``n_features`` must be 1).

    Used in: book/04_forecasting.
    """
    if n_features != 1:
        raise ValueError(
            f"`iterative_deep_rnn` feeds its forecasts back as inputs, so it needs "
            f"n_features=1, got n_features={n_features}."
        )
    step_model = _deep_rnn("deep_rnn", n_steps, n_features, 1, units, head, activation)
    model = IterativeForecaster(step_model, horizon, name="iterative_deep_rnn")
    model.build((None, n_steps, n_features))
    return model


@register_model(
    "seq2vec_rnn",
    description="SimpleRNN(20) x2 + Dense(10): all 10 steps at once.",
    layout="vector",
    horizon=10,
)
def seq2vec_rnn(n_steps=50, n_features=1, horizon=10, units=(20, 20)):
    """Sequence-to-vector RNN: the last recurrent output goes to ``Dense(horizon)``.

    Used in: book/04_forecasting.
    """
    units = check_units(units)
    layers = [window_input(n_steps, n_features)]
    layers += [keras.layers.SimpleRNN(u, return_sequences=True) for u in units[:-1]]
    layers += [keras.layers.SimpleRNN(units[-1]), keras.layers.Dense(horizon)]
    return keras.Sequential(layers, name="seq2vec_rnn")


def _seq2seq(name, n_steps, n_features, horizon, units, **rnn_kwargs):
    return seq2seq_stack(
        name,
        n_steps,
        n_features,
        horizon,
        units,
        lambda u: keras.layers.SimpleRNN(u, return_sequences=True, **rnn_kwargs),
    )


@register_model(
    "seq2seq_rnn",
    description="Seq2seq SimpleRNN(20) x2 + Dense(10) at every step.",
    layout="seq2seq",
    horizon=10,
    recipe={"learning_rate": 0.01},
)
def seq2seq_rnn(n_steps=50, n_features=1, horizon=10, units=(20, 20), activation="tanh"):
    """Sequence-to-sequence RNN: at every time step, forecast the next ``horizon`` values.

    Training on every step's forecast gives many more error gradients per series than seq2vec.

    Args:
        activation: ``"tanh"`` (default) or ``"relu"`` inside the recurrent layers.

    Used in: book/04_forecasting.
    """
    check_choice("activation", activation, ACTIVATIONS)
    return _seq2seq("seq2seq_rnn", n_steps, n_features, horizon, units, activation=activation)


@register_model(
    "seq2seq_rnn_dropout",
    description="Seq2seq SimpleRNN with dropout and recurrent dropout 0.2.",
    layout="seq2seq",
    horizon=10,
    recipe={"learning_rate": 0.01},
)
def seq2seq_rnn_dropout(
    n_steps=50, n_features=1, horizon=10, units=(20, 20), dropout=0.2, recurrent_dropout=0.2
):
    """:func:`seq2seq_rnn` with dropout on the inputs and on the hidden state of every layer.

    Keras draws one dropout mask per sequence and applies it at every time step.

    Args:
        dropout: dropout rate of the inputs of each recurrent layer. Defaults to ``0.2``.
        recurrent_dropout: dropout rate of the hidden state. Defaults to ``0.2``.

    Used in: book/05_unstable_gradients.
    """
    dropout = check_fraction("dropout", dropout)
    recurrent_dropout = check_fraction("recurrent_dropout", recurrent_dropout)
    return _seq2seq(
        "seq2seq_rnn_dropout",
        n_steps,
        n_features,
        horizon,
        units,
        dropout=dropout,
        recurrent_dropout=recurrent_dropout,
    )


@register_model(
    "seq2seq_rnn_batchnorm",
    description="Seq2seq SimpleRNN with BatchNormalization between the recurrent layers.",
    layout="seq2seq",
    horizon=10,
)
def seq2seq_rnn_batchnorm(n_steps=50, n_features=1, horizon=10, units=(20, 20)):
    """:func:`seq2seq_rnn` with ``BatchNormalization`` after each recurrent layer, as in the chapter.

    It normalizes between layers only, not inside the recurrence, which is why it helps little.

    Used in: book/05_unstable_gradients.
    """
    return seq2seq_stack(
        "seq2seq_rnn_batchnorm",
        n_steps,
        n_features,
        horizon,
        units,
        lambda u: keras.layers.SimpleRNN(u, return_sequences=True),
        between=keras.layers.BatchNormalization,
    )


@register_model(
    "seq2seq_layernorm_rnn",
    description="Seq2seq RNN of LayerNorm SimpleRNN cells (20) x2.",
    layout="seq2seq",
    horizon=10,
)
def seq2seq_layernorm_rnn(n_steps=50, n_features=1, horizon=10, units=(20, 20), activation="tanh"):
    """Recurrent layers of :class:`~rnnbook.layers.LNSimpleRNNCell`: layer norm inside the recurrence.

    Args:
        activation: ``"tanh"`` (default) or ``"relu"``, applied after the normalization.

    Used in: book/05_unstable_gradients.
    """
    check_choice("activation", activation, ACTIVATIONS)
    return seq2seq_stack(
        "seq2seq_layernorm_rnn",
        n_steps,
        n_features,
        horizon,
        units,
        lambda u: keras.layers.RNN(LNSimpleRNNCell(u, activation=activation), return_sequences=True),
    )


@register_model(
    "encoder_decoder",
    description="Encoder SimpleRNN -> RepeatVector(10) -> decoder SimpleRNN -> Dense(1) per step.",
    layout="vector",
    horizon=10,
)
def encoder_decoder(n_steps=50, n_features=1, horizon=10, encoder_units=20, decoder_units=20):
    """Encoder-decoder: a seq2vec encoder, then a vec2seq decoder.

    The encoder summarizes the window into one vector; ``RepeatVector`` feeds that vector to the
    decoder at each of the ``horizon`` output steps; each decoder step outputs one forecast.

    Args:
        encoder_units: size of the encoder's SimpleRNN. Defaults to ``20``.
        decoder_units: size of the decoder's SimpleRNN. Defaults to ``20``.

    Used in: not in the book by name (chapter 8's leaderboard trains it with every model).
    """
    encoder_units = check_positive_int("encoder_units", encoder_units)
    decoder_units = check_positive_int("decoder_units", decoder_units)
    return keras.Sequential(
        [
            window_input(n_steps, n_features),
            keras.layers.SimpleRNN(encoder_units, name="encoder"),
            keras.layers.RepeatVector(horizon),
            keras.layers.SimpleRNN(decoder_units, return_sequences=True, name="decoder"),
            seq2seq_head(1, name=None),
            keras.layers.Reshape((horizon,)),  # (batch, horizon, 1) -> (batch, horizon)
        ],
        name="encoder_decoder",
    )

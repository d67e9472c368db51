"""Small recurrent models for the widgets, trained once per machine by :func:`rnnbook.training.train`.

The unrolling explorer and the gate explorer both show one tiny recurrent layer (3-4 neurons, so the
equations fit on screen with their real numbers) trained on the chapter's synthetic series. They are
the registry's seq2seq models (``seq2seq_rnn``, ``seq2seq_lstm``, ``seq2seq_gru``) with one layer
and a one-step horizon: at every time step the layer's state feeds a ``Dense(1)`` that forecasts the next
value, so each unrolled step has a visible output. ``train`` trains them like every other model and
keeps them in the trained-model cache (:mod:`rnnbook.model_cache`), so the book's build trains them
once and every later run -- nbval, a live notebook -- loads them.

Used in: :mod:`rnnbook.widgets.unrolling`, :mod:`rnnbook.widgets.gates`.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from rnnbook import data, equations
from rnnbook._checks import check_choice, check_positive_int
from rnnbook.training import train

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras.

#: Widget cell name -> the registry model that holds one such layer.
CELL_MODELS = {"simple_rnn": "seq2seq_rnn", "lstm": "seq2seq_lstm", "gru": "seq2seq_gru"}
#: The three recurrent cells the widgets compare, in the book's order, with their Keras names.
CELL_TITLES = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


@dataclasses.dataclass(frozen=True, eq=False)
class TinyRNN:
    """A trained one-layer seq2seq model and the data it was trained on.

    Attributes:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        model: the trained ``keras.Sequential`` (recurrent layer, then ``Dense(1)`` at every step).
        layer: its recurrent layer (what ``rnnbook.equations.forward_from_keras`` reads).
        head: ``(w, b)`` of the ``Dense(1)`` head as NumPy arrays, shapes ``(units, 1)`` and ``(1,)``.
        X_valid: validation inputs ``(m, T, 1)``; ``y_valid``: next-step targets ``(m, T, 1)``.
        val_mse: validation MSE over every step's forecast.
    """

    cell: str
    model: object
    layer: object
    head: tuple
    X_valid: np.ndarray
    y_valid: np.ndarray
    val_mse: float


@functools.lru_cache(maxsize=16)
def tiny_rnn(
    cell: str = "simple_rnn",
    units: int = 3,
    n_steps: int = 16,
    epochs: int = 8,
    n_series: int = 1000,
    seed: int = 42,
) -> TinyRNN:
    """A one-layer ``cell`` RNN forecasting the next value, trained by ``train`` (cached per machine).

    Args:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        units: neurons of the recurrent layer; 3 keeps the filled-in equations readable.
        n_steps: length of the training windows (and of the unrolled network shown).
        epochs: training epochs (a few seconds on 2 CPU cores, once per machine).
        n_series: synthetic series generated (70 % train, 20 % validation, 10 % test).
        seed: seeds the data and the initial weights.

    Returns:
        A :class:`TinyRNN`.

    Example:

    >>> tiny = tiny_rnn("gru", units=2, epochs=1)                # doctest: +SKIP
    >>> tiny.layer.units                                         # doctest: +SKIP
    2
    """
    import keras

    check_choice("cell", cell, tuple(CELL_MODELS))
    units = check_positive_int("units", units)
    n_train, n_valid = int(n_series * 0.7), int(n_series * 0.2)
    ds = data.synthetic_dataset(
        n_series,
        n_steps,
        (n_train, n_valid, n_series - n_train - n_valid),
        horizon=1,
        layout="seq2seq",
        seed=seed,
    )
    # A constant, high learning rate: a few epochs of batches of 32 train a 3-neuron layer well.
    result = train(
        CELL_MODELS[cell],
        ds,
        profile="full",
        seed=seed,
        epochs=epochs,
        batch_size=32,
        learning_rate=0.02,
        schedule="constant",
        progress=False,
        units=(units,),
    )
    model = result.model
    layer = next(lay for lay in model.layers if hasattr(lay, "cell"))
    dense = model.layers[-1].layer if hasattr(model.layers[-1], "layer") else model.layers[-1]
    w, b = (np.asarray(keras.ops.convert_to_numpy(v), dtype=np.float64) for v in dense.weights)
    # Every step's forecast, from the NumPy equations (exact, see tests/test_widgets.py).
    y_pred = equations.forward_from_keras(layer, ds.X_valid).h @ w + b
    val_mse = float(np.mean((y_pred - ds.y_valid) ** 2))
    return TinyRNN(
        cell=cell,
        model=model,
        layer=layer,
        head=(w, b),
        X_valid=ds.X_valid,
        y_valid=ds.y_valid,
        val_mse=val_mse,
    )

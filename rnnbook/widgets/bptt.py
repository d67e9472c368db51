"""BPTT gradient-flow explorer: ``||dL/dh(t)||`` over time for SimpleRNN, LSTM and GRU.

:func:`bptt_data` is the computation: three freshly initialised layers (the same seed for every
setting, so only the controlled knob changes) with their recurrent kernels multiplied by ``scale``,
and the norm of the loss gradient reaching every hidden state, from
:func:`rnnbook.gradients.hidden_state_gradient_norms` (the backend's autodiff through the unrolled
layer, a ``Dense(1)`` head forecasting the next value of the series). :func:`bptt_explorer` precomputes
one frame per (sequence length, scale, activation) and wires them to the controls.

Why sequences are left-padded with zeros: with zero biases and a zero initial state -- how Keras
initialises these layers -- zero inputs leave every state at exactly zero (LSTM: ``c = f*0 + i*tanh(0)``;
GRU: ``h = z*0 + (1-z)*tanh(0)``). So a length-``T`` sequence padded on the left to the longest length
gives the very same loss and the same ``dL/dh`` on its last ``T`` steps, and the jitted gradient
function compiles once per cell and activation instead of once per length too. ``tests/test_widgets.py``
checks the equality against unpadded sequences.

Used in: book/03_training_rnns.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnbook import data
from rnnbook._checks import check_choice, check_positive_float, check_positive_int
from rnnbook.gradients import hidden_state_gradient_norms
from rnnbook.widgets._cache import cached_view
from rnnbook.widgets._frames import Control, FrameView, figure, png_bytes
from rnnbook.widgets._models import CELL_TITLES

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras.

COLORS = {"simple_rnn": "tab:red", "lstm": "tab:blue", "gru": "tab:green"}
#: The SimpleRNN activations the chapter compares (those `rnnbook.models.simple_rnn.ACTIVATIONS` offers).
ACTIVATIONS = ("tanh", "relu")


@dataclasses.dataclass(frozen=True, eq=False)
class BPTTData:
    """Gradient norms of one setting.

    Attributes:
        n_steps, scale, activation: the setting.
        norms: ``{cell: (n_steps,) array}`` with ``||dL/dh(t)||`` for ``t = 1 ... n_steps``.
    """

    n_steps: int
    scale: float
    activation: str
    norms: dict


def _layers(units: int, activation: str, seed: int):
    import keras

    layers = {}
    for cell in CELL_TITLES:
        cls = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
        # One seed per cell: every setting starts from the same weights, only the knob changes.
        keras.utils.set_random_seed(seed)
        layer = cls(units, activation=activation)
        layer.build((None, None, 1))
        head = keras.layers.Dense(1)
        head.build((None, units))
        base = np.asarray(keras.ops.convert_to_numpy(layer.cell.recurrent_kernel))
        layers[cell] = (layer, head, base)
    return layers


def bptt_data(
    n_steps: int = 50,
    scale: float = 1.0,
    activation: str = "tanh",
    *,
    units: int = 16,
    batch: int = 16,
    seed: int = 42,
    pad_to: int | None = None,
    _layers_cache=None,
) -> BPTTData:
    """``||dL/dh(t)||`` for a SimpleRNN, an LSTM and a GRU on the chapter's synthetic series.

    Args:
        n_steps: sequence length ``T``.
        scale: factor applied to the recurrent kernels (orthogonal at initialisation, so ``scale``
            is the spectral radius of a SimpleRNN's ``W_h``).
        activation: ``"tanh"`` or ``"relu"`` (the SimpleRNN's activation; the LSTM's and GRU's
            candidate and output activation).
        units: neurons of each layer.
        batch: series in the mini-batch.
        seed: seeds the series and the weights.
        pad_to: left-pad the series with zeros to this length (see the module docstring); the norms
            returned are those of the last ``n_steps`` steps either way.

    Returns:
        A :class:`BPTTData`.

    Example:

    >>> d = bptt_data(20, 1.0, "tanh")                     # doctest: +SKIP
    >>> d.norms["lstm"].shape                              # doctest: +SKIP
    (20,)
    """

    n_steps = check_positive_int("n_steps", n_steps)
    scale = check_positive_float("scale", scale)
    check_choice("activation", activation, ACTIVATIONS)
    pad_to = n_steps if pad_to is None else max(n_steps, check_positive_int("pad_to", pad_to))
    series = data.generate_time_series(batch, n_steps + 1, seed=seed)
    X = np.zeros((batch, pad_to, 1), dtype=np.float32)
    X[:, pad_to - n_steps :] = series[:, :n_steps]
    y = series[:, n_steps]
    layers = _layers_cache if _layers_cache is not None else _layers(units, activation, seed)
    norms = {}
    for cell, (layer, head, base) in layers.items():
        # The scaled kernel is passed in, not assigned: the cached layers stay as they were built.
        scaled = {"Wh" if cell == "simple_rnn" else "recurrent_kernel": base * scale}
        norms[cell] = hidden_state_gradient_norms(layer, X, y, head=head, weights=scaled)[pad_to - n_steps :]
    return BPTTData(n_steps=n_steps, scale=scale, activation=activation, norms=norms)


def bptt_grid(
    lengths=(20, 50, 100),
    scales=(0.5, 1.0, 1.5, 2.0),
    activations=ACTIVATIONS,
    *,
    units: int = 16,
    batch: int = 16,
    seed: int = 42,
) -> dict:
    """:func:`bptt_data` for every combination, keyed by ``(length_index, scale_index, activation_index)``.

    The layers are built once per activation and every length is padded to the longest one, so the
    backend compiles one gradient function per cell and activation.
    """
    grid = {}
    for a, activation in enumerate(activations):
        layers = _layers(units, activation, seed)
        for n, length in enumerate(lengths):
            for s, scale in enumerate(scales):
                grid[(n, s, a)] = bptt_data(
                    length,
                    scale,
                    activation,
                    units=units,
                    batch=batch,
                    seed=seed,
                    pad_to=max(lengths),
                    _layers_cache=layers,
                )
    return grid


def render_bptt_frame(d: BPTTData, *, max_steps: int, ylim: tuple) -> bytes:
    """One frame: the three gradient curves on a log scale, with fixed axes so frames compare."""
    fig = figure((7.2, 3.2))
    ax = fig.add_axes([0.1, 0.15, 0.87, 0.74])
    t = np.arange(1, d.n_steps + 1)
    for cell, norms in d.norms.items():
        norms = np.maximum(norms, 1e-300)
        ratio = norms[0] / norms[-1] if norms[-1] > 0 else np.inf
        ax.plot(
            t,
            norms,
            color=COLORS[cell],
            lw=1.6,
            label=f"{CELL_TITLES[cell]}:  ||dL/dh(1)|| / ||dL/dh(T)|| = {ratio:.1e}",
        )
    ax.set_yscale("log")
    ax.set_ylim(*ylim)
    ax.set_xlim(0, max_steps + 1)
    ax.axvline(d.n_steps, color="#999999", lw=0.8, ls=":")
    ax.set_xlabel(
        "time step t (the loss is computed at t = T; backpropagation runs right to left)", fontsize=8
    )
    ax.set_ylabel("||dL/dh(t)||", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, which="major", lw=0.3, alpha=0.5)
    ax.set_title(
        f"Gradient reaching each state: T = {d.n_steps}, recurrent weights x {d.scale:g}, {d.activation}",
        fontsize=8.5,
    )
    ax.legend(fontsize=7, loc="lower right", frameon=True, framealpha=0.9)
    return png_bytes(fig)


@cached_view("bptt_explorer", "the gradient flow through time for every setting")
def bptt_explorer(
    lengths=(20, 50, 100),
    scales=(0.5, 1.0, 1.5, 2.0),
    activations=ACTIVATIONS,
    *,
    units: int = 16,
    batch: int = 16,
    seed: int = 42,
) -> FrameView:
    """Controls for sequence length, recurrent-weight scale and activation over ``||dL/dh(t)||``.

    Args:
        lengths: sequence lengths offered (one slider position each).
        scales: factors of the recurrent kernels offered.
        activations: subset of ``("tanh", "relu")``.
        units: neurons per layer.
        batch: series per mini-batch.
        seed: seeds series and weights.

    Returns:
        A :class:`~rnnbook.widgets._frames.FrameView` with ``len(lengths) * len(scales) *
        len(activations)`` precomputed frames; ``.data`` holds the :class:`BPTTData` grid.

    Example:

    >>> from rnnbook.widgets import bptt_explorer
    >>> bptt_explorer()                       # doctest: +SKIP
    """
    grid = bptt_grid(lengths, scales, activations, units=units, batch=batch, seed=seed)
    values = np.concatenate([n for d in grid.values() for n in d.norms.values()])
    values = values[np.isfinite(values) & (values > 0)]
    # Fixed axes over every frame: moving a control must move the curves, not the axes.
    ylim = (max(values.min(), 1e-30) / 3, min(values.max(), 1e30) * 3)
    frames = {key: render_bptt_frame(d, max_steps=max(lengths), ylim=ylim) for key, d in grid.items()}
    controls = [
        Control("length", "sequence length T", [str(n) for n in lengths]),
        Control(
            "scale",
            "recurrent weights x",
            [f"{s:g}" for s in scales],
            initial=list(scales).index(1.0) if 1.0 in scales else 0,
        ),
        Control("activation", "activation", list(activations), kind="toggle"),
    ]
    title = (
        "<b>Backpropagation through time</b> &mdash; the gradient of the loss reaching each hidden "
        f"state of freshly initialised layers ({units} neurons, a Dense(1) head forecasting the next "
        "value), computed by the backend's autodiff."
    )
    return FrameView(controls, frames, title=title, data=grid)

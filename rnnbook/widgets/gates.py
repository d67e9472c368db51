"""Gate explorer: LSTM and GRU gate activations over time on one series.

:func:`gate_data` is the computation: a tiny LSTM or GRU layer trained briefly on the synthetic series
(:func:`rnnbook.widgets._models.tiny_rnn`), whose weights drive the NumPy equations of
:func:`rnnbook.equations.forward_from_keras` on one validation series; the trace holds every gate at
every step. :func:`gate_explorer` draws one frame per (cell, series).

Used in: book/06_lstm_gru.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnbook import equations
from rnnbook._checks import check_choice, warn_deprecated
from rnnbook.widgets._cache import cached_view
from rnnbook.widgets._frames import Control, FrameView, figure, png_bytes
from rnnbook.widgets._models import CELL_TITLES, tiny_rnn

#: The rows drawn for each cell: (trace attribute, label, value range).
GATES = {
    "lstm": [
        ("i", "input gate i", (0, 1)),
        ("f", "forget gate f", (0, 1)),
        ("o", "output gate o", (0, 1)),
        ("g", "candidate g", (-1, 1)),
        ("c", "long-term state c", (-1, 1)),
        ("h", "output h", (-1, 1)),
    ],
    "gru": [
        ("z", "update gate z", (0, 1)),
        ("r", "reset gate r", (0, 1)),
        ("g", "candidate g", (-1, 1)),
        ("h", "state h", (-1, 1)),
    ],
}


@dataclasses.dataclass(frozen=True, eq=False)
class GateData:
    """Gate activations of one cell on one series.

    Attributes:
        cell: ``"lstm"`` or ``"gru"``.
        x: the input series ``(T,)``; ``target``: the next values ``(T,)``; ``forecast``: the
            model's next-step forecasts ``(T,)``.
        gates: ``{name: (T, n_neurons) array}`` for the names of :data:`GATES`.
        val_mse: validation MSE of the tiny model.
    """

    cell: str
    x: np.ndarray
    target: np.ndarray
    forecast: np.ndarray
    gates: dict
    val_mse: float


def gate_data(
    cell: str = "lstm", series: int = 0, *, units: int = 4, n_steps: int = 30, epochs: int = 6, seed: int = 42
) -> GateData:
    """Run a trained tiny ``cell`` layer's NumPy equations on validation series ``series``.

    Args:
        cell: ``"lstm"`` or ``"gru"``.
        series: index of the validation series.
        units: neurons of the layer.
        n_steps: time steps.
        epochs: training epochs of the tiny model (cached per process).
        seed: seeds data and weights.

    Returns:
        A :class:`GateData`.

    Example:

    >>> d = gate_data("gru", epochs=1)                 # doctest: +SKIP
    >>> sorted(d.gates)                                # doctest: +SKIP
    ['g', 'h', 'r', 'z']
    """

    check_choice("cell", cell, tuple(GATES))
    tiny = tiny_rnn(cell, units=units, n_steps=n_steps, epochs=epochs, seed=seed)
    x = tiny.X_valid[series, :, 0].astype(np.float64)
    trace = equations.forward_from_keras(tiny.layer, x[:, np.newaxis])
    w, b = tiny.head
    return GateData(
        cell=cell,
        x=x,
        target=tiny.y_valid[series, :, 0].astype(np.float64),
        forecast=(trace.h @ w + b)[:, 0],
        gates={name: getattr(trace, name) for name, _, _ in GATES[cell]},
        val_mse=tiny.val_mse,
    )


def render_gate_frame(d: GateData) -> bytes:
    """The series on top, then one heat map (neurons x time) per gate or state."""
    rows = GATES[d.cell]
    fig = figure((7.4, 1.0 + 0.62 * (len(rows) + 1)))
    grid = fig.add_gridspec(
        len(rows) + 1,
        2,
        width_ratios=[1, 0.018],
        hspace=0.35,
        wspace=0.02,
        left=0.17,
        right=0.93,
        top=0.93,
        bottom=0.08,
    )
    T = len(d.x)
    ax = fig.add_subplot(grid[0, 0])
    ax.plot(np.arange(T), d.x, "o-", ms=2, lw=1, color="#555555", label="input x(t)")
    ax.plot(np.arange(T) + 1, d.forecast, "x", ms=3.5, color="tab:red", label="forecast of x(t+1)")
    ax.set_xlim(-0.5, T + 0.5)
    ax.set_xticks([])
    ax.tick_params(labelsize=6)
    ax.legend(fontsize=6, loc="lower right", ncol=2, framealpha=0.8)
    ax.set_title(
        f"{CELL_TITLES[d.cell]} gates over time, one row per neuron (validation MSE {d.val_mse:.4f})",
        fontsize=8.5,
    )
    for r, (name, label, (lo, hi)) in enumerate(rows, start=1):
        ax = fig.add_subplot(grid[r, 0])
        image = ax.imshow(
            d.gates[name].T,
            aspect="auto",
            cmap="viridis" if lo == 0 else "coolwarm",
            vmin=lo,
            vmax=hi,
            interpolation="nearest",
            extent=(-0.5, T - 0.5, d.gates[name].shape[1] + 0.5, 0.5),
        )
        ax.set_xlim(-0.5, T + 0.5)
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=7)
        ax.tick_params(labelsize=6)
        if r < len(rows):
            ax.set_xticks([])
        else:
            ax.set_xlabel("time step t", fontsize=7)
        cax = fig.add_subplot(grid[r, 1])
        bar = fig.colorbar(image, cax=cax, ticks=[lo, hi])
        bar.ax.tick_params(labelsize=5.5)
    return png_bytes(fig)


@cached_view("gate_explorer", "the gates of the trained cells")
def gate_explorer(
    cells=("lstm", "gru"),
    n_series: int = 4,
    *,
    units: int = 4,
    n_steps: int = 30,
    epochs: int = 6,
    seed: int = 42,
) -> FrameView:
    """LSTM and GRU gate activations on a few validation series, one precomputed frame each.

    Args:
        cells: cells offered (``"lstm"``, ``"gru"``).
        n_series: validation series offered by the slider.
        units: neurons per layer.
        n_steps: time steps.
        epochs: training epochs of each tiny model.
        seed: seeds data and weights.

    Returns:
        A :class:`~rnnbook.widgets._frames.FrameView`; ``.data`` maps each frame key to its
        :class:`GateData`.

    Example:

    >>> from rnnbook.widgets import gate_explorer
    >>> gate_explorer()                       # doctest: +SKIP
    """
    data = {
        (a, s): gate_data(cell, s, units=units, n_steps=n_steps, epochs=epochs, seed=seed)
        for a, cell in enumerate(cells)
        for s in range(n_series)
    }
    frames = {key: render_gate_frame(d) for key, d in data.items()}
    controls = [
        Control("cell", "cell", [CELL_TITLES[c] for c in cells], kind="toggle"),
        Control("series", "validation series", [str(s) for s in range(n_series)], play=True),
    ]
    title = (
        f"<b>Gate explorer</b> &mdash; {units}-neuron LSTM and GRU layers trained for {epochs} epochs to "
        "forecast the next value; the gates are computed by the NumPy equations with the trained weights. "
        "Sigmoid gates run from 0 (closed) to 1 (open)."
    )
    return FrameView(controls, frames, title=title, play_interval_ms=1200, data=data)


def gate_inspector(*args, **kwargs) -> FrameView:
    """Deprecated: :func:`gate_explorer` (same arguments)."""
    warn_deprecated("rnnbook.widgets.gate_inspector", "rnnbook.widgets.gate_explorer")
    return gate_explorer(*args, **kwargs)

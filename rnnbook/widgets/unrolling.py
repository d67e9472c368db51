"""Unrolling explorer: one recurrent layer unrolled through time, step by step, with its real numbers.

:func:`unrolling_data` is the pure computation: a tiny trained layer (3 neurons) run on one validation
series by the NumPy equations of :mod:`rnnbook.equations`, plus the *memory* of the layer -- how much
``h(t)`` still depends on each past input, ``||dh(t)/dx(s)||``, measured by central differences of the
same NumPy equations (perturb ``x(s)``, rerun, compare). :func:`unrolling_step` slices one time step
out of it: ``x(t)``, ``h(t-1)``, the weighted sums and ``h(t)`` (or the gates of an LSTM / GRU), and
the equation filled in with those numbers. :func:`unrolling_explorer` draws one frame per step and
wires them to a slider and a Play button that keep working in the static book. The network in each
frame is the book's figure, :func:`rnnbook.diagrams.recurrent_unrolled`, with step ``t`` highlighted
(the diagram numbers the steps from 1, so the explorer's 0-based ``t`` is its ``step=t + 1``).

Used in: book/02_recurrent_neurons.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnbook import diagrams, equations
from rnnbook._checks import check_choice, check_positive_int
from rnnbook.widgets._cache import cached_view
from rnnbook.widgets._frames import Control, FrameView, figure, png_bytes
from rnnbook.widgets._models import CELL_MODELS, CELL_TITLES, tiny_rnn

#: Step of the central differences that measure the memory (float64 equations: exact to ~1e-9).
EPS = 1e-5


@dataclasses.dataclass(frozen=True, eq=False)
class UnrollingData:
    """Everything the unrolling explorer shows, for every time step.

    Attributes:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        x: the input series ``(T,)``.
        target: the next value after each step ``(T,)``.
        forecast: the model's forecast of the next value at each step ``(T,)``.
        trace: the NumPy trace (`rnnbook.equations.SimpleRNNTrace`, ``LSTMTrace`` or ``GRUTrace``)
            of one instance: arrays ``(T, n_neurons)``.
        weights: the layer's weights, as :func:`rnnbook.equations.weights_from_keras` returns them.
        head: ``(w, b)`` of the ``Dense(1)`` head.
        memory: ``(T, T)`` array, ``memory[t, s] = ||dh(t)/dx(s)||`` (0 for ``s > t``).
        val_mse: validation MSE of the trained model (next-step forecasts).
    """

    cell: str
    x: np.ndarray
    target: np.ndarray
    forecast: np.ndarray
    trace: object
    weights: dict
    head: tuple
    memory: np.ndarray
    val_mse: float

    @property
    def n_steps(self) -> int:
        return len(self.x)


def memory_jacobian_norms(layer, x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """``||dh(t)/dx(s)||`` for every pair of steps, by central differences of the NumPy equations.

    All ``2 T`` perturbed copies of the series run as one mini-batch of
    :func:`rnnbook.equations.forward_from_keras`.

    Args:
        layer: a built Keras ``SimpleRNN``, ``LSTM`` or ``GRU`` layer with one input feature.
        x: one series, shape ``(T,)`` or ``(T, 1)``.
        eps: the perturbation.

    Returns:
        ``(T, T)`` array ``M`` with ``M[t, s] = ||dh(t)/dx(s)||_2`` (zero above the diagonal: the
        future cannot influence the past).

    Example:

    >>> import keras
    >>> layer = keras.layers.SimpleRNN(2); _ = layer(np.zeros((1, 5, 1), "float32"))
    >>> M = memory_jacobian_norms(layer, np.linspace(0, 1, 5))
    >>> M.shape, float(M[0, 1])
    ((5, 5), 0.0)
    """

    x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    T = len(x)
    batch = np.repeat(x[np.newaxis], 2 * T, axis=0)  # (2T, T, 1)
    steps = np.arange(T)
    batch[steps, steps, 0] += eps
    batch[T + steps, steps, 0] -= eps
    h = equations.forward_from_keras(layer, batch).h  # (2T, T, units)
    jac = (h[:T] - h[T:]) / (2 * eps)  # jac[s, t] = dh(t)/dx(s)
    memory = np.linalg.norm(jac, axis=-1).T  # (t, s)
    return np.tril(memory)


def unrolling_data(
    cell: str = "simple_rnn",
    *,
    units: int = 3,
    n_steps: int = 16,
    series: int = 0,
    epochs: int = 6,
    seed: int = 42,
) -> UnrollingData:
    """Train a tiny ``cell`` layer (cached per process) and unroll it on one validation series.

    Args:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        units: neurons of the layer.
        n_steps: time steps unrolled.
        series: which validation series to run.
        epochs: training epochs of the tiny model.
        seed: seeds data and weights.

    Returns:
        An :class:`UnrollingData`.

    Example:

    >>> d = unrolling_data("simple_rnn", n_steps=8, epochs=1)    # doctest: +SKIP
    >>> d.trace.h.shape, d.memory.shape                          # doctest: +SKIP
    ((8, 3), (8, 8))
    """

    check_choice("cell", cell, tuple(CELL_MODELS))
    tiny = tiny_rnn(
        cell,
        units=check_positive_int("units", units),
        n_steps=check_positive_int("n_steps", n_steps),
        epochs=epochs,
        seed=seed,
    )
    x = tiny.X_valid[series, :, 0].astype(np.float64)
    trace = equations.forward_from_keras(tiny.layer, x[:, np.newaxis])
    w, b = tiny.head
    forecast = (trace.h @ w + b)[:, 0]
    return UnrollingData(
        cell=cell,
        x=x,
        target=tiny.y_valid[series, :, 0].astype(np.float64),
        forecast=forecast,
        trace=trace,
        weights=equations.weights_from_keras(tiny.layer),
        head=tiny.head,
        memory=memory_jacobian_norms(tiny.layer, x),
        val_mse=tiny.val_mse,
    )


def _vec(v) -> str:
    return "[" + " ".join(f"{float(a):+.2f}" for a in np.ravel(v)) + "]"


def unrolling_step(data: UnrollingData, t: int) -> dict:
    """The numbers of time step ``t`` (0-based) and the equation lines filled in with them.

    Args:
        data: from :func:`unrolling_data`.
        t: the time step, ``0 <= t < T``.

    Returns:
        ``{"t", "x", "h_prev", "h", "forecast", "target", "memory" ((t+1,) array over s = 0..t),
        "lines" (the filled-in equation, one string per line), and the cell's intermediate values
        ("xw", "hw", "z" for a SimpleRNN; "i", "f", "o", "g", "c_prev", "c" for an LSTM; "z", "r",
        "g" for a GRU)}``.

    Example:

    >>> step = unrolling_step(d, 3)          # doctest: +SKIP
    >>> step["lines"][0]                     # doctest: +SKIP
    't = 3    x(t) = +0.41'
    """
    if not 0 <= t < data.n_steps:
        raise ValueError(
            f"Received an invalid value for argument `t`, expected 0 <= t < {data.n_steps}, got {t!r}."
        )
    tr = data.trace
    step = {
        "t": t,
        "x": float(data.x[t]),
        "h_prev": tr.h_prev[t],
        "h": tr.h[t],
        "forecast": float(data.forecast[t]),
        "target": float(data.target[t]),
        "memory": data.memory[t, : t + 1],
    }
    lines = [f"t = {t}    x(t) = {data.x[t]:+.2f}    h(t-1) = {_vec(tr.h_prev[t])}"]
    if data.cell == "simple_rnn":
        step.update(xw=tr.xw[t], hw=tr.hw[t], z=tr.z[t])
        lines += [
            f"x(t) Wx                = {_vec(tr.xw[t])}",
            f"h(t-1) Wh              = {_vec(tr.hw[t])}",
            f"z = x Wx + h Wh + b    = {_vec(tr.z[t])}",
            f"h(t) = tanh(z)         = {_vec(tr.h[t])}",
        ]
    elif data.cell == "lstm":
        step.update(i=tr.i[t], f=tr.f[t], o=tr.o[t], g=tr.g[t], c_prev=tr.c_prev[t], c=tr.c[t])
        lines += [
            f"i = sig(x Wxi + h Whi + bi) = {_vec(tr.i[t])}   input gate",
            f"f = sig(x Wxf + h Whf + bf) = {_vec(tr.f[t])}   forget gate",
            f"o = sig(x Wxo + h Who + bo) = {_vec(tr.o[t])}   output gate",
            f"g = tanh(x Wxg + h Whg + bg) = {_vec(tr.g[t])}",
            f"c(t) = f*c(t-1) + i*g       = {_vec(tr.c[t])}   (c(t-1) = {_vec(tr.c_prev[t])})",
            f"h(t) = o*tanh(c(t))         = {_vec(tr.h[t])}",
        ]
    else:
        step.update(z=tr.z[t], r=tr.r[t], g=tr.g[t])
        lines += [
            f"z = sig(x Wxz + h Whz + bz)     = {_vec(tr.z[t])}   update gate",
            f"r = sig(x Wxr + h Whr + br)     = {_vec(tr.r[t])}   reset gate",
            f"g = tanh(x Wxg + (r*h) Whg + bg) = {_vec(tr.g[t])}",
            f"h(t) = z*h(t-1) + (1-z)*g       = {_vec(tr.h[t])}",
        ]
    lines.append(f"forecast x(t+1) = h(t) w + b = {data.forecast[t]:+.3f}    (true {data.target[t]:+.3f})")
    step["lines"] = lines
    return step


def render_unrolling_frame(data: UnrollingData, t: int) -> bytes:
    """Draw step ``t``: the unrolled network, the series and state, the memory and the equation.

    The network is the book's figure, :func:`rnnbook.diagrams.recurrent_unrolled`, drawn into the
    frame with the copy at step ``t`` highlighted and the earlier copies shaded by the memory. The
    diagram counts steps from 1 (:math:`\\mathbf{y}_{(0)} = \\mathbf{0}` is the initial state), so
    the explorer's step ``t`` (0-based, an index into the arrays) is the diagram's ``step=t + 1``.

    Returns:
        PNG bytes.
    """

    step = unrolling_step(data, t)
    T = data.n_steps
    fig = figure((7.4, 5.3))
    # --- the unrolled network: the book's diagram, step t in red, the past shaded by the memory.
    ax = fig.add_axes([0.01, 0.7, 0.98, 0.22])
    ax.set_anchor("N")
    mem = data.memory[t, : t + 1]
    simple = data.cell == "simple_rnn"
    diagrams.recurrent_unrolled(
        T,
        step=t + 1,
        shade=mem,
        cell=r"$\phi$" if simple else CELL_TITLES[data.cell],
        caption=simple,
        folded=False,
        ax=ax,
        scale=min(0.9, 11.0 / T),  # 16 steps across 7 inches: labels at 0.69 of the book's size
    )
    ax.set_title(
        f"{CELL_TITLES[data.cell]} unrolled: step t = {t} in red (the diagram numbers the steps from 1)\n"
        "blue: how much h(t) still depends on each earlier input",
        fontsize=8,
    )
    grid = fig.add_gridspec(
        2,
        2,
        height_ratios=[1.45, 1.25],
        width_ratios=[1.35, 1],
        hspace=0.5,
        wspace=0.25,
        left=0.07,
        right=0.98,
        top=0.65,
        bottom=0.02,
    )
    # --- the series, the forecasts so far and the state h(t).
    ax = fig.add_subplot(grid[0, 0])
    steps = np.arange(T)
    ax.plot(steps, data.x, "o-", color="#999999", ms=2.5, lw=1, label="input x(s)")
    ax.plot(
        steps[: t + 1] + 1, data.forecast[: t + 1], "x", color="tab:red", ms=4, label="forecast of x(s+1)"
    )
    ax.plot([t], [data.x[t]], "o", color="#d62728", ms=6)
    h = data.trace.h
    for k in range(h.shape[1]):
        ax.plot(steps[: t + 1], h[: t + 1, k], lw=1.2, label=f"h{k + 1}(s)" if k < 3 else None)
    ax.axvline(t, color="#d62728", lw=0.8, ls=":")
    ax.set_xlim(-0.5, T + 0.5)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("time step s", fontsize=7)
    ax.tick_params(labelsize=6.5)
    ax.legend(fontsize=6, ncol=3, loc="lower left", frameon=False)
    ax.set_title("series, forecasts and hidden state", fontsize=8)
    # --- memory: how much h(t) depends on each past input.
    ax = fig.add_subplot(grid[0, 1])
    lags = np.arange(t + 1)
    values = np.maximum(mem[::-1], 1e-12)  # lag k = t - s
    ax.bar(lags, values, color="#1f5fa8", width=0.8)
    ax.set_yscale("log")
    positive = data.memory[data.memory > 0]
    ax.set_ylim(max(positive.min(), 1e-8) * 0.5 if positive.size else 1e-8, data.memory.max() * 2 + 1e-12)
    ax.set_xlim(-0.6, T - 0.4)
    ax.set_xlabel("lag k (input x(t-k))", fontsize=7)
    ax.tick_params(labelsize=6.5)
    ax.set_title("memory: ||dh(t)/dx(t-k)||", fontsize=8)
    # --- the equation, filled in.
    ax = fig.add_subplot(grid[1, :])
    ax.axis("off")
    ax.text(
        0.0,
        1.0,
        "\n".join(step["lines"]),
        family="monospace",
        fontsize=7.2,
        va="top",
        ha="left",
        transform=ax.transAxes,
    )
    return png_bytes(fig)


@cached_view("unrolling_explorer", "the unrolled network at every time step")
def unrolling_explorer(
    cell: str = "simple_rnn",
    *,
    units: int = 3,
    n_steps: int = 16,
    series: int = 0,
    epochs: int = 6,
    seed: int = 42,
) -> FrameView:
    """A time-step slider and Play button over a tiny trained ``cell`` layer, unrolled.

    Each frame shows ``x(t)``, ``h(t-1)``, the weighted sums (or gates) and ``h(t)`` in the layer's
    equation with the real numbers, the unrolled network with step ``t`` highlighted, and the memory
    ``||dh(t)/dx(t-k)||``. One frame per step is precomputed, so the slider and Play work in the static
    book.

    Args:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        units: neurons of the layer (3 keeps the equation readable).
        n_steps: time steps (one frame each; keep it <= 30).
        series: which validation series.
        epochs: training epochs of the tiny model (cached per process).
        seed: seeds data and weights.

    Returns:
        A :class:`~rnnbook.widgets._frames.FrameView`; display it (or its ``.widget``). Its ``.data``
        is the :class:`UnrollingData`.

    Example:

    >>> from rnnbook.widgets import unrolling_explorer
    >>> unrolling_explorer("lstm")               # doctest: +SKIP
    """
    data = unrolling_data(cell, units=units, n_steps=n_steps, series=series, epochs=epochs, seed=seed)
    frames = {(t,): render_unrolling_frame(data, t) for t in range(data.n_steps)}
    control = Control("t", "time step \\(t\\)", [str(t) for t in range(data.n_steps)], play=True)
    title = (
        f"<b>{CELL_TITLES[cell]} unrolled</b> &mdash; {units} neurons trained for {epochs} epochs "
        f"on the synthetic series (validation MSE {data.val_mse:.4f}). Move the slider or press Play."
    )
    return FrameView([control], frames, title=title, play_interval_ms=700, data=data)

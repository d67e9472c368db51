"""The book's labelled diagrams, drawn with Matplotlib in the notation of the equations.

Each function draws one figure of the chapter -- a recurrent layer unrolled through time, the four
input/output architectures, backpropagation through time, a deep (stacked) RNN, the seq2seq targets, the
LSTM cell, the GRU cell, a strided ``Conv1D`` lined up with its targets, the dilated causal stack of
WaveNet and its residual block -- and returns the Matplotlib ``Figure``. The symbols are those of the
equations they illustrate (:math:`\\mathbf{x}_{(t)}`, :math:`\\mathbf{y}_{(t)}`, :math:`\\mathbf{W}_x`,
:math:`\\mathbf{W}_y`, :math:`\\mathbf{H}_{(t)}`, the gates :math:`\\mathbf{i}, \\mathbf{f}, \\mathbf{o},
\\mathbf{g}` of ``eq-lstm`` and :math:`\\mathbf{z}, \\mathbf{r}, \\mathbf{g}` of ``eq-gru``), and
:data:`ALT_TEXT` holds the text alternative the book attaches to each (a chapter cell carries it as its
``mystnb.image.alt`` metadata; ``tests/test_diagrams.py`` holds the two to the same text).

Nothing here trains or computes a result, so this module is outside the trained-model cache key.

Used in: book/02_recurrent_neurons, book/03_training_rnns, book/04_forecasting, book/06_lstm_gru,
book/07_convolutions_wavenet.

Example:

>>> from rnnbook import diagrams
>>> fig = diagrams.dilated_causal_stack(kernel_size=2, dilation_rates=(1, 2, 4), n_steps=12)
>>> from rnnbook.receptive import receptive_field, receptive_paths
>>> len(receptive_paths(2, (1, 2, 4), 12)[0])   # the inputs it highlights: 1 + (2 - 1)(1 + 2 + 4)
8
>>> sorted(diagrams.ALT_TEXT)[:2]
['bptt', 'conv1d_strides']
"""

from __future__ import annotations

import numpy as np

from rnnbook.receptive import conv_target_slice, receptive_field, receptive_paths

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Matplotlib.

#: The text alternative of each diagram (the book's ``mystnb.image.alt`` cell metadata).
ALT_TEXT = {
    "recurrent_unrolled": (
        "Left: one recurrent layer drawn as a box that receives the input x(t) through the weights W_x "
        "and its own previous output y(t-1) through the weights W_y, with a loop back to itself. Right: "
        "the same layer unrolled through time as a chain of identical boxes, one per time step t = 1 to "
        "4; each box takes x(t) from below and the previous box's output y(t-1) from the left, starting "
        "from y(0) = 0, and outputs y(t) upward; every box shares the same W_x, W_y and b."
    ),
    "sequence_architectures": (
        "Four unrolled recurrent networks. Sequence-to-sequence: an input at every step and an output at "
        "every step. Sequence-to-vector: an input at every step, only the last output kept, the others "
        "ignored. Vector-to-sequence: the same vector fed at every step, an output at every step. "
        "Encoder-decoder: an encoder reads the whole input sequence into one vector, which a decoder "
        "turns into an output sequence."
    ),
    "bptt": (
        "Backpropagation through time on a network unrolled over five steps. Forward arrows (black) run "
        "from the inputs X(t) through the states H(t) from left to right; the cost C reads only the "
        "outputs Y(3), Y(4) and Y(5). Gradient arrows (red) run backward: from C down into H(5), H(4) and "
        "H(3), then from each H(t) to H(t-1), right to left, down to H(1), each arrow labelled diag(phi') "
        "W_y transposed: the derivative of the activation at that step times the transposed recurrent "
        "weights. Y(1) and Y(2) get gradient only through the later steps. The shared weights W_x, W_y, "
        "b receive the sum of every step's contribution."
    ),
    "lstm_cell": (
        "The LSTM cell. The long-term state c(t-1) runs along the top: it is multiplied element-wise by "
        "the forget gate f(t), then the product of the input gate i(t) and the candidate g(t) is added, "
        "giving c(t). The inputs x(t) and h(t-1) feed four fully connected layers: f, i and o with a "
        "logistic activation, g with tanh. tanh of c(t), multiplied by the output gate o(t), is the "
        "short-term state h(t), which is also the output y(t)."
    ),
    "gru_cell": (
        "The GRU cell. The state h(t-1) runs along the top: it is multiplied element-wise by the update "
        "gate z(t), and (1 - z(t)) times the candidate g(t) is added, giving h(t), which is also the "
        "output. The inputs x(t) and h(t-1) feed two logistic gate layers, z and r; the reset gate r(t) "
        "multiplies h(t-1) before it enters the tanh layer that computes g(t) with x(t)."
    ),
    "dilated_causal_stack": (
        "A stack of causal convolutions with kernel size 2 and dilation rates 1, 2, 4 and 8, drawn as "
        "rows of dots, one row per layer and one dot per time step. Grey lines are all the connections; "
        "the connections that reach the last output are highlighted, and they fan out to the last 16 "
        "inputs, the receptive field 1 + (k - 1)(1 + 2 + 4 + 8) = 16. No connection goes from a later "
        "step to an earlier one."
    ),
    "stacked_rnn": (
        "A deep RNN unrolled over the time steps 1, 2, 3 and T, drawn as a grid of boxes: one row per "
        "SimpleRNN layer of 20 units, one column per time step. Each box passes its state to the box on "
        "its right, in the same layer, and its output up to the box above it at the same step, so the "
        "first layer reads the inputs x(t) and each layer above reads the outputs of the layer below; "
        "the lower layer returns its whole sequence (return_sequences=True). The top layer's outputs at "
        "the earlier steps are not returned: only its output at the last step T goes to a Dense(1) "
        "layer, which outputs the forecast of x(T+1)."
    ),
    "seq2seq_targets": (
        "The sequence-to-sequence targets. Bottom: one series, a window of T = 12 values x(1) to x(12) "
        "followed by the 10 values after it. Above it, one row per time step t = 1, 2, 3 and T: a grey "
        "bar over the inputs read up to step t, a red dot for the output at step t, and ten blue dots "
        "over the values x(t+1) to x(t+10), the target Y(t) that step is trained to forecast. The "
        "targets of the early steps lie inside the window, values the model reads only later; the "
        "targets of the last step, x(13) to x(22), lie entirely beyond it, and that forecast is the one "
        "the last-time-step MSE scores."
    ),
    "conv1d_strides": (
        "A Conv1D with kernel 4, stride 2 and valid padding over 14 input steps x(0) to x(13). Each of "
        "its 6 outputs is drawn above the last of the 4 inputs it reads: output 0 reads x(0) to x(3), "
        "output 1 reads x(2) to x(5), the two windows overlapping by two steps, and so on up to output "
        "5, which reads x(10) to x(13). An arrow from each output goes up to the seq2seq target it is "
        "trained on, the one at the step of its last input: Y(3), Y(5), ..., Y(13), that is "
        "Y[:, 3::2]; the targets at the other steps are grey, unused. On the chapter's 50 steps the "
        "convolution has 24 outputs, trained on Y(3), Y(5), ..., Y(49)."
    ),
    "wavenet_block": (
        "One residual block of rnnbook's WaveNet, bottom to top. The input window goes through a causal "
        "Conv1D with kernel 2 that projects it to the block's channels, x. In the block, a dilated "
        "causal Conv1D outputs twice as many channels; its first half goes through tanh, its second "
        "half through the logistic sigma, and the two are multiplied element-wise into z. A 1 x 1 "
        "Conv1D maps z back to the block's channels. Its output goes two ways: added to the block's "
        "input x through the residual connection, it is the input of the next block; as the skip "
        "output, it goes to the head, where the skips of all 8 blocks (dilations 1, 2, 4, 8, twice) "
        "are summed, then pass through ReLU, a 1 x 1 Conv1D with ReLU and a linear 1 x 1 Conv1D with "
        "10 channels: the 10 forecasts at every step."
    ),
}

_INK, _MUTED, _ACCENT, _GRAD = "#222222", "#b5b5b5", "#1f5fa8", "#d62728"
_GATE_FC = {"sigma": "#fde9c8", "tanh": "#d8e8f8", "op": "#ffffff"}


def _figure(figsize):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig, ax


def _box(
    ax, xy, text, w=1.0, h=0.7, fc="#eef3fa", ec=_INK, lw=1.2, fontsize=11, round_=True, color=_INK, zorder=2
):
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    patch = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        fc=fc,
        ec=ec,
        lw=lw,
        zorder=zorder,
        boxstyle="round,pad=0.04" if round_ else "square,pad=0.02",
    )
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3, color=color)
    return patch


def _circle(ax, xy, text, r=0.22, fc="#ffffff", ec=_INK, fontsize=12):
    from matplotlib.patches import Circle

    patch = Circle(xy, r, fc=fc, ec=ec, lw=1.2, zorder=2)
    ax.add_patch(patch)
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=3)
    return patch


def _arrow(
    ax,
    start,
    end,
    color=_INK,
    lw=1.2,
    style="-|>",
    ls="-",
    connection="arc3",
    patch_a=None,
    patch_b=None,
    shrink=2,
):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        zorder=1,
        arrowprops={
            "arrowstyle": style,
            "color": color,
            "lw": lw,
            "linestyle": ls,
            "shrinkA": shrink,
            "shrinkB": shrink,
            "patchA": patch_a,
            "patchB": patch_b,
            "connectionstyle": connection,
            "mutation_scale": 12,
        },
    )


def _label(ax, xy, text, fontsize=11, color=_INK, **kw):
    ax.text(
        *xy,
        text,
        ha=kw.pop("ha", "center"),
        va=kw.pop("va", "center"),
        fontsize=fontsize,
        color=color,
        zorder=4,
        **kw,
    )


def _on(ax, figsize):
    """``(fig, ax, texts before)``: a new figure, or the caller's Axes (a widget's frame) prepared alike."""
    if ax is None:
        fig, ax = _figure(figsize)
        return fig, ax, 0
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax.figure, ax, len(ax.texts)


def _scale_texts(ax, first: int, scale: float) -> None:
    """Multiply the font size of the texts drawn from ``ax.texts[first]`` on (a smaller picture)."""
    if scale != 1.0:
        for text in ax.texts[first:]:
            text.set_fontsize(text.get_fontsize() * scale)


def recurrent_unrolled(
    n_steps: int = 4,
    step: int | None = None,
    *,
    shade=None,
    cell: str = r"$\phi$",
    caption: bool = True,
    folded: bool = True,
    ax=None,
    scale: float = 1.0,
):
    """A recurrent layer, folded (left) and unrolled through time (right), as in ``eq-rnn-batch``.

    Args:
        n_steps: how many time steps the unrolled network shows (at least 2).
        step: highlight the copy of the layer at this step (1-based), grey the later ones -- the view
            of the unrolling explorer at step ``t``; ``None`` draws every step alike.
        shade: optional non-negative values, one per step from step 1 on (at most ``n_steps``): the
            copy at step ``s`` is filled blue in proportion to ``shade[s - 1]`` (the explorer passes
            how much :math:`\\mathbf{h}_{(t)}` still depends on each :math:`\\mathbf{x}_{(s)}`).
        cell: the text in each copy of the layer (the explorer writes ``"LSTM"`` or ``"GRU"``).
        caption: write the shared weights and the simple RNN's equation under the chain (``False``
            for a cell whose equation is another).
        folded: draw the folded layer and its loop left of the chain (``False``: the chain alone, for
            a narrow picture).
        ax: draw into this Matplotlib ``Axes`` (a widget's frame) instead of a new figure.
        scale: factor on the font sizes, for a smaller picture (a widget's frame).

    Returns:
        The Matplotlib figure (``ax.figure`` when ``ax`` is given).

    Example:

    >>> fig = recurrent_unrolled(n_steps=3, step=2)
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> r"$\\mathbf{x}_{(3)}$" in texts, r"$\\mathbf{x}_{(4)}$" in texts     # three steps drawn
    (True, False)
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> fig = recurrent_unrolled(5, step=3, shade=[0.1, 0.5, 1.0], cell="GRU", ax=ax, scale=0.5)
    >>> fig is ax.figure, "GRU" in [t.get_text() for t in ax.texts]
    (True, True)
    """
    if n_steps < 2:
        raise ValueError(f"recurrent_unrolled needs n_steps >= 2, got {n_steps}")
    if step is not None and not 1 <= step <= n_steps:
        raise ValueError(f"step must lie in 1..{n_steps}, got {step}")
    if shade is not None:
        shade = np.asarray(shade, dtype=float).ravel()
        if len(shade) > n_steps or (shade < 0).any():
            raise ValueError(f"shade must hold at most {n_steps} non-negative values, got {shade}")
        top = shade.max() if len(shade) and shade.max() > 0 else 1.0
    fig, ax, first_text = _on(ax, (2.2 + 1.9 * n_steps, 3.9))
    cell_size = 11 if cell.startswith("$") or len(cell) <= 2 else 7  # a name ("LSTM") fits the box
    if folded:
        # Folded: one box, its input, its output and the loop through W_y.
        loop = _box(ax, (0.6, 1.5), cell, fontsize=cell_size)
        xin = _label(ax, (0.6, 0.0), r"$\mathbf{x}_{(t)}$")
        _arrow(ax, (0.6, 0.25), (0.6, 1.12))
        _label(ax, (0.85, 0.7), r"$\mathbf{W}_x$", fontsize=10, ha="left")
        _arrow(ax, (0.6, 1.88), (0.6, 2.75))
        _label(ax, (0.6, 3.0), r"$\mathbf{y}_{(t)}$")
        _arrow(ax, (0.6, 2.35), (0.08, 1.5), connection="angle,angleA=180,angleB=90,rad=8")
        _label(ax, (-0.35, 2.35), r"$\mathbf{W}_y$", fontsize=10)
        _label(ax, (-0.3, 1.15), r"$\mathbf{y}_{(t-1)}$", fontsize=9)
        del loop, xin
        _label(ax, (1.85, 1.5), "=", fontsize=20)
    # Unrolled: one copy per step, sharing W_x, W_y and b.
    x0 = 3.4
    y0 = r"$\mathbf{y}_{(0)} = \mathbf{0}$"
    if folded:
        _label(ax, (x0 - 0.95, 1.5), y0, fontsize=9)
    else:  # a narrow picture: the initial state ends at the first copy
        _label(ax, (x0 - 0.55, 1.5), y0, fontsize=9, ha="right")
    prev = None
    for s in range(1, n_steps + 1):
        x = x0 + 1.9 * (s - 1)
        later = step is not None and s > step
        ink = _MUTED if later else _INK
        fc = "#fbe3e3" if step == s else ("#f4f4f4" if later else "#eef3fa")
        if shade is not None and s <= len(shade) and step != s:
            fc = _shade(shade[s - 1] / top)
        box = _box(
            ax,
            (x, 1.5),
            cell,
            fontsize=cell_size,
            fc=fc,
            ec=_GRAD if step == s else ink,
            color=ink,
            lw=2 if step == s else 1.2,
        )
        _label(ax, (x, 0.0), rf"$\mathbf{{x}}_{{({s})}}$", color=ink)
        _arrow(ax, (x, 0.25), (x, 1.12), color=ink)
        _arrow(ax, (x, 1.88), (x, 2.75), color=ink)
        _label(ax, (x, 3.0), rf"$\mathbf{{y}}_{{({s})}}$", color=ink)
        if s == 1:
            _arrow(ax, (x - 0.55, 1.5), (x - 0.52, 1.5), color=ink)
        if prev is not None:
            _arrow(ax, (x - 1.4, 1.5), (x - 0.52, 1.5), color=ink)
            _label(ax, (x - 0.95, 1.72), r"$\mathbf{W}_y$", fontsize=9, color=ink)
        _label(ax, (x + 0.2, 0.7), r"$\mathbf{W}_x$", fontsize=9, color=ink, ha="left")
        prev = box
    if caption:
        ax.text(
            x0 - 0.4,
            -0.75,
            r"every copy shares $\mathbf{W}_x$ ($n_\mathrm{inputs} \times n_\mathrm{neurons}$),"
            r" $\mathbf{W}_y$ ($n_\mathrm{neurons} \times n_\mathrm{neurons}$) and $\mathbf{b}$;"
            r"  $\mathbf{y}_{(t)} = \phi(\mathbf{W}_x^\intercal \mathbf{x}_{(t)} + "
            r"\mathbf{W}_y^\intercal \mathbf{y}_{(t-1)} + \mathbf{b})$",
            fontsize=9,
            ha="left",
            va="center",
        )
    ax.set_xlim(-0.9 if folded else x0 - 3.3, x0 + 1.9 * (n_steps - 1) + 0.8)
    ax.set_ylim(-1.0, 3.3)
    _scale_texts(ax, first_text, scale)
    return fig


def _shade(value: float):
    """White to the accent blue, for ``value`` in [0, 1] (a light tint at 0, so every box shows)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("rnnbook_shade", ["#ffffff", _ACCENT])(0.1 + 0.75 * value)


def _chain(ax, origin, n, inputs, outputs, label_in, label_out, title, first_state=True, muted_outputs=()):
    """One unrolled chain of ``n`` cells; ``inputs`` / ``outputs`` list the steps (0-based) that have one."""
    x0, y0 = origin
    for s in range(n):
        x = x0 + 1.1 * s
        _box(ax, (x, y0), "", w=0.6, h=0.5)
        if s > 0:
            _arrow(ax, (x - 0.8, y0), (x - 0.3, y0))
        if s in inputs:
            _arrow(ax, (x, y0 - 0.8), (x, y0 - 0.25))
            _label(ax, (x, y0 - 1.0), label_in(s), fontsize=9)
        if s in outputs or s in muted_outputs:
            ink = _MUTED if s in muted_outputs else _INK
            _arrow(ax, (x, y0 + 0.25), (x, y0 + 0.8), color=ink, ls="--" if s in muted_outputs else "-")
            _label(ax, (x, y0 + 1.0), label_out(s) if s in outputs else "ignored", fontsize=9, color=ink)
    _label(ax, (x0 + 1.1 * (n - 1) / 2, y0 + 1.55), title, fontsize=11, weight="bold")


def sequence_architectures():
    """The four input/output arrangements of ``sec-sequence-types``, each an unrolled recurrent layer.

    Returns:
        The Matplotlib figure (four panels side by side, two rows).

    Example:

    >>> fig = sequence_architectures()
    >>> len(fig.axes[0].patches) > 10
    True
    """
    fig, ax = _figure((11.5, 6.2))

    def x_t(s):
        return rf"$\mathbf{{x}}_{{({s + 1})}}$"

    def y_t(s):
        return rf"$\hat{{\mathbf{{y}}}}_{{({s + 1})}}$"

    _chain(ax, (0.0, 4.0), 4, range(4), range(4), x_t, y_t, "sequence-to-sequence")
    _chain(
        ax,
        (6.0, 4.0),
        4,
        range(4),
        [3],
        x_t,
        lambda s: r"$\hat{\mathbf{y}}$",
        "sequence-to-vector",
        muted_outputs=range(3),
    )
    _chain(
        ax,
        (0.0, 0.0),
        4,
        range(4),
        range(4),
        lambda s: r"$\mathbf{x}$",
        y_t,
        "vector-to-sequence (the same $\\mathbf{x}$ at every step)",
    )
    # Encoder-decoder: 3 encoder steps with inputs only, a vector, 3 decoder steps with outputs only.
    _chain(ax, (6.0, 0.0), 3, range(3), (), x_t, y_t, "")
    _box(ax, (9.35, 0.0), r"$\mathbf{v}$", w=0.5, h=0.5, fc="#fde9c8")
    _arrow(ax, (8.5, 0.0), (9.1, 0.0))
    _arrow(ax, (9.6, 0.0), (10.1, 0.0))
    for s in range(3):
        x = 10.4 + 1.1 * s
        _box(ax, (x, 0.0), "", w=0.6, h=0.5, fc="#f7f0fa")
        if s > 0:
            _arrow(ax, (x - 0.8, 0.0), (x - 0.3, 0.0))
        _arrow(ax, (x, 0.25), (x, 0.8))
        _label(ax, (x, 1.0), y_t(s), fontsize=9)
    _label(ax, (7.1, -1.5), "encoder (sequence-to-vector)", fontsize=9)
    _label(ax, (11.5, -1.5), "decoder (vector-to-sequence)", fontsize=9)
    _label(ax, (9.35, 1.55), "encoder\N{EN DASH}decoder", fontsize=11, weight="bold")
    ax.set_xlim(-0.6, 13.2)
    ax.set_ylim(-1.8, 5.8)
    return fig


def bptt(n_steps: int = 5, cost_steps=(3, 4, 5)):
    """Backpropagation through time: forward arrows, the cost on the outputs it uses, gradients backward.

    The notation is that of ``eq-bptt-backward`` (batch form: :math:`\\mathbf{X}_{(t)}`,
    :math:`\\mathbf{H}_{(t)} = \\mathbf{Y}_{(t)}`, :math:`C`).

    Args:
        n_steps: steps of the unrolled network.
        cost_steps: the steps (1-based) whose outputs the cost reads.

    Returns:
        The Matplotlib figure.

    Example:

    >>> fig = bptt(n_steps=4, cost_steps=(4,))
    >>> r"$C(\\mathbf{Y}_{(4)})$" in [t.get_text() for t in fig.axes[0].texts]
    True
    """
    cost_steps = tuple(cost_steps)
    if not cost_steps or not all(1 <= s <= n_steps for s in cost_steps):
        raise ValueError(f"cost_steps must lie in 1..{n_steps}, got {cost_steps}")
    fig, ax = _figure((2.0 + 2.0 * n_steps, 5.0))
    xs = [1.0 + 2.0 * (s - 1) for s in range(1, n_steps + 1)]
    x_cost = float(np.mean([xs[s - 1] for s in cost_steps]))
    first, last = min(cost_steps), max(cost_steps)
    label = (
        rf"$C(\mathbf{{Y}}_{{({first})}}, \dots, \mathbf{{Y}}_{{({last})}})$"
        if len(cost_steps) > 1
        else rf"$C(\mathbf{{Y}}_{{({first})}})$"
    )
    cost = _box(ax, (x_cost, 4.6), label, w=3.2, h=0.6, fc="#fde9c8")
    for s, x in enumerate(xs, start=1):
        box = _box(ax, (x, 1.5), rf"$\mathbf{{H}}_{{({s})}}$")
        _label(ax, (x, 0.0), rf"$\mathbf{{X}}_{{({s})}}$")
        _arrow(ax, (x, 0.25), (x, 1.12))
        used = s in cost_steps
        _arrow(ax, (x - 0.1, 1.88), (x - 0.1, 2.85), color=_INK if used else _MUTED)
        _label(ax, (x, 3.1), rf"$\mathbf{{Y}}_{{({s})}}$", color=_INK if used else _MUTED)
        if used:
            _arrow(ax, (x - 0.1, 3.35), (x_cost, 4.28), patch_b=cost)
            _arrow(ax, (x_cost + 0.05, 4.28), (x + 0.2, 3.35), color=_GRAD, ls="--", patch_a=cost)
            _arrow(ax, (x + 0.2, 2.85), (x + 0.2, 1.88), color=_GRAD, ls="--")
        if s > 1:
            _arrow(ax, (x - 1.5, 1.62), (x - 0.52, 1.62))
            _arrow(ax, (x - 0.52, 1.38), (x - 1.5, 1.38), color=_GRAD, ls="--")
            _label(ax, (x - 1.0, 1.88), r"$\mathbf{W}_y$", fontsize=9)
            _label(
                ax,
                (x - 1.0, 1.05),
                r"$\operatorname{diag}(\phi')\,\mathbf{W}_y^\intercal$",
                fontsize=8,
                color=_GRAD,
            )
        _label(ax, (x + 0.15, 0.65), r"$\mathbf{W}_x$", fontsize=9, ha="left")
        del box
    _label(
        ax,
        (xs[-1] + 1.0, 1.5),
        r"$\frac{\partial C}{\partial \mathbf{H}_{(t)}}$",
        color=_GRAD,
        fontsize=13,
        ha="left",
    )
    ax.text(
        xs[0] - 0.6,
        -0.75,
        "black: forward pass    red, dashed: gradients, from $C$ back to "
        r"$\mathbf{H}_{(1)}$; the shared $\mathbf{W}_x, \mathbf{W}_y, \mathbf{b}$ receive the sum "
        "over the steps",
        fontsize=9,
        ha="left",
        va="center",
    )
    ax.set_xlim(xs[0] - 0.8, xs[-1] + 1.9)
    ax.set_ylim(-1.0, 5.1)
    return fig


def lstm_cell():
    """The LSTM cell of ``eq-lstm``: the long-term state along the top, four layers, three gates.

    Returns:
        The Matplotlib figure.

    Example:

    >>> fig = lstm_cell()
    >>> r"$\\mathbf{f}_{(t)}$" in [t.get_text() for t in fig.axes[0].texts]
    True
    """
    fig, ax = _figure((9.0, 5.6))
    _box(ax, (4.5, 2.4), "", w=7.4, h=4.2, fc="#fafafa", ec=_MUTED, zorder=0)
    top, mid = 4.0, 1.3
    _label(ax, (0.2, top), r"$\mathbf{c}_{(t-1)}$", ha="right")
    _label(ax, (0.2, 0.8), r"$\mathbf{h}_{(t-1)}$", ha="right")
    _label(ax, (8.8, top), r"$\mathbf{c}_{(t)}$", ha="left")
    forget = _circle(ax, (2.0, top), r"$\otimes$")
    add = _circle(ax, (4.4, top), r"$\oplus$")
    _arrow(ax, (0.3, top), (1.78, top))
    _arrow(ax, (2.22, top), (4.18, top))
    _arrow(ax, (4.62, top), (8.7, top))
    layers = {
        "f": (2.0, r"$\sigma$", "sigma"),
        "g": (3.2, r"$\tanh$", "tanh"),
        "i": (4.4, r"$\sigma$", "sigma"),
        "o": (5.8, r"$\sigma$", "sigma"),
    }
    patches = {}
    for gate, (x, act, kind) in layers.items():
        patches[gate] = _box(ax, (x, mid), act, w=0.8, h=0.5, fc=_GATE_FC[kind], round_=False)
        _label(ax, (x - 0.1, mid + 0.65), rf"$\mathbf{{{gate}}}_{{(t)}}$", fontsize=10, ha="right")
    # The inputs: h(t-1) and x(t) joined, then fed to every layer.
    _label(ax, (1.0, -0.3), r"$\mathbf{x}_{(t)}$")
    ax.plot([0.3, 6.3], [0.45, 0.45], color=_INK, lw=1.2)
    ax.plot([0.3, 0.3], [0.8, 0.45], color=_INK, lw=1.2)
    ax.plot([1.0, 1.0], [-0.1, 0.45], color=_INK, lw=1.2)
    for x, _, _ in layers.values():
        _arrow(ax, (x, 0.45), (x, mid - 0.27))
    _label(ax, (6.6, 0.45), r"$[\mathbf{x}_{(t)}\;\mathbf{h}_{(t-1)}]$", fontsize=9, ha="left")
    # Gate paths.
    _arrow(ax, (2.0, mid + 0.27), (2.0, top - 0.22), patch_b=forget)
    mult_ig = _circle(ax, (3.8, 2.6), r"$\otimes$")
    _arrow(ax, (3.2, mid + 0.27), (3.65, 2.45))
    _arrow(ax, (4.4, mid + 0.27), (3.95, 2.45))
    _arrow(ax, (3.8, 2.82), (4.3, top - 0.2), patch_a=mult_ig, patch_b=add)
    # Read-out: tanh(c(t)) times o(t).
    tanh_c = _box(ax, (7.0, 3.1), r"$\tanh$", w=0.7, h=0.4, fc=_GATE_FC["tanh"])
    ax.plot([7.0, 7.0], [top, 3.3], color=_INK, lw=1.2)
    read = _circle(ax, (7.0, 2.0), r"$\otimes$")
    _arrow(ax, (7.0, 2.9), (7.0, 2.22), patch_b=read)
    _arrow(ax, (5.8, mid + 0.27), (6.8, 1.9), patch_b=read)
    _arrow(ax, (7.22, 2.0), (8.7, 2.0))
    _label(ax, (8.8, 2.0), r"$\mathbf{h}_{(t)}$", ha="left")
    ax.plot([7.9, 7.9], [2.0, 4.9], color=_INK, lw=1.2)
    _arrow(ax, (7.9, 4.6), (7.9, 5.0))
    _label(ax, (7.9, 5.2), r"$\mathbf{y}_{(t)} = \mathbf{h}_{(t)}$", fontsize=10)
    del tanh_c
    _label(
        ax,
        (0.9, -0.85),
        r"$\sigma$: logistic;  $\otimes$: element-wise product;  $\oplus$: sum;  "
        r"each box: a fully connected layer on $[\mathbf{x}_{(t)}\;\mathbf{h}_{(t-1)}]$ with "
        r"$n_\mathrm{neurons}$ units",
        fontsize=9,
        ha="left",
    )
    ax.set_xlim(-0.7, 10.0)
    ax.set_ylim(-1.1, 5.5)
    return fig


def gru_cell():
    """The GRU cell of ``eq-gru`` (``z`` keeps the old state, as in Cho et al. and Keras).

    Returns:
        The Matplotlib figure.

    Example:

    >>> fig = gru_cell()
    >>> r"$\\mathbf{r}_{(t)}$" in [t.get_text() for t in fig.axes[0].texts]
    True
    """
    fig, ax = _figure((9.0, 5.4))
    _box(ax, (4.5, 2.3), "", w=7.4, h=4.0, fc="#fafafa", ec=_MUTED, zorder=0)
    top, mid = 4.0, 1.3
    _label(ax, (0.2, top), r"$\mathbf{h}_{(t-1)}$", ha="right")
    keep = _circle(ax, (2.2, top), r"$\otimes$")
    add = _circle(ax, (6.2, top), r"$\oplus$")
    _arrow(ax, (0.3, top), (1.98, top))
    _arrow(ax, (2.42, top), (5.98, top))
    _arrow(ax, (6.42, top), (8.7, top))
    _label(ax, (8.8, top), r"$\mathbf{h}_{(t)} = \mathbf{y}_{(t)}$", ha="left")
    # Gates z and r read [x(t) h(t-1)].
    z = _box(ax, (2.2, mid), r"$\sigma$", w=0.8, h=0.5, fc=_GATE_FC["sigma"], round_=False)
    r = _box(ax, (3.6, mid), r"$\sigma$", w=0.8, h=0.5, fc=_GATE_FC["sigma"], round_=False)
    g = _box(ax, (5.4, mid), r"$\tanh$", w=0.8, h=0.5, fc=_GATE_FC["tanh"], round_=False)
    _label(ax, (1.95, mid + 0.65), r"$\mathbf{z}_{(t)}$", fontsize=10, ha="right")
    _label(ax, (3.35, mid + 0.65), r"$\mathbf{r}_{(t)}$", fontsize=10, ha="right")
    _label(ax, (5.65, mid + 0.65), r"$\mathbf{g}_{(t)}$", fontsize=10, ha="left")
    _label(ax, (1.0, -0.3), r"$\mathbf{x}_{(t)}$")
    ax.plot([0.3, 0.3], [top, 0.45], color=_INK, lw=1.2)
    ax.plot([0.3, 3.6], [0.45, 0.45], color=_INK, lw=1.2)
    ax.plot([1.0, 1.0], [-0.1, 0.45], color=_INK, lw=1.2)
    _arrow(ax, (2.2, 0.45), (2.2, mid - 0.27), patch_b=z)
    _arrow(ax, (3.6, 0.45), (3.6, mid - 0.27), patch_b=r)
    # z keeps the old state; 1 - z lets the candidate in.
    _arrow(ax, (2.2, mid + 0.27), (2.2, top - 0.22), patch_b=keep)
    one_minus = _box(ax, (3.9, 2.75), r"$1-$", w=0.5, h=0.35, fc="#ffffff")
    ax.plot([2.2, 3.9], [2.35, 2.35], color=_INK, lw=1.2)
    _arrow(ax, (3.9, 2.35), (3.9, 2.57), patch_b=one_minus)
    write = _circle(ax, (5.4, 3.2), r"$\otimes$")
    _arrow(ax, (4.15, 2.85), (5.2, 3.1), patch_b=write)
    _arrow(ax, (5.4, mid + 0.27), (5.4, 2.98), patch_b=write)
    _arrow(ax, (5.55, 3.38), (6.05, 3.82), patch_a=write, patch_b=add)
    # r(t) gates the previous state before the candidate layer.
    reset = _circle(ax, (4.6, 1.9), r"$\otimes$", r=0.2)
    _arrow(ax, (3.6, mid + 0.27), (4.4, 1.85), patch_b=reset)
    ax.plot([1.3, 1.3, 4.6], [top, 2.5, 2.5], color=_INK, lw=1.0, ls=":")
    _arrow(ax, (4.6, 2.5), (4.6, 2.12), patch_b=reset, lw=1.0)
    _arrow(ax, (4.75, 1.75), (5.15, mid + 0.25), patch_a=reset, patch_b=g)
    _arrow(ax, (1.0, 0.2), (5.4, mid - 0.27), connection="angle,angleA=0,angleB=90,rad=5", patch_b=g)
    _label(ax, (4.9, 0.02), r"$\mathbf{x}_{(t)}$", fontsize=9)
    _label(
        ax,
        (0.9, -0.85),
        r"$\mathbf{h}_{(t)} = \mathbf{z}_{(t)} \otimes \mathbf{h}_{(t-1)} + "
        r"(1 - \mathbf{z}_{(t)}) \otimes \mathbf{g}_{(t)}$;   the tanh layer reads "
        r"$[\mathbf{x}_{(t)}\;\; \mathbf{r}_{(t)} \otimes \mathbf{h}_{(t-1)}]$",
        fontsize=9,
        ha="left",
    )
    ax.set_xlim(-0.9, 10.6)
    ax.set_ylim(-1.1, 4.6)
    return fig


def dilated_causal_stack(
    kernel_size: int = 2,
    dilation_rates=(1, 2, 4, 8),
    n_steps: int = 20,
    output: int | None = None,
    *,
    ax=None,
    scale: float = 1.0,
):
    """WaveNet's stack of dilated causal convolutions, with the connections that reach one output.

    Args:
        kernel_size: kernel of every layer (``k`` of ``eq-receptive-field``).
        dilation_rates: dilation of each layer, bottom to top.
        n_steps: how many time steps to draw.
        output: the output whose receptive field is highlighted (0-based); ``None`` for the last -- the
            view of the receptive-field explorer.
        ax: draw into this Matplotlib ``Axes`` (a widget's frame) instead of a new figure.
        scale: factor on the font and dot sizes and the line widths, for a smaller picture (a
            widget's frame); dots and lines also shrink by ``sqrt(20 / n_steps)`` beyond 20 steps.

    Returns:
        The Matplotlib figure (``ax.figure`` when ``ax`` is given). The highlighted steps of each layer
        are :func:`rnnbook.receptive.receptive_paths` of the same arguments.

    Example:

    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> fig = dilated_causal_stack(3, (1, 2), n_steps=64, ax=ax, scale=0.4)
    >>> fig is ax.figure, receptive_paths(3, (1, 2), 64)[0].tolist()    # the inputs highlighted
    (True, [57, 58, 59, 60, 61, 62, 63])
    """
    from matplotlib.collections import LineCollection

    rates = tuple(dilation_rates)
    paths = receptive_paths(kernel_size, rates, n_steps, output)
    L = len(rates)
    dots = scale * min(1.0, (20 / n_steps) ** 0.5)  # a longer window: smaller dots, thinner lines
    fig, ax, first_text = _on(ax, (max(7.0, 0.45 * n_steps + 2.0), 1.0 + 0.85 * (L + 1)))
    ax.set_aspect("auto")
    every, active = [], []
    for layer in range(1, L + 1):
        for t in range(n_steps):
            for j in range(kernel_size):
                if t - j * rates[layer - 1] >= 0:
                    seg = [(t - j * rates[layer - 1], layer - 1), (t, layer)]
                    (active if t in paths[layer] else every).append(seg)
    ax.add_collection(LineCollection(every, colors=_MUTED, linewidths=0.6 * dots, zorder=1))
    ax.add_collection(LineCollection(active, colors=_ACCENT, linewidths=1.6 * dots, zorder=2))
    for layer in range(L + 1):
        on = np.isin(np.arange(n_steps), paths[layer])
        ax.scatter(
            np.arange(n_steps),
            np.full(n_steps, layer),
            s=36 * dots**2,
            linewidths=None if dots == 1.0 else dots,
            zorder=3,
            c=np.where(on, _ACCENT, "#ffffff"),
            edgecolors=np.where(on, _ACCENT, "#888888"),
        )
        name = (
            r"input $\mathbf{x}$"
            if layer == 0
            else ("output" if layer == L else f"layer {layer}")
            + ("" if layer == 0 else f", $d = {rates[layer - 1]}$")
        )
        ax.text(-0.8, layer, name, ha="right", va="center", fontsize=9)
    out = paths[-1][0]
    ax.scatter([out], [L], s=90 * dots**2, c=_GRAD, zorder=4)
    field = len(paths[0])
    lo = paths[0][0]
    ax.annotate(
        "",
        xy=(lo - 0.3, -0.55),
        xytext=(out + 0.3, -0.55),
        arrowprops={"arrowstyle": "<->", "color": _ACCENT, "lw": 1.2},
    )
    full = receptive_field(kernel_size, rates)
    if field == full:
        text = rf"receptive field $R = 1 + (k-1)\sum_l d_l = {field}$ steps"
    elif full > out + 1:
        text = f"{field} inputs reached (the field, {full} steps, is cut by the window's start)"
    else:  # e.g. k = 2 with dilations (2, 4): the field spans R steps but skips some of them
        text = f"{field} of the field's {full} steps reached (these dilations leave gaps)"
    # Under the field, or ending at the output when the field is too short to hold the text.
    x_text, ha = ((lo + out) / 2, "center") if 2 * field >= n_steps else (out + 0.3, "right")
    ax.text(x_text, -0.8, text, ha=ha, va="top", fontsize=10, color=_ACCENT)
    ax.text(
        n_steps / 2,
        L + 0.55,
        f"causal convolutions, kernel $k = {kernel_size}$, dilations "
        f"{', '.join(map(str, rates))}: output $t$ reads only inputs up to $t$",
        ha="center",
        va="bottom",
        fontsize=10,
    )
    ax.set_xlim(-4.2 * max(1.0, n_steps / 20) * scale, n_steps)
    ax.set_ylim(-1.5, L + 1.0)
    _scale_texts(ax, first_text, scale)
    return fig


def wavenet_block(dilation_rates=(1, 2, 4, 8), n_stacks: int = 2, horizon: int = 10):
    """One residual block of ``rnnbook.models.conv.wavenet``, with the input projection and the head.

    The block is :class:`rnnbook.layers.WaveNetResidualBlock` as the code computes it: one dilated
    causal convolution with ``2 * filters`` channels holds the filter and the gate pre-activations of
    ``eq-gated-activation``, :class:`~rnnbook.layers.GatedActivationUnit` multiplies their ``tanh`` and
    ``sigma``, and one 1x1 convolution gives the skip output, which added to the block's input is the
    residual output. The head is that of ``wavenet``: the sum of every block's skip, ReLU, a 1x1 ReLU
    convolution and a linear 1x1 convolution to ``horizon`` channels (the paper ends with a softmax
    over audio levels; this is regression).

    Args:
        dilation_rates: dilations of one stack (the blocks' ``d``, written in the frame).
        n_stacks: how many times the stack is repeated.
        horizon: channels of the last 1x1 convolution: the forecasts made at every step.

    Returns:
        The Matplotlib figure.

    Example:

    >>> fig = wavenet_block()
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> r"$\\tanh(\\mathbf{W}_f * \\mathbf{x})$" in texts, any("8 blocks" in t for t in texts)
    (True, True)
    """
    rates = tuple(dilation_rates) * n_stacks
    fig, ax = _figure((9.6, 9.4))
    x0 = 3.0  # the block's column
    # The window and the causal input projection to `filters` channels.
    _label(ax, (x0, -2.3), r"input window $\mathbf{X}$ ($T$ steps)")
    proj = _box(ax, (x0, -1.3), "causal Conv1D, $k = 2$: filters channels", w=4.0, h=0.55)
    _arrow(ax, (x0, -2.05), (x0, -1.6), patch_b=proj)
    # The block, in its frame.
    _box(ax, (x0 - 0.3, 3.1), "", w=5.9, h=6.3, fc="#fafafa", ec=_MUTED, zorder=0)
    listed = ", ".join(map(str, rates))
    _label(
        ax,
        (x0 + 0.3, 5.85),
        f"residual block, $\\times$ {len(rates)} blocks:\n$d$ = {listed}",
        fontsize=9,
        ha="left",
        color="#555555",
    )
    _label(ax, (x0, 0.0), r"$\mathbf{x}$  (filters channels)", fontsize=10)
    _arrow(ax, (x0, -1.02), (x0, -0.22))
    conv = _box(
        ax,
        (x0, 1.05),
        "dilated causal Conv1D ($k$, $d$): 2 $\\times$ filters channels",
        w=4.5,
        h=0.55,
        fontsize=9.5,
    )
    _arrow(ax, (x0, 0.22), (x0, 0.77), patch_b=conv)
    tanh = _box(ax, (x0 - 1.0, 2.3), r"$\tanh(\mathbf{W}_f * \mathbf{x})$", w=1.8, h=0.5, fc=_GATE_FC["tanh"])
    gate = _box(
        ax, (x0 + 1.0, 2.3), r"$\sigma(\mathbf{W}_g * \mathbf{x})$", w=1.8, h=0.5, fc=_GATE_FC["sigma"]
    )
    _arrow(ax, (x0 - 1.0, 1.33), (x0 - 1.0, 2.05), patch_b=tanh)
    _arrow(ax, (x0 + 1.0, 1.33), (x0 + 1.0, 2.05), patch_b=gate)
    _label(ax, (x0 - 1.1, 1.68), "first half", fontsize=8, color="#555555", ha="right")
    _label(ax, (x0 + 1.1, 1.68), "second half", fontsize=8, color="#555555", ha="left")
    mult = _circle(ax, (x0, 3.25), r"$\otimes$")
    _arrow(ax, (x0 - 1.0, 2.55), (x0 - 0.17, 3.13), patch_b=mult)
    _arrow(ax, (x0 + 1.0, 2.55), (x0 + 0.17, 3.13), patch_b=mult)
    _label(ax, (x0 + 0.35, 3.55), r"$\mathbf{z}$", fontsize=10, ha="left")
    one = _box(ax, (x0, 4.2), r"$1 \times 1$ Conv1D: filters channels", w=3.4, h=0.5)
    _arrow(ax, (x0, 3.47), (x0, 3.95), patch_b=one)
    add = _circle(ax, (x0, 5.45), r"$\oplus$")
    _arrow(ax, (x0, 4.45), (x0, 5.23), patch_b=add)
    # The residual connection: the block's input, around everything, added to the 1x1 output.
    ax.plot([x0 - 1.3, x0 - 2.85, x0 - 2.85], [0.0, 0.0, 5.45], color=_INK, lw=1.2)
    _arrow(ax, (x0 - 2.85, 5.45), (x0 - 0.22, 5.45), patch_b=add)
    _label(ax, (x0 - 2.75, 4.9), "residual", fontsize=9, ha="left")
    _arrow(ax, (x0, 5.67), (x0, 6.9))
    _label(
        ax,
        (x0, 7.15),
        r"residual output $\mathbf{x} + \mathrm{skip}$: the next block's $\mathbf{x}$",
        fontsize=10,
    )
    # The skip connection, out of the frame to the head.
    xh = 8.7  # the head's column
    skips = _circle(ax, (xh, 4.8), r"$\oplus$")
    ax.plot([x0, x0 + 2.6], [4.8, 4.8], color=_ACCENT, lw=1.6)
    _arrow(ax, (x0 + 2.6, 4.8), (xh - 0.22, 4.8), color=_ACCENT, lw=1.6, patch_b=skips)
    _label(ax, (x0 + 1.6, 5.05), "skip output", fontsize=9, color=_ACCENT)
    _arrow(ax, (xh, 3.6), (xh, 4.58), color=_ACCENT, lw=1.6, patch_b=skips)
    _label(ax, (xh, 3.35), f"the skips of the other {len(rates) - 1} blocks", fontsize=9, color=_ACCENT)
    _label(ax, (xh + 0.35, 4.45), "sum of the skips", fontsize=9, ha="left")
    head = [
        ("ReLU", "#ffffff"),
        (r"$1 \times 1$ Conv1D, ReLU: filters channels", "#eef3fa"),
        (rf"$1 \times 1$ Conv1D, linear: {horizon} channels", "#eef3fa"),
    ]
    y, below = 4.8, skips
    for text, fc in head:
        box = _box(ax, (xh, y + 1.0), text, w=3.7, h=0.5, fc=fc, fontsize=10)
        _arrow(ax, (xh, y + 0.25), (xh, y + 0.75), patch_a=below, patch_b=box)
        y, below = y + 1.0, box
    _arrow(ax, (xh, y + 0.25), (xh, y + 0.75))
    _label(ax, (xh, y + 1.0), f"{horizon} forecasts at every step (seq2seq)", fontsize=10)
    _label(
        ax,
        (x0 - 3.2, -3.0),
        r"$*$: dilated causal convolution;  $\otimes$: element-wise product;  $\oplus$: sum;  "
        "one $1 \\times 1$ convolution feeds both the residual and the skip path",
        fontsize=9,
        ha="left",
    )
    ax.set_xlim(-0.4, 10.7)
    ax.set_ylim(-3.3, y + 1.3)
    return fig


def stacked_rnn(units=(20, 20), head: str = "dense", n_steps: int = 4, horizon: int = 1):
    """A deep RNN unrolled through time: each layer's outputs are the next layer's inputs.

    The layers are those of ``rnnbook.models.simple_rnn.deep_rnn``: every hidden ``SimpleRNN`` but the
    last returns its whole output sequence (``return_sequences=True``), because the layer above needs an
    input at every step. With ``head="dense"`` (``deep_rnn_dense``) the last ``SimpleRNN`` returns only
    its output at the last step, which a ``Dense`` layer turns into the forecast; with ``head="rnn"``
    (``deep_rnn``) every hidden layer returns sequences and a ``SimpleRNN(horizon)`` on top outputs the
    forecast as its last state.

    Args:
        units: sizes of the hidden ``SimpleRNN`` layers, bottom to top.
        head: ``"dense"`` or ``"rnn"``, as ``deep_rnn``'s ``head``.
        n_steps: how many steps to draw (at least 2); the last one is step :math:`T`.
        horizon: the forecasts the head outputs.

    Returns:
        The Matplotlib figure.

    Example:

    >>> fig = stacked_rnn(units=(20, 20), head="dense")
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> "Dense(1)" in texts, r"$\\mathbf{x}_{(T)}$" in texts
    (True, True)
    """
    units = tuple(units)
    if head not in ("dense", "rnn"):
        raise ValueError(f"head must be 'dense' or 'rnn', got {head!r}")
    if n_steps < 2 or not units:
        raise ValueError(f"stacked_rnn needs n_steps >= 2 and at least one layer, got {n_steps}, {units}")
    # (units, returns its whole sequence) of each recurrent layer, bottom to top.
    layers = [(u, True) for u in units[:-1]]
    layers += [(units[-1], head == "rnn"), (horizon, False)] if head == "rnn" else [(units[-1], False)]
    n_layers = len(layers)
    dx, dy = 1.7, 1.45
    xs = [2.6 + dx * s for s in range(n_steps)]
    xs[-1] += 0.5  # room for the dots between step n_steps - 1 and T
    top = dy * (n_layers + 1)
    fig, ax = _figure((2.6 + 1.9 * n_steps, 1.3 + 1.25 * (n_layers + 2)))

    def step(s):
        return "T" if s == n_steps - 1 else str(s + 1)

    for s, x in enumerate(xs):
        _label(ax, (x, 0.0), rf"$\mathbf{{x}}_{{({step(s)})}}$")
    for layer, (n_units, sequences) in enumerate(layers, start=1):
        y = dy * layer
        _label(ax, (0.1, y), f"SimpleRNN({n_units})", fontsize=10, ha="left")
        _label(
            ax,
            (0.1, y - 0.3),
            "return_sequences=True" if sequences else "last output only",
            fontsize=8,
            ha="left",
            color="#555555",
        )
        for s, x in enumerate(xs):
            last = s == n_steps - 1
            _box(ax, (x, y), rf"$\mathbf{{h}}^{{({layer})}}_{{({step(s)})}}$", w=0.9, h=0.55, fontsize=10)
            _arrow(ax, (x, y - dy + 0.3), (x, y - 0.3))  # from the input or the layer below
            if 0 < s < n_steps - 1:
                _arrow(ax, (x - dx + 0.47, y), (x - 0.47, y))
            if s == n_steps - 2:  # the steps not drawn, between this one and T
                _label(ax, ((x + xs[-1]) / 2, y), r"$\cdots$")
                _arrow(ax, (x + 0.47, y), (x + 0.7, y))
                _arrow(ax, (xs[-1] - 0.7, y), (xs[-1] - 0.47, y))
            if layer == n_layers and not last:
                # The top layer's earlier outputs are not returned: only step T's is the forecast.
                _arrow(ax, (x, y + 0.3), (x, y + 0.75), color=_MUTED, ls="--")
    y_top = dy * n_layers
    _label(ax, (xs[0], y_top + 0.95), "not returned", fontsize=8, color=_MUTED)
    forecast = (
        r"$\hat{x}_{(T+1)}$"
        if horizon == 1
        else rf"$\hat{{x}}_{{(T+1)}}, \dots, \hat{{x}}_{{(T+{horizon})}}$"
    )
    if head == "dense":
        dense = _box(ax, (xs[-1], top), f"Dense({horizon})", w=1.2, h=0.5, fc="#fde9c8", fontsize=10)
        _arrow(ax, (xs[-1], y_top + 0.3), (xs[-1], top - 0.27), patch_b=dense)
        _arrow(ax, (xs[-1], top + 0.27), (xs[-1], top + 0.75))
        _label(ax, (xs[-1], top + 1.0), forecast)
    else:
        _arrow(ax, (xs[-1], y_top + 0.3), (xs[-1], y_top + 0.75))
        _label(ax, (xs[-1], y_top + 1.0), forecast)
    _label(
        ax,
        (0.1, -0.75),
        r"each row is one layer, its copies share their weights;  $\mathbf{h}^{(l)}_{(t)}$: output of "
        r"layer $l$ at step $t$, the input of layer $l + 1$ at step $t$",
        fontsize=9,
        ha="left",
    )
    ax.set_xlim(-0.1, xs[-1] + 1.0)
    ax.set_ylim(-1.0, (top if head == "dense" else y_top) + 1.3)
    return fig


def seq2seq_targets(n_steps: int = 12, horizon: int = 10, steps=(1, 2, 3, None)):
    """The seq2seq targets of ``eq-seq2seq-targets``: at every step, the next ``horizon`` values.

    The bottom row is one series: the window :math:`x_{(1)}, \\dots, x_{(T)}` (filled) and the
    ``horizon`` values after it (open). Each row above is one time step :math:`t` of the model: the
    inputs it has read (grey bar, up to :math:`t`) and its target :math:`\\mathbf{Y}_{(t)}`, the values
    :math:`t + 1` to :math:`t + h` (blue dots) -- as :func:`rnnbook.data.make_targets` builds ``Y`` with
    ``layout="seq2seq"``, from which the figure reads them. Only the last step's targets lie entirely
    beyond the window; that forecast is the one the last-time-step MSE scores.

    Args:
        n_steps: the window's length :math:`T` in the figure (the chapter's is 50).
        horizon: :math:`h`, the values forecast at every step.
        steps: the time steps (1-based) whose targets are drawn; ``None`` stands for :math:`T`.

    Returns:
        The Matplotlib figure.

    Example:

    >>> fig = seq2seq_targets(n_steps=8, horizon=3, steps=(1, None))
    >>> row = [c for c in fig.axes[0].collections if c.get_gid() == "targets-8"][0]
    >>> row.get_offsets()[:, 0].tolist()      # Y_(8) = (x_(9), x_(10), x_(11))
    [9.0, 10.0, 11.0]
    """
    from rnnbook.data import generate_time_series, make_targets

    steps = [n_steps if s is None else int(s) for s in steps]
    if not steps or not all(1 <= s <= n_steps for s in steps):
        raise ValueError(f"steps must lie in 1..{n_steps} (or be None for T), got {steps}")
    length = n_steps + horizon
    # The targets as the data module builds them: Y[0, t - 1, k] is the time step of x_(t + 1 + k).
    _, Y = make_targets(np.arange(1, length + 1, dtype=float)[None, :, None], n_steps, horizon, "seq2seq")
    series = 0.55 * generate_time_series(1, length, seed=4)[0, :, 0]
    t_all = np.arange(1, length + 1)
    fig, ax = _figure((3.2 + 0.42 * length, 1.6 + 0.75 * (len(steps) + 1)))
    ax.set_aspect("auto")
    # The series: the window, then the values after it.
    ax.plot(t_all, series, color=_MUTED, lw=1.0, zorder=1)
    inside = t_all <= n_steps
    ax.scatter(t_all[inside], series[inside], s=22, c=_INK, zorder=3)
    ax.scatter(t_all[~inside], series[~inside], s=22, c="#ffffff", edgecolors=_INK, zorder=3)
    ax.axvline(n_steps + 0.5, color=_MUTED, lw=1.0, ls="--", zorder=0)
    _label(
        ax,
        ((1 + n_steps) / 2, -0.95),
        rf"window: $x_{{(1)}}, \dots, x_{{({n_steps})}}$  ($T = {n_steps}$)",
        fontsize=9,
    )
    _label(ax, (n_steps + (horizon + 1) / 2, -0.95), f"the {horizon} values after it", fontsize=9)
    _label(ax, (-0.2, 0.0), "series", fontsize=10, ha="right")
    for row, t in enumerate(steps, start=1):
        y = 0.6 + 1.1 * row
        ax.plot([1, t], [y, y], color=_MUTED, lw=5, solid_capstyle="round", zorder=1)
        targets = Y[0, t - 1]
        ax.plot(targets, np.full(horizon, y), color=_ACCENT, lw=1.0, zorder=1)
        ax.scatter(targets, np.full(horizon, y), s=26, c=_ACCENT, zorder=3, gid=f"targets-{t}")
        ax.scatter([t], [y], s=48, c=_GRAD, zorder=4, gid=f"output-{t}")
        name = "T" if t == n_steps else str(t)
        _label(ax, (-0.2, y + 0.15), f"step $t = {name}$", fontsize=10, ha="right")
        _label(
            ax,
            (-0.2, y - 0.22),
            rf"$\mathbf{{Y}}_{{({name})}} = (x_{{({t + 1})}}, \dots, x_{{({t + horizon})}})$",
            fontsize=9,
            ha="right",
            color=_ACCENT,
        )
        if t == n_steps:
            _label(
                ax, (length + 0.6, y), "scored: the\nlast-time-step MSE", fontsize=9, ha="left", color=_GRAD
            )
    _label(
        ax,
        (1, 1.1 + 1.1 * len(steps) + 0.55),
        "grey: the inputs read up to step $t$;  red: the output at step $t$;  blue: the values it is "
        "trained to forecast",
        fontsize=9,
        ha="left",
    )
    ax.set_xlim(-4.6, length + 3.6)
    ax.set_ylim(-1.3, 1.1 + 1.1 * len(steps) + 0.9)
    ax.set_yticks([])
    return fig


def conv1d_strides(kernel_size: int = 4, strides: int = 2, n_steps: int = 14):
    """A ``"valid"`` strided ``Conv1D`` lined up with the seq2seq targets it trains on, ``eq-conv-targets``.

    Steps are 0-based, as in ``eq-conv1d``. Output :math:`j` reads the inputs :math:`js, \\dots, js +
    k - 1` and is drawn above the last of them, under its target :math:`\\mathbf{Y}_{(k - 1 + js)}` --
    the targets :func:`rnnbook.receptive.conv_target_slice` selects (``Y[:, 3::2]`` for the chapter's
    ``seq2seq_conv1d_gru``, kernel 4, stride 2). The first two windows are highlighted: they overlap by
    :math:`k - s` steps. Targets no output is trained on are grey.

    Args:
        kernel_size: :math:`k`.
        strides: :math:`s`.
        n_steps: input steps drawn (the chapter's windows have 50).

    Returns:
        The Matplotlib figure.

    Example:

    >>> fig = conv1d_strides(kernel_size=4, strides=2, n_steps=14)
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> [t for t in texts if t.startswith("trained on")]
    ['trained on Y[:, 3::2]']
    """
    from matplotlib.collections import LineCollection

    if kernel_size > n_steps:
        raise ValueError(f"the kernel ({kernel_size}) spans more than the {n_steps} steps drawn")
    targets = np.arange(n_steps)[conv_target_slice(kernel_size, strides)]
    starts = strides * np.arange(len(targets))  # eq-conv1d: output j reads inputs js, ..., js + k - 1
    u = 0.75  # width of one step
    fig, ax = _figure((2.4 + 0.62 * n_steps, 4.9))
    ax.set_aspect("auto")
    y_in, y_out, y_target = 0.0, 1.6, 3.0
    colours = [_ACCENT, "#e08a1e"]  # the first two windows
    segments, lit, lit_colours = [], [], []
    for j, (start, target) in enumerate(zip(starts, targets)):
        window = [(u * t, y_in + 0.15) for t in range(start, start + kernel_size)]
        end = (u * target, y_out - 0.15)
        for point in window:
            (lit if j < 2 else segments).append([point, end])
            if j < 2:
                lit_colours.append(colours[j])
        ax.scatter([u * target], [y_out], s=60, c=colours[j] if j < 2 else _INK, zorder=3, gid=f"output-{j}")
        _label(ax, (u * target + 0.12, y_out + 0.08), f"{j}", fontsize=9, ha="left", va="bottom")
        _arrow(ax, (u * target, y_out + 0.12), (u * target, y_target - 0.22), color=_INK)
    ax.add_collection(LineCollection(segments, colors=_MUTED, linewidths=0.8, zorder=1, gid="windows"))
    ax.add_collection(LineCollection(lit, colors=lit_colours, linewidths=1.8, zorder=2, gid="windows-lit"))
    for t in range(n_steps):
        ax.scatter([u * t], [y_in], s=30, c="#ffffff", edgecolors=_INK, zorder=3)
        _label(ax, (u * t, y_in - 0.35), rf"$x_{{({t})}}$", fontsize=9)
        trained = t in targets
        _label(
            ax,
            (u * t, y_target),
            rf"$\mathbf{{Y}}_{{({t})}}$",
            fontsize=10 if trained else 9,
            color=_INK if trained else _MUTED,
        )
    x_left = -0.5
    _label(ax, (x_left, y_in), "inputs", fontsize=10, ha="right")
    _label(ax, (x_left, y_out), "Conv1D outputs $j$", fontsize=10, ha="right")
    _label(ax, (x_left, y_target), "seq2seq targets", fontsize=10, ha="right")
    sl = conv_target_slice(kernel_size, strides)
    _label(ax, (x_left, y_target - 0.45), f"trained on Y[:, {sl.start}::{sl.step}]", fontsize=9, ha="right")
    _label(
        ax,
        (u * (n_steps - 1) / 2, y_target + 0.6),
        rf'kernel $k = {kernel_size}$, stride $s = {strides}$, "valid": output $j$ reads inputs '
        rf"${strides}j$ to ${strides}j + {kernel_size - 1}$ and forecasts what follows the last of them,"
        rf" $\mathbf{{Y}}_{{({kernel_size - 1} + {strides}j)}}$",
        fontsize=9,
    )
    book = np.arange(50)[sl]  # the chapter's 50-step windows
    _label(
        ax,
        (u * (n_steps - 1) / 2, y_in - 0.8),
        f"on the chapter's 50 steps: {len(book)} outputs, trained on "
        rf"$\mathbf{{Y}}_{{({book[0]})}}, \mathbf{{Y}}_{{({book[1]})}}, \dots, "
        rf"\mathbf{{Y}}_{{({book[-1]})}}$",
        fontsize=9,
    )
    ax.set_xlim(-3.3, u * (n_steps - 1) + 0.5)
    ax.set_ylim(-1.05, y_target + 0.9)
    return fig

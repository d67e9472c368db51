"""WaveNet receptive-field explorer: which inputs reach each output of a stack of causal convolutions.

:func:`dependency_masks` is the computation: for a stack of causal ``Conv1D`` layers (kernel ``k``,
dilation ``d`` per layer), output ``t`` of a layer reads its input at ``t, t - d, ..., t - (k-1) d``
(zero padding before the series), so the boolean "depends on" matrix of each layer is the OR of the
previous layer's rows at those steps. The last output's field has
``rnnbook.models.conv.receptive_field(k, dilations)`` steps; ``tests/test_widgets.py`` checks every
mask against a built ``wavenet_simple`` by perturbing each input. :func:`receptive_field_explorer`
precomputes one frame per (kernel size, dilation pattern, layer count); the stack in each frame is the
book's figure, :func:`rnnbook.diagrams.dilated_causal_stack`, with the last output's field highlighted.

Used in: book/07_convolutions_wavenet.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnbook._checks import check_positive_int
from rnnbook.widgets._cache import cached_view
from rnnbook.widgets._frames import Control, FrameView, figure, png_bytes

#: Dilation patterns offered: name -> rate of layer ``l`` (0-based).
PATTERNS = {"doubling (1, 2, 4, 8, ...)": lambda layer: 2**layer, "none (1, 1, 1, ...)": lambda layer: 1}


@dataclasses.dataclass(frozen=True, eq=False)
class FieldData:
    """The dependencies of a causal convolution stack over a window of ``n_steps`` inputs.

    Attributes:
        kernel_size: kernel of every layer.
        dilation_rates: dilation of each layer.
        masks: ``masks[l][t, s]`` is True when output ``t`` of layer ``l`` depends on input ``s``
            (``masks[0]`` is the identity: the inputs themselves), each ``(n_steps, n_steps)``.
        paths: ``paths[l]`` is the sorted array of steps of layer ``l`` on a path to the last output.
    """

    kernel_size: int
    dilation_rates: tuple
    masks: list
    paths: list

    @property
    def n_steps(self) -> int:
        return self.masks[0].shape[0]

    @property
    def field(self) -> int:
        """How many inputs the last output reads (the receptive field, if the window is long enough)."""
        return int(self.masks[-1][-1].sum())


def dependency_masks(kernel_size: int, dilation_rates, n_steps: int = 64) -> FieldData:
    """Which inputs reach each output of every layer of a causal dilated convolution stack.

    Args:
        kernel_size: the kernel size shared by the layers.
        dilation_rates: one dilation per layer, e.g. ``(1, 2, 4, 8)``.
        n_steps: length of the input window.

    Returns:
        A :class:`FieldData`.

    Example:

    >>> d = dependency_masks(2, (1, 2, 4, 8), n_steps=32)
    >>> d.field                     # 1 + (2 - 1) * (1 + 2 + 4 + 8)
    16
    """
    k = check_positive_int("kernel_size", kernel_size)
    rates = tuple(check_positive_int("dilation_rates", d) for d in dilation_rates)
    n = check_positive_int("n_steps", n_steps)
    masks = [np.eye(n, dtype=bool)]
    for d in rates:
        prev, cur = masks[-1], np.zeros((n, n), dtype=bool)
        for j in range(k):
            shift = j * d
            if shift < n:
                cur[shift:] |= prev[: n - shift]  # output t reads input t - j d
        masks.append(cur)
    paths = [np.array([n - 1])]
    for d in reversed(rates):
        steps = paths[0][:, None] - d * np.arange(k)[None, :]
        paths.insert(0, np.unique(steps[steps >= 0]))
    return FieldData(kernel_size=k, dilation_rates=rates, masks=masks, paths=paths)


def render_field_frame(d: FieldData) -> bytes:
    """Draw the stack and, below, how many inputs reach each output.

    The stack is the book's figure: :func:`rnnbook.diagrams.dilated_causal_stack` with this kernel
    size, these dilations and this window, drawn into the frame, its connections to the last output
    and their receptive field highlighted.
    """
    from rnnbook import diagrams

    n = d.n_steps
    fig = figure((7.4, 4.0))
    ax = fig.add_axes([0.01, 0.27, 0.98, 0.72])
    diagrams.dilated_causal_stack(d.kernel_size, d.dilation_rates, n, ax=ax, scale=0.8)
    full = 1 + (d.kernel_size - 1) * sum(d.dilation_rates)
    # How many inputs reach each output (early outputs see fewer: the causal padding is zeros), under
    # the same time steps as the stack above.
    left = (ax.transData + fig.transFigure.inverted()).transform((-0.7, 0.0))[0]
    ax2 = fig.add_axes([left, 0.1, 0.99 - left, 0.11])
    counts = d.masks[-1].sum(axis=1)
    ax2.bar(np.arange(n), counts, color="#1f5fa8", width=0.8)
    ax2.set_xlim(-0.7, n)
    ax2.set_ylim(0, max(full, 1) * 1.05)
    ax2.tick_params(labelsize=6.5)
    ax2.set_ylabel("inputs\nreached", fontsize=6.5)
    ax2.set_xlabel("time step of the output", fontsize=7)
    return png_bytes(fig)


@cached_view("receptive_field_explorer", "the receptive fields")
def receptive_field_explorer(
    kernel_sizes=(2, 3), patterns=tuple(PATTERNS), max_layers: int = 5, n_steps: int = 64
) -> FrameView:
    """Kernel size, dilation pattern and layer count -> the inputs that reach each output.

    Args:
        kernel_sizes: kernel sizes offered.
        patterns: names from :data:`PATTERNS`.
        max_layers: the layer-count slider goes from 1 to this.
        n_steps: input window drawn.

    Returns:
        A :class:`~rnnbook.widgets._frames.FrameView`; ``.data`` maps each frame key to its
        :class:`FieldData`.

    Example:

    >>> from rnnbook.widgets import receptive_field_explorer
    >>> receptive_field_explorer()                       # doctest: +SKIP
    """
    data = {}
    for a, k in enumerate(kernel_sizes):
        for b, name in enumerate(patterns):
            for c in range(max_layers):
                rates = tuple(PATTERNS[name](layer) for layer in range(c + 1))
                data[(a, b, c)] = dependency_masks(k, rates, n_steps)
    frames = {key: render_field_frame(d) for key, d in data.items()}
    controls = [
        Control("kernel", "kernel size", [str(k) for k in kernel_sizes], kind="toggle"),
        Control("dilations", "dilations", list(patterns), kind="toggle"),
        Control("layers", "layers", [str(c + 1) for c in range(max_layers)], initial=max_layers - 1),
    ]
    title = (
        "<b>Receptive field of causal dilated convolutions</b> &mdash; each dot is one time step of a "
        "layer; the lines are the connections that feed the last output."
    )
    return FrameView(controls, frames, title=title, data=data)

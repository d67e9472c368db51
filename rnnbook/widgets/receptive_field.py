"""WaveNet receptive-field explorer: which inputs reach each output of a stack of causal convolutions.

The computation is :func:`rnnbook.receptive.dependency_masks` (named here too, with its
:class:`~rnnbook.receptive.FieldData`). :func:`receptive_field_explorer` precomputes one frame per
(kernel size, dilation pattern, layer count); the stack in each frame is the book's figure,
:func:`rnnbook.diagrams.dilated_causal_stack`, with the last output's field highlighted.

Used in: book/07_convolutions_wavenet.
"""

from __future__ import annotations

import numpy as np

from rnnbook import diagrams
from rnnbook.receptive import FieldData, dependency_masks, receptive_field
from rnnbook.widgets._cache import cached_view
from rnnbook.widgets._frames import Control, FrameView, figure, png_bytes

#: Dilation patterns offered: name -> rate of layer ``l`` (0-based).
PATTERNS = {"doubling (1, 2, 4, 8, ...)": lambda layer: 2**layer, "none (1, 1, 1, ...)": lambda layer: 1}


def render_field_frame(d: FieldData) -> bytes:
    """Draw the stack and, below, how many inputs reach each output.

    The stack is the book's figure: :func:`rnnbook.diagrams.dilated_causal_stack` with this kernel
    size, these dilations and this window, drawn into the frame, its connections to the last output
    and their receptive field highlighted.
    """

    n = d.n_steps
    fig = figure((7.4, 4.0))
    ax = fig.add_axes([0.01, 0.27, 0.98, 0.72])
    diagrams.dilated_causal_stack(d.kernel_size, d.dilation_rates, n, ax=ax, scale=0.8)
    full = receptive_field(d.kernel_size, d.dilation_rates)
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

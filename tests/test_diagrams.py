"""The book's diagrams (``rnnbook.diagrams``): labelled in the equations' notation, with alt text."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest

from rnnbook import diagrams
from rnnbook.receptive import dependency_masks, receptive_field, receptive_paths

ROOT = Path(__file__).resolve().parents[1]
DRAWINGS = {
    "recurrent_unrolled": diagrams.recurrent_unrolled,
    "sequence_architectures": diagrams.sequence_architectures,
    "bptt": diagrams.bptt,
    "lstm_cell": diagrams.lstm_cell,
    "gru_cell": diagrams.gru_cell,
    "dilated_causal_stack": diagrams.dilated_causal_stack,
}
# The symbols each diagram must show: those of the equations it illustrates.
SYMBOLS = {
    "recurrent_unrolled": [
        r"$\mathbf{x}_{(1)}$",
        r"$\mathbf{y}_{(4)}$",
        r"$\mathbf{W}_x$",
        r"$\mathbf{W}_y$",
        r"$\mathbf{y}_{(0)} = \mathbf{0}$",
    ],
    "sequence_architectures": [
        "sequence-to-sequence",
        "sequence-to-vector",
        "ignored",
        r"$\mathbf{x}$",
        r"$\mathbf{v}$",
    ],
    "bptt": [
        r"$\mathbf{H}_{(1)}$",
        r"$\mathbf{X}_{(5)}$",
        # Each step back multiplies the gradient by this whole factor, not by W_y^T alone
        # (chapter 3's eq-bptt-product).
        r"$\operatorname{diag}(\phi')\,\mathbf{W}_y^\intercal$",
        r"$C(\mathbf{Y}_{(3)}, \dots, \mathbf{Y}_{(5)})$",
    ],
    "lstm_cell": [r"$\mathbf{c}_{(t-1)}$", r"$\mathbf{c}_{(t)}$", r"$\mathbf{h}_{(t)}$"]
    + [rf"$\mathbf{{{g}}}_{{(t)}}$" for g in "ifog"],
    "gru_cell": [
        r"$\mathbf{h}_{(t-1)}$",
        r"$\mathbf{z}_{(t)}$",
        r"$\mathbf{r}_{(t)}$",
        r"$\mathbf{g}_{(t)}$",
        r"$1-$",
    ],
    "dilated_causal_stack": [r"input $\mathbf{x}$", "output, $d = 8$"],
}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _lit(ax, layer, n_steps):
    """The steps of one row of the dilated stack's dots drawn in the accent colour (highlighted)."""
    [row] = [c for c in ax.collections if len(c.get_offsets()) == n_steps and c.get_offsets()[0][1] == layer]
    return np.flatnonzero((row.get_facecolors() == matplotlib.colors.to_rgba(diagrams._ACCENT)).all(axis=1))


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_each_diagram_is_labelled_in_the_equations_notation(name):
    fig = DRAWINGS[name]()
    assert isinstance(fig, matplotlib.figure.Figure)
    missing = [s for s in SYMBOLS[name] if s not in _texts(fig)]
    assert not missing, f"{name} lacks the labels {missing}"
    fig.canvas.draw()  # every label is valid mathtext


def test_every_diagram_has_alt_text_and_every_alt_text_a_diagram():
    assert set(diagrams.ALT_TEXT) == set(DRAWINGS)
    assert all(len(text) > 80 for text in diagrams.ALT_TEXT.values())


def _diagram_cells():
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and "diagrams." in cell.source:
                yield path.name, cell


def test_book_places_every_diagram_with_its_alt_text():
    drawn = set()
    for name, cell in _diagram_cells():
        called = [d for d in DRAWINGS if f"diagrams.{d}(" in cell.source]
        assert len(called) == 1, f"{name}: one diagram per cell, got {called}"
        meta = cell.metadata.get("mystnb", {})
        assert meta.get("image", {}).get("alt") == diagrams.ALT_TEXT[called[0]], (
            f"{name}: the cell drawing {called[0]} needs mystnb.image.alt = diagrams.ALT_TEXT[...]"
        )
        assert meta.get("figure", {}).get("caption"), f"{name}: {called[0]} has no caption"
        assert "hide-input" in cell.metadata.get("tags", []), f"{name}: {called[0]} shows its code"
        drawn.add(called[0])
    assert drawn == set(DRAWINGS), f"diagrams the book never shows: {set(DRAWINGS) - drawn}"


@pytest.mark.parametrize(
    "kernel_size, rates, n_steps",
    [(2, (1, 2, 4, 8), 20), (3, (1, 3), 12), (2, (1, 2, 4, 8, 16), 20), (2, (1, 1, 1), 5)],
)
def test_highlighted_field_is_the_receptive_field(kernel_size, rates, n_steps):
    masks = dependency_masks(kernel_size, rates, n_steps=n_steps).masks[-1]
    for output in range(n_steps):
        paths = receptive_paths(kernel_size, rates, n_steps, output)
        assert np.array_equal(paths[0], np.flatnonzero(masks[output])), output
        assert list(paths[-1]) == [output]
    fig = diagrams.dilated_causal_stack(kernel_size, rates, n_steps=n_steps, output=n_steps - 2)
    paths = receptive_paths(kernel_size, rates, n_steps, n_steps - 2)
    for layer, steps in enumerate(paths):  # the figure highlights exactly the paths, layer by layer
        np.testing.assert_array_equal(_lit(fig.axes[0], layer, n_steps), steps)
    fig = diagrams.dilated_causal_stack(kernel_size, rates, n_steps=n_steps)
    assert len(_lit(fig.axes[0], 0, n_steps)) == min(receptive_field(kernel_size, rates), n_steps)


def test_unrolled_highlight_and_arguments_are_checked():
    texts = _texts(diagrams.recurrent_unrolled(n_steps=5, step=3))
    assert r"$\mathbf{x}_{(5)}$" in texts and r"$\mathbf{x}_{(6)}$" not in texts
    with pytest.raises(ValueError, match="step"):
        diagrams.recurrent_unrolled(n_steps=4, step=5)
    with pytest.raises(ValueError, match="n_steps"):
        diagrams.recurrent_unrolled(n_steps=1)
    with pytest.raises(ValueError, match="cost_steps"):
        diagrams.bptt(n_steps=3, cost_steps=(4,))
    with pytest.raises(ValueError, match="output"):
        receptive_paths(2, (1, 2), n_steps=6, output=6)


def test_bptt_cost_reads_only_the_chosen_outputs():
    fig = diagrams.bptt(n_steps=4, cost_steps=(4,))
    assert r"$C(\mathbf{Y}_{(4)})$" in _texts(fig)
    # The outputs the cost reads are drawn in ink, the others muted.
    ink = {t.get_text(): t.get_color() for t in fig.axes[0].texts}
    outputs = [ink[rf"$\mathbf{{Y}}_{{({s})}}$"] for s in range(1, 5)]
    assert outputs == [diagrams._MUTED] * 3 + [diagrams._INK]


def test_diagrams_draw_into_a_given_axes_for_the_widgets():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    before = len(plt.get_fignums())
    drawn = diagrams.recurrent_unrolled(6, step=4, shade=[0.0, 1.0, 2.0, 4.0], ax=ax, folded=False)
    assert drawn is fig and len(plt.get_fignums()) == before  # no figure of its own
    texts = [t.get_text() for t in ax.texts]
    assert r"$\mathbf{x}_{(6)}$" in texts and r"$\mathbf{x}_{(t)}$" not in texts  # the chain alone
    # The copies up to the step are shaded by `shade` (darker = more), the step itself stays red.
    boxes = [p for p in ax.patches if p.get_width() > 0.9]
    blue = [p.get_facecolor()[0] for p in boxes[:3]]
    assert blue[0] > blue[1] > blue[2] and boxes[3].get_edgecolor()[:3] == matplotlib.colors.to_rgb("#d62728")
    with pytest.raises(ValueError, match="shade"):
        diagrams.recurrent_unrolled(3, shade=[1, 2, 3, 4])
    # `scale` shrinks every label; `cell` and `caption` adapt the picture to a gated cell.
    small, same = Figure().add_subplot(), Figure().add_subplot()
    diagrams.recurrent_unrolled(4, cell="LSTM", caption=False, ax=small, scale=0.5)
    diagrams.recurrent_unrolled(4, cell="LSTM", caption=False, ax=same)
    assert [t.get_fontsize() for t in small.texts] == [t.get_fontsize() / 2 for t in same.texts]
    labels = [t.get_text() for t in small.texts]
    assert "LSTM" in labels and not any("shares" in text for text in labels)
    assert any("shares" in t.get_text() for t in diagrams.recurrent_unrolled(4).axes[0].texts)
    ax = Figure().add_subplot()
    fig = diagrams.dilated_causal_stack(2, (1, 2, 4), n_steps=40, ax=ax, scale=0.8)
    assert fig is ax.figure
    for layer, steps in enumerate(receptive_paths(2, (1, 2, 4), 40)):
        np.testing.assert_array_equal(_lit(ax, layer, 40), steps)
    assert len(_lit(ax, 0, 40)) == receptive_field(2, (1, 2, 4))


def test_the_stack_says_why_fewer_inputs_than_the_field_are_reached():
    def note(*args):
        fig = diagrams.dilated_causal_stack(*args)
        return " ".join(t.get_text() for t in fig.axes[0].texts)

    assert "8$ steps" in note(2, (1, 2, 4), 16)  # the whole field: R = 1 + 1 * (1 + 2 + 4)
    assert "4 of the field's 7 steps reached (these dilations leave gaps)" in note(2, (2, 4), 16)
    assert "is cut by the window's start" in note(2, (1, 2, 4, 8), 8)

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
    "stacked_rnn": diagrams.stacked_rnn,
    "seq2seq_targets": diagrams.seq2seq_targets,
    "conv1d_strides": diagrams.conv1d_strides,
    "wavenet_block": diagrams.wavenet_block,
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
    "stacked_rnn": [r"$\mathbf{x}_{(1)}$", r"$\mathbf{h}^{(2)}_{(T)}$", r"$\hat{x}_{(T+1)}$", "Dense(1)"],
    # eq-seq2seq-targets: Y_(t) = (x_(t+1), ..., x_(t+h)), here with T = 12, h = 10.
    "seq2seq_targets": [
        r"$\mathbf{Y}_{(1)} = (x_{(2)}, \dots, x_{(11)})$",
        r"$\mathbf{Y}_{(T)} = (x_{(13)}, \dots, x_{(22)})$",
    ],
    # eq-conv-targets: output j forecasts Y_(d(k-1) + js).
    "conv1d_strides": [r"$x_{(0)}$", r"$\mathbf{Y}_{(3)}$", "Conv1D outputs $j$", "trained on Y[:, 3::2]"],
    # eq-gated-activation.
    "wavenet_block": [
        r"$\tanh(\mathbf{W}_f * \mathbf{x})$",
        r"$\sigma(\mathbf{W}_g * \mathbf{x})$",
        r"$\otimes$",
        r"$\mathbf{z}$",
        "skip output",
    ],
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


def _text(ax, start):
    """The one text of ``ax`` that starts with ``start``."""
    [text] = [t for t in ax.texts if t.get_text().startswith(start)]
    return text


def _gid(ax, gid):
    [artist] = [c for c in ax.collections if c.get_gid() == gid]
    return artist


def test_stacked_rnn_draws_the_layers_of_deep_rnn_and_deep_rnn_dense():
    import keras

    import rnnbook

    for name, head in (("deep_rnn_dense", "dense"), ("deep_rnn", "rnn")):
        model = rnnbook.build_model(name)
        rnns = [layer for layer in model.layers if isinstance(layer, keras.layers.SimpleRNN)]
        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        hidden = [layer.units for layer in (rnns[:-1] if head == "rnn" else rnns)]
        ax = diagrams.stacked_rnn(units=hidden, head=head, n_steps=4).axes[0]
        # One row per recurrent layer, bottom to top, with the layer's size and what it returns.
        rows = sorted(
            (t.get_position()[1], t.get_text()) for t in ax.texts if t.get_text().startswith("SimpleRNN(")
        )
        assert [text for _, text in rows] == [f"SimpleRNN({layer.units})" for layer in rnns], name
        returns = sorted(
            (t.get_position()[1], t.get_text())
            for t in ax.texts
            if t.get_text() in ("return_sequences=True", "last output only")
        )
        assert [text == "return_sequences=True" for _, text in returns] == [
            layer.return_sequences for layer in rnns
        ], name
        # A box per layer and step, and one for the Dense head when the model has one.
        assert len(ax.patches) == 4 * len(rnns) + len(dense), name
        assert [t for t in _texts(ax.figure) if t.startswith("Dense(")] == [
            f"Dense({layer.units})" for layer in dense
        ], name
    with pytest.raises(ValueError, match="head"):
        diagrams.stacked_rnn(head="gru")


def test_seq2seq_targets_are_those_the_data_module_builds():
    from rnnbook.data import generate_time_series, make_targets

    n_steps, horizon = 12, 10
    series = generate_time_series(1, n_steps + horizon, seed=0)
    _, Y = make_targets(series, n_steps, horizon, layout="seq2seq")
    ax = diagrams.seq2seq_targets(n_steps, horizon, steps=(1, 2, 5, None)).axes[0]
    for t in (1, 2, 5, n_steps):
        drawn = _gid(ax, f"targets-{t}").get_offsets()[:, 0].astype(int)  # 1-based time steps
        # The values at the drawn steps are the targets Y holds for step t, in order.
        np.testing.assert_array_equal(series[0, drawn - 1, 0], Y[0, t - 1])
        [[output, _]] = _gid(ax, f"output-{t}").get_offsets()
        assert output == t and drawn.min() == t + 1  # step t forecasts only what comes after it
    # Only the last step's targets lie beyond the window: the earlier ones are inputs read later.
    assert _gid(ax, f"targets-{n_steps}").get_offsets()[:, 0].min() > n_steps
    assert _gid(ax, "targets-5").get_offsets()[:, 0].min() <= n_steps
    with pytest.raises(ValueError, match="steps"):
        diagrams.seq2seq_targets(n_steps=5, steps=(6,))


def test_conv1d_strides_outputs_read_the_layers_windows_and_sit_on_their_targets():
    import keras

    import rnnbook

    spec = rnnbook.get_spec("seq2seq_conv1d_gru")
    n_steps = 14
    targets = np.arange(n_steps)[spec.time_steps(n_steps, {})]  # what `train` slices Y with
    ax = diagrams.conv1d_strides(n_steps=n_steps).axes[0]  # the defaults: the model's kernel 4, stride 2
    # The inputs each output of the chapter's own Conv1D reads: perturb each input step in turn.
    conv = rnnbook.build_model("seq2seq_conv1d_gru", n_steps=n_steps).get_layer("conv")
    x = np.random.default_rng(0).normal(size=(1, n_steps, 1)).astype("float32")
    moved = np.repeat(x, n_steps, axis=0)
    moved[np.arange(n_steps), np.arange(n_steps), 0] += 1.0
    out = keras.ops.convert_to_numpy(conv(np.concatenate([x, moved])))
    reads = np.abs(out[1:] - out[0]).max(axis=-1) > 1e-6  # (input step, output j)
    assert reads.shape[1] == len(targets)
    # The x-position of each time step, read off the input labels "$x_{(t)}$".
    x_of = {
        int(t.get_text()[5:-3]): t.get_position()[0] for t in ax.texts if t.get_text().startswith("$x_{(")
    }
    assert sorted(x_of) == list(range(n_steps))
    segments = [seg for gid in ("windows", "windows-lit") for seg in _gid(ax, gid).get_segments()]
    y_labels = {t.get_text(): t for t in ax.texts if t.get_text().startswith(r"$\mathbf{Y}_{(")}
    for j, target in enumerate(targets):
        [[x_out, _]] = _gid(ax, f"output-{j}").get_offsets()
        window = sorted(round(a[0], 6) for a, b in segments if np.isclose(b[0], x_out))
        assert window == sorted(round(x_of[t], 6) for t in np.flatnonzero(reads[:, j])), j
        # Drawn above its last input and under the target `train` gives it.
        assert np.isclose(x_out, max(window)) and np.isclose(x_out, x_of[target]), j
        label = y_labels[rf"$\mathbf{{Y}}_{{({target})}}$"]
        assert np.isclose(label.get_position()[0], x_out) and label.get_color() == diagrams._INK
    unused = [y_labels[rf"$\mathbf{{Y}}_{{({t})}}$"] for t in set(range(n_steps)) - set(targets)]
    assert unused and all(text.get_color() == diagrams._MUTED for text in unused)
    # The alt text's count for the chapter's 50 steps is the registry's.
    n_book = len(np.arange(50)[spec.time_steps(50, {})])
    assert f"has {n_book} outputs" in diagrams.ALT_TEXT["conv1d_strides"]
    assert f"{n_book} outputs" in _text(ax, "on the chapter's 50 steps").get_text()


def test_wavenet_block_draws_what_the_model_computes():
    import keras

    import rnnbook
    from rnnbook.layers import WaveNetResidualBlock

    model = rnnbook.build_model("wavenet", n_steps=40)
    blocks = [layer for layer in model.layers if isinstance(layer, WaveNetResidualBlock)]
    ax = diagrams.wavenet_block().axes[0]
    frame = _text(ax, "residual block").get_text()
    rates = ", ".join(str(b.dilation_rate) for b in blocks)
    assert f"{len(blocks)} blocks" in frame and f"$d$ = {rates}" in frame
    # One block: a dilated conv with the filter and gate halves, the gated unit, ONE 1x1 convolution
    # whose output is both the skip and (added to the input) the residual -- as the figure draws it.
    block = blocks[1]
    assert block.dilated_conv.filters == 2 * block.filters and block.conv_1x1.kernel_size == (1,)
    x = np.random.default_rng(0).normal(size=(2, 12, block.filters)).astype("float32")
    residual, skip = (keras.ops.convert_to_numpy(o) for o in block(x))
    np.testing.assert_allclose(residual - x, skip, atol=1e-5)

    def y(start):
        return _text(ax, start).get_position()[1]

    # Bottom to top, in the order the code applies them.
    assert (
        y("input window")
        < y("causal Conv1D, $k = 2$")
        < y("dilated causal Conv1D")
        < y(r"$\tanh(")
        < y(r"$1 \times 1$ Conv1D: filters")
        < y("residual output")
    )
    # The head: sum of the skips, ReLU, a 1x1 ReLU convolution, a linear 1x1 to `horizon` channels.
    names = [layer.name for layer in model.layers]
    head = names[names.index("skip_sum") :]
    assert [type(model.get_layer(n)).__name__ for n in head] == ["Add", "Activation", "Conv1D", "Conv1D"]
    assert model.get_layer(head[1]).activation.__name__ == "relu"
    assert model.get_layer("head_1x1").activation.__name__ == "relu"
    forecasts = model.get_layer("forecasts")
    assert forecasts.activation.__name__ == "linear"
    assert (
        y("sum of the skips")
        < y("ReLU")
        < y(r"$1 \times 1$ Conv1D, ReLU")
        < y(r"$1 \times 1$ Conv1D, linear")
    )
    assert f"{forecasts.filters} channels" in _text(ax, r"$1 \times 1$ Conv1D, linear").get_text()

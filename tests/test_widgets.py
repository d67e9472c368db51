"""The widgets' compute functions against the NumPy equations and the real models, and their views.

Every compute function is checked against an independent source of truth: the Keras layer it was
trained as, the analytic Jacobian of a simple RNN, the backend's autodiff, a built ``wavenet_simple``
probed by perturbing each input. The views are checked for what keeps them interactive in the static
book: one frame per state, wired to the controls with ``jslink``, frames that differ between states.
"""

from __future__ import annotations

import keras  # noqa: E402  (a broken install fails here, it is not skipped)
import numpy as np
import pytest

import rnnbook  # noqa: F401  (sets the Keras backend before keras is imported)
from rnnbook import equations  # noqa: E402
from rnnbook.widgets import _frames  # noqa: E402
from rnnbook.widgets._frames import Control, FrameView  # noqa: E402


def _links(view: FrameView):
    """(source widget, source trait, target widget, target trait) of every jslink of a view."""
    import ipywidgets as w
    from ipywidgets.widgets.widget_link import Link

    links = [m for m in w.Widget.widgets.values() if isinstance(m, Link)]
    ids = {id(c) for c in view.controls.values()} | ({id(view.play)} if view.play else set())
    return [(k.source[0], k.source[1], k.target[0], k.target[1]) for k in links if id(k.source[0]) in ids]


# ----------------------------------------------------------------------------------------- frames
def test_frame_view_nests_one_stack_level_per_control_and_links_them():
    frames = {(a, b): f"<b>{a}{b}</b>" for a in range(2) for b in range(3)}
    view = FrameView(
        [Control("a", "a", ["x", "y"], kind="toggle"), Control("b", "b", ["0", "1", "2"], play=True)], frames
    )
    assert view.shown_key() == (0, 0)
    view.select(a=1, b=2)
    assert view.shown_key() == (1, 2) and view.shown_frame() == "<b>12</b>"
    links = _links(view)
    # One link per stack (1 outer + 2 inner) plus Play -> slider: the browser needs nothing else.
    assert sum(1 for s, st, t, tt in links if st == "index" and tt == "selected_index") == 3
    assert any(s is view.play and t is view.controls["b"] for s, _, t, _ in links)
    assert view.play.max == 2


def test_frame_view_refuses_an_incomplete_grid():
    with pytest.raises(ValueError, match="missing"):
        FrameView([Control("a", "a", ["x", "y"])], {(0,): "only one"})


def test_png_bytes_are_a_small_palette_png():
    fig = _frames.figure((3, 2))
    fig.add_subplot().plot(np.sin(np.linspace(0, 6, 50)), color="tab:red")
    full, small = _frames.png_bytes(fig, colors=0), _frames.png_bytes(fig)
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(small))
    assert image.mode == "P" and len(small) < len(full)
    # The quantizer must keep small saturated marks (the red "current step" marks).
    colors = {tuple(c) for c in np.asarray(image.convert("RGB")).reshape(-1, 3)}
    assert any(r > 180 and g < 90 and b < 90 for r, g, b in colors)


# ------------------------------------------------------------------------------------- unrolling
def _simple_rnn_layer(units=3, seed=0):
    keras.utils.set_random_seed(seed)
    layer = keras.layers.SimpleRNN(units, return_sequences=True)
    layer(np.zeros((1, 4, 1), dtype="float32"))
    return layer


def test_memory_matches_the_analytic_jacobian_of_a_simple_rnn():
    from rnnbook.widgets.unrolling import memory_jacobian_norms

    layer = _simple_rnn_layer()
    x = np.sin(np.linspace(0, 3, 12))
    weights = equations.weights_from_keras(layer)
    trace = equations.simple_rnn_forward(x[:, None], **weights)
    Wx, Wh = weights["Wx"], weights["Wh"]
    T = len(x)
    expected = np.zeros((T, T))
    for s in range(T):
        # dh(s)/dx(s) = diag(1 - h(s)^2) Wx^T, then dh(t)/dh(t-1) = diag(1 - h(t)^2) Wh^T.
        J = (1 - trace.h[s] ** 2)[:, None] * Wx.T
        expected[s, s] = np.linalg.norm(J)
        for t in range(s + 1, T):
            J = (1 - trace.h[t] ** 2)[:, None] * (Wh.T @ J)
            expected[t, s] = np.linalg.norm(J)
    np.testing.assert_allclose(memory_jacobian_norms(layer, x), expected, rtol=1e-5, atol=1e-9)


@pytest.fixture(scope="module")
def unrolled():
    from rnnbook.widgets.unrolling import unrolling_data

    return unrolling_data("simple_rnn", units=3, n_steps=8, epochs=1)


def test_unrolling_data_is_the_trained_layer_run_by_the_equations(unrolled):
    from rnnbook.widgets._models import tiny_rnn

    tiny = tiny_rnn("simple_rnn", units=3, n_steps=8, epochs=1)
    keras_h = keras.ops.convert_to_numpy(tiny.layer(unrolled.x[None, :, None].astype("float32")))[0]
    np.testing.assert_allclose(unrolled.trace.h, keras_h, atol=1e-5)
    keras_forecast = tiny.model.predict(unrolled.x[None, :, None].astype("float32"), verbose=0)[0, :, 0]
    np.testing.assert_allclose(unrolled.forecast, keras_forecast, atol=1e-5)
    np.testing.assert_allclose(unrolled.target[:-1], unrolled.x[1:], atol=1e-6)


def test_unrolling_step_fills_the_equation_with_consistent_numbers(unrolled):
    from rnnbook.widgets.unrolling import unrolling_step

    w = unrolled.weights
    for t in (0, 5):
        step = unrolling_step(unrolled, t)
        np.testing.assert_allclose(step["xw"], step["x"] * w["Wx"][0])
        np.testing.assert_allclose(step["hw"], step["h_prev"] @ w["Wh"])
        np.testing.assert_allclose(step["z"], step["xw"] + step["hw"] + w["b"])
        np.testing.assert_allclose(step["h"], np.tanh(step["z"]))
        assert step["memory"].shape == (t + 1,)
        assert f"{step['h'][0]:+.2f}" in step["lines"][4]
    np.testing.assert_allclose(unrolling_step(unrolled, 0)["h_prev"], 0.0)
    with pytest.raises(ValueError, match="0 <= t < 8"):
        unrolling_step(unrolled, 8)


def test_unrolling_explorer_has_one_distinct_frame_per_step(unrolled):
    from rnnbook.widgets.unrolling import unrolling_explorer

    view = unrolling_explorer("simple_rnn", units=3, n_steps=8, epochs=1)
    assert len(view.frames) == 8 and view.play is not None and view.play.max == 7
    assert len({bytes(f) for f in view.frames.values()}) == 8
    before = view.shown_frame()
    view.select(t=4)
    assert view.shown_frame() != before and view.shown_frame() == view.frames[(4,)]


def _spy(monkeypatch, module, name):
    """Replace ``module.name`` by a wrapper that records each call's arguments and result."""
    calls, real = [], getattr(module, name)

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append((args, kwargs, result))
        return result

    monkeypatch.setattr(module, name, spy)
    return calls


def test_unrolling_frames_are_the_books_diagram_at_step_t(unrolled, monkeypatch):
    from rnnbook import diagrams
    from rnnbook.widgets.unrolling import render_unrolling_frame, unrolling_explorer

    calls = _spy(monkeypatch, diagrams, "recurrent_unrolled")
    for t in (0, 5):
        calls.clear()
        render_unrolling_frame(unrolled, t)
        [(args, kwargs, fig)] = calls
        # The explorer's t is 0-based (an array index); the diagram counts steps from 1.
        assert args == (8,) and kwargs["step"] == t + 1
        np.testing.assert_array_equal(kwargs["shade"], unrolled.memory[t, : t + 1])
        assert kwargs["ax"] in fig.axes and kwargs["caption"]  # drawn into the frame, SimpleRNN eq.
    calls.clear()
    view = unrolling_explorer("simple_rnn", units=3, n_steps=8, epochs=1)
    assert sorted(kwargs["step"] for _, kwargs, _ in calls) == list(range(1, 9))
    assert len({bytes(f) for f in view.frames.values()}) == 8


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_steps_match_their_equations(cell):
    from rnnbook.widgets.unrolling import unrolling_data, unrolling_step

    d = unrolling_data(cell, units=2, n_steps=6, epochs=1)
    step = unrolling_step(d, 3)
    if cell == "lstm":
        np.testing.assert_allclose(step["c"], step["f"] * step["c_prev"] + step["i"] * step["g"], atol=1e-12)
        np.testing.assert_allclose(step["h"], step["o"] * np.tanh(step["c"]), atol=1e-12)
    else:
        np.testing.assert_allclose(
            step["h"], step["z"] * step["h_prev"] + (1 - step["z"]) * step["g"], atol=1e-12
        )


# ------------------------------------------------------------------------------------------ bptt
def test_bptt_norms_are_the_gradients_modules_and_padding_changes_nothing():
    from rnnbook import data
    from rnnbook.gradients import hidden_state_gradient_norms
    from rnnbook.widgets.bptt import bptt_data

    padded = bptt_data(12, 1.5, "tanh", units=4, batch=4, pad_to=30)
    direct = bptt_data(12, 1.5, "tanh", units=4, batch=4)
    for cell in ("simple_rnn", "lstm", "gru"):
        np.testing.assert_allclose(padded.norms[cell], direct.norms[cell], rtol=1e-5)
    # Independently: a SimpleRNN built from the same seed, scaled by hand.
    keras.utils.set_random_seed(42)
    layer = keras.layers.SimpleRNN(4)
    layer.build((None, None, 1))
    head = keras.layers.Dense(1)
    head.build((None, 4))
    layer.cell.recurrent_kernel.assign(keras.ops.convert_to_numpy(layer.cell.recurrent_kernel) * 1.5)
    series = data.generate_time_series(4, 13, seed=42)
    expected = hidden_state_gradient_norms(layer, series[:, :12], series[:, 12], head=head)
    np.testing.assert_allclose(direct.norms["simple_rnn"], expected, rtol=1e-5)


def test_bptt_leaves_its_cached_layers_as_they_were_built():
    from rnnbook.widgets.bptt import _layers, bptt_data

    layers = _layers(4, "tanh", 42)
    before = {cell: [w.copy() for w in layer.get_weights()] for cell, (layer, _, _) in layers.items()}
    first = bptt_data(10, 2.0, "tanh", units=4, batch=4, _layers_cache=layers)
    for cell, (layer, _, _) in layers.items():
        for got, want in zip(layer.get_weights(), before[cell]):
            np.testing.assert_array_equal(got, want)
    again = bptt_data(10, 2.0, "tanh", units=4, batch=4, _layers_cache=layers)  # same input, same norms
    for cell in first.norms:
        np.testing.assert_array_equal(again.norms[cell], first.norms[cell])


def test_gradients_reject_a_weight_the_layer_does_not_have():
    from rnnbook.gradients import hidden_state_gradient_norms

    layer = keras.layers.GRU(3)
    X, y = np.zeros((2, 5, 1), "float32"), np.zeros((2, 3), "float32")
    with pytest.raises(ValueError, match=r"argument `weights`: 'Wh' is not a weight of this gru layer"):
        hidden_state_gradient_norms(layer, X, y, weights={"Wh": np.eye(3)})
    with pytest.raises(ValueError, match=r"argument `recurrent_kernel`, expected shape \(3, 9\)"):
        hidden_state_gradient_norms(layer, X, y, weights={"recurrent_kernel": np.eye(3)})


def test_bptt_scale_moves_the_simple_rnn_from_vanishing_to_exploding():
    from rnnbook.widgets.bptt import bptt_grid

    grid = bptt_grid(lengths=(40,), scales=(0.5, 2.0), activations=("tanh",), units=8, batch=4)
    small, large = grid[(0, 0, 0)].norms["simple_rnn"], grid[(0, 1, 0)].norms["simple_rnn"]
    assert small[0] / small[-1] < 1e-6  # vanishing: h(1) gets almost nothing
    assert large[0] / large[-1] > 1.0  # exploding: h(1) gets more than h(T)


# -------------------------------------------------------------------------------- receptive field
@pytest.mark.parametrize("k, rates", [(2, (1, 2, 4, 8)), (3, (1, 2, 4)), (2, (1, 1, 1)), (4, (1, 3))])
def test_field_size_is_the_models_receptive_field(k, rates):
    from rnnbook.models.conv import receptive_field
    from rnnbook.widgets.receptive_field import dependency_masks

    d = dependency_masks(k, rates, n_steps=64)
    assert d.field == receptive_field(k, rates)
    last = np.flatnonzero(d.masks[-1][-1])
    assert last.min() == 64 - d.field and last.max() == 63  # a contiguous causal window
    np.testing.assert_array_equal(d.paths[0], last)  # the paths reach exactly the field


@pytest.mark.parametrize("k, rates", [(2, (1, 2, 4)), (3, (1, 2)), (2, (1, 1, 1))])
def test_drawn_field_equals_a_built_wavenet_probed_input_by_input(k, rates):
    from rnnbook.registry import build_model
    from rnnbook.widgets.receptive_field import dependency_masks

    n = 24
    model = build_model(
        "wavenet_simple", n_steps=n, horizon=1, filters=3, kernel_size=k, dilation_rates=rates, n_stacks=1
    )
    # Positive weights and biases on positive inputs keep every ReLU in its linear part, so no
    # dependency can hide behind a dead unit: output t changes iff input s reaches it.
    for layer in model.layers:
        kernel, bias = layer.get_weights()
        layer.set_weights([np.abs(kernel) + 0.1, np.abs(bias) + 0.1])
    base = 1.0 + np.random.default_rng(0).random((1, n, 1)).astype("float32")
    batch = np.repeat(base, n + 1, axis=0)
    batch[np.arange(1, n + 1), np.arange(n), 0] += 1.0  # copy s+1 perturbs input s
    out = model.predict(batch, verbose=0)[:, :, 0]
    reached = np.abs(out[1:] - out[0]) > 1e-6  # reached[s, t]
    mask = dependency_masks(k, rates, n_steps=n).masks[-1]  # mask[t, s]
    np.testing.assert_array_equal(reached.T, mask)


@pytest.mark.parametrize("k, rates", [(2, (1, 2, 4, 8, 16)), (3, (1, 2, 4)), (2, (1,)), (3, (1, 1, 1))])
def test_receptive_field_frame_highlights_the_models_receptive_field(k, rates, monkeypatch):
    from matplotlib.colors import to_rgba

    from rnnbook import diagrams
    from rnnbook.models.conv import receptive_field
    from rnnbook.widgets.receptive_field import dependency_masks, render_field_frame

    calls = _spy(monkeypatch, diagrams, "dilated_causal_stack")
    d = dependency_masks(k, rates, n_steps=64)
    render_field_frame(d)
    [(args, kwargs, fig)] = calls
    assert args == (k, rates, 64) and kwargs["ax"] in fig.axes
    assert receptive_field(k, rates) == d.field
    # The input dots drawn in the accent colour are exactly the last output's receptive field.
    [inputs] = [
        c for c in kwargs["ax"].collections if len(c.get_offsets()) == 64 and c.get_offsets()[0][1] == 0
    ]
    lit = np.flatnonzero((inputs.get_facecolors() == to_rgba(diagrams._ACCENT)).all(axis=1))
    np.testing.assert_array_equal(lit, np.arange(64 - receptive_field(k, rates), 64))
    np.testing.assert_array_equal(lit, np.flatnonzero(d.masks[-1][-1]))


def test_receptive_field_frames_differ_between_states():
    from rnnbook.widgets.receptive_field import receptive_field_explorer

    view = receptive_field_explorer(kernel_sizes=(2, 3), max_layers=2, n_steps=16)
    assert len(view.frames) == 2 * 2 * 2
    # One layer of "doubling" dilations is one layer of "none": (1,). Every other state differs.
    configs = {(d.kernel_size, d.dilation_rates) for d in view.data.values()}
    assert len(configs) == 6 and len({bytes(f) for f in view.frames.values()}) == len(configs)
    view.select(kernel=1, dilations=0, layers=1)
    assert view.shown_key() == (1, 0, 1) and view.data[(1, 0, 1)].dilation_rates == (1, 2)


# ----------------------------------------------------------------------------------------- gates
def test_gate_data_are_the_lstm_equations_with_the_trained_weights():
    from rnnbook.widgets._models import tiny_rnn
    from rnnbook.widgets.gates import gate_data

    d = gate_data("lstm", 1, units=2, n_steps=10, epochs=1)
    tiny = tiny_rnn("lstm", units=2, n_steps=10, epochs=1)
    w = equations.weights_from_keras(tiny.layer)
    trace = equations.lstm_forward(d.x[:, None], w["kernel"], w["recurrent_kernel"], w["bias"])
    for name in ("i", "f", "o", "g", "c", "h"):
        np.testing.assert_allclose(d.gates[name], getattr(trace, name), atol=1e-12)
    keras_h = keras.ops.convert_to_numpy(tiny.layer(d.x[None, :, None].astype("float32")))[0]
    np.testing.assert_allclose(d.gates["h"], keras_h, atol=1e-5)
    assert all(((d.gates[g] > 0) & (d.gates[g] < 1)).all() for g in ("i", "f", "o"))


# -------------------------------------------------------------------------------------- forecast
def test_layouts_follow_the_registry_metadata():
    from rnnbook.registry import get_spec
    from rnnbook.widgets.forecast import layouts_for

    assert layouts_for(get_spec("linear")) == ("one_step", "vector")
    assert layouts_for(get_spec("seq2seq_rnn")) == ("seq2seq",)
    assert layouts_for(get_spec("seq2vec_rnn")) == ("vector",)
    assert layouts_for(get_spec("iterative_deep_rnn")) == ("one_step",)
    assert layouts_for(get_spec("arma")) == ("one_step",)


def test_iterative_forecast_feeds_the_one_step_model_its_own_forecasts():
    from rnnbook.widgets.forecast import _trained, forecast_data

    d = forecast_data("synthetic", "linear", "one_step", 3, epochs=1)
    model = _trained("synthetic", "linear", "one_step", 3, 1, 42)
    assert model.horizon == 3
    window = d.X[:5, :, None].astype("float32")
    for k in range(3):  # the feedback loop written out, on the one-step model
        step = model.step_model.predict(window, verbose=0)[:, 0]
        np.testing.assert_allclose(d.forecast[:5, k], step, atol=1e-5)
        window = np.concatenate([window[:, 1:], step[:, None, None]], axis=1)
    np.testing.assert_allclose(d.naive, np.repeat(d.X[:, -1:], 3, axis=1))
    np.testing.assert_allclose(d.mse, ((d.forecast - d.y) ** 2).mean(axis=0))
    assert d.forecast.shape == d.y.shape == (len(d.X), 3) and np.isfinite(d.forecast).all()


def test_forecast_explorer_frames_follow_the_controls():
    from rnnbook.widgets.forecast import forecast_explorer

    view = forecast_explorer(models=["linear"], series=("synthetic",), horizons=(1, 3), epochs=1)
    assert len(view.frames) == 1 * 1 * 3 * 2
    assert isinstance(view.frames[(0, 0, 2, 0)], str) and "cannot be trained in" in view.frames[(0, 0, 2, 0)]
    shown = [view.frames[key] for key in ((0, 0, 0, 0), (0, 0, 0, 1), (0, 0, 1, 1))]
    assert len(set(shown)) == 3  # another layout, another horizon: three different pictures
    view.select(layout=1, horizon=1)
    assert view.shown_frame() == view.frames[(0, 0, 1, 1)]


# ---------------------------------------------------------------------------------- insert cells
def test_insert_cells_is_idempotent_and_places_the_cell_after_its_marker(tmp_path):
    import nbformat

    from tools.insert_widget_cells import insert_into_files

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_markdown_cell("<!-- widget: gate_explorer -->"),
            nbformat.v4.new_markdown_cell("text\n\n<!-- widget: bptt_explorer -->"),
        ]
    )
    path = tmp_path / "ch.ipynb"
    nbformat.write(nb, path)
    assert insert_into_files([path]) == {str(path): ["gate_explorer", "bptt_explorer"]}
    assert insert_into_files([path]) == {}
    cells = nbformat.read(path, as_version=4).cells
    assert [c.cell_type for c in cells] == ["markdown", "markdown", "code", "markdown", "code"]
    assert (
        cells[2].source.endswith("gate_explorer()") and cells[4].metadata["rnnbook_widget"] == "bptt_explorer"
    )


def test_widgets_get_their_models_from_train_and_its_cache(tmp_path, monkeypatch):
    import keras

    from rnnbook.training import train
    from rnnbook.widgets import forecast
    from rnnbook.widgets._models import tiny_rnn

    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(tmp_path))
    chapter = train("linear", profile="full", epochs=1, progress=False)  # what a chapter trains
    forecast._trained.cache_clear()
    tiny_rnn.cache_clear()
    fits = []
    real_fit = keras.Model.fit
    monkeypatch.setattr(
        keras.Model, "fit", lambda self, *a, **k: fits.append(self.name) or real_fit(self, *a, **k)
    )
    model = forecast._trained("synthetic", "linear", "one_step", 3, 1, 42)
    assert fits == []  # loaded, not trained again
    for got, want in zip(model.step_model.get_weights(), chapter.model.get_weights()):
        np.testing.assert_array_equal(got, want)
    tiny = tiny_rnn("gru", units=2, n_steps=8, epochs=1)  # trained once, by train()
    assert len(fits) == 1
    tiny_rnn.cache_clear()  # as in a new process
    again = tiny_rnn("gru", units=2, n_steps=8, epochs=1)
    assert len(fits) == 1
    for got, want in zip(again.layer.get_weights(), tiny.layer.get_weights()):
        np.testing.assert_array_equal(got, want)


# ----------------------------------------------------------------------------------------- widget cache
def test_a_computed_widget_is_kept_and_read_back_equal(tmp_path, monkeypatch):
    from rnnbook.widgets import _cache, receptive_field_explorer

    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(tmp_path / "models"))
    monkeypatch.setenv("RNNBOOK_CACHE_DIR", str(tmp_path))
    drawn = []
    listener = lambda: drawn.append(1)  # noqa: E731
    _frames.frame_listeners.push(listener)
    try:
        first = receptive_field_explorer(kernel_sizes=(2, 3), max_layers=2, n_steps=16)
    finally:
        listening = _frames.frame_listeners.listening()
        _frames.frame_listeners.pop(listener)
    # While it computes, the progress note hears the frames; afterwards the previous listener is back.
    assert not first.cached and len(drawn) == 0 and listening == (listener,)
    entries = list((tmp_path / "widgets").glob("*.npz"))
    assert len(entries) == 1
    second = receptive_field_explorer(kernel_sizes=(2, 3), max_layers=2, n_steps=16)
    assert second.cached and second.frames == first.frames and second.options == first.options
    assert [c.options for c in second.control_list] == [c.options for c in first.control_list]
    assert second.data.keys() == first.data.keys()
    second.select(layers=0)
    assert second.shown_frame() == first.frames[second.shown_key()]
    # Other arguments are another entry; a corrupt entry is removed and the widget computed again.
    assert not receptive_field_explorer(kernel_sizes=(2,), max_layers=2, n_steps=16).cached
    entries[0].write_bytes(b"not an archive")
    assert not receptive_field_explorer(kernel_sizes=(2, 3), max_layers=2, n_steps=16).cached
    assert receptive_field_explorer(kernel_sizes=(2, 3), max_layers=2, n_steps=16).cached
    # Off with the trained-model cache (as in the other unit tests).
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", "0")
    assert _cache.directory() is None
    assert not receptive_field_explorer(kernel_sizes=(2, 3), max_layers=2, n_steps=16).cached


def test_the_progress_note_counts_frames_and_restores_the_hook():
    from rnnbook.widgets import _cache

    assert _frames.frame_listeners.listening() == ()
    with _cache._progress("the receptive fields") as progress:
        fig = _frames.figure((1, 1))
        fig.add_subplot().plot([0, 1])
        _frames.png_bytes(fig)
        _frames.png_bytes(fig)
        assert progress.frames == 2 and "2 frame(s) drawn" in progress._text()
    assert _frames.frame_listeners.listening() == ()


def test_the_forecast_explorer_takes_a_series_of_your_own_in_its_units():
    import pandas as pd

    from rnnbook.frames import frame_dataset
    from rnnbook.widgets.forecast import USER_SERIES, add_series, forecast_data

    hours = pd.date_range("2024-01-01", periods=400, freq="h")
    load = 1000 + 200 * np.sin(2 * np.pi * hours.hour / 24)
    ds = frame_dataset(pd.Series(load, hours, name="load"), n_steps=24, horizon=1, season=24)
    try:
        assert add_series("load", ds) == "load"
        d = forecast_data("load", "seasonal_naive", "one_step", 4)
        # In the series' units: the windows are loads in MW, and copying the day before is exact here.
        assert d.X.shape[1] == 24 and 790 < d.X.min() and d.X.max() < 1210
        np.testing.assert_allclose(d.forecast, d.y, atol=1e-3)
        np.testing.assert_allclose(d.naive, np.repeat(d.X[:, -1:], 4, axis=1))
        linear = forecast_data("load", "linear", "vector", 4, epochs=1)
        assert linear.forecast.shape == linear.y.shape == (len(d.y), 4)
    finally:
        USER_SERIES.remove("load")
    with pytest.raises(ValueError, match="load"):  # removed: no longer offered
        forecast_data("load", "seasonal_naive", "iterative", 4)
    with pytest.raises(ValueError, match="needs a new name"):
        add_series("synthetic", ds)
    with pytest.raises(ValueError, match="takes a data set made by rnnbook.frames"):
        add_series("mine", rnnbook.data.synthetic_dataset(20, 10, (10, 5, 5)))
    # Still a mapping, as when it was a dict: set (checked alike), read, list, delete.
    before = dict(USER_SERIES.items())  # (other tests' series, e.g. add_series' docstring's)
    USER_SERIES["load"] = ds
    assert dict(USER_SERIES.items()) == {**before, "load": ds} and len(USER_SERIES) == len(before) + 1
    del USER_SERIES["load"]
    assert "load" not in USER_SERIES and dict(USER_SERIES.items()) == before
    with pytest.raises(ValueError, match="needs a new name"):
        USER_SERIES["synthetic"] = ds
    with pytest.raises(KeyError):
        del USER_SERIES["load"]


def test_a_diverged_model_on_a_series_of_your_own_is_drawn_without_bands(monkeypatch):
    import pandas as pd

    from rnnbook.frames import frame_dataset
    from rnnbook.widgets import forecast
    from rnnbook.widgets.forecast import USER_SERIES, add_series, forecast_data

    hours = pd.date_range("2024-01-01", periods=400, freq="h")
    ds = frame_dataset(pd.Series(np.sin(np.arange(400) / 4), hours, name="x"), n_steps=24, horizon=1)
    monkeypatch.setattr(
        forecast, "_forecast", lambda trained, layout, X, horizon: np.full((len(X), horizon), np.nan)
    )
    try:
        add_series("diverged", ds)
        d = forecast_data("diverged", "seasonal_naive", "one_step", 2)
        assert np.isnan(d.forecast).all() and d.lower == {} and d.upper == {}
    finally:
        USER_SERIES.remove("diverged")


def test_the_forecast_explorer_draws_conformal_intervals_for_a_series_of_your_own():
    import dataclasses

    import pandas as pd

    from rnnbook.frames import frame_dataset
    from rnnbook.intervals import conformal_half_widths
    from rnnbook.widgets.forecast import USER_SERIES, add_series, forecast_explorer, render_forecast_frame

    hours = pd.date_range("2024-01-01", periods=600, freq="h")
    rng = np.random.default_rng(0)
    load = 1000 + 200 * np.sin(2 * np.pi * hours.hour / 24) + rng.normal(0, 20, len(hours))
    ds = frame_dataset(pd.Series(load, hours, name="load"), n_steps=24, horizon=1, season=24)
    try:
        add_series("noisy_load", ds)
        view = forecast_explorer(models=["seasonal_naive"], series=("noisy_load",), horizons=(1, 3))
        d = view.data[("noisy_load", "seasonal_naive", "one_step")]
        # The bands: the conformal half-width of each step's validation errors, computed here directly.
        widths = conformal_half_widths(d.y - d.forecast, levels=(80, 95))
        for level in (80, 95):
            np.testing.assert_allclose(d.lower[level], d.forecast - widths[level][None])
            np.testing.assert_allclose(d.upper[level], d.forecast + widths[level][None])
        assert np.isfinite(widths[95]).all() and (widths[95] > widths[80]).all() and widths[80][0] > 20
        # Drawn: the precomputed frame is the one with the bands, not the one without.
        assert view.frames[(0, 0, 0, 1)] == render_forecast_frame(d, 3)
        bare = dataclasses.replace(d, lower={}, upper={})
        assert render_forecast_frame(bare, 3) != view.frames[(0, 0, 0, 1)]
    finally:
        USER_SERIES.remove("noisy_load")


def test_a_series_name_given_to_other_data_is_another_cached_widget(tmp_path, monkeypatch):
    import pandas as pd

    from rnnbook.frames import frame_dataset
    from rnnbook.widgets.forecast import USER_SERIES, add_series, forecast_explorer

    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(tmp_path / "models"))  # the widget cache follows it
    monkeypatch.setenv("RNNBOOK_CACHE_DIR", str(tmp_path))
    hours = pd.date_range("2024-01-01", periods=400, freq="h")
    views = []
    try:
        for level in (1000.0, 5000.0):  # the same name, two series
            load = level + 200 * np.sin(2 * np.pi * hours.hour / 24)
            add_series("mine", frame_dataset(pd.Series(load, hours, name="load"), n_steps=24, season=24))
            for _ in range(2):  # computed, then read back
                views.append(forecast_explorer(models=["seasonal_naive"], series=("mine",), horizons=(1,)))
        assert [v.cached for v in views] == [False, True, False, True]
        first, second = (v.data[("mine", "seasonal_naive", "one_step")] for v in views[1::2])
        assert first.y.mean() < 2000 < second.y.mean()  # the second is drawn from its own data
        assert len(list((tmp_path / "widgets").glob("*.npz"))) == 2
    finally:
        USER_SERIES.remove("mine")


def test_a_widget_entry_is_read_only_from_a_directory_no_one_else_may_write(tmp_path):
    import os

    from rnnbook.widgets import _cache

    folder = tmp_path / "widgets"
    folder.mkdir()
    entry = folder / "entry.npz"
    _cache._write(entry, {"frames": [1, 2]})
    os.chmod(folder, 0o700)
    assert _cache._read(entry) == {"frames": [1, 2]}
    os.chmod(folder, 0o777)  # a shared, world-writable directory: anyone could have put an entry there
    assert _cache._read(entry) is None and entry.exists()
    os.chmod(folder, 0o700)


def test_widget_entries_are_data_that_round_trip_without_pickle(tmp_path):
    import os
    import pickle

    from rnnbook.widgets import _cache
    from rnnbook.widgets._frames import Control
    from rnnbook.widgets.receptive_field import dependency_masks

    os.chmod(tmp_path, 0o700)
    field = dependency_masks(2, (1, 2), 8)
    entry = {
        "controls": [Control("t", "t", ["0", "1"], play=True)],
        "frames": {(0,): b"\x89PNG...", (1,): "<b>none</b>"},
        "data": {(0, "a"): field, "nan": float("nan"), "scalar": np.float32(1.5), "none": None},
    }
    _cache._write(tmp_path / "e.npz", entry)
    back = _cache._read(tmp_path / "e.npz")
    assert back["controls"] == entry["controls"] and back["frames"] == entry["frames"]
    got = back["data"][(0, "a")]
    assert type(got) is type(field) and got.dilation_rates == field.dilation_rates
    for a, b in zip(got.masks, field.masks):
        np.testing.assert_array_equal(a, b)
    assert np.isnan(back["data"]["nan"]) and back["data"]["scalar"] == np.float32(1.5)
    # A pickle is never loaded: not even a planted one with the right name.
    (tmp_path / "planted.npz").write_bytes(pickle.dumps({"frames": []}))
    assert _cache._read(tmp_path / "planted.npz") is None and not (tmp_path / "planted.npz").exists()
    # Only rnnbook's dataclasses are re-created, and an object the format cannot hold is not stored.
    with pytest.raises(ValueError, match="none of rnnbook's dataclasses"):
        _cache._decode({"dataclass": "os:PathLike", "fields": {}}, {})
    _cache._write(tmp_path / "odd.npz", {"data": object()})
    assert not (tmp_path / "odd.npz").exists()


def test_an_entry_that_decodes_to_no_widget_is_computed_again_with_one_warning(tmp_path, monkeypatch):
    import warnings

    from rnnbook.cache import CacheWarning
    from rnnbook.widgets import _cache, receptive_field_explorer

    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(tmp_path / "models"))
    monkeypatch.setenv("RNNBOOK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_cache, "_warned", False)
    assert not receptive_field_explorer(kernel_sizes=(2,), max_layers=2, n_steps=16).cached
    (entry,) = (tmp_path / "widgets").glob("*.npz")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for odd in (12345, {"controls": [1], "frames": {}, "options": {}, "data": None}):
            _cache._write(entry, odd)  # this user's own entry, decoding to an int, then to no controls
            assert not receptive_field_explorer(kernel_sizes=(2,), max_layers=2, n_steps=16).cached
    assert len([w for w in caught if issubclass(w.category, CacheWarning)]) == 1
    assert receptive_field_explorer(kernel_sizes=(2,), max_layers=2, n_steps=16).cached


def test_the_widget_cache_hits_under_a_group_writable_umask(tmp_path, monkeypatch):
    import os

    from rnnbook.widgets import receptive_field_explorer

    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(tmp_path / "models"))
    monkeypatch.setenv("RNNBOOK_CACHE_DIR", str(tmp_path / "cache"))
    previous = os.umask(0o002)  # Debian and Ubuntu desktops: new directories would be 775
    try:
        assert not receptive_field_explorer(kernel_sizes=(2,), max_layers=2, n_steps=16).cached
        assert receptive_field_explorer(kernel_sizes=(2,), max_layers=2, n_steps=16).cached
    finally:
        os.umask(previous)
    assert (tmp_path / "cache" / "widgets").stat().st_mode & 0o777 == 0o700

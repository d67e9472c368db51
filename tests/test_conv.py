"""Target slicing, receptive fields and causality of the convolutional models."""

import keras
import numpy as np
import pytest

import rnnbook
from rnnbook.models.conv import conv_target_slice, receptive_field
from rnnbook.training import forecast_mse


@pytest.mark.parametrize(
    "kernel_size, strides, dilation_rate", [(4, 2, 1), (3, 1, 1), (2, 3, 1), (3, 1, 3), (1, 1, 1)]
)
def test_target_slice_matches_the_conv_outputs(kernel_size, strides, dilation_rate):
    n_steps = 23
    conv = keras.layers.Conv1D(
        1,
        kernel_size,
        strides=strides,
        dilation_rate=dilation_rate,
        padding="valid",
        kernel_initializer="ones",
        use_bias=False,
    )
    conv.build((None, n_steps, 1))
    # Impulse responses: output j reacts to input t iff t is among the steps output j sees.
    sees = np.stack(
        [
            keras.ops.convert_to_numpy(conv(np.eye(n_steps, dtype="float32")[t][None, :, None]))[0, :, 0]
            for t in range(n_steps)
        ]
    )  # (input step, output step)
    last_seen = np.array([np.flatnonzero(sees[:, j]).max() for j in range(sees.shape[1])])
    steps = np.arange(n_steps)[conv_target_slice(kernel_size, strides, dilation_rate)]
    np.testing.assert_array_equal(steps, last_seen)


def test_chapter_slicing():
    assert conv_target_slice(4, 2) == slice(3, None, 2)


@pytest.mark.parametrize(
    "hparams", [{}, {"kernel_size": 3, "strides": 1}, {"strides": 3}, {"strides": 1, "dilation_rate": 3}]
)
def test_registered_time_steps_match_the_model(hparams):
    spec = rnnbook.get_spec("seq2seq_conv1d_gru")
    n_steps = 30
    model = rnnbook.build_model("seq2seq_conv1d_gru", n_steps=n_steps, units=(3,), **hparams)
    expected_steps = len(np.arange(n_steps)[spec.time_steps(n_steps, hparams)])
    assert model.output_shape == (None, expected_steps, 10)


def test_strides_and_dilation_together_raise():
    with pytest.raises(ValueError, match="`strides`"):
        rnnbook.build_model("seq2seq_conv1d_gru", n_steps=30, strides=2, dilation_rate=2)


def test_conv_target_slice_rejects_bad_arguments():
    with pytest.raises(ValueError, match="`strides`"):
        conv_target_slice(4, 0)


def test_receptive_field():
    assert receptive_field(2, (1, 2, 4, 8) * 2) == 31
    assert receptive_field(3, (1,)) == 3
    assert receptive_field(1, (1, 2)) == 1
    with pytest.raises(ValueError, match="`dilation_rates`"):
        receptive_field(2, (1, 0))
    with pytest.raises(ValueError, match="`kernel_size`"):
        receptive_field(0, (1,))


@pytest.mark.parametrize(
    "name, field",
    [
        ("wavenet_simple", receptive_field(3, (1, 2) * 2)),
        ("wavenet", receptive_field(3, (1, 1, 2, 1, 2))),  # + the causal input projection
    ],
)
def test_wavenets_are_causal_with_the_stated_receptive_field(name, field):
    keras.utils.set_random_seed(0)
    n_steps, t0 = 40, 20
    model = rnnbook.build_model(
        name, n_steps=n_steps, filters=8, kernel_size=3, dilation_rates=(1, 2), n_stacks=2
    )
    x = np.random.default_rng(0).normal(size=(2, n_steps, 1)).astype("float32")
    changed = x.copy()
    changed[:, t0] += 3.0
    base, moved = model.predict(x, verbose=0), model.predict(changed, verbose=0)
    # Nothing before t0 moves (causality); nothing from t0 + field on (receptive field) ...
    np.testing.assert_allclose(base[:, :t0], moved[:, :t0], atol=1e-6)
    np.testing.assert_allclose(base[:, t0 + field :], moved[:, t0 + field :], atol=1e-6)
    # ... but the output at t0 and the last one that still sees t0 do.
    assert not np.allclose(base[:, t0], moved[:, t0])
    assert not np.allclose(base[:, t0 + field - 1], moved[:, t0 + field - 1])


def test_wavenet_ablations_drop_the_gates_or_the_skip_connections():
    shapes = dict(n_steps=30, filters=6, dilation_rates=(1, 2), n_stacks=1)
    full = rnnbook.build_model("wavenet", **shapes)
    no_gates = rnnbook.build_model("wavenet", gated=False, **shapes)
    no_skips = rnnbook.build_model("wavenet", skips=False, **shapes)
    # without gates each block's first convolution has 6 channels, not 12: 2 x (2*6*6 + 6) fewer weights
    assert full.count_params() - no_gates.count_params() == 2 * (2 * 6 * 6 + 6)
    # without skips: the same weights, but the head reads the last block's residual output
    assert no_skips.count_params() == full.count_params()
    names = {layer.name for layer in no_skips.layers}
    assert "skip_sum" in {layer.name for layer in full.layers} and "skip_sum" not in names
    no_skips.set_weights(full.get_weights())
    x = np.random.default_rng(1).normal(size=(2, 30, 1)).astype("float32")
    assert not np.allclose(full.predict(x, verbose=0), no_skips.predict(x, verbose=0))
    assert all(not block.gated for block in no_gates.layers if hasattr(block, "gated"))
    with pytest.raises(TypeError, match="`skips` must be True or False"):
        rnnbook.build_model("wavenet", skips=1, **shapes)


def test_dilations_and_kernel_sizes_accept_numpy_integers():
    import rnnbook

    assert receptive_field(np.int64(2), np.array([1, 2, 4])) == receptive_field(2, (1, 2, 4)) == 8
    with pytest.raises(ValueError, match="sequence of positive integers .one per layer., got np.int64.4."):
        receptive_field(2, np.int64(4))
    model = rnnbook.build_model("wavenet_simple", n_steps=16, dilation_rates=np.array([1, 2]), n_stacks=1)
    assert [layer.dilation_rate for layer in model.layers[:-1]] == [(1,), (2,)]
    with pytest.raises(ValueError, match="dilation_rates"):
        receptive_field(2, np.array([[1, 2]]))
    with pytest.raises(ValueError, match="dilation_rates"):
        receptive_field(2, np.array([1.0, 2.0]))


@pytest.mark.parametrize("name", ["wavenet_simple", "wavenet", "seq2seq_conv1d_gru"])
def test_every_conv_model_refuses_a_kernel_longer_than_the_window(name):
    import rnnbook

    with pytest.raises(ValueError, match="spans 9 steps .* more than n_steps=8"):
        rnnbook.build_model(name, n_steps=8, kernel_size=9)


def test_widening_the_field_costs_one_layer_of_parameters_per_doubling():
    # Chapter 7: each doubling of the dilation adds a layer, with its weights, and doubles the field,
    # so the parameters grow with log2 of the receptive field (not with the field, and not by zero).
    rates = [tuple(2**i for i in range(n)) for n in range(3, 7)]
    fields = [receptive_field(2, r) for r in rates]
    params = [
        rnnbook.build_model("wavenet_simple", dilation_rates=r, n_stacks=1).count_params() for r in rates
    ]
    assert fields == [8, 16, 32, 64]
    per_layer = np.diff(params)
    assert (per_layer > 0).all() and (per_layer == per_layer[0]).all(), params


def test_exercise_3_scores_the_forecast_made_after_step_47():
    # Chapter 7, exercise 3: with k = 3, s = 3 the last output sees inputs 45-47. A seq2seq model is
    # scored on its last time step only, so that model is scored on the forecast made after step 47
    # (of steps 48-57), the chapter's k = 4, s = 2 model on the one after step 49 (of steps 50-59).
    spec = rnnbook.get_spec("seq2seq_conv1d_gru")
    coarse = np.arange(50)[spec.time_steps(50, {"kernel_size": 3, "strides": 3})]
    chapter = np.arange(50)[spec.time_steps(50, {})]
    assert (coarse[-1], chapter[-1]) == (47, 49)
    y = np.zeros((4, len(coarse), 10))
    wrong_before_the_last = y.copy()
    wrong_before_the_last[:, :-1] = 1.0
    assert forecast_mse(y, wrong_before_the_last, "seq2seq") == 0.0

"""The illustrative models of book/02_recurrent_neurons: one per input/output sequence type."""

import numpy as np
import pytest

from rnnbook.models.sequence_types import encoder_decoder_model, seq2seq_model, seq2vec_model, vec2seq_model

RNG = np.random.default_rng(0)


@pytest.mark.parametrize(
    "builder, x_shape, y_shape",
    [
        (lambda: seq2seq_model(2, 3), (4, 9, 2), (4, 9, 3)),
        (lambda: seq2vec_model(2, 3), (4, 9, 2), (4, 3)),
        (lambda: vec2seq_model(2, 3, n_steps_out=5), (4, 2), (4, 5, 3)),
        (lambda: encoder_decoder_model(2, 3, n_steps_out=5), (4, 9, 2), (4, 5, 3)),
    ],
    ids=["seq2seq", "seq2vec", "vec2seq", "encoder_decoder"],
)
def test_shapes_and_one_training_step(builder, x_shape, y_shape):
    model = builder()
    model.compile(loss="mse", optimizer="adam")
    x = RNG.normal(size=x_shape).astype("float32")
    y = RNG.normal(size=y_shape).astype("float32")
    assert np.isfinite(model.train_on_batch(x, y))
    assert model.predict(x, verbose=0).shape == y_shape


def test_encoder_decoder_output_length_does_not_depend_on_input_length():
    model = encoder_decoder_model(1, 1, n_steps_out=4)
    for length in (3, 11):
        assert model.predict(np.zeros((2, length, 1), "float32"), verbose=0).shape == (2, 4, 1)


@pytest.mark.parametrize(
    "builder, kwargs, argument",
    [
        (seq2seq_model, {"n_features": 0}, "n_features"),
        (seq2vec_model, {"units": 0}, "units"),
        (vec2seq_model, {"n_steps_out": 0}, "n_steps_out"),
        (encoder_decoder_model, {"horizon": 0}, "horizon"),
    ],
)
def test_invalid_sizes_raise(builder, kwargs, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        builder(**kwargs)

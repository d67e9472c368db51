"""The registry: decorator, lookup, errors, and every built-in model being listed."""

import pytest
from model_support import CHAPTER_MODELS

import rnnbook
from rnnbook import registry, specs


def test_every_chapter_model_is_registered_with_a_description():
    builtins = {s.name: s for s in rnnbook.list_models() if s.source == "builtin"}
    assert set(CHAPTER_MODELS) <= set(builtins)
    for spec in builtins.values():
        assert spec.description and spec.description != "(no description)"
        assert "\n" not in spec.description


def test_unknown_name_lists_the_registered_ones():
    with pytest.raises(ValueError, match=r"Unknown model 'lstmm'\. Registered models: .*seq2seq_lstm"):
        rnnbook.build_model("lstmm")


def test_register_decorator_and_overwrite():
    @registry.register_model("tmp_model_for_test", description="Temporary.", layout="vector", horizon=3)
    def builder(n_steps=50, n_features=1, horizon=3):
        import keras

        return keras.Sequential(
            [keras.Input((n_steps, n_features)), keras.layers.Flatten(), keras.layers.Dense(horizon)]
        )

    try:
        spec = registry.get_spec("tmp_model_for_test")
        assert (spec.layout, spec.horizon, spec.source) == ("vector", 3, "builtin")
        assert rnnbook.build_model("tmp_model_for_test", n_steps=7).output_shape == (None, 3)
        with pytest.raises(ValueError, match="already registered"):
            registry.register_model("tmp_model_for_test")(builder)
    finally:
        specs.BUILTINS.pop("tmp_model_for_test")


def test_spec_validation():
    with pytest.raises(ValueError, match="`layout`"):
        registry.ModelSpec("x", None, "d", layout="seq2vec")
    with pytest.raises(ValueError, match="`horizon`"):
        registry.ModelSpec("x", None, "d", horizon=0)


@pytest.mark.parametrize(
    "kwargs,argument",
    [({"n_steps": 0}, "n_steps"), ({"n_features": -1}, "n_features"), ({"horizon": 0}, "horizon")],
)
def test_build_model_checks_shapes(kwargs, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        rnnbook.build_model("linear", **kwargs)

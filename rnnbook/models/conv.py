"""Convolutional sequence models: Conv1D + GRU, and WaveNet (simple and gated).

Also the arithmetic the book and its widgets need: which targets a strided convolution's outputs line
up with (:func:`conv_target_slice`) and how far back a stack of dilated convolutions sees
(:func:`receptive_field`), both from :mod:`rnnbook.receptive`.

Used in: book/07_convolutions_wavenet.
"""

from __future__ import annotations

import keras

from rnnbook._checks import check_bool, check_dilations, check_positive_int, check_units
from rnnbook.layers import WaveNetResidualBlock
from rnnbook.models._parts import seq2seq_head, window_input
from rnnbook.receptive import conv_target_slice, receptive_field  # noqa: F401  (public here since ch. 7)
from rnnbook.specs import register_model

# Defaults of seq2seq_conv1d_gru, shared with its `time_steps` so the target slicing always matches
# the layer actually built.
CONV_GRU_DEFAULTS = {"kernel_size": 4, "strides": 2, "dilation_rate": 1}
WAVENET_DILATIONS = (1, 2, 4, 8)


def _conv_gru_time_steps(n_steps, hparams) -> slice:
    params = {**CONV_GRU_DEFAULTS, **{k: v for k, v in hparams.items() if k in CONV_GRU_DEFAULTS}}
    return conv_target_slice(params["kernel_size"], params["strides"], params["dilation_rate"])


@register_model(
    "seq2seq_conv1d_gru",
    description="Conv1D(20, kernel 4, stride 2) + GRU(20) x2 + Dense(10) at every step; targets Y[:, 3::2].",
    layout="seq2seq",
    horizon=10,
    time_steps=_conv_gru_time_steps,
)
def seq2seq_conv1d_gru(
    n_steps=50,
    n_features=1,
    horizon=10,
    filters=20,
    kernel_size=CONV_GRU_DEFAULTS["kernel_size"],
    strides=CONV_GRU_DEFAULTS["strides"],
    dilation_rate=CONV_GRU_DEFAULTS["dilation_rate"],
    units=(20, 20),
):
    """A strided 1D convolution shortens the sequence, then GRU layers forecast at every output step.

    The ``"valid"`` convolution drops the first ``(kernel_size-1)*dilation_rate`` steps and the stride
    keeps one step in ``strides``: train on ``Y[:, conv_target_slice(kernel_size, strides,
    dilation_rate)]`` (the registry's ``time_steps`` does it).

    Args:
        filters: number of convolution filters. Defaults to ``20``.
        kernel_size: Defaults to ``4``.
        strides: Defaults to ``2``.
        dilation_rate: Defaults to ``1``.
        units: sizes of the GRU layers. Defaults to ``(20, 20)``.

    Used in: book/07_convolutions_wavenet.
    """
    filters = check_positive_int("filters", filters)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    strides = check_positive_int("strides", strides)
    dilation_rate = check_positive_int("dilation_rate", dilation_rate)
    units = check_units(units)
    if strides > 1 and dilation_rate > 1:
        # Keras' Conv1D implements one or the other, not both.
        raise ValueError(
            f"Received strides={strides} and dilation_rate={dilation_rate}: Conv1D supports "
            "`strides` > 1 or `dilation_rate` > 1, not both."
        )
    _check_span(n_steps, kernel_size, dilation_rate)
    layers = [
        window_input(n_steps, n_features),
        keras.layers.Conv1D(
            filters, kernel_size, strides=strides, padding="valid", dilation_rate=dilation_rate, name="conv"
        ),
    ]
    layers += [keras.layers.GRU(u, return_sequences=True) for u in units]
    layers.append(seq2seq_head(horizon))
    return keras.Sequential(layers, name="seq2seq_conv1d_gru")


def _check_span(n_steps, kernel_size, dilation_rate=1):
    # A kernel that spans more steps than the window sees only padding on one side: refuse it, in
    # every convolutional model alike.
    span = (kernel_size - 1) * dilation_rate + 1
    if n_steps is not None and n_steps < span:
        raise ValueError(
            f"The convolution spans {span} steps (kernel_size={kernel_size}, "
            f"dilation_rate={dilation_rate}), more than n_steps={n_steps}."
        )


def _wavenet_checks(filters, kernel_size, dilation_rates, n_stacks, n_steps):
    filters = check_positive_int("filters", filters)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    _check_span(n_steps, kernel_size)
    dilation_rates = check_dilations(dilation_rates)
    n_stacks = check_positive_int("n_stacks", n_stacks)
    return filters, kernel_size, dilation_rates * n_stacks


@register_model(
    "wavenet_simple",
    description="Simplified WaveNet: causal Conv1D(20, 2) with dilations (1, 2, 4, 8) x2 + Conv1D(10, 1).",
    layout="seq2seq",
    horizon=10,
)
def wavenet_simple(
    n_steps=50,
    n_features=1,
    horizon=10,
    filters=20,
    kernel_size=2,
    dilation_rates=WAVENET_DILATIONS,
    n_stacks=2,
):
    """The chapter's simplified WaveNet: stacked causal ReLU convolutions with doubling dilations.

    Causal padding keeps one output per input step, and output ``t`` sees only inputs up to ``t``, so
    it trains on the full seq2seq targets. The receptive field is :func:`receptive_field`.

    Args:
        filters: channels of each dilated convolution. Defaults to ``20``.
        kernel_size: Defaults to ``2``.
        dilation_rates: dilations of one stack. Defaults to ``(1, 2, 4, 8)``.
        n_stacks: how many times the stack is repeated. Defaults to ``2``.

    Used in: book/07_convolutions_wavenet.
    """
    filters, kernel_size, dilations = _wavenet_checks(filters, kernel_size, dilation_rates, n_stacks, n_steps)
    layers = [window_input(n_steps, n_features)]
    layers += [
        keras.layers.Conv1D(filters, kernel_size, padding="causal", activation="relu", dilation_rate=rate)
        for rate in dilations
    ]
    layers.append(keras.layers.Conv1D(horizon, 1, name="forecasts"))
    return keras.Sequential(layers, name="wavenet_simple")


@register_model(
    "wavenet",
    description="WaveNet with gated activations, residual and skip connections.",
    layout="seq2seq",
    horizon=10,
)
def wavenet(
    n_steps=50,
    n_features=1,
    horizon=10,
    filters=32,
    kernel_size=2,
    dilation_rates=WAVENET_DILATIONS,
    n_stacks=2,
    gated=True,
    skips=True,
):
    """The full WaveNet architecture, for regression.

    A causal convolution projects the inputs to ``filters`` channels; each
    :class:`~rnnbook.layers.WaveNetResidualBlock` (gated activation, 1x1 conv) feeds its residual
    output to the next block and its skip output to the head, which sums the skips, applies ReLU, a
    1x1 ReLU convolution and a 1x1 convolution to ``horizon`` channels (linear: this is regression,
    not the paper's softmax over audio levels).

    Args:
        filters: channels of the residual stream. Defaults to ``32``.
        kernel_size: kernel size of the causal convolutions. Defaults to ``2``.
        dilation_rates: dilations of one stack. Defaults to ``(1, 2, 4, 8)``.
        n_stacks: how many times the stack is repeated. Defaults to ``2``.
        gated: the gated activation in every block (default); ``False``: the ablation with a ReLU
            convolution of ``filters`` channels instead (fewer parameters).
        skips: the head reads the sum of every block's skip output (default); ``False``: the ablation
            where it reads the last block's residual output only (the same parameters).

    Used in: book/07_convolutions_wavenet.
    """
    filters, kernel_size, dilations = _wavenet_checks(filters, kernel_size, dilation_rates, n_stacks, n_steps)
    skips = check_bool("skips", skips)
    inputs = window_input(n_steps, n_features)
    z = keras.layers.Conv1D(filters, kernel_size, padding="causal", name="input_projection")(inputs)
    skip_outputs = []
    for i, rate in enumerate(dilations):
        z, skip = WaveNetResidualBlock(filters, rate, kernel_size, gated, name=f"residual_block_{i}")(z)
        skip_outputs.append(skip)
    if skips:
        z = keras.layers.Add(name="skip_sum")(skip_outputs) if len(skip_outputs) > 1 else skip_outputs[0]
    z = keras.layers.Activation("relu")(z)
    z = keras.layers.Conv1D(filters, 1, activation="relu", name="head_1x1")(z)
    outputs = keras.layers.Conv1D(horizon, 1, name="forecasts")(z)
    return keras.Model(inputs, outputs, name="wavenet")

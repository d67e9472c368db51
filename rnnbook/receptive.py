"""Which inputs reach each output of a stack of causal (dilated) convolutions: pure NumPy, no drawing.

For a stack of causal ``Conv1D`` layers (kernel ``k``, dilation ``d`` per layer), output ``t`` of a layer
reads its input at ``t, t - d, ..., t - (k-1) d`` (zero padding before the series). :func:`receptive_paths`
walks that rule back from one output; :func:`dependency_masks` runs it forward for every output. The one
place this is computed: the book's figure (:func:`rnnbook.diagrams.dilated_causal_stack`) and the
receptive-field explorer (:mod:`rnnbook.widgets.receptive_field`) both draw what these return. The last
output's field has :func:`receptive_field` steps when the window is long enough (the Keras models of
:mod:`rnnbook.models.conv` name it too); ``tests/test_widgets.py`` checks the masks against a built
``wavenet_simple``. :func:`conv_target_slice` says which seq2seq targets a strided ``"valid"``
convolution's outputs line up with (the model ``seq2seq_conv1d_gru`` and its figure,
:func:`rnnbook.diagrams.conv1d_strides`).

Used in: book/07_convolutions_wavenet.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnbook._checks import check_dilations, check_positive_int


@dataclasses.dataclass(frozen=True, eq=False)
class FieldData:
    """The dependencies of a causal convolution stack over a window of ``n_steps`` inputs.

    Attributes:
        kernel_size: kernel of every layer.
        dilation_rates: dilation of each layer.
        masks: ``masks[l][t, s]`` is True when output ``t`` of layer ``l`` depends on input ``s``
            (``masks[0]`` is the identity: the inputs themselves), each ``(n_steps, n_steps)``.
        paths: ``paths[l]`` is the sorted array of steps of layer ``l`` on a path to the last output
            (:func:`receptive_paths`).
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


def receptive_field(kernel_size: int, dilation_rates) -> int:
    """How many input steps one output of a stack of causal convolutions depends on.

    Each layer with kernel ``k`` and dilation ``d`` looks ``(k - 1) * d`` steps further back, so the
    stack sees ``1 + (k - 1) * sum(dilation_rates)`` steps. For the chapter's WaveNet, kernel 2 and
    dilations ``(1, 2, 4, 8)`` twice: 31 steps. (The full :func:`wavenet` adds its causal input
    projection: ``receptive_field(k, (1, *dilations))``.)

    Args:
        kernel_size: kernel size shared by the layers.
        dilation_rates: the dilation of each layer, in order.

    Returns:
        The receptive field, in time steps.

    Used in: book/07_convolutions_wavenet, its figure and its receptive-field widget.

    Example:

    >>> receptive_field(2, (1, 2, 4, 8) * 2)
    31
    """
    kernel_size = check_positive_int("kernel_size", kernel_size)
    return 1 + (kernel_size - 1) * sum(check_dilations(dilation_rates))


def conv_target_slice(kernel_size: int, strides: int, dilation_rate: int = 1) -> slice:
    """The target time steps matching the outputs of a ``padding="valid"`` Conv1D.

    Output ``j`` of the convolution sees inputs ``j*strides`` to ``j*strides + (kernel_size-1) *
    dilation_rate``; it must forecast what comes after the last of them, so its seq2seq target is
    ``Y[:, (kernel_size-1)*dilation_rate + j*strides]``. For the chapter's kernel 4, stride 2 that is
    ``Y[:, 3::2]``.

    Args:
        kernel_size: kernel size of the convolution.
        strides: stride of the convolution.
        dilation_rate: dilation of the convolution. Defaults to ``1``.

    Returns:
        A ``slice`` to apply to the time axis of seq2seq targets.

    Used in: book/07_convolutions_wavenet.

    Example:

    >>> conv_target_slice(4, 2)
    slice(3, None, 2)
    """
    kernel_size = check_positive_int("kernel_size", kernel_size)
    strides = check_positive_int("strides", strides)
    dilation_rate = check_positive_int("dilation_rate", dilation_rate)
    return slice((kernel_size - 1) * dilation_rate, None, strides)


def receptive_paths(kernel_size: int, dilation_rates, n_steps: int, output: int | None = None) -> list:
    """The steps of every layer on a path to one output of a stack of causal convolutions.

    Args:
        kernel_size: kernel of every layer.
        dilation_rates: dilation of each layer, bottom to top.
        n_steps: window length.
        output: the output step (0-based); ``None`` for the last.

    Returns:
        A list of sorted step arrays, one per layer, ``[inputs, layer 1, ..., layer L]``.

    Example:

    >>> [p.tolist() for p in receptive_paths(2, (1, 2), n_steps=6)]
    [[2, 3, 4, 5], [3, 5], [5]]
    """
    output = n_steps - 1 if output is None else output
    if not 0 <= output < n_steps:
        raise ValueError(f"output must lie in 0..{n_steps - 1}, got {output}")
    paths = [np.array([output])]
    for rate in reversed(tuple(dilation_rates)):
        steps = paths[0][:, None] - rate * np.arange(kernel_size)[None, :]
        paths.insert(0, np.unique(steps[steps >= 0]))
    return paths


def dependency_masks(kernel_size: int, dilation_rates, n_steps: int = 64) -> FieldData:
    """Which inputs reach each output of every layer of a causal dilated convolution stack.

    Args:
        kernel_size: the kernel size shared by the layers.
        dilation_rates: one dilation per layer, e.g. ``(1, 2, 4, 8)``.
        n_steps: length of the input window. Defaults to 64.

    Returns:
        A :class:`FieldData`.

    Example:

    >>> d = dependency_masks(2, (1, 2, 4, 8), n_steps=32)
    >>> d.field                     # 1 + (2 - 1) * (1 + 2 + 4 + 8)
    16
    >>> d.masks[-1].shape           # (outputs, inputs)
    (32, 32)
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
    paths = receptive_paths(k, rates, n)
    return FieldData(kernel_size=k, dilation_rates=rates, masks=masks, paths=paths)

"""Baselines every learned model must beat: the naive forecast and a linear model.

Used in: book/04_forecasting.
"""

from __future__ import annotations

import keras

from rnnbook.layers import RepeatLastValue
from rnnbook.models._parts import window_input
from rnnbook.specs import register_model


def _require_n_steps(model_name: str, n_steps):
    if n_steps is None:
        raise ValueError(
            f"`{model_name}` flattens the whole window into one vector, so it needs a fixed "
            "input length: pass an integer `n_steps` (got None)."
        )
    return n_steps


def _naive(name, n_steps, n_features, horizon, n_targets=1):
    inputs = window_input(n_steps, n_features)
    if n_targets == 1:
        outputs = RepeatLastValue(horizon, name="repeat_last_value")(inputs)
    else:  # multitask: each target column's last value, target-major (rnnbook.frames)
        outputs = keras.layers.Concatenate(name="targets")(
            [
                RepeatLastValue(horizon, feature=j, name=f"repeat_last_value_{j}")(inputs)
                for j in range(n_targets)
            ]
        )
    return keras.Model(inputs, outputs, name=name)


def _linear(name, n_steps, n_features, horizon):
    _require_n_steps(name, n_steps)
    return keras.Sequential(
        [
            window_input(n_steps, n_features),
            keras.layers.Flatten(),
            keras.layers.Dense(horizon),
        ],
        name=name,
    )


@register_model(
    "naive_last_value", description="Naive forecast: the last observed value.", layout="one_step", horizon=1
)
def naive_last_value(n_steps=50, n_features=1, horizon=1, n_targets=1):
    """Naive one-step forecast: tomorrow equals today. No weights to train.

    With ``n_targets`` > 1 (multitask, :mod:`rnnbook.frames`): the last value of each of the first
    ``n_targets`` features, each repeated ``horizon`` times, target-major.

    Used in: book/04_forecasting.

    Example:

    >>> naive_last_value(50).output_shape        # doctest: +SKIP
    (None, 1)
    """
    return _naive("naive_last_value", n_steps, n_features, horizon, n_targets)


@register_model(
    "naive_n_steps",
    description="Naive forecast: the last value repeated 10 steps ahead.",
    layout="vector",
    horizon=10,
)
def naive_n_steps(n_steps=50, n_features=1, horizon=10, n_targets=1):
    """Naive multi-step forecast: the last observed value, repeated ``horizon`` times.

    Used in: book/04_forecasting.
    """
    return _naive("naive_n_steps", n_steps, n_features, horizon, n_targets)


# Adam's default 1e-3 needs many epochs for Linear to pass the naive forecast; 0.01 gets there in a few.
@register_model(
    "linear",
    description="Linear model: Flatten + Dense(1).",
    layout="one_step",
    horizon=1,
    recipe={"learning_rate": 0.01},
)
def linear(n_steps=50, n_features=1, horizon=1):
    """Linear one-step forecast: a weighted sum of the ``n_steps * n_features`` inputs.

    Needs a fixed ``n_steps`` (raises ``ValueError`` for ``None``).

    Used in: book/04_forecasting.
    """
    return _linear("linear", n_steps, n_features, horizon)


@register_model(
    "linear_n_steps",
    description="Linear model forecasting 10 steps at once: Flatten + Dense(10).",
    layout="vector",
    horizon=10,
    recipe={"learning_rate": 0.01},
)
def linear_n_steps(n_steps=50, n_features=1, horizon=10):
    """Linear multi-step forecast: one Dense layer outputs all ``horizon`` values.

    Used in: book/04_forecasting.
    """
    return _linear("linear_n_steps", n_steps, n_features, horizon)

"""An example rnnbook plugin: a multilayer perceptron that forecasts from the flattened window."""

import keras


def build_mlp_forecaster(n_steps=50, n_features=1, horizon=1, hidden_units=32):
    """Two-layer perceptron on the flattened window (plugin example)."""
    if n_steps is None:
        raise ValueError("mlp_forecaster needs a fixed `n_steps` (it flattens the window).")
    if not isinstance(hidden_units, int) or hidden_units < 1:
        raise ValueError(
            f"Received an invalid value for argument `hidden_units`, expected a positive "
            f"integer, got {hidden_units!r}."
        )
    return keras.Sequential(
        [
            keras.Input(shape=(n_steps, n_features)),
            keras.layers.Flatten(),
            keras.layers.Dense(hidden_units, activation="relu"),
            keras.layers.Dense(horizon),
        ],
        name="mlp_forecaster",
    )


# Optional metadata read by rnnbook (defaults: the docstring's first line, "one_step", 1, {}).
build_mlp_forecaster.description = "Two-layer perceptron on the flattened window (example plugin)."
build_mlp_forecaster.layout = "one_step"
build_mlp_forecaster.horizon = 1
build_mlp_forecaster.recipe = {"learning_rate": 1e-3}

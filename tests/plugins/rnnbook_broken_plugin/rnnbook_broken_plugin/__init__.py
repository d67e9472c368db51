"""Deliberately broken rnnbook plugins (test fixtures)."""


def build_broken(n_steps=50, n_features=1, horizon=1):
    """Imports fine, then fails when asked to build."""
    raise RuntimeError("this plugin is broken on purpose")


def build_wrong_shape(n_steps=50, n_features=1, horizon=1):
    """Builds, but forecasts 3 values whatever the horizon: breaks the output-shape contract."""
    import keras

    return keras.Sequential(
        [keras.Input((n_steps, n_features)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )


def build_rigid(window, channels=1):
    """Takes neither `n_steps` nor `n_features` nor `horizon` by keyword: breaks the builder contract."""
    raise AssertionError("never called: the contract check refuses this builder first")


def build_shadow(n_steps=50, n_features=1, horizon=1):
    """Takes the name of a built-in model (`linear`); the built-in wins, with one warning."""
    raise AssertionError("never called: the built-in `linear` is used")

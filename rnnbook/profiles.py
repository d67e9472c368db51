"""Run profiles: ``full`` for the book (the chapter's data, trained to convergence), ``quick`` for unit tests.

The profile is chosen by an argument, else by the ``RNNBOOK_PROFILE`` environment variable, else
``full``. The book's chapters always ask for ``full``: a page a reader sees never shows under-trained
numbers. ``quick`` (a fifth of the data, 8 epochs) exists so that unit tests run in seconds.
Used in: every chapter of ``book/``, ``rnnbook leaderboard``, ``bench/``.

Example:

>>> from rnnbook.profiles import get_profile
>>> get_profile("full").n_series
10000
"""

from __future__ import annotations

import dataclasses
import os

from rnnbook._checks import renamed_keywords, renamed_module_attribute, warn_deprecated

ENV_VAR = "RNNBOOK_PROFILE"


@dataclasses.dataclass(frozen=True)
class Profile:
    """How much data and training one run uses.

    Args:
        name: ``"full"`` or ``"quick"``.
        n_series: number of synthetic series generated.
        n_steps: input length of each series (the forecast targets come after it).
        split: sizes of the train, validation and test sets (they sum to ``n_series``).
        epochs: maximum number of epochs (early stopping on validation may end sooner).
        batch_size: mini-batch size used unless a model's defaults override it.
        patience: early-stopping patience in epochs (``None``: no early stopping).
        seed: default seed for data and weights.
        learning_rate: the learning rate of a model whose own ``recipe`` names none (``None``: 0.001).
        schedule: learning-rate schedule: ``None``/``"constant"`` or ``"cosine"`` (decays to 0 over the
            run; see :func:`rnnbook.training.compile_model`).
        eval_batch_size: batch size for validation during ``fit`` and for scoring (``None``: the
            training batch size for validation, 1000 for scoring).
        min_delta: smallest validation improvement that resets early stopping's patience.
        uniform: train every model alike: the models' own ``recipe`` (plugins' included) is ignored.
        draw: how the synthetic series are drawn (:func:`rnnbook.data.synthetic_dataset`):
            ``"chapter"`` for the chapter's exact data, ``"default"`` for NumPy's modern generator.
    """

    name: str
    n_series: int
    n_steps: int
    split: tuple[int, int, int]
    epochs: int
    batch_size: int
    patience: int | None
    seed: int = 42
    learning_rate: float | None = None
    schedule: str | None = None
    eval_batch_size: int | None = None
    min_delta: float = 0.0
    uniform: bool = False
    draw: str = "default"

    def describe(self) -> str:
        """One line saying what this profile trains on and how (printed at the top of every chapter).

        Example:

        >>> print(get_profile("full").describe())  # doctest: +NORMALIZE_WHITESPACE
        profile 'full': the chapter's data (10000 series of 50 steps, split 7000/2000/1000); every model:
        Adam, batches of 50, learning rate 0.01 with cosine decay to 0 over 20 epochs
        """
        data = "the chapter's data" if self.draw == "chapter" else "synthetic series"
        rate = (
            f"learning rate {self.learning_rate if self.learning_rate is not None else 0.001:g}"
            if self.uniform
            else "its own learning rate (its recipe's, else the profile's)"
        )
        if self.schedule == "cosine":
            rate += f" with cosine decay to 0 over {self.epochs} epochs"
        else:
            rate += f", {self.epochs} epochs"
        return (
            f"profile {self.name!r}: {data} ({self.n_series} series of {self.n_steps} steps, split "
            f"{'/'.join(map(str, self.split))}); "
            f"{'every model' if self.uniform else 'each model'}: Adam, batches of {self.batch_size}, {rate}"
        )


PROFILES = {
    # The book's profile. The chapter's data (Géron, HOML2 ch. 15: np.random.seed(42), 10,000 series of
    # 50 steps, 7000/2000/1000 -- see rnnbook.data.synthetic_dataset(draw="chapter")) and one recipe for
    # every model, so that any two rows of any table are trained alike: Adam on the MSE, batches of 50, a
    # learning rate of 0.01 decayed to 0 by a cosine schedule over 20 epochs. Measured on 2 cores
    # (bench/results/vm-2cpu-spr-2026-12-05.json): 13 of the chapter's 14 trained models reach their
    # published validation MSE with it (the one-neuron RNN needs 60 epochs), in 93 s of fitting against
    # 687 s for the chapter's batches of 32 at a constant 0.001.
    "full": Profile(
        "full",
        n_series=10000,
        n_steps=50,
        split=(7000, 2000, 1000),
        epochs=20,
        batch_size=50,
        patience=None,
        learning_rate=0.01,
        schedule="cosine",
        eval_batch_size=1000,
        uniform=True,
        draw="chapter",
    ),
    # Unit tests only: small enough that a model trains in a second or two on 2 CPU cores, large
    # enough that every one-step model still beats the naive baseline.
    "quick": Profile(
        "quick", n_series=2000, n_steps=50, split=(1400, 400, 200), epochs=8, batch_size=32, patience=None
    ),
}


#: The training recipe for a user's table (a data set with units; every model alike, see the README,
#: "Training on real data"): Adam from a learning rate of 0.005, halved whenever the validation loss
#: has not improved for 3 epochs (``schedule="plateau"``), batches of 64, at most 60 epochs, stopped
#: after 6 epochs without improvement with the best epoch's weights restored. The training plan
#: (:func:`rnnbook.training.plan_training`) puts it over the profile's recipe.
REAL_RECIPE = {
    "epochs": 60,
    "batch_size": 64,
    "learning_rate": 0.005,
    "schedule": "plateau",
    "patience": 6,
    "min_delta": 0.0,
    "eval_batch_size": 1000,
}


def recipe_for(profile: Profile | str | None = None, model_recipe=None) -> dict:
    """The recipe a model with its own ``model_recipe`` (:attr:`ModelSpec.recipe
    <rnnbook.registry.ModelSpec>`) is trained with in ``profile``: epochs, batch size, learning rate,
    schedule, patience and gradient clipping (``clipnorm`` or ``global_clipnorm``, a model's own or none).

    A ``uniform`` profile (``full``, the book's) trains every model alike, plugins included: the models'
    own recipes are ignored. Otherwise they beat the profile. Explicit arguments to
    :func:`rnnbook.training.train` beat both.

    Example:

    >>> recipe_for("quick", {"learning_rate": 0.02})["learning_rate"]
    0.02
    >>> recipe_for("full", {"learning_rate": 0.02, "epochs": 5}) == recipe_for("full")    # one recipe
    True
    """
    p = profile if isinstance(profile, Profile) else get_profile(profile)
    defaults = {} if p.uniform else dict(model_recipe or {})
    return {
        "epochs": defaults.get("epochs", p.epochs),
        "batch_size": defaults.get("batch_size", p.batch_size),
        "learning_rate": defaults.get(
            "learning_rate", p.learning_rate if p.learning_rate is not None else 1e-3
        ),
        "schedule": defaults.get("schedule", p.schedule),
        "patience": p.patience,
        "eval_batch_size": p.eval_batch_size,
        "min_delta": p.min_delta,
        "clipnorm": defaults.get("clipnorm"),
        "global_clipnorm": defaults.get("global_clipnorm"),
    }


@renamed_keywords(fit_defaults="model_recipe")
def fit_settings(profile: Profile | str | None = None, model_recipe=None) -> dict:
    """Deprecated: :func:`recipe_for`."""
    warn_deprecated("rnnbook.profiles.fit_settings", "rnnbook.profiles.recipe_for")
    return recipe_for(profile, model_recipe)


def __getattr__(name):  # the old names, kept working for a release
    return renamed_module_attribute(__name__, name, {"REAL_FIT": "REAL_RECIPE"})


def profile_name(name: str | None = None) -> str:
    """Resolve a profile name from the argument, then ``$RNNBOOK_PROFILE``, then ``"full"``."""
    source = "argument" if name else ENV_VAR
    name = name or os.environ.get(ENV_VAR) or "full"
    if name not in PROFILES:
        raise ValueError(f"Unknown profile {name!r} (from {source}); known profiles: {', '.join(PROFILES)}.")
    return name


def get_profile(name: str | None = None) -> Profile:
    """Return the :class:`Profile` named ``name`` (see :func:`profile_name` for the default)."""
    return PROFILES[profile_name(name)]

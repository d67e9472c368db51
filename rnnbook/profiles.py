"""Run profiles: ``quick`` for CPU CI, ``full`` for the chapter's recipe.

The profile is chosen by an argument, else by the ``RNNBOOK_PROFILE`` environment variable (the notebooks
read it too), else ``quick``. Used in: every chapter of ``book/`` and ``rnnbook leaderboard``.

Example:

>>> from rnnbook.profiles import get_profile
>>> get_profile("full").n_series
10000
"""

from __future__ import annotations

import dataclasses
import os

ENV_VAR = "RNNBOOK_PROFILE"


@dataclasses.dataclass(frozen=True)
class Profile:
    """How much data and training one run uses.

    Args:
        name: ``"quick"`` or ``"full"``.
        n_series: number of synthetic series generated.
        n_steps: input length of each series (the forecast targets come after it).
        split: sizes of the train, validation and test sets (they sum to ``n_series``).
        epochs: maximum number of epochs (early stopping on validation may end sooner).
        batch_size: mini-batch size used unless a model's defaults override it.
        patience: early-stopping patience in epochs (``None``: no early stopping).
        seed: default seed for data and weights.
        learning_rate_scale: factor applied to a model's default learning rate (its ``fit_defaults``, else
            0.001) when no learning rate is passed to ``train`` -- larger batches take larger steps.
        schedule: learning-rate schedule: ``None``/``"constant"`` or ``"cosine"`` (decays to 0 over the
            run; see :func:`rnnbook.training.compile_model`).
        eval_batch_size: batch size for validation during ``fit`` and for scoring (``None``: the
            training batch size for validation, 1000 for scoring).
        min_delta: smallest validation improvement that resets early stopping's patience.
    """

    name: str
    n_series: int
    n_steps: int
    split: tuple[int, int, int]
    epochs: int
    batch_size: int
    patience: int | None
    seed: int = 42
    learning_rate_scale: float = 1.0
    schedule: str | None = None
    eval_batch_size: int | None = None
    min_delta: float = 0.0


PROFILES = {
    # Small enough that the whole quick leaderboard trains in a few minutes on 2 CPU cores, large
    # enough that every one-step model still beats the naive baseline.
    "quick": Profile("quick", n_series=2000, n_steps=50, split=(1400, 400, 200), epochs=8,
                     batch_size=32, patience=None),
    # The chapter's recipe (Géron, HOML2 ch. 15): 10,000 series of 50 steps, 7000/2000/1000, 20 epochs.
    "full": Profile("full", n_series=10000, n_steps=50, split=(7000, 2000, 1000), epochs=20,
                    batch_size=32, patience=None),
}


# Per-model settings of a profile, over the model's ``fit_defaults``: {profile: {model: {key: value}}}.
# Keys: epochs, batch_size, learning_rate (absolute, not scaled), schedule, patience, eval_batch_size.
MODEL_OVERRIDES: dict[str, dict[str, dict]] = {
    "quick": {},
    "full": {},
}


def fit_settings(model: str, profile: "Profile | str | None" = None, fit_defaults=None) -> dict:
    """How ``model`` is trained in ``profile``: epochs, batch size, learning rate, schedule, patience.

    Precedence: the profile's per-model override (:data:`MODEL_OVERRIDES`), then the model's
    ``fit_defaults`` (its learning rate multiplied by the profile's ``learning_rate_scale``), then the
    profile. Explicit arguments to :func:`rnnbook.training.train` beat all of them.

    Example:

    >>> fit_settings("linear", "quick")["batch_size"]
    32
    """
    p = profile if isinstance(profile, Profile) else get_profile(profile)
    defaults = dict(fit_defaults or {})
    settings = {
        "epochs": defaults.get("epochs", p.epochs),
        "batch_size": defaults.get("batch_size", p.batch_size),
        "learning_rate": defaults.get("learning_rate", 1e-3) * p.learning_rate_scale,
        "schedule": defaults.get("schedule", p.schedule),
        "patience": p.patience,
        "eval_batch_size": p.eval_batch_size,
        "min_delta": p.min_delta,
    }
    settings.update(MODEL_OVERRIDES.get(p.name, {}).get(model, {}))
    return settings


def profile_name(name: str | None = None) -> str:
    """Resolve a profile name from the argument, then ``$RNNBOOK_PROFILE``, then ``"quick"``."""
    name = name or os.environ.get(ENV_VAR) or "quick"
    if name not in PROFILES:
        raise ValueError(
            f"Unknown profile {name!r} (from {'argument' if name else ENV_VAR}); known profiles: "
            f"{', '.join(PROFILES)}."
        )
    return name


def get_profile(name: str | None = None) -> Profile:
    """Return the :class:`Profile` named ``name`` (see :func:`profile_name` for the default)."""
    return PROFILES[profile_name(name)]

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
        learning_rate: if set, the learning rate of every model in this profile (over the models'
            ``fit_defaults``, which hold the chapter's rates for its batches of 32), unless
            :data:`MODEL_OVERRIDES` says otherwise.
        learning_rate_scale: factor applied to a model's default learning rate (its ``fit_defaults``, else
            0.001) when neither ``train`` nor the profile sets one -- larger batches take larger steps.
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
    learning_rate: float | None = None
    schedule: str | None = None
    eval_batch_size: int | None = None
    min_delta: float = 0.0


PROFILES = {
    # Small enough that the whole quick leaderboard trains in a few minutes on 2 CPU cores, large
    # enough that every one-step model still beats the naive baseline.
    "quick": Profile("quick", n_series=2000, n_steps=50, split=(1400, 400, 200), epochs=8,
                     batch_size=32, patience=None),
    # The chapter's data (Géron, HOML2 ch. 15): 10,000 series of 50 steps, 7000/2000/1000 -- trained
    # with bench/'s fast recipe instead of the chapter's batch 32 at a constant rate: batches of 250
    # (they divide every split, so no ragged last batch triggers a second XLA compilation), a learning
    # rate of 0.01 (10x the chapter's 0.001) decayed to 0 by a cosine schedule over 20 epochs. Measured against the
    # published table and the chapter's own recipe in bench/ (bench/results/).
    "full": Profile("full", n_series=10000, n_steps=50, split=(7000, 2000, 1000), epochs=20,
                    batch_size=250, patience=None, learning_rate=0.01, schedule="cosine",
                    eval_batch_size=1000),
}


# Per-model settings of a profile, over the model's ``fit_defaults``: {profile: {model: {key: value}}}.
# Keys: epochs, batch_size, learning_rate (absolute, not scaled), schedule, patience, eval_batch_size.
MODEL_OVERRIDES: dict[str, dict[str, dict]] = {
    "quick": {},
    "full": {
        # Measured in bench/. These stall at batch 250 (simple_rnn 0.15 at lr 0.02, seq2seq_rnn 0.017
        # at lr 0.02); batches of 50 at 0.01 reach 0.0094 and 0.0055.
        "simple_rnn": {"batch_size": 50, "learning_rate": 0.01},
        "seq2seq_rnn": {"batch_size": 50, "learning_rate": 0.01},
        "seq2seq_rnn_dropout": {"batch_size": 50, "learning_rate": 0.01},
        "seq_to_vector_rnn": {"batch_size": 50, "learning_rate": 0.01},   # batch 250, lr 0.01: 0.0119
        "seq2seq_rnn_batchnorm": {"batch_size": 50, "learning_rate": 0.01},   # batch 250: 0.0225
        # Layer norm inside the recurrence learns slowly: at batch 250 it stalls near 0.02 (lr 0.01 to
        # 0.03); batches of 50 at 0.005 reach 0.008 in the same 20 epochs.
        "seq2seq_layernorm_rnn": {"batch_size": 50, "learning_rate": 0.005},
        "wavenet_simple": {"batch_size": 50, "learning_rate": 0.01},   # batch 250: 0.0108; 50: 0.0053
        # Adam needs many small, cheap epochs (0.05 s each) to reach the least-squares optimum.
        "linear": {"epochs": 100, "learning_rate": 0.02},
        "linear_n_steps": {"epochs": 100, "learning_rate": 0.02},
        # The gated seq2seq RNNs end just above the chapter's score after 20 epochs (LSTM 0.0087,
        # GRU 0.0110); 30 epochs bring GRU to 0.006.
        "seq2seq_lstm": {"epochs": 30},
        "seq2seq_gru": {"epochs": 30},
    },
}


def fit_settings(model: str, profile: "Profile | str | None" = None, fit_defaults=None) -> dict:
    """How ``model`` is trained in ``profile``: epochs, batch size, learning rate, schedule, patience.

    Precedence: the profile's per-model override (:data:`MODEL_OVERRIDES`), then the profile's
    ``learning_rate`` if set, then the model's ``fit_defaults`` (its learning rate multiplied by the
    profile's ``learning_rate_scale``), then the profile. Explicit arguments to :func:`rnnbook.training.train` beat all of them.

    Example:

    >>> fit_settings("linear", "quick")["batch_size"]
    32
    """
    p = profile if isinstance(profile, Profile) else get_profile(profile)
    defaults = dict(fit_defaults or {})
    settings = {
        "epochs": defaults.get("epochs", p.epochs),
        "batch_size": defaults.get("batch_size", p.batch_size),
        "learning_rate": (p.learning_rate if p.learning_rate is not None
                          else defaults.get("learning_rate", 1e-3) * p.learning_rate_scale),
        "schedule": defaults.get("schedule", p.schedule),
        "patience": p.patience,
        "eval_batch_size": p.eval_batch_size,
        "min_delta": p.min_delta,
    }
    settings.update(MODEL_OVERRIDES.get(p.name, {}).get(model, {}))
    return settings


def profile_name(name: str | None = None) -> str:
    """Resolve a profile name from the argument, then ``$RNNBOOK_PROFILE``, then ``"quick"``."""
    source = "argument" if name else ENV_VAR
    name = name or os.environ.get(ENV_VAR) or "quick"
    if name not in PROFILES:
        raise ValueError(
            f"Unknown profile {name!r} (from {source}); known profiles: {', '.join(PROFILES)}."
        )
    return name


def get_profile(name: str | None = None) -> Profile:
    """Return the :class:`Profile` named ``name`` (see :func:`profile_name` for the default)."""
    return PROFILES[profile_name(name)]

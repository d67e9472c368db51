"""Fair comparisons: several seeds per model, a table of mean and spread, and claims checked on it.

A ranking that turns on a small gap means nothing from one run: another seed (another draw of the data,
another initialisation, another shuffling) may reverse it. :func:`train_seeds` repeats the whole
experiment for every model and seed with the same recipe, :func:`seed_table` summarises the runs beside
the chapter's published value, and :func:`check_claim` turns a sentence of the book into a check: it
prints the sentence with its evidence and raises :class:`ClaimError` when the numbers stop supporting it,
so the chapter fails under nbval instead of printing a false statement.

Used in: book/04_forecasting to book/07_convolutions_wavenet.

Example:

>>> check_claim("2 beats 3", 2 < 3, "2 < 3")
claim holds: 2 beats 3 (2 < 3)
"""

from __future__ import annotations

SEEDS = (42, 43, 44)


class ClaimError(AssertionError):
    """A sentence of the book that its numbers no longer support."""


def check_claim(claim: str, holds: bool, evidence: str = "") -> None:
    """Print ``claim`` with its ``evidence``, or raise :class:`ClaimError` if it does not hold."""
    detail = f" ({evidence})" if evidence else ""
    if not holds:
        raise ClaimError(f"The claim {claim!r} does not hold{detail}.")
    print(f"claim holds: {claim}{detail}")


def train_seeds(names, seeds=SEEDS, **train_kwargs) -> dict:
    """Train every model of ``names`` once per seed with :func:`rnnbook.training.train`.

    Returns ``{name: [TrainResult per seed]}``; every run comes from the trained-model cache when it is
    there, so a chapter that repeats another's runs costs nothing.
    """
    from rnnbook.training import train

    train_kwargs.setdefault("progress", False)
    return {name: [train(name, seed=seed, **train_kwargs) for seed in seeds] for name in names}


def seed_table(runs: dict):
    """One row per model: the validation MSE's mean, standard deviation, min and max over the seeds,
    the published value (:mod:`rnnbook.published`) and the seeds.

    Example:

    >>> from types import SimpleNamespace as Run
    >>> t = seed_table({"linear": [Run(val_mse=0.002), Run(val_mse=0.004)]})
    >>> float(t.loc["linear", "mean"]), float(t.loc["linear", "published"])
    (0.003, 0.004168087)
    """
    import numpy as np
    import pandas as pd

    from rnnbook.published import published_mse

    rows = []
    for name, results in runs.items():
        if not results:
            raise ValueError(f"No run of {name!r} to summarise: train_seeds needs at least one seed.")
        values = np.array([r.val_mse for r in results])
        rows.append(
            {
                "model": name,
                "mean": values.mean(),
                "std": values.std(ddof=1) if len(values) > 1 else 0.0,
                "min": values.min(),
                "max": values.max(),
                "published": published_mse(name),
                "seeds": len(values),
            }
        )
    return pd.DataFrame(rows).set_index("model")

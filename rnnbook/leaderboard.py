"""Every registered model -- built-ins and plugins -- trained and scored on the same split.

Used in: book/08_leaderboard and ``rnnbook leaderboard``.

Example:

>>> from rnnbook.leaderboard import run_leaderboard, format_table
>>> rows = run_leaderboard(["naive_last_value", "linear"], profile="quick")   # doctest: +SKIP
>>> print(format_table(rows))                                                 # doctest: +SKIP
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from rnnbook.profiles import get_profile
from rnnbook.registry import PluginWarning, get_spec, list_models

COLUMNS = ("model", "horizon", "val_mse", "test_mse", "params", "fit_seconds")


def run_leaderboard(models=None, profile=None, seed: int | None = None, progress: bool = True,
                    errors: dict | None = None) -> list[dict]:
    """Train and score ``models`` (default: every registered model that loads) on the profile's data.

    A model that fails (a broken plugin, say) becomes a :class:`~rnnbook.registry.PluginWarning` and an
    entry in ``errors`` (if given) -- the other rows are still computed. Unknown names raise
    ``ValueError`` before anything trains.

    Returns:
        Rows ``{"model", "horizon", "val_mse", "test_mse", "params", "fit_seconds"}`` sorted by horizon,
        then validation MSE.
    """
    from rnnbook.training import train

    profile = get_profile(profile) if not hasattr(profile, "n_series") else profile
    if models is None:
        names = [s.name for s in list_models(include_broken=False)]
        broken = {s.name: s.error for s in list_models() if not s.ok}
    else:
        names, broken = list(models), {}
        for name in names:  # fail fast on a typo, before minutes of training
            get_spec(name)
    rows = []
    for i, name in enumerate(names, 1):
        if progress:
            print(f"[{i}/{len(names)}] {name}", flush=True)
        try:
            rows.append(train(name, profile=profile, seed=seed, progress=progress).row())
        except Exception as exc:
            if get_spec(name).source == "builtin":
                raise
            broken[name] = f"{type(exc).__name__}: {exc}"
            warnings.warn(f"Model {name!r} failed on the leaderboard: {broken[name]}", PluginWarning,
                          stacklevel=2)
    if errors is not None:
        errors.update(broken)
    return sorted(rows, key=lambda r: (r["horizon"], r["val_mse"]))


def format_table(rows: list[dict]) -> str:
    """A plain-text table of leaderboard rows (what ``rnnbook leaderboard`` prints)."""
    header = f"{'model':<26} {'horizon':>7} {'val_mse':>10} {'test_mse':>10} {'params':>8} {'fit_s':>7}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r['model']:<26} {r['horizon']:>7d} {r['val_mse']:>10.6f} {r['test_mse']:>10.6f} "
                     f"{r['params']:>8d} {r['fit_seconds']:>7.1f}")
    return "\n".join(lines)


def to_dataframe(rows: list[dict]):
    """Leaderboard rows as a ``pandas.DataFrame`` indexed by model."""
    import pandas as pd

    return pd.DataFrame(rows, columns=COLUMNS).set_index("model")


def write_json(path, rows: list[dict], profile: str, backend: str, errors: dict | None = None) -> Path:
    """Write ``{"profile", "backend", "rows", "errors"}`` to ``path`` (parents created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"profile": profile, "backend": backend, "rows": rows, "errors": errors or {}}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path

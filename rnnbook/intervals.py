"""Prediction intervals for any model: split-conformal intervals per horizon step.

A model's errors on a calibration period it was not trained on (the validation period, or the windows
of a backtest) say how wrong its forecasts of new windows may be. For each step ahead ``k`` and each
level (80 %, 95 %), the half-width is the conformal quantile of the calibration errors' absolute values,
the ``ceil((n + 1) * level) / n`` empirical quantile of ``n`` errors, so that a new forecast's interval
``forecast +- half-width`` holds the truth with at least that probability when the errors are
exchangeable (Vovk et al. 2005; statsforecast's ``ConformalIntervals`` and sktime's do the same per
step). :func:`interval_coverage` measures how often it did on the test period.

Used in: ``rnnbook leaderboard --csv --level 80,95``.

Example:

>>> rng = np.random.default_rng(0)
>>> errors = rng.normal(size=(2000, 3))                        # calibration: truth - forecast, 3 steps
>>> widths = conformal_half_widths(errors, levels=(80, 95))
>>> widths[95].shape, bool(abs(widths[95][0] - 1.96) < 0.15)   # (horizon,), about 1.96 sigma
((3,), True)
"""

from __future__ import annotations

import math

import numpy as np

from rnnbook._checks import check_array

#: The levels (in percent) intervals are drawn at unless others are asked for.
LEVELS = (80, 95)


def check_levels(levels) -> tuple[int, ...]:
    """Levels in percent, each an integer strictly between 0 and 100, as a sorted tuple.

    Example:

    >>> check_levels([95, 80])
    (80, 95)
    """
    try:
        values = [int(v) for v in levels]
    except (TypeError, ValueError):
        values = []
    if not values or any(not 0 < v < 100 for v in values) or any(v != w for v, w in zip(values, levels)):
        raise ValueError(
            f"Received an invalid value for argument `levels`, expected percentages between 0 and 100 "
            f"such as (80, 95), got {levels!r}."
        )
    return tuple(sorted(set(values)))


def conformal_half_widths(errors, levels=LEVELS) -> dict[int, np.ndarray]:
    """The conformal half-width per horizon step at each level.

    Args:
        errors: calibration errors ``truth - forecast``, shape ``(n, horizon)`` (or ``(n,)``: one step).
        levels: levels in percent. Defaults to ``(80, 95)``.

    Returns:
        ``{level: half-widths of shape (horizon,)}``; ``inf`` where ``n`` is too small for the level
        (fewer than ``1 / (1 - level) - 1`` errors).
    """
    errors = check_array("errors", errors, what="calibration errors (truth - forecast)")
    errors = np.abs(errors.reshape(len(errors), -1).astype(np.float64))
    if not np.isfinite(errors).all():
        raise ValueError("`errors` holds NaN or infinite values; expected finite calibration errors.")
    n = len(errors)
    widths = {}
    for level in check_levels(levels):
        rank = math.ceil((n + 1) * level / 100)  # the conformal order statistic, 1-based
        if rank > n:
            widths[level] = np.full(errors.shape[1], np.inf)
        else:
            widths[level] = np.sort(errors, axis=0)[rank - 1]
    return widths


def prediction_intervals(forecasts, half_widths: dict) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """``{level: (lower, upper)}``, each of the forecasts' shape ``(batch, horizon)``."""
    forecasts = np.asarray(forecasts, dtype=np.float64)
    forecasts = forecasts.reshape(len(forecasts), -1)
    return {level: (forecasts - w[None], forecasts + w[None]) for level, w in half_widths.items()}


def interval_coverage(y_true, forecasts, half_widths: dict) -> dict[int, dict]:
    """How often the intervals held the truth: ``{level: {"coverage", "per_step", "mean_width"}}``,
    coverage as a fraction over every forecast and step, ``per_step`` a list over the horizon."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_true = y_true.reshape(len(y_true), -1)
    result = {}
    for level, (lower, upper) in prediction_intervals(forecasts, half_widths).items():
        if lower.shape != y_true.shape:
            raise ValueError(f"`y_true` has shape {y_true.shape}, the forecasts {lower.shape}.")
        inside = (lower <= y_true) & (y_true <= upper)
        result[level] = {
            "coverage": float(inside.mean()),
            "per_step": inside.mean(axis=0).tolist(),
            "mean_width": float(np.mean(2 * half_widths[level])),
        }
    return result

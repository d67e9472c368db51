"""The one route to a data set with given targets: :func:`shape_dataset`."""

from __future__ import annotations

from rnnbook._checks import check_choice, check_positive_int, renamed_keywords, warn_deprecated
from rnnbook.data.dataset import Dataset, _recut
from rnnbook.data.synthetic import synthetic_dataset
from rnnbook.data.windows import LAYOUTS
from rnnbook.profiles import get_profile


@renamed_keywords(target="layout")
def shape_dataset(
    source=None, horizon: int = 1, layout: str = "one_step", seed=None, *, max_horizon: int = 10
) -> Dataset:
    """A data set whose targets, ``horizon`` steps ahead, are in ``layout``, from a profile or a data set.

    Args:
        source: a run profile -- its name, a :class:`~rnnbook.profiles.Profile`, or ``None``
            (``$RNNBOOK_PROFILE``, else ``"full"``) --, whose synthetic series are drawn
            (:func:`rnnbook.data.synthetic_dataset`); or a :class:`Dataset` (a user's table, a real
            series, a synthetic data set), cut anew: its kept series when they are long enough, else its
            ``rebuild`` run again. A data set that already has these targets is returned as it is.
        horizon: steps ahead (default 1).
        layout: ``"one_step"``, ``"vector"`` or ``"seq2seq"`` (default ``"one_step"``).
        seed: for a profile, the draw's seed (default: the profile's); a data set keeps its own data.
        max_horizon: for a profile's default draw, the series are drawn ``n_steps + max(horizon,
            max_horizon)`` long, so every target up to ``max_horizon`` has the same inputs (default 10).

    Returns:
        A :class:`Dataset`.

    Used in: book/01_sequences, book/02_recurrent_neurons, book/03_training_rnns, book/04_forecasting,
    book/06_lstm_gru, book/07_convolutions_wavenet.

    Example:

    >>> from rnnbook.profiles import get_profile
    >>> ds = shape_dataset(get_profile("quick"), horizon=10, layout="seq2seq")
    >>> ds.y_valid.shape, shape_dataset(ds, horizon=4, layout="vector").y_valid.shape
    ((400, 50, 10), (400, 4))
    """
    horizon = check_positive_int("horizon", horizon)
    check_choice("layout", layout, LAYOUTS)
    if isinstance(source, Dataset):
        if seed is not None:
            raise ValueError(f"A data set keeps its own data: `seed` draws a profile's series, got {seed}.")
        if (source.horizon, source.layout) == (horizon, layout):
            return source
        return _recut(source, horizon, layout)
    p = source if hasattr(source, "n_series") else get_profile(source)
    return synthetic_dataset(
        p.n_series,
        p.n_steps,
        p.split,
        horizon,
        layout,
        p.seed if seed is None else seed,
        max_horizon=max_horizon,
        draw=p.draw,
    )


@renamed_keywords(target="layout")
def profile_dataset(profile=None, horizon: int = 1, layout: str = "one_step", seed=None) -> Dataset:
    """Deprecated: :func:`shape_dataset` (same arguments)."""
    warn_deprecated("rnnbook.data.profile_dataset", "rnnbook.data.shape_dataset")
    return shape_dataset(profile, horizon, layout, seed)

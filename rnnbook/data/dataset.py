"""The :class:`Dataset` container (inputs and targets of the three splits) and its :class:`Units`."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from rnnbook._checks import renamed_attribute, renamed_keywords, warn_deprecated
from rnnbook.data.windows import make_targets, split_batch
from rnnbook.profiles import REAL_RECIPE


@dataclasses.dataclass(frozen=True)
class Units:
    """How a data set's targets map back to the user's units, and the scale MASE divides by.

    Targets were scaled as ``(value - mean) / std`` with the training period's mean and standard
    deviation; :meth:`invert` undoes it. ``naive_mae`` is the mean absolute error, over the training
    period and in the user's units, of the seasonal naive forecast ``value(t - season)``: MASE divides a
    model's MAE by it (:func:`rnnbook.metrics.forecast_scores`).

    Example:

    >>> Units("riders", mean=10.0, std=2.0, naive_mae=1.5, season=7).invert(np.array([0.5]))
    array([11.])
    """

    column: str
    mean: float
    std: float
    naive_mae: float
    season: int = 1

    def invert(self, y) -> np.ndarray:
        """Scaled targets back in the user's units (float64)."""
        return np.asarray(y, dtype=np.float64) * self.std + self.mean


@dataclasses.dataclass
class Dataset:
    """Inputs and targets of the train, validation and test splits, with how they were made.

    Data sets made from a user's table (:mod:`rnnbook.frames`) also carry ``units`` (to report metrics
    in the user's units), ``columns`` (the name of each input feature) and ``dates`` (per split, the date
    of each window's first forecast). A data set carries data, not how to train on it: the training plan
    (:func:`rnnbook.training.plan_training`) picks the recipe from what the data is.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_steps: int
    horizon: int
    #: The target layout: ``"one_step"``, ``"vector"`` or ``"seq2seq"`` (:data:`rnnbook.data.LAYOUTS`).
    layout: str
    name: str = "synthetic"
    series: np.ndarray | None = dataclasses.field(default=None, repr=False)
    #: How to make the same data with other targets: ``rebuild(horizon=..., layout=...)`` (or ``None``).
    rebuild: functools.partial | None = dataclasses.field(default=None, repr=False, compare=False)
    units: Units | None = dataclasses.field(default=None, repr=False)
    columns: tuple | None = dataclasses.field(default=None, repr=False)
    dates: dict | None = dataclasses.field(default=None, repr=False, compare=False)
    #: Multitask data sets (several target columns, :func:`rnnbook.frames.frame_dataset`): one
    #: :class:`Units` per target column, in order (``units`` is then the first's); else ``None``.
    target_units: tuple | None = dataclasses.field(default=None, repr=False)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[-1]

    @property
    def n_targets(self) -> int:
        """How many columns are forecast: the targets ``y`` hold ``horizon`` values for each, target-major
        (``y[:, j * horizon + k]`` is target ``j``, ``k + 1`` steps ahead)."""
        return 1 if self.target_units is None else len(self.target_units)

    target = renamed_attribute("target", "layout")
    recipe = renamed_attribute("recipe", "rebuild")

    @property
    def fit(self) -> dict | None:
        """Deprecated: the training plan's ``recipe`` (:func:`rnnbook.training.plan_training`)."""

        warn_deprecated("Dataset.fit", "rnnbook.training.plan_training(...).recipe")
        return None if self.units is None else dict(REAL_RECIPE)

    def splits(self):
        """``[("train", X, y), ("valid", X, y), ("test", X, y)]``."""
        return [
            ("train", self.X_train, self.y_train),
            ("valid", self.X_valid, self.y_valid),
            ("test", self.X_test, self.y_test),
        ]

    def retarget(self, horizon: int, layout: str) -> Dataset:
        """Deprecated: ``rnnbook.data.shape_dataset(dataset, horizon, layout)``."""
        warn_deprecated("Dataset.retarget", "rnnbook.data.shape_dataset")
        return _recut(self, horizon, layout)


# The old keyword names of the constructor (``target=``, ``recipe=``) keep working for a release.
Dataset.__init__ = renamed_keywords(target="layout", recipe="rebuild")(Dataset.__init__)


def _recut(ds: Dataset, horizon: int, layout: str) -> Dataset:
    """``ds`` with other targets: its kept ``series`` cut anew when they are long enough, else its
    ``rebuild`` run again (the chapter's draw, a real series windowed anew); see :func:`shape_dataset`."""
    # The chapter draws each horizon anew: its series are cut only for the horizon they were drawn for.
    chapter = ds.rebuild is not None and ds.rebuild.keywords.get("draw") == "chapter"
    length = ds.n_steps + horizon
    if ds.series is not None and (
        ds.series.shape[1] == length or ds.series.shape[1] > length and not chapter
    ):
        split = (len(ds.X_train), len(ds.X_valid), len(ds.X_test))
        cut = _dataset_from_series(ds.series, ds.n_steps, horizon, layout, split, ds.name)
        return dataclasses.replace(cut, rebuild=ds.rebuild)
    if ds.rebuild is not None:
        return ds.rebuild(horizon=horizon, layout=layout)
    raise ValueError(
        f"This dataset cannot be cut for horizon {horizon}: its series are too short or "
        "not kept; rebuild it with the new layout."
    )


def _dataset_from_series(series, n_steps, horizon, layout, split, name) -> Dataset:
    length = n_steps + horizon
    if series.shape[1] < length:
        raise ValueError(f"The series have {series.shape[1]} steps, fewer than n_steps + horizon = {length}.")
    parts = split_batch(series, split)
    arrays = []
    for part in parts:
        arrays.extend(make_targets(part[:, :length], n_steps, horizon, layout))
    return Dataset(*arrays, n_steps=n_steps, horizon=horizon, layout=layout, name=name, series=series)

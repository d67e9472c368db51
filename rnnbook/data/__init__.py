"""Data for the chapter: the synthetic series, real series shipped with statsmodels, and windowing.

Every array is float32 with shape ``(batch, steps, features)``. The targets come in three *layouts*
(their shape, :data:`LAYOUTS`):

* ``"one_step"`` / ``"vector"``: ``y[i, k]`` is the value ``k + 1`` steps after the input window,
  shape ``(batch, horizon)`` (``horizon == 1`` for one step ahead);
* ``"seq2seq"``: ``Y[i, t, k]`` is the value ``k + 1`` steps after time step ``t``, shape
  ``(batch, steps, horizon)`` -- at every time step the model forecasts the next ``horizon`` values.

Used in: book/01_sequences, book/04_forecasting and every later chapter.

Example:

>>> from rnnbook import data
>>> ds = data.synthetic_dataset(n_series=100, n_steps=50, split=(70, 20, 10), horizon=10,
...                             layout="seq2seq", seed=42)
>>> ds.X_train.shape, ds.y_train.shape
((70, 50, 1), (70, 50, 10))
"""

from rnnbook._checks import renamed_module_attribute
from rnnbook.data.dataset import Dataset, Units
from rnnbook.data.real import REAL_SERIES, load_series, real_dataset
from rnnbook.data.shape import profile_dataset, shape_dataset
from rnnbook.data.synthetic import (
    DRAWS,
    adding_dataset,
    adding_problem,
    generate_time_series,
    logistic_dataset,
    logistic_series,
    long_period_dataset,
    long_period_series,
    synthetic_dataset,
)
from rnnbook.data.windows import (
    LAYOUTS,
    SPLITS,
    as_real,
    make_targets,
    scale_by_training,
    sliding_windows,
    split_batch,
    split_in_time,
    window_periods,
)


def __getattr__(name):  # the old names, kept working for a release
    return renamed_module_attribute(__name__, name, {"TARGETS": "LAYOUTS"})


# The public names live in one module per job -- windows (windowing and targets), dataset (the
# container), synthetic (the generated series), real (the shipped real series) and shape (the one
# route to a data set with given targets) -- and are imported from here, the public path.
__all__ = [
    "DRAWS",
    "REAL_SERIES",
    "SPLITS",
    "LAYOUTS",
    "Dataset",
    "Units",
    "adding_dataset",
    "adding_problem",
    "as_real",
    "generate_time_series",
    "load_series",
    "logistic_dataset",
    "logistic_series",
    "long_period_dataset",
    "long_period_series",
    "make_targets",
    "profile_dataset",
    "real_dataset",
    "scale_by_training",
    "shape_dataset",
    "sliding_windows",
    "split_batch",
    "split_in_time",
    "synthetic_dataset",
    "window_periods",
]

"""Train and evaluate any registered model the same way.

One function, :func:`train`, turns a registry name into a trained model and its scores, so the chapters,
the leaderboard, the widgets and the benchmark all train models identically. What a model trains on and
how is decided in one place, :func:`plan_training`:

* the data: the profile's synthetic data set (or the caller's) with the targets the model needs
  in the layout the model needs (:func:`model_layout`: one step, a vector of ``horizon`` values, or
  seq2seq), the same data for every model of a horizon thanks to the shared seed;
* the recipe: Adam and MSE, with the profile's recipe (:func:`rnnbook.profiles.recipe_for`: the book's
  ``full`` profile trains every model alike, the others let a model's own ``recipe`` win), the real-data
  recipe for a user's table, then the caller's arguments;
* the score: validation and test MSE -- for seq2seq models the MSE of the last time step's forecast,
  the chapter's ``last_time_step_mse``.

Used in: book/04_forecasting and every later chapter, ``rnnbook leaderboard``, ``bench/``.

Example:

>>> from rnnbook.training import train
>>> result = train("linear", profile="quick", epochs=2, progress=False)   # doctest: +SKIP
>>> result.val_mse < 0.02                                                # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import time
from typing import Any

import numpy as np

from rnnbook import data as data_lib
from rnnbook import model_cache
from rnnbook._checks import (
    check_bool,
    check_choice,
    check_positive_float,
    check_positive_int,
    renamed_attribute,
    renamed_keywords,
    warn_deprecated,
)
from rnnbook.backend import set_seed
from rnnbook.cache import cache_dir, warn_once_about, writable_dir
from rnnbook.profiles import REAL_RECIPE, Profile, get_profile, recipe_for
from rnnbook.registry import ModelSpec, build_model, get_spec

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras, JAX and
# rnnbook.metrics (which imports Keras).


def enable_compile_cache() -> str | None:
    """Keep JAX's compiled programs on disk so a model compiles once per machine, not once per run.

    On the JAX backend, XLA compilation is most of a small model's first epoch: the benchmark's 14
    models spend 13.5 s of their first epochs beyond their later ones with an empty cache, 2.8 s with a
    warm one, on 2 cores (``bench/README.md``). The directory is
    ``rnnbook.cache.cache_dir("jax")`` (the platform's user cache directory, see :mod:`rnnbook.cache`:
    ``RNNBOOK_COMPILE_CACHE=0`` or ``RNNBOOK_CACHE=0`` turn it off). A directory that cannot be written
    gives one :class:`rnnbook.cache.CacheWarning` and no cache; so does a disk that fills up later
    (JAX's own warnings about entries it then cannot write are shown once, not once per program).
    A cache directory the user already configured in JAX is left alone. Returns the directory used,
    or ``None``. ``import rnnbook`` calls it the moment Keras is imported; calling it again changes
    nothing.
    """
    import keras

    if keras.backend.backend() != "jax":
        return None
    import jax

    if jax.config.jax_compilation_cache_dir:
        return jax.config.jax_compilation_cache_dir
    path = cache_dir("jax")
    if path is None or writable_dir(path) is None:
        return None
    warn_once_about("Error (reading|writing) persistent compilation cache entry")
    jax.config.update("jax_compilation_cache_dir", path)
    # Our programs are small and quick to compile one by one: cache all of them.
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return path


@dataclasses.dataclass
class TrainResult:
    """What :func:`train` returns."""

    name: str
    spec: ModelSpec
    model: Any
    horizon: int
    val_mse: float
    test_mse: float
    params: int
    fit_seconds: float
    epochs: int
    history: dict
    dataset: data_lib.Dataset = dataclasses.field(repr=False)
    batch_size: int | None = None
    learning_rate: float | None = None
    schedule: str | None = None
    epoch_seconds: list = dataclasses.field(default_factory=list, repr=False)
    #: True when the model came from the trained-model cache (its ``fit_seconds`` are the original run's).
    cached: bool = False
    #: For a data set with ``units`` (a user's table): ``{"valid": ..., "test": ...}``, each the
    #: :func:`rnnbook.metrics.forecast_scores` in the user's units -- for several target columns
    #: (multitask) ``{column: forecast_scores}``, each in that column's units
    #: (:func:`rnnbook.metrics.multitask_scores`); else ``None``.
    scores: dict | None = dataclasses.field(default=None, repr=False)

    def rows(self) -> list[dict]:
        """The leaderboard rows of this result: :meth:`row`, or for several target columns
        (multitask) one row per target column, its ``"target"`` named, every metric (the MSE
        included) in that column's units."""
        if self.dataset.target_units is None:
            return [self.row()]
        rows = []
        for units in self.dataset.target_units:
            row = {
                "model": self.name,
                "target": units.column,
                "horizon": self.horizon,
                "params": self.params,
                "fit_seconds": self.fit_seconds,
            }
            for split, prefix in (("valid", "val"), ("test", "test")):
                row.update(
                    {f"{prefix}_{k}": self.scores[split][units.column][k] for k in ("mse", *UNIT_METRICS)}
                )
            rows.append(row)
        return rows

    def row(self) -> dict:
        """The leaderboard row of this result (with MAE, MAPE and MASE in the user's units when the
        data set has units); several target columns have one row each (:meth:`rows`)."""
        if self.dataset.target_units is not None:
            raise ValueError(f"{self.name} forecasts several target columns: use rows() (one per target).")
        row = {
            "model": self.name,
            "horizon": self.horizon,
            "val_mse": self.val_mse,
            "test_mse": self.test_mse,
            "params": self.params,
            "fit_seconds": self.fit_seconds,
        }
        if self.scores is not None:  # every metric in the user's units, the MSE included
            for split, prefix in (("valid", "val"), ("test", "test")):
                row.update({f"{prefix}_{k}": self.scores[split][k] for k in ("mse", *UNIT_METRICS)})
        return row


#: The metrics a data set with units reports, in the user's units (:func:`rnnbook.metrics.forecast_scores`).
UNIT_METRICS = ("mae", "mape", "mase")


@renamed_keywords(target="layout")
def forecast_mse(y_true, y_pred, layout: str) -> float:
    """MSE of a forecast; for seq2seq targets only the last time step's forecast counts."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"Forecast shape {y_pred.shape} does not match the targets' shape {y_true.shape}.")
    if layout == "seq2seq":
        y_true, y_pred = y_true[:, -1], y_pred[:, -1]
    return float(np.mean((y_true.astype(np.float64) - y_pred) ** 2))


def model_layout(spec: ModelSpec, horizon: int) -> str:
    """The target layout ``spec`` trains on when asked for ``horizon`` steps: the vector-target rule.

    A one-step model asked for ``horizon > 1`` learns vector targets (seq2vec: its builder outputs
    ``horizon`` values) -- Keras models and forecasters (ARMA, the seasonal ones) alike; an iterative
    model trains on one-step targets and is scored ``horizon`` steps ahead; vector and seq2seq models
    train in their own layout. This is the one place the rule is written.

    Example:

    >>> model_layout(get_spec("linear"), 4), model_layout(get_spec("iterative_deep_rnn"), 10)
    ('vector', 'one_step')
    """
    layout = spec.train_layout
    if layout == "one_step" and horizon > 1 and spec.kind != "iterative":
        return "vector"
    return layout


def model_target(spec: ModelSpec, horizon: int) -> str:
    """Deprecated: :func:`model_layout`."""
    warn_deprecated("rnnbook.training.model_target", "rnnbook.training.model_layout")
    return model_layout(spec, horizon)


@renamed_keywords(target="layout")
def dataset_for(
    spec: ModelSpec,
    profile: Profile,
    horizon: int,
    seed: int,
    layout: str | None = None,
    hparams: dict | None = None,
) -> data_lib.Dataset:
    """Deprecated: :func:`plan_training` (``plan.train_data``) or :func:`rnnbook.data.shape_dataset`."""
    warn_deprecated("rnnbook.training.dataset_for", "rnnbook.training.plan_training")
    return _model_dataset(spec, profile, horizon, seed, hparams, layout)


def _model_dataset(spec, source, horizon, seed=None, hparams=None, layout=None) -> data_lib.Dataset:
    """``source`` (a profile or a data set, see :func:`rnnbook.data.shape_dataset`) with the targets
    ``spec`` trains on for ``horizon`` (:func:`model_layout`; ``layout`` forces another one), sliced
    for strided convs."""
    layout = layout or model_layout(spec, horizon)
    # A profile's series are drawn long enough for `horizon`, so the one-step training set of an
    # iterative model has the inputs of its vector evaluation set.
    ds = data_lib.shape_dataset(
        source,
        1 if layout == "one_step" else horizon,
        layout,
        seed,
        max_horizon=max(horizon, 10),
    )
    return _slice_time_steps(ds, spec, layout, hparams)


def _slice_time_steps(ds, spec, layout, hparams):
    if layout == "seq2seq" and spec.time_steps is not None:
        steps = spec.time_steps(ds.n_steps, dict(hparams or {}))
        ds = dataclasses.replace(
            ds, y_train=ds.y_train[:, steps], y_valid=ds.y_valid[:, steps], y_test=ds.y_test[:, steps]
        )
    return ds


def cannot_train_on(spec: ModelSpec, dataset: data_lib.Dataset) -> str | None:
    """Why the model ``spec`` structurally cannot train on ``dataset``, in one plain sentence, or
    ``None`` if it can: the leaderboard skips such a model when the user did not name it.

    An iterative model feeds its own forecasts back as inputs, so it needs one input feature; with
    several target columns (multitask), seq2seq models and forecasters that model one series (ARMA,
    SARIMA) cannot train either.

    Example:

    >>> import pandas as pd
    >>> from rnnbook.frames import frame_dataset
    >>> hours = pd.date_range("2024", periods=300, freq="h")
    >>> series = pd.Series(np.sin(np.arange(300.0)), hours, name="x")
    >>> ds = frame_dataset(series, n_steps=24, calendar=["hour"])
    >>> cannot_train_on(get_spec("iterative_deep_rnn"), ds)
    'it feeds its forecasts back as inputs, so it needs a single input feature (the data has 25)'
    >>> cannot_train_on(get_spec("linear"), ds) is None
    True
    """
    if spec.kind == "iterative" and dataset.n_features > 1:
        return (
            "it feeds its forecasts back as inputs, so it needs a single input feature "
            f"(the data has {dataset.n_features})"
        )
    n_targets = dataset.n_targets
    if n_targets > 1 and spec.train_layout == "seq2seq":
        return (
            "it forecasts at every time step (seq2seq), which rnnbook does for a single target column "
            f"(the data has {n_targets})"
        )
    if n_targets > 1 and spec.kind == "forecaster" and not _takes(spec.builder, "n_targets"):
        return f"it models a single series, and the data has {n_targets} target columns"
    return None


def retarget_for(
    spec: ModelSpec, dataset: data_lib.Dataset, horizon: int | None = None, hparams: dict | None = None
) -> data_lib.Dataset:
    """Deprecated: ``train(name, dataset, retarget=True)`` (or :func:`plan_training`)."""
    warn_deprecated("rnnbook.training.retarget_for", "train(name, dataset, retarget=True)")
    horizon = dataset.horizon if horizon is None else check_positive_int("horizon", horizon)
    return _model_dataset(spec, dataset, horizon, hparams=hparams)


class _EpochBar:
    """One progress bar over the epochs instead of a wall of per-epoch logs.

    In a terminal or a notebook: Keras' bar. Anywhere else (output redirected to a file, a CI log):
    one plain line when training ends -- no carriage returns, no colour codes.
    """

    def __new__(cls, epochs: int):
        import keras

        interactive = sys.stdout.isatty() or "ipykernel" in sys.modules

        class EpochBar(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.bar = (
                    keras.utils.Progbar(epochs, stateful_metrics=["loss", "val_loss"])
                    if interactive
                    else None
                )
                self.last = (0, {})

            def on_epoch_end(self, epoch, logs=None):
                logs = logs or {}
                self.last = (epoch + 1, logs)
                if self.bar is not None:
                    self.bar.update(epoch + 1, [(k, logs[k]) for k in ("loss", "val_loss") if k in logs])

            def on_train_end(self, logs=None):
                if self.bar is None:
                    done, logs = self.last
                    scores = "".join(f" - {k}: {logs[k]:.4g}" for k in ("loss", "val_loss") if k in logs)
                    print(f"  {done}/{epochs} epochs{scores}", flush=True)

        return EpochBar()


class _Stop:
    """Marks the callbacks :class:`StopWhen` makes (the only ones a cached training may carry)."""


class StopWhen:
    """A Keras callback that stops training at the next batch once ``event`` (a ``threading.Event``) is set.

    ``rnnbook leaderboard`` sets it on Ctrl-C, so training stops from Python instead of being
    interrupted inside compiled code. A training it stopped is not stored in the model cache.
    """

    def __new__(cls, event):
        import keras

        class Stop(keras.callbacks.Callback, _Stop):
            stopped = False

            def on_train_batch_end(self, batch, logs=None):
                if event.is_set():
                    self.stopped = True
                    self.model.stop_training = True

        return Stop()


SCHEDULES = (None, "constant", "cosine", "plateau")
#: The optimizers the recipe offers: Adam (every model's), or SGD with momentum 0.9, whose step is the
#: gradient itself, so that gradient clipping bounds it (Adam divides by the gradient's running size).
OPTIMIZERS = ("adam", "sgd")


#: How many training windows (the first ones) the recorded gradient norm is measured on.
GRADIENT_PROBE = 256


class _GradientNormLog:
    """Appends the global norm of the loss gradient on a fixed probe batch: at the initial weights,
    then after every update (a blow-up happens within an epoch, between two epoch-end values)."""

    def __new__(cls, X, y, norms: list):
        import keras

        from rnnbook.gradients import parameter_gradient_norm

        class GradientNormLog(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                norms.append(parameter_gradient_norm(self.model, X, y))

            def on_train_batch_end(self, batch, logs=None):
                # On JAX the weights live outside the model during an epoch: write them back first
                # (the same arrays, so the training is unchanged).
                getattr(self.model, "jax_state_sync", lambda: None)()
                norms.append(parameter_gradient_norm(self.model, X, y))

        return GradientNormLog()


class _EpochTimer:
    """Appends each epoch's wall time (training and validation) to a list."""

    def __new__(cls, seconds: list):
        import keras

        class EpochTimer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                seconds.append(time.perf_counter() - self.start)

        return EpochTimer()


def compile_model(
    model,
    spec: ModelSpec,
    learning_rate: float,
    steps_per_epoch: int | None = None,
    epochs: int | None = None,
    schedule: str | None = None,
    clipnorm: float | None = None,
    global_clipnorm: float | None = None,
    optimizer: str = "adam",
):
    """Compile with Adam (or ``optimizer="sgd"``: SGD with momentum 0.9), the MSE loss and, for
    seq2seq models, the last-time-step metric.

    ``schedule="cosine"`` decays the learning rate to zero over ``epochs * steps_per_epoch`` steps
    (the full profile's schedule, see :mod:`rnnbook.profiles`); ``"plateau"`` starts constant and
    :func:`train` halves it whenever the validation loss stalls (the real-data recipe,
    :data:`rnnbook.profiles.REAL_RECIPE`). ``clipnorm`` caps the norm of each variable's gradient,
    ``global_clipnorm`` the norm of all of them together (gradient clipping, Pascanu et al. 2013).
    Clipping bounds SGD's step (at most the learning rate times the clipping norm) but hardly Adam's,
    which divides each step by the gradient's running root mean square.
    """
    import keras

    from rnnbook.metrics import last_time_step_mse

    if schedule not in SCHEDULES:
        raise ValueError(f"Unknown schedule {schedule!r}; use one of {SCHEDULES}.")
    lr = learning_rate
    if schedule == "cosine":
        lr = keras.optimizers.schedules.CosineDecay(
            learning_rate, decay_steps=max(1, epochs * steps_per_epoch)
        )
    metrics = [last_time_step_mse] if spec.train_layout == "seq2seq" else []
    check_choice("optimizer", optimizer, OPTIMIZERS)
    clipping = {"clipnorm": clipnorm, "global_clipnorm": global_clipnorm}
    if optimizer == "sgd":
        opt = keras.optimizers.SGD(learning_rate=lr, momentum=0.9, **clipping)
    else:
        opt = keras.optimizers.Adam(learning_rate=lr, **clipping)
    model.compile(optimizer=opt, loss="mse", metrics=metrics)
    return model


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How a model is trained (the recipe): what :func:`plan_training` decides from the profile, the
    model's own ``recipe``, the real-data recipe for a user's table and the caller's arguments."""

    epochs: int
    batch_size: int
    learning_rate: float
    schedule: str | None
    patience: int | None
    #: Early stopping's ``min_delta`` (``None`` without early stopping).
    min_delta: float | None
    eval_batch_size: int | None
    #: Gradient clipping (``None``: none): the norm of each variable's gradient, or of all of them.
    clipnorm: float | None = None
    global_clipnorm: float | None = None
    #: ``"adam"`` (every model's) or ``"sgd"`` (SGD with momentum 0.9), see :func:`compile_model`.
    optimizer: str = "adam"
    #: Also record the global norm of the loss gradient on a fixed probe batch, at the initial
    #: weights and after every update (``history["gradient_norm"]``). It changes no weight, but a
    #: cached run must carry the record.
    gradient_norm: bool = False

    @property
    def score_batch_size(self) -> int:
        """The batch size for scoring (prediction only)."""
        return self.eval_batch_size or 1000


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a model trains on and how, decided by :func:`plan_training` before anything trains."""

    spec: ModelSpec
    seed: int
    #: Steps ahead the model is scored on.
    horizon: int
    #: The model's output width: ``horizon``, times the number of target columns for a multitask model.
    width: int
    #: The builder's hyper-parameters (the caller's, plus ``season``/``n_targets`` taken from the data).
    hparams: dict
    #: The data set the model is fitted on, with the model's targets.
    train_data: data_lib.Dataset = dataclasses.field(repr=False)
    #: The data set it is scored on (``train_data`` but for iterative models: vector targets).
    eval_data: data_lib.Dataset = dataclasses.field(repr=False)
    recipe: Recipe
    #: Where the trained-model cache lives and this run's key in it (``None``: not cached).
    cache_root: str | None = None
    cache_key: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    fit = renamed_attribute("fit", "recipe")


def plan_training(
    name: str,
    dataset: data_lib.Dataset | None = None,
    *,
    profile=None,
    seed: int | None = None,
    horizon: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    learning_rate: float | None = None,
    schedule: str | None = None,
    cache: bool | None = None,
    retarget: bool = False,
    clipnorm: float | None = None,
    global_clipnorm: float | None = None,
    optimizer: str | None = None,
    gradient_norm: bool = False,
    **hparams,
) -> Plan:
    """Decide what the model ``name`` trains on and how, in one place: the data set with the model's
    targets, the horizon and output width, the evaluation set, the recipe and the cache key.

    The data: without ``dataset``, the profile's synthetic data drawn with ``seed``; with one, that data
    set, which must already have the model's targets -- or, with ``retarget=True``, is cut anew for
    them (what the leaderboard does to train every model on one user's table). The targets follow
    :func:`model_layout`, the vector-target rule: a one-step model asked for ``horizon > 1`` learns
    vector targets -- Keras models and forecasters alike -- while an iterative model trains on one-step
    targets and is scored on vector ones. Strided seq2seq models train on the target time steps their
    outputs line up with (``spec.time_steps``).

    The recipe: the profile's recipe for the model (:func:`rnnbook.profiles.recipe_for`), then the
    real-data recipe for a data set with units (a user's table, :data:`rnnbook.profiles.REAL_RECIPE`),
    then the caller's ``epochs``, ``batch_size``, ``learning_rate``, ``schedule``, ``clipnorm``,
    ``global_clipnorm``, ``optimizer`` and ``gradient_norm``.

    Nothing is trained; the only side effects are reading the cache settings and, when the cache is on,
    hashing the code and the data for the key. The arguments are :func:`train`'s.

    Returns:
        A :class:`Plan`.

    Example:

    >>> plan = plan_training("linear", profile="quick", horizon=4, cache=False)
    >>> plan.train_data.layout, plan.train_data.y_train.shape, plan.width
    ('vector', (1400, 4), 4)
    """
    profile = profile if isinstance(profile, Profile) else get_profile(profile)
    seed = profile.seed if seed is None else int(seed)
    spec = get_spec(name)
    if horizon is not None:
        horizon = check_positive_int("horizon", horizon)
    if dataset is not None and retarget:
        horizon = dataset.horizon if horizon is None else horizon
        dataset = _model_dataset(spec, dataset, horizon, hparams=hparams)
    horizon = _planned_horizon(spec, dataset, horizon)
    hparams = {**hparams, **_hparams_from_data(spec, dataset, hparams)}
    width = horizon
    if dataset is not None and dataset.n_targets > 1 and not _takes(spec.builder, "n_targets"):
        width = horizon * dataset.n_targets  # target-major: horizon values per target column
    recipe = _recipe(spec, profile, dataset, epochs, batch_size, learning_rate, schedule)
    recipe = _with_clipping(recipe, clipnorm, global_clipnorm)
    if optimizer is not None:
        recipe = dataclasses.replace(recipe, optimizer=check_choice("optimizer", optimizer, OPTIMIZERS))
    if check_bool("gradient_norm", gradient_norm):
        recipe = dataclasses.replace(recipe, gradient_norm=True)
    train_data = dataset if dataset is not None else _model_dataset(spec, profile, horizon, seed, hparams)
    eval_data = train_data
    if spec.kind == "iterative":
        # Scored on vector targets: the caller's series cut anew, or the profile's data for that horizon
        # (the chapter draws its ten-step series separately from its one-step ones).
        eval_data = (
            _model_dataset(spec, profile, horizon, seed, layout="vector")
            if dataset is None
            else data_lib.shape_dataset(train_data, horizon, "vector")
        )
    plan = Plan(spec, seed, horizon, width, hparams, train_data, eval_data, recipe)
    # Not cached: forecaster objects (ARMA fits in seconds and is no Keras model).
    cache_root = model_cache.directory(cache) if spec.kind != "forecaster" else None
    if cache_root is None:
        return plan
    return dataclasses.replace(plan, cache_root=cache_root, cache_key=_cache_key(plan))


def _planned_horizon(spec: ModelSpec, dataset, horizon: int | None) -> int:
    """The horizon: the data set's when it has several-step targets, else the caller's or the model's;
    a data set whose targets do not fit the model is named here, not as an error from inside Keras."""
    if dataset is None:
        return spec.horizon if horizon is None else horizon
    if spec.kind == "iterative":
        if dataset.layout != "one_step":
            raise ValueError(
                f"{spec.name!r} is trained on one-step targets; got a {dataset.layout!r} dataset."
            )
        return spec.horizon if horizon is None else horizon
    widened = spec.train_layout == "one_step" and dataset.layout == "vector"  # model_layout's rule
    if dataset.layout != spec.train_layout and not widened:
        raise ValueError(
            f"{spec.name!r} trains on {spec.train_layout!r} targets, but the dataset has "
            f"{dataset.layout!r} targets; make it with layout={spec.train_layout!r}."
        )
    if horizon is not None and dataset.layout != "one_step" and horizon != dataset.horizon:
        raise ValueError(f"horizon={horizon} does not match the dataset's horizon {dataset.horizon}.")
    if dataset.layout != "one_step":
        return dataset.horizon
    return spec.horizon if horizon is None else horizon


def _hparams_from_data(spec: ModelSpec, dataset, hparams: dict) -> dict:
    """What the data set tells the builder: its season (seasonal models), its number of target columns
    (models that take ``n_targets``); a model that cannot train on it is named."""
    extra = {}
    if dataset is None:
        return extra
    if dataset.units is not None and "season" not in hparams and _takes(spec.builder, "season"):
        extra["season"] = dataset.units.season  # seasonal models follow the data set's season
    if dataset.n_targets > 1:
        why = cannot_train_on(spec, dataset)
        if why is not None:
            raise ValueError(f"{spec.name} cannot train on this data: {why}.")
        if _takes(spec.builder, "n_targets") and "n_targets" not in hparams:
            extra["n_targets"] = dataset.n_targets
    return extra


def _recipe(spec, profile, dataset, epochs, batch_size, learning_rate, schedule) -> Recipe:
    settings = recipe_for(profile, spec.recipe)
    if dataset is not None and dataset.units is not None:
        # A user's table (a data set with units) trains with the real-data recipe, every model alike;
        # the synthetic and shipped series have no units, so the book's recipe never moves.
        settings = {**settings, **REAL_RECIPE}
    # `is None`, not `or`: an explicit 0 is an error to report, not a request for the default.
    patience = settings["patience"]
    return Recipe(
        epochs=check_positive_int("epochs", settings["epochs"] if epochs is None else epochs),
        batch_size=check_positive_int(
            "batch_size", settings["batch_size"] if batch_size is None else batch_size
        ),
        learning_rate=check_positive_float(
            "learning_rate", settings["learning_rate"] if learning_rate is None else learning_rate
        ),
        schedule=schedule or settings["schedule"],
        patience=patience,
        min_delta=settings["min_delta"] if patience else None,
        eval_batch_size=settings["eval_batch_size"],
        clipnorm=_optional_positive("clipnorm", settings.get("clipnorm")),
        global_clipnorm=_optional_positive("global_clipnorm", settings.get("global_clipnorm")),
    )


def _optional_positive(name: str, value) -> float | None:
    return None if value is None else check_positive_float(name, value)


def _with_clipping(recipe: Recipe, clipnorm, global_clipnorm) -> Recipe:
    """``recipe`` with the caller's gradient clipping, which replaces the recipe's (either kind); one
    kind at a time."""
    if clipnorm is not None and global_clipnorm is not None:
        raise ValueError(
            "Received both `clipnorm` and `global_clipnorm`; expected at most one of them (each "
            f"variable's gradient norm, or all of them together), got {clipnorm:g} and {global_clipnorm:g}."
        )
    if clipnorm is not None:
        return dataclasses.replace(
            recipe, clipnorm=check_positive_float("clipnorm", clipnorm), global_clipnorm=None
        )
    if global_clipnorm is not None:
        global_clipnorm = check_positive_float("global_clipnorm", global_clipnorm)
        return dataclasses.replace(recipe, clipnorm=None, global_clipnorm=global_clipnorm)
    if recipe.clipnorm is not None and recipe.global_clipnorm is not None:
        raise ValueError(
            "The model's recipe sets both `clipnorm` and `global_clipnorm`; expected at most one of them."
        )
    return recipe


def _cache_key(plan: Plan) -> str:
    """The trained-model cache's key: everything that determines the trained weights."""
    spec = plan.spec
    return model_cache.make_key(
        {
            "code": model_cache.code_fingerprint(),
            **model_cache.backend_fields(),
            "model": spec.name,
            "builder": model_cache.builder_fingerprint(spec.builder),
            "source": spec.source,
            "kind": spec.kind,
            "layout": spec.layout,
            "hparams": _without_defaults(spec.builder, plan.hparams),
            "horizon": plan.horizon,
            "seed": plan.seed,
            **dataclasses.asdict(plan.recipe),
            "data": model_cache.fingerprint(
                *(a for _, X, y in plan.train_data.splits() for a in (X, y)),
                *(a for _, X, y in plan.eval_data.splits() for a in (X, y)),
            ),
            "layouts": [plan.train_data.layout, plan.eval_data.layout],
        }
    )


def _without_defaults(builder, hparams: dict) -> dict:
    """``hparams`` less those that repeat the builder's default: ``activation="tanh"`` given or left
    out is one model, so a chapter that spells a default out reads what another chapter trained.

    Example:

    >>> def builder(units=20, activation="tanh"):
    ...     pass
    >>> _without_defaults(builder, {"units": 20.0, "activation": "tanh"})  # 20.0 is not 20
    {'units': 20.0}
    """
    try:
        # the builder's own defaults, not those of a function it wraps
        parameters = inspect.signature(builder, follow_wrapped=False).parameters
    except (TypeError, ValueError):  # a callable without a signature: every value counts
        return dict(hparams)

    def is_default(name, value) -> bool:
        default = parameters[name].default if name in parameters else inspect.Parameter.empty
        # the same plain value, type included: 20.0 for 20 may build another model
        plain = isinstance(value, (str, int, float, bool, tuple, type(None)))
        return plain and type(value) is type(default) and repr(value) == repr(default)

    return {name: value for name, value in hparams.items() if not is_default(name, value)}


def train(
    name: str,
    dataset: data_lib.Dataset | None = None,
    *,
    profile=None,
    seed: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    learning_rate: float | None = None,
    horizon: int | None = None,
    progress: bool = True,
    schedule: str | None = None,
    callbacks: list | None = None,
    cache: bool | None = None,
    retarget: bool = False,
    clipnorm: float | None = None,
    global_clipnorm: float | None = None,
    optimizer: str | None = None,
    gradient_norm: bool = False,
    **hparams,
) -> TrainResult:
    """Build, train and evaluate the registered model ``name``: plan, cache lookup, fit, score, store.

    What it trains on and how is decided by :func:`plan_training` (one place, read it there).

    Args:
        name: a registry name (see ``rnnbook models``).
        dataset: a :class:`rnnbook.data.Dataset` whose targets fit the model; by default the profile's
            synthetic data with the model's targets.
        profile: ``"full"`` (the book's), ``"quick"`` (unit tests), a :class:`~rnnbook.profiles.Profile`
            or ``None`` (``$RNNBOOK_PROFILE``, else ``"full"``).
        seed: seeds the data and the weights (default: the profile's seed, 42): another seed repeats
            the whole experiment, data included.
        epochs, batch_size, learning_rate: override the profile's recipe for the model
            (:func:`rnnbook.profiles.recipe_for`), the model's own ``recipe`` and the profile. Without
            an explicit ``learning_rate``: the ``full`` profile's 0.01 for every model, else the model's
            own ``recipe``.
        horizon: steps ahead (default: the data set's, else the model's).
        progress: show one progress bar over the epochs.
        schedule: ``"constant"``, ``"cosine"``, ``"plateau"`` or ``None`` (the profile's schedule).
        callbacks: more Keras callbacks for ``fit`` (e.g. :class:`StopWhen`); a run with callbacks other
            than :class:`StopWhen` is not cached.
        cache: use the trained-model cache (:mod:`rnnbook.model_cache`): a model already trained with
            the same code, backend, hyper-parameters, recipe, seed and data is loaded instead of
            trained again, with the same scores. ``None`` (default): on unless ``RNNBOOK_MODEL_CACHE=0``
            or ``RNNBOOK_CACHE=0``; ``False``: neither read nor write it.
        retarget: cut ``dataset`` anew for the model's targets and ``horizon`` (default: the data set's)
            instead of refusing targets that do not fit (default ``False``).
        clipnorm, global_clipnorm: gradient clipping (default ``None``: the recipe's, else none):
            Adam caps the norm of each variable's gradient (``clipnorm``) or of all gradients
            together (``global_clipnorm``, which keeps their direction); at most one of the two.
        optimizer: ``"adam"`` (default) or ``"sgd"`` (SGD with momentum 0.9, whose step clipping
            bounds; see :func:`compile_model`).
        gradient_norm: also record ``history["gradient_norm"]``: the global norm of the loss
            gradient over the first :data:`GRADIENT_PROBE` training windows
            (:func:`rnnbook.gradients.parameter_gradient_norm`) at the initial weights and after
            every update (``1 + epochs run * steps per epoch`` values; with early stopping the last
            one is at the last update's weights, not the restored best ones), which shows a
            training blowing up. It costs one extra gradient per update (counted in the run's
            seconds) and changes no weight.
        **hparams: passed to the builder.

    Returns:
        A :class:`TrainResult`.
    """
    # A caller's own callbacks may change the training in ways no key can describe: not cached.
    cache = cache if all(isinstance(c, _Stop) for c in callbacks or ()) else False
    plan = plan_training(
        name,
        dataset,
        profile=profile,
        seed=seed,
        horizon=horizon,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        schedule=schedule,
        cache=cache,
        retarget=retarget,
        clipnorm=clipnorm,
        global_clipnorm=global_clipnorm,
        optimizer=optimizer,
        gradient_norm=gradient_norm,
        **hparams,
    )
    hit = _load_cached(plan)
    if hit is not None:
        model, record = hit
    else:
        model, record = _fit(plan, progress, list(callbacks or ()))
        record.update(_score(plan, model))
    result = TrainResult(
        name=plan.name,
        spec=plan.spec,
        model=model,
        horizon=plan.horizon,
        dataset=plan.eval_data,
        batch_size=plan.recipe.batch_size,
        learning_rate=plan.recipe.learning_rate,
        schedule=plan.recipe.schedule,
        cached=hit is not None,
        scores=_unit_scores(model, plan.eval_data, plan.recipe.score_batch_size),
        **record,
    )
    # A run stopped from outside (Ctrl-C in the leaderboard) is not the model the key describes.
    stopped = any(getattr(c, "stopped", False) for c in callbacks or ())
    if hit is None and plan.cache_key is not None and not stopped:
        model_cache.store(plan.cache_root, plan.cache_key, model, record)
    return result


# What a cache entry records besides the model: everything a hit must return as the miss did.
_RECORDED = ("val_mse", "test_mse", "params", "fit_seconds", "epochs", "history", "epoch_seconds")


def _load_cached(plan: Plan):
    """``(model, record)`` from the trained-model cache, or ``None``."""
    if plan.cache_key is None:
        return None
    hit = model_cache.load(plan.cache_root, plan.cache_key, _RECORDED)
    if hit is None:
        return None
    model, record = hit
    if plan.spec.kind == "iterative" and record["epochs"]:
        _compile(model.step_model, plan)  # as after a miss: the one-step model inside is compiled
    return model, {k: record[k] for k in _RECORDED}


def _compile(model, plan: Plan):
    recipe = plan.recipe
    steps = int(np.ceil(len(plan.train_data.X_train) / recipe.batch_size))
    return compile_model(
        model,
        plan.spec,
        recipe.learning_rate,
        steps,
        recipe.epochs,
        recipe.schedule,
        clipnorm=recipe.clipnorm,
        global_clipnorm=recipe.global_clipnorm,
        optimizer=recipe.optimizer,
    )


def _fit(plan: Plan, progress: bool, callbacks_in: list) -> tuple:
    """Build the model and fit it as planned: ``(model, record)`` with the fit's part of the record."""
    enable_compile_cache()
    set_seed(plan.seed)
    ds = plan.train_data
    model = build_model(
        plan.name, n_steps=ds.n_steps, n_features=ds.n_features, horizon=plan.width, **plan.hparams
    )
    history: dict = {}
    epoch_seconds: list[float] = []
    start = time.perf_counter()
    if plan.spec.kind == "forecaster":
        model.fit(ds.X_train, ds.y_train)
    else:
        fit_model = model.step_model if plan.spec.kind == "iterative" else model
        # A model without trainable weights (the naive forecast) has nothing to fit.
        if fit_model.trainable_weights:
            _compile(fit_model, plan)
            callbacks = [_EpochTimer(epoch_seconds)] + ([_EpochBar(plan.recipe.epochs)] if progress else [])
            gradient_norms: list[float] = []
            if plan.recipe.gradient_norm:
                probe = (ds.X_train[:GRADIENT_PROBE], ds.y_train[:GRADIENT_PROBE])
                callbacks.append(_GradientNormLog(*probe, gradient_norms))
            h = fit_model.fit(
                ds.X_train,
                ds.y_train,
                epochs=plan.recipe.epochs,
                batch_size=plan.recipe.batch_size,
                validation_data=(ds.X_valid, ds.y_valid),
                verbose=0,
                callbacks=callbacks + callbacks_in + _fit_callbacks(plan.recipe),
                shuffle=True,
                validation_batch_size=plan.recipe.eval_batch_size or plan.recipe.batch_size,
            )
            history = {k: [float(v) for v in vals] for k, vals in h.history.items()}
            if plan.recipe.gradient_norm:
                history["gradient_norm"] = gradient_norms
    record = {
        "fit_seconds": time.perf_counter() - start,
        "params": int(model.count_params()),
        "epochs": len(history.get("loss", [])),
        "history": history,
        "epoch_seconds": epoch_seconds,
    }
    return model, record


def _fit_callbacks(recipe: Recipe) -> list:
    """Early stopping and the plateau schedule's learning-rate halving, as the recipe asks."""
    import keras

    callbacks = []
    if recipe.patience:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                patience=recipe.patience, min_delta=recipe.min_delta, restore_best_weights=True
            )
        )
    if recipe.schedule == "plateau":
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                factor=0.5, patience=3, min_lr=recipe.learning_rate / 64, verbose=0
            )
        )
    return callbacks


def _score(plan: Plan, model) -> dict:
    """Validation and test MSE on the evaluation set (seq2seq: the last time step's)."""
    ds, batch = plan.eval_data, plan.recipe.score_batch_size
    return {
        f"{prefix}_mse": forecast_mse(y, predict(model, X, batch), ds.layout)
        for (_, X, y), prefix in zip(ds.splits()[1:], ("val", "test"))
    }


def _takes(builder, name: str) -> bool:
    try:
        return name in inspect.signature(builder).parameters
    except (TypeError, ValueError):  # a callable without a signature takes no `season`
        return False


def _unit_scores(model, ds: data_lib.Dataset, batch_size: int) -> dict | None:
    """Validation and test scores in the user's units, for a data set with units."""
    if ds.units is None:
        return None
    from rnnbook.metrics import forecast_scores, multitask_scores

    if ds.target_units is not None:
        return {
            split: multitask_scores(y, predict(model, X, batch_size), ds.target_units)
            for split, X, y in ds.splits()[1:]
        }

    return {
        split: forecast_scores(y, predict(model, X, batch_size), ds.units, ds.layout)
        for split, X, y in ds.splits()[1:]
    }


def predict(model, X, batch_size: int = 1000) -> np.ndarray:
    """Forecast with a Keras model or a forecaster object, as a NumPy array."""
    if hasattr(model, "predict") and hasattr(model, "compile"):
        return np.asarray(model.predict(X, batch_size=batch_size, verbose=0))
    return np.asarray(model.predict(X))

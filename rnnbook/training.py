"""Train and evaluate any registered model the same way.

One function, :func:`train`, turns a registry name into a trained model and its scores, so the chapters,
the leaderboard, the widgets and the benchmark all train models identically:

* the data: the profile's synthetic data set with the targets the model needs (one step, a vector of
  ``horizon`` values, or seq2seq), the same data for every model of a horizon thanks to the shared seed;
* the recipe: Adam and MSE, with the model's ``fit_defaults`` (learning rate, batch size, epochs)
  over the profile's;
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
import time
from typing import Any

import numpy as np

from rnnbook import data as data_lib
from rnnbook import model_cache
from rnnbook._checks import check_positive_float, check_positive_int
from rnnbook.backend import set_seed
from rnnbook.profiles import Profile, get_profile
from rnnbook.registry import ModelSpec, build_model, get_spec


def enable_compile_cache() -> str | None:
    """Keep JAX's compiled programs on disk so a model compiles once per machine, not once per run.

    On the JAX backend, XLA compilation is most of a small model's first epoch and, with the full
    profile's large batches, often most of its training time (bench/: deep_rnn's first epoch took
    19 s with an empty cache and 3.6 s with a warm one on a busy 2-core machine). The directory is
    ``rnnbook.cache.cache_dir("jax")`` (the platform's user cache directory, see :mod:`rnnbook.cache`:
    ``RNNBOOK_COMPILE_CACHE=0`` or ``RNNBOOK_CACHE=0`` turn it off). A directory that cannot be written
    gives one :class:`rnnbook.cache.CacheWarning` and no cache; so does a disk that fills up later
    (JAX's own warnings about entries it then cannot write are shown once, not once per program).
    A cache directory the user already configured in JAX is left alone. Returns the directory used,
    or ``None``.
    """
    import keras

    from rnnbook import cache

    if keras.backend.backend() != "jax":
        return None
    import jax

    if jax.config.jax_compilation_cache_dir:
        return jax.config.jax_compilation_cache_dir
    path = cache.cache_dir("jax")
    if path is None or cache.writable_dir(path) is None:
        return None
    cache.warn_once_about("Error (reading|writing) persistent compilation cache entry")
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


def forecast_mse(y_true, y_pred, target: str) -> float:
    """MSE of a forecast; for seq2seq targets only the last time step's forecast counts."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"Forecast shape {y_pred.shape} does not match the target shape {y_true.shape}.")
    if target == "seq2seq":
        y_true, y_pred = y_true[:, -1], y_pred[:, -1]
    return float(np.mean((y_true.astype(np.float64) - y_pred) ** 2))


def dataset_for(
    spec: ModelSpec,
    profile: Profile,
    horizon: int,
    seed: int,
    target: str | None = None,
    hparams: dict | None = None,
) -> data_lib.Dataset:
    """The profile's synthetic data with the targets ``spec`` trains on (sliced for strided convs).

    A one-step Keras model asked for ``horizon > 1`` learns vector targets: its builder outputs
    ``horizon`` values (seq2vec).
    """
    target = target or spec.train_target
    if target == "one_step" and horizon > 1 and spec.kind == "keras":
        target = "vector"
    ds = data_lib.synthetic_dataset(
        profile.n_series,
        profile.n_steps,
        profile.split,
        horizon=1 if target == "one_step" else horizon,
        target=target,
        seed=seed,
        max_horizon=max(horizon, 10),
        draw=profile.draw,
    )
    return _slice_time_steps(ds, spec, target, hparams)


def _slice_time_steps(ds, spec, target, hparams):
    if target == "seq2seq" and spec.time_steps is not None:
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
    if n_targets > 1 and spec.train_target == "seq2seq":
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
    """``dataset`` cut anew with the targets ``spec`` trains on, forecasting ``horizon`` steps
    (default: the data set's): what the leaderboard does to train every model on one user's series.

    One-step Keras models and forecasters learn vector targets directly; iterative models train on
    one-step targets (and are scored ``horizon`` steps ahead by :func:`train`).

    Example:

    >>> import pandas as pd
    >>> from rnnbook.frames import frame_dataset
    >>> s = pd.Series(np.sin(np.arange(300.0)), pd.date_range("2024", periods=300, freq="h"), name="x")
    >>> ds = frame_dataset(s, n_steps=24, horizon=6, target="vector")
    >>> retarget_for(get_spec("seq2seq_gru"), ds).y_train.shape[1:]
    (24, 6)
    """
    horizon = dataset.horizon if horizon is None else check_positive_int("horizon", horizon)
    target = spec.train_target
    if target == "one_step" and horizon > 1 and spec.kind != "iterative":
        target = "vector"
    wanted_horizon = 1 if target == "one_step" else horizon
    if dataset.target != target or dataset.horizon != wanted_horizon:
        dataset = dataset.retarget(wanted_horizon, target)
    return _slice_time_steps(dataset, spec, target, hparams)


class _EpochBar:
    """One progress bar over the epochs instead of a wall of per-epoch logs.

    In a terminal or a notebook: Keras' bar. Anywhere else (output redirected to a file, a CI log):
    one plain line when training ends -- no carriage returns, no colour codes.
    """

    def __new__(cls, epochs: int):
        import sys

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
):
    """Compile with Adam, the MSE loss and, for seq2seq models, the last-time-step metric.

    ``schedule="cosine"`` decays the learning rate to zero over ``epochs * steps_per_epoch`` steps
    (the full profile's schedule, see :mod:`rnnbook.profiles`); ``"plateau"`` starts constant and
    :func:`train` halves it whenever the validation loss stalls (the real-data recipe,
    :data:`rnnbook.frames.REAL_FIT`).
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
    metrics = [last_time_step_mse] if spec.train_target == "seq2seq" else []
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="mse", metrics=metrics)
    return model


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
    **hparams,
) -> TrainResult:
    """Build, train and evaluate the registered model ``name``.

    Args:
        name: a registry name (see ``rnnbook models``).
        dataset: a :class:`rnnbook.data.Dataset` whose targets fit the model; by default the profile's
            synthetic data with the model's targets.
        profile: ``"full"`` (the book's), ``"quick"`` (unit tests), a :class:`~rnnbook.profiles.Profile`
            or ``None`` (``$RNNBOOK_PROFILE``, else ``"full"``).
        seed: seeds the data and the weights (default: the profile's seed, 42): another seed repeats
            the whole experiment, data included.
        epochs, batch_size, learning_rate: override the profile's per-model settings
            (:func:`rnnbook.profiles.fit_settings`), the model's ``fit_defaults`` and the profile. Without
            an explicit ``learning_rate``: the ``full`` profile's 0.01 for every model, else the model's
            ``fit_defaults``.
        horizon: steps ahead (default: the model's).
        progress: show one progress bar over the epochs.
        schedule: ``"constant"``, ``"cosine"`` or ``None`` (the profile's schedule).
        callbacks: more Keras callbacks for ``fit`` (e.g. :class:`StopWhen`).
        cache: use the trained-model cache (:mod:`rnnbook.model_cache`): a model already trained with
            the same code, backend, hyper-parameters, fit settings, seed and data is loaded instead of
            trained again, with the same scores. ``None`` (default): on unless ``RNNBOOK_MODEL_CACHE=0``
            or ``RNNBOOK_CACHE=0``; ``False``: neither read nor write it.
        **hparams: passed to the builder.

    Returns:
        A :class:`TrainResult`.
    """
    profile = profile if isinstance(profile, Profile) else get_profile(profile)
    seed = profile.seed if seed is None else int(seed)
    spec = get_spec(name)
    if horizon is not None:
        horizon = check_positive_int("horizon", horizon)
    if dataset is not None and spec.kind != "iterative":
        # Name a mismatch before training, not as a broadcasting error from inside Keras. A one-step
        # Keras model may also learn vector targets: its builder takes `horizon` (seq2vec); so may a
        # forecaster (ARMA forecasts any number of steps).
        widened = (
            spec.train_target == "one_step"
            and spec.kind in ("keras", "forecaster")
            and dataset.target == "vector"
        )
        if dataset.target != spec.train_target and not widened:
            raise ValueError(
                f"{name!r} trains on {spec.train_target!r} targets, but the dataset has "
                f"{dataset.target!r} targets; make it with target={spec.train_target!r}."
            )
        if horizon is not None and dataset.target != "one_step" and horizon != dataset.horizon:
            raise ValueError(f"horizon={horizon} does not match the dataset's horizon {dataset.horizon}.")
        if dataset.target != "one_step":
            horizon = dataset.horizon
    horizon = spec.horizon if horizon is None else horizon
    from rnnbook.profiles import fit_settings

    settings = fit_settings(profile, spec.fit_defaults)
    if dataset is not None and dataset.fit is not None:
        # A data set that asks for its own recipe (a user's table: rnnbook.frames.REAL_FIT) gets it,
        # every model alike; the synthetic data sets ask for none, so the book's recipe never moves.
        settings = {**settings, **dataset.fit}
    if (
        dataset is not None
        and dataset.units is not None
        and "season" not in hparams
        and _takes(spec.builder, "season")
    ):
        hparams["season"] = dataset.units.season  # seasonal models follow the data set's season
    # Several target columns (multitask): a model that takes `n_targets` (the baselines) is told; any
    # other forecasts `horizon * n_targets` values (its output width), target-major.
    width = horizon
    if dataset is not None and dataset.n_targets > 1:
        why = cannot_train_on(spec, dataset)
        if why is not None:
            raise ValueError(f"{name} cannot train on this data: {why}.")
        if _takes(spec.builder, "n_targets"):
            hparams.setdefault("n_targets", dataset.n_targets)
        else:
            width = horizon * dataset.n_targets
    # `is None`, not `or`: an explicit 0 is an error to report, not a request for the default.
    epochs = check_positive_int("epochs", settings["epochs"] if epochs is None else epochs)
    batch_size = check_positive_int(
        "batch_size", settings["batch_size"] if batch_size is None else batch_size
    )
    lr = check_positive_float(
        "learning_rate", settings["learning_rate"] if learning_rate is None else learning_rate
    )
    schedule = schedule or settings["schedule"]
    patience = settings["patience"]
    eval_batch_size = settings["eval_batch_size"]

    train_ds = dataset if dataset is not None else dataset_for(spec, profile, horizon, seed, hparams=hparams)
    eval_ds = train_ds
    if spec.kind == "iterative":
        if dataset is not None and dataset.target != "one_step":
            raise ValueError(f"{name!r} is trained on one-step targets; got a {dataset.target!r} dataset.")
        # Scored on vector targets: the caller's series cut anew, or the profile's data for that horizon
        # (the chapter draws its ten-step series separately from its one-step ones).
        eval_ds = (
            dataset_for(spec, profile, horizon, seed, target="vector")
            if dataset is None
            else train_ds.retarget(horizon, "vector")
        )

    fit = {
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": lr,
        "schedule": schedule,
        "patience": patience,
        "min_delta": settings["min_delta"] if patience else None,
        "eval_batch_size": eval_batch_size,
    }
    # Not cached: forecaster objects (ARMA fits in seconds and is no Keras model), and runs with
    # callbacks of the caller's, which may change the training in ways no key can describe.
    cacheable = spec.kind != "forecaster" and all(isinstance(c, _Stop) for c in callbacks or ())
    cache_root = model_cache.directory(cache) if cacheable else None
    if cache_root is not None:
        key = model_cache.make_key(
            {
                "code": model_cache.code_fingerprint(),
                **model_cache.backend_fields(),
                "model": name,
                "builder": model_cache.builder_fingerprint(spec.builder),
                "source": spec.source,
                "kind": spec.kind,
                "target": spec.target,
                "hparams": hparams,
                "horizon": horizon,
                "seed": seed,
                **fit,
                "data": model_cache.fingerprint(
                    *(a for _, X, y in train_ds.splits() for a in (X, y)),
                    *(a for _, X, y in eval_ds.splits() for a in (X, y)),
                ),
                "targets": [train_ds.target, eval_ds.target],
            }
        )
        hit = model_cache.load(cache_root, key, _RECORDED)
        if hit is not None:
            model, record = hit
            if spec.kind == "iterative" and record["epochs"]:
                # As after a miss: the one-step model inside is compiled by the recipe.
                compile_model(
                    model.step_model,
                    spec,
                    lr,
                    int(np.ceil(len(train_ds.X_train) / batch_size)),
                    epochs,
                    schedule,
                )
            return TrainResult(
                name=name,
                spec=spec,
                model=model,
                horizon=horizon,
                dataset=eval_ds,
                batch_size=batch_size,
                learning_rate=lr,
                schedule=schedule,
                cached=True,
                scores=_unit_scores(model, eval_ds, eval_batch_size or 1000),
                **{k: record[k] for k in _RECORDED},
            )

    enable_compile_cache()
    set_seed(seed)
    model = build_model(
        name, n_steps=train_ds.n_steps, n_features=train_ds.n_features, horizon=width, **hparams
    )
    history: dict = {}
    epoch_seconds: list[float] = []
    start = time.perf_counter()
    if spec.kind == "forecaster":
        model.fit(train_ds.X_train, train_ds.y_train)
    else:
        fit_model = model.step_model if spec.kind == "iterative" else model
        # A model without trainable weights (the naive forecast) has nothing to fit.
        if fit_model.trainable_weights:
            steps = int(np.ceil(len(train_ds.X_train) / batch_size))
            compile_model(fit_model, spec, lr, steps, epochs, schedule)
            callbacks = (
                [_EpochTimer(epoch_seconds)]
                + ([_EpochBar(epochs)] if progress else [])
                + list(callbacks or [])
            )
            import keras

            if patience:
                callbacks.append(
                    keras.callbacks.EarlyStopping(
                        patience=patience, min_delta=settings["min_delta"], restore_best_weights=True
                    )
                )
            if schedule == "plateau":
                callbacks.append(
                    keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=3, min_lr=lr / 64, verbose=0)
                )
            h = fit_model.fit(
                train_ds.X_train,
                train_ds.y_train,
                epochs=epochs,
                batch_size=batch_size,
                validation_data=(train_ds.X_valid, train_ds.y_valid),
                verbose=0,
                callbacks=callbacks,
                shuffle=True,
                validation_batch_size=eval_batch_size or batch_size,
            )
            history = {k: [float(v) for v in vals] for k, vals in h.history.items()}
    fit_seconds = time.perf_counter() - start

    score_batch = eval_batch_size or 1000
    val_mse = forecast_mse(eval_ds.y_valid, predict(model, eval_ds.X_valid, score_batch), eval_ds.target)
    test_mse = forecast_mse(eval_ds.y_test, predict(model, eval_ds.X_test, score_batch), eval_ds.target)
    result = TrainResult(
        name=name,
        spec=spec,
        model=model,
        horizon=horizon,
        val_mse=val_mse,
        test_mse=test_mse,
        params=int(model.count_params()),
        fit_seconds=fit_seconds,
        epochs=len(history.get("loss", [])),
        history=history,
        dataset=eval_ds,
        batch_size=batch_size,
        learning_rate=lr,
        schedule=schedule,
        epoch_seconds=epoch_seconds,
        scores=_unit_scores(model, eval_ds, score_batch),
    )
    # A run stopped from outside (Ctrl-C in the leaderboard) is not the model the key describes.
    stopped = any(getattr(c, "stopped", False) for c in callbacks or ())
    if cache_root is not None and not stopped:
        model_cache.store(cache_root, key, model, {k: getattr(result, k) for k in _RECORDED})
    return result


# What a cache entry records besides the model: everything a hit must return as the miss did.
_RECORDED = ("val_mse", "test_mse", "params", "fit_seconds", "epochs", "history", "epoch_seconds")


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
        split: forecast_scores(y, predict(model, X, batch_size), ds.units, ds.target)
        for split, X, y in ds.splits()[1:]
    }


def predict(model, X, batch_size: int = 1000) -> np.ndarray:
    """Forecast with a Keras model or a forecaster object, as a NumPy array."""
    if hasattr(model, "predict") and hasattr(model, "compile"):
        return np.asarray(model.predict(X, batch_size=batch_size, verbose=0))
    return np.asarray(model.predict(X))

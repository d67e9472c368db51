"""Backtests: every model refitted at several rolling origins, its errors reported with their spread.

One validation window ranks models by luck as much as by skill. A **backtest** (statsforecast's
``cross_validation``, sktime's ``evaluate``, darts' ``backtest``) repeats the experiment at ``n_origins``
**origins**, ``spacing`` steps apart, the last one ending with the series:

* at each origin the model is trained anew on the past only: the table is cut at the end of the
  origin's test block, its training period (scaled by its own mean and standard deviation) ends
  before the validation period, which ends ``n_steps`` steps before the origin
  (:func:`rnnbook.frames.frame_dataset` windows each period on its own);
* the model then forecasts every window whose forecast starts in the ``spacing`` steps from the origin
  (the test block), ``horizon`` steps ahead, and is scored per step ahead, in the user's units;
* the **history** each origin trains on is ``"expanding"`` (all the past) or ``"sliding"`` (as long as
  the first origin's);
* the validation period (``spacing`` windows) stops the networks' training and calibrates the
  conformal prediction intervals (:mod:`rnnbook.intervals`), whose coverage is measured on the test
  block.

:func:`run_backtest` returns a :class:`Backtest`: ``rows``, one per model, seed, origin and step ahead
(like statsforecast's ``cross_validation`` output, with the metrics), and :meth:`Backtest.summary`, the
mean and standard deviation over the origins of every metric, per model and step.

Used in: ``rnnbook leaderboard --csv --backtest K``, book/09_real_series.

Example:

>>> import pandas as pd
>>> days = pd.date_range("2024-01-01", periods=120, freq="D")
>>> frame = pd.DataFrame({"y": np.arange(120.0) % 7 * 10 + np.arange(120.0)}, index=days)
>>> bt = run_backtest(frame, "y", ["seasonal_naive"], n_steps=14, horizon=2, n_origins=3, spacing=5)
>>> len(bt.rows), sorted({r["origin"] for r in bt.rows})[0]
(6, '2024-04-14')
>>> float(round(bt.summary().loc[("seasonal_naive", "all"), "mae_mean"], 6))   # a trend of 1 a day: 7 a week
7.0
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnbook._checks import check_choice, check_positive_int
from rnnbook.frames import frame_dataset, table_dates
from rnnbook.intervals import LEVELS, check_levels, conformal_half_widths, interval_coverage
from rnnbook.registry import get_spec
from rnnbook.seasons import infer_season
from rnnbook.training import StopWhen, predict, train

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: pandas and
# rnnbook.metrics (which imports Keras).

#: How much of the past each origin trains on (``history=``, ``--history``).
HISTORIES = ("expanding", "sliding")
#: The metrics of every backtest row, in the user's units.
METRICS = ("mae", "mse", "mape", "mase")


@dataclasses.dataclass(frozen=True)
class Origin:
    """One origin's cut of the table, as row positions: train ``[start, valid)``, validation
    ``[valid, test)``, test block ``[test, end)`` (its forecasts start at ``origin = test + n_steps``)."""

    start: int
    valid: int
    test: int
    origin: int
    end: int


def plan_origins(
    n_rows: int, *, n_steps: int, horizon: int, n_origins: int, spacing: int, history: str = "expanding"
) -> list[Origin]:
    """The ``n_origins`` cuts of a table of ``n_rows`` rows, the last test block ending with the table.

    Example:

    >>> [o.origin for o in plan_origins(100, n_steps=10, horizon=1, n_origins=3, spacing=5)]
    [85, 90, 95]
    """
    n_origins = check_positive_int("n_origins", n_origins)
    spacing = check_positive_int("spacing", spacing)
    check_choice("history", history, HISTORIES)
    origins = []
    for k in range(n_origins):
        origin = n_rows - horizon + 1 - (n_origins - k) * spacing
        test = origin - n_steps
        valid = test - (n_steps + horizon - 1 + spacing)  # `spacing` validation windows
        origins.append(Origin(0, valid, test, origin, origin + spacing + horizon - 1))
    first = origins[0]
    if first.valid < n_steps + horizon + 1:
        raise ValueError(
            f"A backtest of {n_origins} origins {spacing} steps apart leaves {max(first.valid, 0)} "
            f"training steps before the first origin, fewer than n_steps + horizon + 1 = "
            f"{n_steps + horizon + 1}: use fewer origins, a smaller spacing or shorter windows."
        )
    if history == "sliding":
        length = first.valid
        origins = [dataclasses.replace(o, start=o.valid - length) for o in origins]
    return origins


def train_model(name: str, dataset, seed: int, callbacks=()):
    """Train ``name`` on one origin's data set: the one call into :func:`rnnbook.training.train`
    (``callbacks``: Keras callbacks, such as :class:`~rnnbook.training.StopWhen`).

    Returns the :class:`~rnnbook.training.TrainResult`; its ``dataset`` holds the targets the model
    forecasts (one window per row).
    """

    return train(name, dataset, **_train_options(dataset, seed), callbacks=list(callbacks))


def _train_options(dataset, seed: int) -> dict:
    """What every origin's training is given besides the model and its data set. The trained-model
    cache is on as everywhere (its key holds every array of the origin's data), so a backtest run again
    reads each run back instead of training it."""
    # the plan gives each model the targets it learns
    return {"retarget": True, "horizon": dataset.horizon, "seed": seed, "progress": False}


def _prefill(origins, specs, seeds, workers, failed) -> None:
    """Train every network run of the backtest in worker processes first (:mod:`rnnbook.parallel`);
    the loop then reads each from the trained-model cache, with the numbers of a run here. A model in
    ``failed`` is left out; a run that fails in a worker fails again in the loop, which reports it."""
    from rnnbook import parallel

    jobs = [
        (name, {"dataset": ds, **_train_options(ds, seed)})
        for _, _, ds in origins
        for name, spec in specs.items()
        if spec.kind != "forecaster" and name not in failed
        for seed in seeds
    ]
    parallel.prefill(jobs, workers, warn=False)


def _forecasts(result, split: str):
    """``(truth, forecast)`` of a split, ``(windows, horizon)``, in the user's units."""
    from rnnbook.metrics import invert_targets

    ds = result.dataset
    X, y = {"valid": (ds.X_valid, ds.y_valid), "test": (ds.X_test, ds.y_test)}[split]
    forecast = predict(result.model, X)
    if ds.layout == "seq2seq":  # the last time step's forecast, as every metric counts it
        y, forecast = y[:, -1], forecast[:, -1]
    return invert_targets(y, ds.units), ds.units.invert(forecast)  # a zero target stays exactly 0


@dataclasses.dataclass
class Backtest:
    """What :func:`run_backtest` returns: ``rows`` (one per model, seed, origin and step ahead, with
    every metric and the intervals' coverage), the levels, and ``forecasts`` of the last origin's test
    block per model (``{"dates", "truth", "forecast", "lower"/"upper": {level: array}}``, first seed)."""

    rows: list
    levels: tuple
    forecasts: dict = dataclasses.field(default_factory=dict, repr=False)

    def summary(self):
        """Mean and standard deviation over the origins (and seeds) of every metric and coverage, per
        model and step ahead, plus step ``"all"`` (each origin's metrics over every step), as a
        ``pandas.DataFrame`` indexed by ``(model, step)``."""
        import pandas as pd

        frame = pd.DataFrame(self.rows)
        values = [*METRICS, *(f"coverage_{level}" for level in self.levels)]
        overall = frame.groupby(["model", "seed", "origin"], sort=False)[values].mean().reset_index()
        overall["step"] = "all"
        both = pd.concat([frame.astype({"step": object}), overall], ignore_index=True)
        table = both.groupby(["model", "step"], sort=False)[values].agg(["mean", "std"])
        table.columns = [f"{metric}_{stat}" for metric, stat in table.columns]
        table["origins"] = both.groupby(["model", "step"], sort=False)["origin"].nunique()
        return table

    def seed_scores(self, metric: str = "mae") -> dict:
        """``{model: [score per seed]}``: each seed's ``metric`` over every step ahead, averaged over the
        origins -- what :func:`rnnbook.compare.verdict` compares (a forecaster has one seed). A NaN
        (MAPE with a zero target) is kept, not skipped: the rule then refuses to compare.

        Example:

        >>> rows = [{"model": "m", "seed": s, "origin": o, "step": 1, "mae": s + o} for s in (1, 2)
        ...         for o in (0, 2)]
        >>> Backtest(rows, levels=()).seed_scores("mae")
        {'m': [2.0, 3.0]}
        """
        import pandas as pd

        check_choice("metric", metric, METRICS)
        frame = pd.DataFrame(self.rows)

        def mean(values):  # with any NaN kept
            return values.to_numpy().mean()

        per_origin = frame.groupby(["model", "seed", "origin"], sort=False)[metric].agg(mean)
        per_seed = per_origin.groupby(level=["model", "seed"], sort=False).agg(mean)
        return {model: [float(v) for v in per_seed[model]] for model in per_seed.index.unique("model")}


def run_backtest(
    frame,
    target_column,
    models,
    *,
    n_steps: int,
    horizon: int = 1,
    n_origins: int = 3,
    spacing: int | None = None,
    history: str = "expanding",
    seeds=(42,),
    levels=LEVELS,
    progress: bool = False,
    on_row=None,
    errors: dict | None = None,
    stop=None,
    workers: int | None = None,
    **frame_options,
) -> Backtest:
    """Backtest ``models`` on a table over ``n_origins`` rolling origins.

    Args:
        frame, target_column: the table and the column forecast (as for
            :func:`rnnbook.frames.frame_dataset`; one target column).
        models: registry names.
        n_steps, horizon: window length and steps ahead.
        n_origins: how many origins. Defaults to ``3``.
        spacing: steps between origins, also the length of each test block and validation period.
            Defaults to ``max(horizon, season)`` times 4 (four weeks of daily data).
        history: ``"expanding"`` (default: all the past) or ``"sliding"`` (as long as at the first origin).
        seeds: the seeds every network trains with at every origin (forecasters without randomness are
            fitted once per origin whatever the seeds).
        levels: prediction-interval levels in percent. Defaults to ``(80, 95)``.
        progress: print one line per model and origin.
        on_row: called with each row as soon as it is computed.
        errors: filled with ``{model: error}`` for a model that fails at some origin (it is then left
            out of the later origins and the others go on); ``None``: the failure raises.
        stop: a ``threading.Event``; once set, the network in training stops at its next batch and is
            dropped, nothing more starts, and the rows finished so far are returned
            (``rnnbook leaderboard --backtest`` sets it on Ctrl-C). With a ``stop`` event every run
            trains in this process, where the event reaches it.
        workers: without ``stop``, the networks' runs (every origin and seed) train first in this many
            worker processes (:func:`rnnbook.parallel.worker_count`: ``None`` is the usable cores, at
            most 4; ``1``: none), which store them in the trained-model cache; each is read back from
            there, with the numbers of a run here. Without the cache every run trains here.
        **frame_options: ``date_column``, ``inputs``, ``calendar``, ``categorical``, ``known_future``
            (each origin's last windows read the known-future values of its own test block), ``season``,
            ``freq``, ``scale``, ``name`` (``split``, ``fractions`` and ``fill`` are the backtest's own).

    Returns:
        A :class:`Backtest`.
    """

    levels = check_levels(levels)
    callbacks = [StopWhen(stop)] if stop is not None else []
    for key in ("split", "fractions", "fill", "layout", "target"):
        if frame_options.get(key) is not None:
            raise ValueError(
                f"A backtest chooses its own periods and target layout: `{key}` cannot be given "
                "(fill the table's gaps before backtesting)."
            )
        frame_options.pop(key, None)
    if isinstance(target_column, (list, tuple)):
        raise ValueError("A backtest forecasts one target column; got several.")
    seeds = tuple(check_positive_int("seed", s, minimum=0) for s in seeds)
    if not seeds:
        raise ValueError("Received an empty `seeds`; expected at least one seed.")
    specs = {name: get_spec(name) for name in models}  # unknown names fail before anything trains
    season = frame_options.get("season")
    if season is None:  # as frame_dataset would infer it, once for every origin
        season = infer_season(_row_dates(frame, frame_options.get("date_column"))).period
    frame_options["season"] = season
    if spacing is None:
        spacing = 4 * max(horizon, season)
    cuts = plan_origins(
        len(frame), n_steps=n_steps, horizon=horizon, n_origins=n_origins, spacing=spacing, history=history
    )
    result = Backtest(rows=[], levels=levels)
    origins = list(origin_datasets(frame, target_column, cuts, n_steps, horizon, frame_options))
    if stop is None:  # with a stop event (the CLI's Ctrl-C), each run trains here, where the event is
        _prefill(origins, specs, seeds, workers, errors or {})
    for origin, cut, ds in origins:
        for name, spec in specs.items():
            for seed in seeds if spec.kind != "forecaster" else seeds[:1]:
                if errors is not None and name in errors:
                    break
                if stop is not None and stop.is_set():
                    return _without_failed(result, errors)
                if progress:
                    print(f"backtest {name} origin {origin} seed {seed}", flush=True)
                try:
                    trained = train_model(name, ds, seed, callbacks)
                    if stop is not None and stop.is_set():  # stopped part-way: not a result
                        return _without_failed(result, errors)
                    rows = _score(trained, name, seed, origin, levels)
                except Exception as exc:
                    if errors is None:
                        raise
                    errors[name] = f"{type(exc).__name__}: {exc}"
                    break
                for row in rows:
                    row["fit_seconds"] = trained.fit_seconds
                    result.rows.append(row)
                    if on_row is not None:
                        on_row(row)
                if cut is cuts[-1] and name not in result.forecasts:
                    result.forecasts[name] = _last_block(trained, levels)
    return _without_failed(result, errors)


def _without_failed(result: Backtest, errors) -> Backtest:
    """``result`` without the rows of a model that failed at some origin: it has no backtest."""
    if errors:
        result.rows = [r for r in result.rows if r["model"] not in errors]
    return result


def origin_datasets(frame, target_column, cuts, n_steps, horizon, frame_options):
    """Yield ``(origin date, cut, data set)`` per origin: the table cut at the end of the origin's test
    block, its periods split at the cut's dates, scaled by its own training period."""

    dates = _row_dates(frame, frame_options.get("date_column"))
    layout = "one_step" if horizon == 1 else "vector"
    for cut in cuts:
        part = frame.iloc[cut.start : cut.end]
        split = (dates[cut.valid], dates[cut.test])
        ds = frame_dataset(
            part, target_column, n_steps=n_steps, horizon=horizon, layout=layout, split=split, **frame_options
        )
        yield _origin_label(dates, cut.origin), cut, ds


def _row_dates(frame, date_column):
    """The table's dates as the table reader parses them (UTC after a change of offset)."""

    return table_dates(frame, date_column)


def _origin_label(dates, position: int) -> str:
    """An origin's name: its date, or its date and time where the steps are shorter than a day."""
    stamp = dates[position]
    return str(stamp.date()) if (dates == dates.normalize()).all() else stamp.isoformat()


def _score(trained, name, seed, origin, levels) -> list[dict]:
    """One row per step ahead: the test block's metrics and the intervals' coverage."""
    from rnnbook.metrics import mape

    units = trained.dataset.units
    truth, forecast = _forecasts(trained, "test")
    valid_truth, valid_forecast = _forecasts(trained, "valid")
    widths = conformal_half_widths(valid_truth - valid_forecast, levels)
    rows = []
    for k in range(truth.shape[1]):
        t, f = truth[:, k], forecast[:, k]
        errors = np.abs(t - f)
        row = {
            "model": name,
            "seed": seed,
            "origin": origin,
            "step": k + 1,
            "windows": len(t),
            "mae": float(errors.mean()),
            "mse": float(np.mean(errors**2)),
            "mape": mape(t, f),
            "mase": float(errors.mean() / units.naive_mae) if units.naive_mae > 0 else float("nan"),
        }
        step_widths = {level: w[k : k + 1] for level, w in widths.items()}
        for level, c in interval_coverage(t[:, None], f[:, None], step_widths).items():
            row[f"coverage_{level}"] = c["coverage"]
            row[f"width_{level}"] = c["mean_width"]
        rows.append(row)
    return rows


def _last_block(trained, levels) -> dict:
    """The last origin's test forecasts, with their intervals: what the report draws."""
    truth, forecast = _forecasts(trained, "test")
    valid_truth, valid_forecast = _forecasts(trained, "valid")
    widths = conformal_half_widths(valid_truth - valid_forecast, levels)
    return {
        "dates": list(trained.dataset.dates["test"]),
        "truth": truth,
        "forecast": forecast,
        "lower": {level: forecast - w[None] for level, w in widths.items()},
        "upper": {level: forecast + w[None] for level, w in widths.items()},
    }

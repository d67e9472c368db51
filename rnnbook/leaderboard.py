"""Every registered model -- built-ins and plugins -- trained and scored on the same split.

Used in: book/08_leaderboard and ``rnnbook leaderboard``.

Example:

>>> from rnnbook.leaderboard import run_leaderboard, format_table
>>> rows = run_leaderboard(["naive_last_value", "linear"], profile="quick")   # doctest: +SKIP
>>> print(format_table(rows))                                                 # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
import warnings
from pathlib import Path

from rnnbook._checks import check_choice, check_positive_int, prove_writable
from rnnbook._files import write_atomically
from rnnbook.compare import MIN_SEEDS, RULE, can_compare, verdict
from rnnbook.profiles import get_profile
from rnnbook.registry import PluginWarning, get_spec, list_models
from rnnbook.training import StopWhen, cannot_train_on, train

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: pandas.

COLUMNS = ("model", "horizon", "val_mse", "test_mse", "params", "fit_seconds")
#: Models that are the same model one step ahead (horizon 1): the second is trained as the first and
#: shown in its row (``"same_as"``). A vector model of width 1 is its one-step twin; an iterative model
#: fed its forecast once is the one-step model inside it; the naive forecast repeated once is itself.
SAME_AT_HORIZON_1 = {
    "linear_n_steps": "linear",
    "deep_rnn_dense": "seq2vec_rnn",
    "iterative_deep_rnn": "deep_rnn",
    "naive_n_steps": "naive_last_value",
}


def merge_same_models(names, horizon: int) -> tuple[list, dict]:
    """``(names to train, {kept: [same models left out]})``: at horizon 1 each pair of
    :data:`SAME_AT_HORIZON_1` both in ``names`` is trained once, under the first name.

    Example:

    >>> merge_same_models(["linear", "linear_n_steps", "deep_rnn"], horizon=1)
    (['linear', 'deep_rnn'], {'linear': ['linear_n_steps']})
    """
    names = list(names)
    if horizon != 1:
        return names, {}
    same = {}
    for twin, kept in SAME_AT_HORIZON_1.items():
        if twin in names and kept in names:
            names.remove(twin)
            same.setdefault(kept, []).append(twin)
    return names, same


#: The metrics a leaderboard on a user's series can be sorted by (``--metric``).
METRICS = ("mse", "mae", "mape", "mase")


def run_leaderboard(
    models=None,
    profile=None,
    seed: int | None = None,
    progress: bool = True,
    errors: dict | None = None,
    *,
    on_row=None,
    stop=None,
    keep_going: bool = False,
    dataset=None,
    metric: str = "mse",
    skipped: dict | None = None,
    n_seeds: int = 1,
    workers: int | None = None,
) -> list[dict]:
    """Train and score ``models`` (default: every registered model that loads) on the profile's data,
    or on ``dataset`` (a user's series, :mod:`rnnbook.frames`): every model is then trained on the same
    table, cut for its targets (``train(..., retarget=True)``), with the real-data recipe the training
    plan picks for it, and scored in the user's units.

    A model that fails (a broken plugin, say) becomes a :class:`~rnnbook.registry.PluginWarning` and an
    entry in ``errors`` (if given) -- the other rows are still computed. Unknown names raise
    ``ValueError`` before anything trains; a name given twice is trained once, in its first place.

    Args:
        progress: print one line per model, and its training progress (see ``training.train``); a run
            trained in a worker (see ``workers``) shows no progress, and its line comes once it is done.
        on_row: called with each row as soon as its model is scored (``rnnbook leaderboard`` writes
            the JSON file there, so a finished row survives an interruption).
        stop: a ``threading.Event``; once set, the model in training stops at its next batch, is
            dropped, and no further model starts.
        keep_going: record a failing *built-in* model in ``errors`` too and go on (by default a
            built-in's failure is a bug and raises; a plugin's is always recorded).

        dataset: a :class:`rnnbook.data.Dataset` to train every model on, forecasting its horizon.
        metric: what rows are sorted by on the validation set: ``"mse"``, or with a data set that has
            units ``"mae"``, ``"mape"`` or ``"mase"``.
        skipped: filled with ``{name: why}`` for the models that structurally cannot train on
            ``dataset`` (:func:`rnnbook.training.cannot_train_on`, e.g. an iterative model on several
            input features): with ``models=None`` they are skipped; a model named in ``models``
            that cannot is an error like any failure.
        n_seeds: train each network with seeds ``seed, seed + 1, ...`` (``seed`` default 42) and
            report the mean over them (:func:`combine_seeds`); a forecaster is fitted once. Defaults
            to ``1``.
        workers: without ``stop``, every run the trained-model cache lacks trains first in this many
            worker processes (:func:`rnnbook.parallel.worker_count`: ``None`` is the usable cores, at
            most 4; ``1``: none), and is read back from the cache, with the numbers of a run here.
            With a ``stop`` event, or without the cache, every run trains here, one after the other.

    Returns:
        Rows ``{"model", "horizon", "val_mse", "test_mse", "params", "fit_seconds"}`` (plus
        ``val_``/``test_`` ``mae``, ``mape`` and ``mase`` in the user's units for a data set with units;
        for several target columns one row per model and target, with its ``"target"``) sorted by
        horizon, then target, then the validation ``metric``.
    """

    n_seeds = check_positive_int("n_seeds", n_seeds)
    check_choice("metric", metric, METRICS if dataset is not None and dataset.units is not None else ("mse",))

    profile = get_profile(profile) if not hasattr(profile, "n_series") else profile
    # One base for any number of seeds: the profile's seed unless one is given (the shipped ones: 42).
    seeds = [seed] if n_seeds == 1 else [(profile.seed if seed is None else seed) + k for k in range(n_seeds)]
    if models is None:
        names = [s.name for s in list_models(include_broken=False)]
        broken = {s.name: s.error for s in list_models() if not s.ok}
    else:
        names, broken = list(dict.fromkeys(models)), {}  # a name given twice trains once
        for name in names:  # fail fast on a typo, before minutes of training
            get_spec(name)
    callbacks = [StopWhen(stop)] if stop is not None else []
    if errors is None:
        errors = {}
    if skipped is None:
        skipped = {}
    errors.update(broken)  # as they happen, so a caller that stops early still has them
    unfit = {}
    if dataset is not None:
        unfit = {n: why for n in names if (why := cannot_train_on(get_spec(n), dataset)) is not None}
    if models is None and unfit:  # not asked for by name: left out, saying why
        names = [n for n in names if n not in unfit]
        skipped.update(unfit)
        unfit = {}
    same = {}
    if dataset is not None and dataset.n_targets == 1:  # every model at the data set's horizon
        names, same = merge_same_models(names, dataset.horizon)
    if stop is None:  # with a stop event (the CLI's Ctrl-C), each model trains here, where the event is
        _prefill([n for n in names if n not in unfit and n not in errors], seeds, profile, dataset, workers)
    rows = []
    for i, name in enumerate(names, 1):
        if stop is not None and stop.is_set():
            break
        if progress:
            print(f"[{i}/{len(names)}] {name}", flush=True)
        try:
            if name in unfit:  # named by the user: an error, said plainly, without training
                raise ValueError(f"{name} cannot train on this data: {unfit[name]}.")
            results = []
            for one_seed in seeds if get_spec(name).kind != "forecaster" else seeds[:1]:
                if stop is not None and stop.is_set():
                    break
                options = _train_options(profile, one_seed, dataset)
                results.append(train(name, **options, progress=progress, callbacks=callbacks))
        except Exception as exc:
            if get_spec(name).source == "builtin" and not keep_going:
                raise
            errors[name] = f"{type(exc).__name__}: {exc}"
            warnings.warn(
                f"Model {name!r} failed on the leaderboard: {errors[name]}", PluginWarning, stacklevel=2
            )
            continue
        if stop is not None and stop.is_set():
            break  # stopped part-way: not a result
        seed_rows = [result.rows() for result in results]  # one per target column for a multitask data set
        used = seeds if len(results) > 1 else seeds[:1]
        for row in combine_seeds(seed_rows, used) if len(results) > 1 else seed_rows[0]:
            if name in same:
                row["same_as"] = same[name]
            rows.append(row)
            if on_row is not None:
                on_row(row)
    return sort_rows(rows, metric)


def _train_options(profile, seed, dataset) -> dict:
    """What the board gives each run's ``train`` besides the model, its progress and callbacks: one
    place, so the workers' runs and the loop's have the same cache key."""
    if dataset is None:
        return {"profile": profile, "seed": seed}
    # each model's own targets, cut from the data set
    return {"dataset": dataset, "profile": profile, "seed": seed, "retarget": True}


def _prefill(names, seeds, profile, dataset, workers) -> None:
    """Train every run of the board in worker processes first (:mod:`rnnbook.parallel`); the loop then
    reads each from the trained-model cache, with the numbers of a run here. A run that fails in a
    worker fails again in the loop, which reports it."""
    from rnnbook import parallel

    jobs = [
        (name, {**_train_options(profile, one_seed, dataset), "progress": False})
        for name in names
        for one_seed in (seeds if get_spec(name).kind != "forecaster" else seeds[:1])
    ]
    parallel.prefill(jobs, workers, warn=False)


def combine_seeds(seed_rows: list[list[dict]], seeds) -> list[dict]:
    """One model's rows trained with several seeds (``seed_rows[i]``: seed ``seeds[i]``'s rows, one per
    target column) as one row per target column: every metric and the fit time averaged over the
    seeds, each metric's standard deviation (``"val_mae_std"``...), the ``"seeds"`` and each seed's
    metrics (``"per_seed"``), which :func:`sort_rows` compares by :func:`rnnbook.compare.verdict`.

    Example:

    >>> rows = [[{"model": "m", "horizon": 1, "val_mae": v, "fit_seconds": 1.0}] for v in (1.0, 2.0, 3.0)]
    >>> row = combine_seeds(rows, [42, 43, 44])[0]
    >>> row["val_mae"], row["val_mae_std"], row["per_seed"]["val_mae"]
    (2.0, 1.0, [1.0, 2.0, 3.0])
    """
    import numpy as np

    combined = []
    for j, first in enumerate(seed_rows[0]):
        row = dict(first)
        per_seed = {}
        for key in first:
            if key.startswith(("val_", "test_")):
                values = [float(rows[j][key]) for rows in seed_rows]
                per_seed[key] = values
                row[key] = float(np.mean(values))
                row[f"{key}_std"] = float(np.std(values, ddof=1))
        row["fit_seconds"] = float(np.mean([rows[j]["fit_seconds"] for rows in seed_rows]))
        row["seeds"] = list(seeds)
        row["per_seed"] = per_seed
        combined.append(row)
    return combined


def sort_rows(rows: list[dict], metric: str = "mse") -> list[dict]:
    """Rows by horizon, then target column (multitask: in the data set's order), then validation
    ``metric`` (a NaN -- MAPE with a zero target -- last). Where rows were trained with several seeds
    (:func:`combine_seeds`), each row also gets ``"indistinguishable_from"``: the row ranked just above
    it (same horizon and target) when the one comparison rule cannot tell the two apart by each seed's
    validation ``metric`` (:func:`indistinguishable_from`), else ``None``."""
    targets = list(dict.fromkeys(r.get("target") for r in rows))

    def key(r):
        value = r[f"val_{metric}"]
        return (r["horizon"], targets.index(r.get("target")), value != value, value)

    rows = sorted(rows, key=key)
    if any("per_seed" in r for r in rows):
        for group in {(r["horizon"], r.get("target")) for r in rows}:
            ranked = [r for r in rows if (r["horizon"], r.get("target")) == group]
            scores = {
                _label(r): r.get("per_seed", {}).get(f"val_{metric}", [r[f"val_{metric}"]]) for r in ranked
            }
            marks = indistinguishable_from([_label(r) for r in ranked], scores)
            for r in ranked:
                r["indistinguishable_from"] = marks.get(_label(r))
    return rows


def format_table(rows: list[dict], metric: str = "mae") -> str:
    """A plain-text table of leaderboard rows (what ``rnnbook leaderboard`` prints); rows with metrics
    in the user's units (a user's series) show MAE, MAPE and MASE too, and rows of several target
    columns (multitask: one row per model and target) the target's name. Rows trained with several
    seeds (:func:`combine_seeds`) show the MAEs' mean ± standard deviation, the seeds, and "≈" where
    a model is indistinguishable from the one above it by validation ``metric`` (:func:`sort_rows`),
    with the rule in a footnote."""
    if rows and "val_mae" in rows[0]:
        return _format_user_table(rows, metric)
    header = f"{'model':<26} {'horizon':>7} {'val_mse':>10} {'test_mse':>10} {'params':>8} {'fit_s':>7}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['model']:<26} {r['horizon']:>7d} {r['val_mse']:>10.6f} {r['test_mse']:>10.6f} "
            f"{r['params']:>8d} {r['fit_seconds']:>7.1f}"
        )
    return "\n".join(lines)


def _format_user_table(rows: list[dict], metric: str) -> str:
    """:func:`format_table` for rows in the user's units; rows trained with several seeds
    (:func:`combine_seeds`) show the MAEs' mean ± spread, the seeds and the "≈" marks."""
    seeded = any("per_seed" in r for r in rows)
    width = max([len(str(r.get("target", ""))) for r in rows] + [6])
    target = (lambda r: f"{str(r['target']):<{width}} ") if "target" in rows[0] else (lambda r: "")

    def mae(r, key):  # a forecaster, fitted once, has no spread
        if not seeded:
            return f"{r[key]:>11.4g}"
        return f"{r[key]:>10.4g} " + (f"±{r[f'{key}_std']:>8.3g}" if f"{key}_std" in r else " " * 9)

    maes = (
        f"{'val_mae mean±std':>20} {'test_mae mean±std':>20}"
        if seeded
        else f"{'val_mae':>11} {'test_mae':>11}"
    )
    header = (
        f"{'model':<26} {target({'target': 'target'})}{'horizon':>7} {maes} "
        f"{'test_mape%':>10} {'test_mase':>9} {'params':>8} {'fit_s':>7}"
        + (f" {'seeds':>5} ≈" if seeded else "")
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        seeds = f" {len(r.get('seeds', [0])):>5} {'≈' if r.get('indistinguishable_from') else ' '}"
        lines.append(
            f"{_label(r):<26} {target(r)}{r['horizon']:>7d} {mae(r, 'val_mae')} {mae(r, 'test_mae')} "
            f"{r['test_mape']:>10.3f} {r['test_mase']:>9.3f} {r['params']:>8d} {r['fit_seconds']:>7.1f}"
            + (seeds.rstrip() if seeded else "")
        )
    if seeded:
        lines.append(
            f"≈ indistinguishable from the model above it (validation {metric} of each seed), by {RULE}; "
            f"models with fewer than {MIN_SEEDS} seeds (forecasters are fitted once) are not compared."
        )
    return "\n".join(lines)


def _label(row: dict) -> str:
    """``linear = linear_n_steps`` for a row that stands for several same models."""
    return " = ".join([row["model"], *row.get("same_as", ())])


def indistinguishable_from(ranked, scores: dict, lower_is_better: bool = True) -> dict:
    """``{model: the model ranked just above it}`` for every model that the one comparison rule
    (:func:`rnnbook.compare.verdict`) cannot tell apart from the model ranked just above it.

    A pair is compared only when both models have scores over at least
    :data:`~rnnbook.compare.MIN_SEEDS` seeds, none NaN (a forecaster, fitted once, has one).

    Args:
        ranked: the model names, best first.
        scores: ``{model: [score per seed]}`` (:meth:`rnnbook.backtest.Backtest.seed_scores`).
        lower_is_better: ``True`` (default) for an error such as the MAE.

    Example:

    >>> scores = {"gru": [1.0, 1.1, 1.2], "rnn": [1.15, 1.3, 1.4], "naive": [2.0], "lin": [2.5, 2.6, 2.7]}
    >>> indistinguishable_from(["gru", "rnn", "naive", "lin"], scores)
    {'rnn': 'gru'}
    """

    ranked = list(ranked)
    marks = {}
    for above, model in zip(ranked, ranked[1:]):
        a, b = scores.get(above, ()), scores.get(model, ())
        if can_compare(a) and can_compare(b):
            if verdict(a, b, lower_is_better, names=(above, model)).winner is None:
                marks[model] = above
    return marks


def mark_indistinguishable(table, scores: dict):
    """``table`` (ranked, indexed by model) with the columns ``seeds`` (how many seeds each model's
    scores have) and ``indistinguishable_from`` (:func:`indistinguishable_from`, else ``None``)."""
    import pandas as pd

    marks = indistinguishable_from(table.index, scores)
    table = table.copy()
    table["seeds"] = [len(scores.get(model, ())) for model in table.index]
    table["indistinguishable_from"] = pd.Series([marks.get(m) for m in table.index], table.index, object)
    return table


def format_backtest(summary, metric: str = "mae", levels=()) -> str:
    """The backtest table (what ``rnnbook leaderboard --backtest`` prints): per model, over every step
    ahead, the mean and standard deviation over the origins of MAE, ``metric``, MASE and the intervals'
    coverage, and the mean fit time; ``summary`` is :meth:`rnnbook.backtest.Backtest.summary` with a
    ``fit_seconds`` column, its rows already ranked. With the columns of :func:`mark_indistinguishable`
    it also shows each model's seeds and marks "≈" a model indistinguishable from the one above it,
    with the rule in a footnote when any model has enough seeds to be compared."""

    marked = "seeds" in summary.columns
    cover = "".join(f" {f'cover{level}%':>8}" for level in levels)
    shown = [m for m in dict.fromkeys(("mae", metric, "mase"))]
    seeds = f" {'seeds':>5} {'≈':>1}" if marked else ""
    header = (
        f"{'model':<40} "
        + " ".join(f"{m + ' mean±std':>21}" for m in shown)
        + cover
        + f" {'fit_s':>7}"
        + seeds
    )
    lines = [header, "-" * len(header)]
    for model, r in summary.iterrows():
        cells = " ".join(f"{r[f'{m}_mean']:>10.4g} ±{r[f'{m}_std']:>9.3g}" for m in shown)
        covers = "".join(f" {100 * r[f'coverage_{level}_mean']:>8.1f}" for level in levels)
        mark = (
            f" {int(r['seeds']):>5} {'≈' if isinstance(r['indistinguishable_from'], str) else ' '}"
            if marked
            else ""
        )
        lines.append(f"{str(model):<40} {cells}{covers} {r['fit_seconds']:>7.1f}{mark}".rstrip())
    if marked and (summary["seeds"] >= MIN_SEEDS).any():
        lines.append(
            f"≈ indistinguishable from the model above it ({metric} of each seed), by {RULE}; models "
            f"with fewer than {MIN_SEEDS} seeds are not compared."
        )
    return "\n".join(lines)


def to_dataframe(rows: list[dict]):
    """Leaderboard rows as a ``pandas.DataFrame`` indexed by model (with the metrics in the user's units
    when the rows have them, and the target column of each row for a multitask data set)."""
    import pandas as pd

    columns = list(COLUMNS)
    if rows and "target" in rows[0]:
        columns.insert(1, "target")
    if rows and "val_mae" in rows[0]:
        columns += [f"{split}_{k}" for split in ("val", "test") for k in ("mae", "mape", "mase")]
    return pd.DataFrame(rows, columns=columns).set_index("model")


def check_json_path(path) -> Path:
    """Fail now, not after the training, if ``path`` cannot be written; returns the file to write.

    Refused, one line each: an empty name, a directory, a parent directory that does not exist (it is
    not created: a typo must not leave directories behind) or that cannot be written. A symbolic link
    is written through: the file it points to is replaced, the link stays.
    """
    if not str(path).strip():
        raise ValueError("--json '' names no file; expected a file name such as results.json.")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"--json {str(path)!r} is a directory; expected a file name such as results.json.")
    target = Path(os.path.realpath(path))  # through a symbolic link, to the file it points to
    if not target.parent.is_dir():
        raise ValueError(
            f"--json {str(path)!r} cannot be written: the directory {str(target.parent)!r} does not "
            "exist (create it first)."
        )
    try:
        prove_writable(target.parent)
    except OSError as exc:
        raise ValueError(f"--json {str(path)!r} cannot be written: {exc.strerror or exc}.") from None
    return path


def strict_json(value):
    """``value`` with every NaN and infinity replaced by ``None`` (``null``): strict JSON, which
    JavaScript's ``JSON.parse`` and ``jq`` read (they reject Python's bare ``NaN``).

    Example:

    >>> strict_json({"mape": float("nan"), "rows": [1.5, float("inf")]})
    {'mape': None, 'rows': [1.5, None]}
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    return value


def write_json(
    path,
    rows: list[dict],
    profile: str,
    backend: str,
    errors: dict | None = None,
    partial: bool = False,
    dataset: dict | None = None,
    skipped: dict | None = None,
    extra: dict | None = None,
) -> Path:
    """Write ``{"profile", "backend", "partial", "rows", "errors"}`` to ``path``, atomically (and
    ``"dataset"``, what the rows were trained on, when it is a user's series, and ``"skipped"``,
    ``{model: why}`` for the models left out because they cannot train on it).

    The file is written beside ``path`` and renamed over it, so a reader (or an interruption) never
    sees half a file. ``partial`` marks results of a run that did not finish. The JSON is strict: a
    metric that is NaN (MAPE with a zero target, say) or infinite is written as ``null``. An existing
    file keeps its permissions (a new one gets the usual ones, under the umask); a symbolic link is
    written through to its target. The directory must exist (:func:`check_json_path`). ``extra`` adds
    more keys (``"backtest"``).
    """
    path = Path(os.path.realpath(path))
    payload = {
        "profile": profile,
        "backend": backend,
        "partial": bool(partial),
        "rows": rows,
        "errors": errors or {},
    }
    if dataset is not None:
        payload["dataset"] = dataset
    if skipped is not None:
        payload["skipped"] = skipped
    payload.update(extra or {})  # e.g. "backtest": its rows and summary
    text = json.dumps(strict_json(payload), indent=2, allow_nan=False) + "\n"
    write_atomically(path, lambda tmp: Path(tmp).write_text(text))
    return path

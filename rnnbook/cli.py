"""The ``rnnbook`` command: ``rnnbook models`` and ``rnnbook leaderboard`` (on the chapter's data, or on
your own series with ``--csv FILE --target COLUMN``: every metric then in your units; what the CSV
must hold is stated once, in the README's "Your own series").

Everything that can be checked is checked before anything trains (the output path, the profile, the
backend, the seed, the model names), and every error is one line on stderr, never a traceback.

Exit codes: ``0`` success; ``1`` some models failed (listed, the others' rows still written);
``2`` a usage error; ``130`` interrupted (Ctrl-C: the rows finished so far are written, marked partial).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import warnings

from rnnbook import __version__
from rnnbook._checks import prove_writable
from rnnbook.backend import BACKENDS, install_import_hooks, missing_backend
from rnnbook.backend import backend as chosen_backend  # the functions below call a backend's name `backend`
from rnnbook.backtest import plan_origins, run_backtest
from rnnbook.frames import csv_dataset, read_csv
from rnnbook.intervals import LEVELS, check_levels
from rnnbook.leaderboard import (
    check_json_path,
    format_backtest,
    format_table,
    mark_indistinguishable,
    merge_same_models,
    run_leaderboard,
    sort_rows,
    write_json,
)
from rnnbook.profiles import REAL_RECIPE, profile_name
from rnnbook.registry import check_plugins, get_spec, list_models
from rnnbook.report import write_report
from rnnbook.seasons import infer_season
from rnnbook.training import cannot_train_on

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras and
# pandas.

EXIT_OK, EXIT_MODELS_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


#: The largest seed the backends take (NumPy's and Keras' seeds are 32-bit).
MAX_SEED = 2**32 - 1


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"expected a non-negative integer up to 2**32 - 1 = {MAX_SEED}, got {text!r}"
        )
    return value


# rnnbook's errors name its Python arguments; on the command line they read as the flags that set them
# (and a suggestion the command line has no flag for is left out).
_FLAGS = (
    (re.compile(r"fill='(\w+)'"), r"--fill \1"),
    (re.compile(r"categorical=(?=\S)"), "--categorical "),
    (re.compile(r"categorical="), "--categorical"),
    (re.compile(r"\binputs=(?=\S)"), "--inputs "),
    (re.compile(r"\bin inputs\b"), "in --inputs"),
    (re.compile(r"pass date_column="), "pass --date-column"),
    (re.compile(r"`known_future`"), "--known-future"),
    (re.compile(r"`(split|fractions|calendar|inputs|categorical)`"), r"--\1"),
    (re.compile(r"`target_column`"), "--target"),
    (re.compile(r" or pass scale=False"), ""),
    (re.compile(r"pass freq= or "), ""),
)


def as_flags(message: str) -> str:
    """An error message of rnnbook's Python functions in the words of the command line.

    Example:

    >>> as_flags("Column 'x' has 2 missing value(s); pass fill='interpolate' or fill='ffill'.")
    "Column 'x' has 2 missing value(s); pass --fill interpolate or --fill ffill."
    """
    for pattern, flag in _FLAGS:
        message = pattern.sub(flag, message)
    return message


def _parser() -> argparse.ArgumentParser:
    backend_help = "Keras backend (default: $KERAS_BACKEND, else jax)"
    parser = argparse.ArgumentParser(prog="rnnbook", description="Sequence models of the rnnbook book.")
    parser.add_argument("--version", action="version", version=f"rnnbook {__version__}")
    parser.add_argument("--backend", choices=BACKENDS, help=backend_help)
    # --backend is accepted after the subcommand too; there it must not reset what came before.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--backend", choices=BACKENDS, default=argparse.SUPPRESS, help=backend_help)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "models", parents=[common], help="list built-in and plugin models, broken plugins with their error"
    )
    lb = sub.add_parser(
        "leaderboard", parents=[common], help="train the models on the same split and print a table"
    )
    lb.add_argument(
        "--profile",
        default=None,
        help="data and training: full (the book's) or "
        "quick (a smoke test) (default: $RNNBOOK_PROFILE, else full)",
    )
    lb.add_argument("--models", nargs="+", metavar="NAME", help="models to train (default: all)")
    lb.add_argument("--json", metavar="FILE", help="also write the results as JSON (after each model)")
    lb.add_argument("--seed", type=_seed, default=None, help="seed for data and weights (default 42)")
    lb.add_argument("--quiet", action="store_true", help="no progress output")
    own = lb.add_argument_group("your own series (a CSV file; see rnnbook.frames)")
    own.add_argument("--csv", metavar="FILE", help="train on this table instead of the chapter's data")
    own.add_argument(
        "--target",
        metavar="COLUMN",
        action="append",
        help="the column to forecast (needs --csv); several (multitask): --target A,B or --target A "
        "--target B",
    )
    own.add_argument("--date-column", metavar="C", default="date", help="the dates' column (default: date)")
    own.add_argument("--inputs", nargs="+", metavar="COLUMN", default=[], help="more numeric input columns")
    own.add_argument(
        "--calendar",
        nargs="+",
        metavar="FEATURE",
        default=[],
        help="one-hot calendar inputs: hour, dayofweek, month",
    )
    own.add_argument(
        "--categorical", nargs="+", metavar="COLUMN", default=[], help="category columns, one-hot encoded"
    )
    own.add_argument(
        "--known-future",
        nargs="+",
        metavar="COLUMN",
        default=[],
        help="calendar features, --categorical or --inputs columns known in advance: also given for the "
        "steps being forecast",
    )
    split = own.add_mutually_exclusive_group()
    split.add_argument(
        "--split", type=_dates, metavar="DATE,DATE", help="first validation date, first test date"
    )
    split.add_argument(
        "--fractions",
        type=_fractions,
        metavar="A,B,C",
        help="train, validation, test fractions in time order (default 0.7,0.2,0.1)",
    )
    own.add_argument(
        "--n-steps", type=_positive, default=None, metavar="N", help="window length (default 48)"
    )
    own.add_argument("--horizon", type=_positive, default=None, metavar="H", help="steps ahead (default 1)")
    own.add_argument(
        "--season",
        type=_positive,
        default=None,
        metavar="S",
        help="seasonal period in steps, for seasonal models and MASE (default: from the dates' step: "
        "hourly 24, daily 7, weekly 52, monthly 12, quarterly 4, else 1)",
    )
    own.add_argument(
        "--fill",
        choices=("interpolate", "ffill"),
        default=None,
        help="fill missing dates and values (default: they are errors)",
    )
    own.add_argument(
        "--metric",
        choices=("mse", "mae", "mape", "mase"),
        default=None,
        help="sort by this validation metric, in your units (default: mae with --csv)",
    )
    bt = lb.add_argument_group("backtest (your own series; see rnnbook.backtest)")
    bt.add_argument(
        "--backtest",
        type=_positive,
        default=None,
        metavar="K",
        help="refit every model at K rolling origins and rank by the mean over them",
    )
    bt.add_argument(
        "--origin-spacing",
        type=_positive,
        default=None,
        metavar="N",
        help="steps between origins, also each test block's length (default: 4 x max(horizon, season))",
    )
    bt.add_argument(
        "--history",
        choices=("expanding", "sliding"),
        default=None,
        help="what each origin trains on: all the past (expanding, default) or as much as the first "
        "(sliding)",
    )
    bt.add_argument(
        "--n-seeds",
        type=_positive,
        default=None,
        metavar="N",
        help="train each network with N seeds (--seed, --seed + 1, ...), at every origin of a backtest "
        "(default 3 on your own series, 1 with --backtest)",
    )
    bt.add_argument(
        "--level",
        type=_levels,
        default=None,
        metavar="L,L",
        help="prediction-interval levels in percent, their coverage measured (default 80,95)",
    )
    bt.add_argument("--report", metavar="DIR", help="write an HTML report (index.html and PNGs) to DIR")
    return parser


def _levels(text: str) -> tuple:
    try:
        return check_levels([int(p) for p in text.split(",")])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected levels in percent between 0 and 100 such as 80,95, got {text!r}"
        ) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _dates(text: str) -> tuple:
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise argparse.ArgumentTypeError(f"expected two dates such as 2019-01-01,2019-06-01, got {text!r}")
    return tuple(p.strip() for p in parts)


def _fractions(text: str) -> tuple:
    try:
        values = tuple(float(p) for p in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 3 or min(values) <= 0 or abs(sum(values) - 1) > 1e-9:
        raise argparse.ArgumentTypeError(
            f"expected three positive numbers adding up to 1 such as 0.7,0.2,0.1, got {text!r}"
        )
    return values


# The options that describe a user's series: meaningless without --csv.
_CSV_ONLY = ("target", "split", "fractions", "n_steps", "horizon", "season", "fill", "backtest", "n_seeds")
# The options of a backtest: meaningless without --backtest.
_BACKTEST_ONLY = ("origin_spacing", "history", "level", "report")
#: How many seeds each network trains with on a user's series: without a backtest (one validation
#: window), enough for the one comparison rule (rnnbook.compare.MIN_SEEDS); a backtest's origins
#: already give a spread, and each seed multiplies its cost.
DEFAULT_SEEDS = {"plain": 3, "backtest": 1}


def _csv_dataset(args):
    """The user's series as a data set, or ``None`` without ``--csv`` (its options are then refused)."""
    given = [name for name in _BACKTEST_ONLY if getattr(args, name) is not None]
    if given and args.backtest is None:
        raise ValueError(f"--{given[0].replace('_', '-')} is an option of a backtest: it needs --backtest K.")
    if args.backtest is not None and args.fill is not None:
        raise ValueError("--fill cannot be used with --backtest: fill the gaps in the CSV file first.")
    if args.backtest is not None and (args.split or args.fractions):
        option = "--split" if args.split else "--fractions"
        raise ValueError(f"{option} cannot be used with --backtest: a backtest chooses its own periods.")
    if args.csv is None:
        given = [name for name in _CSV_ONLY if getattr(args, name) is not None]
        given += [
            name for name in ("inputs", "calendar", "categorical", "known_future") if getattr(args, name)
        ]
        if given:
            option = given[0].replace("_", "-")
            raise ValueError(f"--{option} describes your own series: it needs --csv FILE.")
        if args.metric not in (None, "mse"):
            raise ValueError(f"--metric {args.metric} is in your series' units: it needs --csv FILE.")
        return None
    if args.target is None:
        raise ValueError("--csv needs --target COLUMN: the column to forecast.")
    targets = [t.strip() for text in args.target for t in text.split(",")]
    if not all(targets) or len(set(targets)) != len(targets):
        raise ValueError(f"--target: expected distinct column names, got {','.join(args.target)!r}.")
    args.target = targets[0] if len(targets) == 1 else targets
    horizon = args.horizon or 1
    try:
        return _read_csv_dataset(args, horizon)
    except ValueError as exc:
        raise ValueError(as_flags(str(exc))) from None


def _read_csv_dataset(args, horizon: int):
    return csv_dataset(
        args.csv,
        args.target,
        date_column=args.date_column,
        inputs=args.inputs,
        calendar=args.calendar,
        categorical=args.categorical,
        known_future=args.known_future,
        split=args.split,
        fractions=args.fractions,
        n_steps=args.n_steps or 48,
        horizon=horizon,
        layout="one_step" if horizon == 1 else "vector",
        season=args.season,
        fill=args.fill,
    )


def _season_line(dataset) -> str:
    """``season 7 (inferred from the daily dates; --season sets another)``, or the note for season 1."""

    season = infer_season(dataset.dates["train"])
    if season.note:
        return f"season 1: {season.note.replace('season=', '--season')}"
    return f"season {season.period} (inferred from the {season.frequency} dates; --season sets another)"


def _cmd_models() -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        specs = list_models()
        build_errors = check_plugins()
    for message in dict.fromkeys(str(w.message) for w in caught):  # once each, apart from the table
        print(f"warning: {message}", file=sys.stderr)
    width = max(len(s.name) for s in specs)
    for s in specs:
        error = s.error or build_errors.get(s.name)
        where = "" if s.source == "builtin" else f"  [{s.source}]"
        if error:
            print(f"{s.name:<{width}}  BROKEN: {error}{where}")
        else:
            print(f"{s.name:<{width}}  {s.description}{where}")
    return EXIT_OK


def _cmd_leaderboard(args) -> int:
    # Everything that can fail before training fails now, in one line each.
    profile = profile_name(args.profile)
    if args.models:
        twice = sorted({name for name in args.models if args.models.count(name) > 1})
        if twice:
            print(
                f"warning: --models names {', '.join(twice)} more than once; each trains once.",
                file=sys.stderr,
            )
            args.models = list(dict.fromkeys(args.models))
    # (the model names: run_leaderboard checks them)
    json_path = check_json_path(args.json) if args.json is not None else None
    dataset = _csv_dataset(args)  # a bad table is one line now, before anything trains
    metric = args.metric or ("mae" if dataset is not None else "mse")
    seeds = _seeds(args, dataset)
    described = None
    if dataset is not None:
        described = {
            "csv": args.csv,
            "target": args.target,
            "n_steps": dataset.n_steps,
            "horizon": dataset.horizon,
            "columns": list(dataset.columns),
            "known_future": list(args.known_future),
            "season": dataset.units.season,
            "season_inferred": args.season is None,
            "recipe": dict(REAL_RECIPE),  # what the plan trains a table's models with
            "windows": [len(dataset.X_train), len(dataset.X_valid), len(dataset.X_test)],
            "seeds": list(seeds),  # every network's; a forecaster is fitted once
        }

    if dataset is not None and args.season is None and not args.quiet:
        print(_season_line(dataset), flush=True)
    if args.backtest is not None:
        return _cmd_backtest(args, dataset, json_path, profile, metric, described, seeds)

    import keras

    backend = keras.backend.backend()
    rows: list[dict] = []
    errors: dict = {}
    skipped: dict = {}
    stop = threading.Event()

    def save(partial: bool) -> None:
        if json_path is not None:
            write_json(
                json_path,
                rows,
                profile,
                backend,
                errors,
                partial=partial,
                dataset=described,
                skipped=skipped if dataset is not None else None,
            )

    def on_row(row: dict) -> None:
        rows.append(row)
        save(partial=True)  # a finished row is never lost, whatever happens next

    # A KeyboardInterrupt raised inside XLA compilation can crash the process; the first Ctrl-C only
    # asks training to stop at the next batch, from Python.
    previous = signal.signal(signal.SIGINT, _stop_on_first_interrupt(stop))
    try:
        # In a terminal a bar over the epochs; redirected, one plain line per model (see training._EpochBar).
        run_leaderboard(
            args.models,
            profile=profile,
            seed=args.seed,
            progress=not args.quiet,
            errors=errors,
            on_row=on_row,
            stop=stop,
            keep_going=True,
            dataset=dataset,
            metric=metric,
            skipped=skipped,
            n_seeds=len(seeds),
        )
    except KeyboardInterrupt:
        stop.set()
    finally:
        signal.signal(signal.SIGINT, previous)
    interrupted = stop.is_set()
    rows[:] = sort_rows(rows, metric)
    target = args.target if isinstance(args.target, str) else ",".join(args.target or ())
    where = f"profile={profile} "
    if dataset is not None:
        inferred = " (inferred)" if args.season is None else ""
        where = f"data={args.csv} target={target} season={dataset.units.season}{inferred} "
        where += f"seeds {', '.join(map(str, seeds))} " if len(seeds) > 1 else ""
    print(f"\n{where}backend={backend}" + (" (interrupted: partial results)" if interrupted else ""))
    print(format_table(rows, metric))
    for name, why in skipped.items():  # models not named that cannot take this data: not failures
        print(f"skipped {name}: {why}")
    for name, error in errors.items():
        print(f"{name}: BROKEN: {error}")
    save(partial=interrupted)
    if json_path is not None:
        print(f"wrote {json_path}" + (" (partial)" if interrupted else ""))
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_MODELS_FAILED if errors else EXIT_OK


def _stop_on_first_interrupt(stop):
    """A SIGINT handler: the first Ctrl-C sets ``stop`` (training stops at its next batch, from Python),
    a second one raises ``KeyboardInterrupt`` at once."""

    def on_interrupt(signum, frame):
        if stop.is_set():  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        stop.set()
        print(
            "\ninterrupted: stopping after the current training step (Ctrl-C again to quit now)",
            file=sys.stderr,
            flush=True,
        )

    return on_interrupt


def _seeds(args, dataset) -> tuple:
    """The seeds every network trains with: ``--seed`` (default 42) and the next ones, ``--n-seeds`` of
    them (default :data:`DEFAULT_SEEDS`); without ``--csv`` just ``--seed``."""
    if dataset is None:
        return (args.seed,)
    base = 42 if args.seed is None else args.seed
    n_seeds = args.n_seeds or DEFAULT_SEEDS["backtest" if args.backtest is not None else "plain"]
    seeds = tuple(range(base, base + n_seeds))
    if seeds[-1] > MAX_SEED:
        raise ValueError(
            f"argument --n-seeds: seeds {base} to {seeds[-1]} go past 2**32 - 1 = {MAX_SEED}; "
            "choose a smaller --seed or fewer seeds."
        )
    return seeds


def _cmd_backtest(args, dataset, json_path, profile, metric, described, seeds) -> int:
    """``rnnbook leaderboard --csv ... --backtest K``: every model refitted at K origins, ranked by the
    mean of ``metric`` over them; everything is checked before anything trains."""

    if dataset.n_targets > 1:
        raise ValueError(f"--backtest forecasts one target column; got {dataset.n_targets} (--target).")
    if args.models is None:
        names = [s.name for s in list_models(include_broken=False)]
    else:
        names = list(args.models)
    skipped = {}
    for name in list(names):
        why = cannot_train_on(get_spec(name), dataset)
        if why is not None:
            if args.models is not None:
                raise ValueError(f"{name} cannot train on this data: {why}.")
            skipped[name] = why
            names.remove(name)
    names, same = merge_same_models(names, dataset.horizon)
    frame = read_csv(args.csv)
    season = dataset.units.season
    spacing = args.origin_spacing or 4 * max(dataset.horizon, season)
    history = args.history or "expanding"
    plan_origins(
        len(frame),
        n_steps=dataset.n_steps,
        horizon=dataset.horizon,
        n_origins=args.backtest,
        spacing=spacing,
        history=history,
    )
    if args.report is not None:
        prove_writable(args.report)
    levels = args.level or LEVELS
    errors: dict = {}
    import keras

    backend = keras.backend.backend()
    options = {"history": history, "origins": args.backtest, "spacing": spacing, "seeds": list(seeds)}
    rows: list = []

    def save(partial: bool, summary=None):
        if json_path is None:
            return
        payload = {**options, "levels": list(levels), "rows": rows}  # write_json makes it strict JSON
        if summary is not None:
            payload["summary"] = summary.reset_index().to_dict("records")
        write_json(
            json_path,
            [],
            profile,
            backend,
            errors,
            partial=partial,
            dataset=described,
            skipped=skipped,
            extra={"backtest": payload},
        )

    def on_row(row):
        rows.append(row)
        if row["step"] == dataset.horizon:  # one save per model and origin
            save(partial=True)

    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, _stop_on_first_interrupt(stop))
    try:
        result = run_backtest(
            frame,
            args.target,
            names,
            n_steps=dataset.n_steps,
            horizon=dataset.horizon,
            n_origins=args.backtest,
            spacing=spacing,
            history=history,
            seeds=seeds,
            levels=levels,
            progress=not args.quiet,
            on_row=on_row,
            errors=errors,
            date_column=args.date_column,
            inputs=args.inputs,
            calendar=args.calendar,
            categorical=args.categorical,
            known_future=args.known_future,
            season=season,
            stop=stop,
        )
    except KeyboardInterrupt:  # a second Ctrl-C: at once
        stop.set()
    finally:
        signal.signal(signal.SIGINT, previous)
    if stop.is_set():
        rows[:] = [r for r in rows if r["model"] not in errors]  # a failed model leaves no rows behind
        save(partial=True)  # every finished model and origin: on_row saved them as they came
        kept = f"; the rows finished so far are in {json_path} (partial)" if json_path is not None else ""
        print(f"interrupted{kept}", file=sys.stderr)
        return EXIT_INTERRUPTED
    rows[:] = result.rows  # a model that failed at a later origin leaves no rows behind
    summary = _ranked_summary(result, metric, same) if result.rows else None
    seed_list = ", ".join(map(str, seeds))
    print(
        f"\ndata={args.csv} target={args.target} season={season} backend={backend} backtest: "
        f"{args.backtest} origins {spacing} steps apart, {history} history, seeds {seed_list}"
    )
    if summary is not None:
        print(format_backtest(summary, metric, levels))
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    for name, error in errors.items():
        print(f"{name}: BROKEN: {error}")
    save(partial=False, summary=summary)
    if json_path is not None:
        print(f"wrote {json_path}")
    if args.report is not None and summary is not None:
        print(f"wrote {write_report(args.report, result, summary, metric, title=str(args.csv))}")
    return EXIT_MODELS_FAILED if errors else EXIT_OK


def _ranked_summary(result, metric: str, same: dict):
    """The backtest's summary over every step ahead, one row per model (named with its same models),
    with the mean fit time, ranked by the mean of ``metric`` over the origins, each model's seeds and
    the model ranked above it when the two are indistinguishable (``"indistinguishable_from"``)."""
    import pandas as pd

    table = result.summary().xs("all", level="step")
    fit = pd.DataFrame(result.rows).groupby("model")["fit_seconds"].mean()
    table["fit_seconds"] = fit.reindex(table.index)
    table = table.sort_values(f"{metric}_mean", na_position="last")
    table = mark_indistinguishable(table, result.seed_scores(metric))  # the one comparison rule

    def label(name):
        return " = ".join([name, *same.get(name, ())])

    above = [label(a) if isinstance(a, str) else None for a in table["indistinguishable_from"]]
    table["indistinguishable_from"] = pd.Series(above, table.index, object)  # None, not NaN: null
    table.index = [label(name) for name in table.index]
    table.index.name = "model"
    return table


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    # Warnings (a broken plugin, say) are one line each, like errors, without source lines.
    warnings.formatwarning = lambda message, category, *rest, **kw: f"warning: {message}\n"
    if getattr(args, "backend", None):
        if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != args.backend:
            print("error: --backend must be chosen before Keras is imported", file=sys.stderr)
            return EXIT_USAGE
        os.environ["KERAS_BACKEND"] = args.backend
    missing = missing_backend(chosen_backend())
    if missing:
        print(f"error: {missing}" + ("" if args.backend else " (from $KERAS_BACKEND)"), file=sys.stderr)
        return EXIT_USAGE
    install_import_hooks()
    try:
        if args.command == "models":
            return _cmd_models()
        return _cmd_leaderboard(args)
    except (ValueError, RuntimeError, OSError) as exc:  # bad names, values or paths: one line
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

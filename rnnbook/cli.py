"""The ``rnnbook`` command: ``rnnbook models`` and ``rnnbook leaderboard`` (on the chapter's data, or on
your own series with ``--csv FILE --target COLUMN``: every metric then in your units).

Everything that can be checked is checked before anything trains (the output path, the profile, the
backend, the seed, the model names), and every error is one line on stderr, never a traceback.

Exit codes: ``0`` success; ``1`` some models failed (listed, the others' rows still written);
``2`` a usage error; ``130`` interrupted (Ctrl-C: the rows finished so far are written, marked partial).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings

EXIT_OK, EXIT_MODELS_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    from rnnbook import __version__
    from rnnbook.backend import BACKENDS

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
    return parser


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
_CSV_ONLY = ("target", "split", "fractions", "n_steps", "horizon", "season", "fill")


def _csv_dataset(args):
    """The user's series as a data set, or ``None`` without ``--csv`` (its options are then refused)."""
    if args.csv is None:
        given = [name for name in _CSV_ONLY if getattr(args, name) is not None]
        given += [name for name in ("inputs", "calendar", "categorical") if getattr(args, name)]
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
    from rnnbook.frames import csv_dataset

    horizon = args.horizon or 1
    return csv_dataset(
        args.csv,
        args.target,
        date_column=args.date_column,
        inputs=args.inputs,
        calendar=args.calendar,
        categorical=args.categorical,
        split=args.split,
        fractions=args.fractions,
        n_steps=args.n_steps or 48,
        horizon=horizon,
        target="one_step" if horizon == 1 else "vector",
        season=args.season,
        fill=args.fill,
    )


def _season_line(dataset) -> str:
    """``season 7 (inferred from the daily dates; --season sets another)``, or the note for season 1."""
    from rnnbook.seasons import infer_season

    season = infer_season(dataset.dates["train"])
    if season.note:
        return f"season 1: {season.note.replace('season=', '--season')}"
    return f"season {season.period} (inferred from the {season.frequency} dates; --season sets another)"


def _cmd_models() -> int:
    from rnnbook.registry import check_plugins, list_models

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
    from rnnbook.leaderboard import check_json_path, format_table, run_leaderboard, sort_rows, write_json
    from rnnbook.profiles import profile_name

    # Everything that can fail before training fails now, in one line each.
    profile = profile_name(args.profile)
    json_path = check_json_path(args.json) if args.json else None  # (names: run_leaderboard checks them)
    dataset = _csv_dataset(args)  # a bad table is one line now, before anything trains
    metric = args.metric or ("mae" if dataset is not None else "mse")
    described = None
    if dataset is not None:
        described = {
            "csv": args.csv,
            "target": args.target,
            "n_steps": dataset.n_steps,
            "horizon": dataset.horizon,
            "columns": list(dataset.columns),
            "season": dataset.units.season,
            "season_inferred": args.season is None,
            "recipe": dict(dataset.fit),
            "windows": [len(dataset.X_train), len(dataset.X_valid), len(dataset.X_test)],
        }

    if dataset is not None and args.season is None and not args.quiet:
        print(_season_line(dataset), flush=True)

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

    def on_interrupt(signum, frame):
        if stop.is_set():  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        stop.set()
        print(
            "\ninterrupted: stopping after the current training step (Ctrl-C again to quit now)",
            file=sys.stderr,
            flush=True,
        )

    # A KeyboardInterrupt raised inside XLA compilation can crash the process; the first Ctrl-C only
    # asks training to stop at the next batch, from Python.
    previous = signal.signal(signal.SIGINT, on_interrupt)
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
    print(f"\n{where}backend={backend}" + (" (interrupted: partial results)" if interrupted else ""))
    print(format_table(rows))
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


def main(argv=None) -> int:
    from rnnbook.backend import backend, install_import_hooks, missing_backend

    args = _parser().parse_args(argv)
    # Warnings (a broken plugin, say) are one line each, like errors, without source lines.
    warnings.formatwarning = lambda message, category, *rest, **kw: f"warning: {message}\n"
    if getattr(args, "backend", None):
        if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != args.backend:
            print("error: --backend must be chosen before Keras is imported", file=sys.stderr)
            return EXIT_USAGE
        os.environ["KERAS_BACKEND"] = args.backend
    missing = missing_backend(backend())
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

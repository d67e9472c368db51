"""The ``rnnbook`` command: ``rnnbook models`` and ``rnnbook leaderboard``."""

from __future__ import annotations

import argparse
import os
import sys
import warnings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnbook", description="Sequence models of the rnnbook book.")
    parser.add_argument("--backend", choices=("jax", "tensorflow", "torch"),
                        help="Keras backend (default: $KERAS_BACKEND, else jax)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("models", help="list built-in and plugin models, broken plugins with their error")
    lb = sub.add_parser("leaderboard", help="train the models on the same split and print a table")
    lb.add_argument("--profile", choices=("quick", "full"), default=None,
                    help="data and training size (default: $RNNBOOK_PROFILE, else quick)")
    lb.add_argument("--models", nargs="+", metavar="NAME", help="models to train (default: all)")
    lb.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    lb.add_argument("--seed", type=int, default=None, help="seed for data and weights (default 42)")
    lb.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _cmd_models() -> int:
    from rnnbook.registry import check_plugins, list_models

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        specs = list_models()
        build_errors = check_plugins()
    for w in caught:  # re-emit once, on stderr, so they are visible but not mixed with the table
        print(f"warning: {w.message}", file=sys.stderr)
    width = max(len(s.name) for s in specs)
    for s in specs:
        error = s.error or build_errors.get(s.name)
        where = "" if s.source == "builtin" else f"  [{s.source}]"
        if error:
            print(f"{s.name:<{width}}  BROKEN: {error}{where}")
        else:
            print(f"{s.name:<{width}}  {s.description}{where}")
    return 0


def _cmd_leaderboard(args) -> int:
    from rnnbook.leaderboard import format_table, run_leaderboard, write_json
    from rnnbook.profiles import profile_name

    profile = profile_name(args.profile)
    errors: dict = {}
    rows = run_leaderboard(args.models, profile=profile, seed=args.seed, progress=not args.quiet,
                           errors=errors)
    import keras

    print(f"\nprofile={profile} backend={keras.backend.backend()}")
    print(format_table(rows))
    for name, error in errors.items():
        print(f"{name}: BROKEN: {error}")
    if args.json:
        path = write_json(args.json, rows, profile, keras.backend.backend(), errors)
        print(f"wrote {path}")
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.backend:
        if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != args.backend:
            print("error: --backend must be chosen before Keras is imported", file=sys.stderr)
            return 2
        os.environ["KERAS_BACKEND"] = args.backend
    from rnnbook.backend import backend, install_import_hooks, missing_backend

    missing = missing_backend(backend())
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    install_import_hooks()
    try:
        if args.command == "models":
            return _cmd_models()
        return _cmd_leaderboard(args)
    except ValueError as exc:  # bad names or values: one clear line, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

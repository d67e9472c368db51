"""Time the execution of every chapter of ``book/`` (the book's ``full`` profile), one kernel per chapter.

Usage (from the repository root)::

    python bench/bench_book.py          # prints a table, writes bench/results/<machine>-<date>-book.json
    python bench/bench_book.py --chapters 04 06 --workers 1   # some chapters (-book-partial.json)

Each chapter runs top to bottom with ``nbclient`` in a fresh kernel, as ``jupyter-book build`` and
``pytest --nbval-lax`` do; the time includes the kernel start and the first import of Keras.

The book runs twice, both times with rnnbook's caches in one new, empty directory
(``RNNBOOK_CACHE_DIR``): the first pass starts with no compiled programs and no trained models (a new
machine), the second finds both (a re-build, or CI's nbval run after its book build). Both columns are
printed and stored, with each chapter's slowest cells (where its time goes). ``--workers`` sets how many
worker processes the chapters' independent trainings use (``rnnbook.parallel``; default: the cores).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def time_chapters(chapters=None, timeout: int = 1800) -> list[dict]:
    import nbclient
    import nbformat

    rows = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        if chapters and not any(path.name.startswith(c) for c in chapters):
            continue
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        )
        start = time.perf_counter()
        error = None
        try:
            client.execute()
        except Exception as exc:  # a failing chapter is reported, the others still run
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
        rows.append(
            {
                "chapter": path.name,
                "seconds": time.perf_counter() - start,
                "slowest_cells": slowest_cells(nb),
                "error": error,
            }
        )
        print(
            f"{path.name:<32} {rows[-1]['seconds']:7.1f} s" + (f"  FAILED {error}" if error else ""),
            flush=True,
        )
    return rows


def slowest_cells(nb, n: int = 6) -> list[dict]:
    """Where a chapter's time goes: its ``n`` slowest code cells (nbclient records when each cell
    started and finished), with the cell's index and its first line of code."""
    import datetime as dt

    cells = []
    for index, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        begin, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell.cell_type != "code" or not (begin and end):
            continue
        seconds = (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(begin)).total_seconds()
        lines = [line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")]
        cells.append({"cell": index, "seconds": round(seconds, 1), "code": (lines or [""])[0][:80]})
    return sorted(cells, key=lambda c: -c["seconds"])[:n]


PASSES = ("empty_caches", "warm_caches")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", default=f"{socket.gethostname()}-{os.cpu_count()}cpu")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--chapters", nargs="*", help="only these chapters (name prefixes: 04 06)")
    parser.add_argument(
        "--workers", type=int, help="worker processes for the chapters' trainings ($RNNBOOK_WORKERS)"
    )
    args = parser.parse_args(argv)
    if args.workers is not None:
        os.environ["RNNBOOK_WORKERS"] = str(args.workers)
    # Every cache in one fresh directory, inherited by the kernels: the first pass fills it.
    os.environ["RNNBOOK_CACHE_DIR"] = tempfile.mkdtemp(prefix="rnnbook-bench-book-")
    for variable in ("RNNBOOK_CACHE", "RNNBOOK_COMPILE_CACHE", "RNNBOOK_MODEL_CACHE"):
        os.environ.pop(variable, None)
    passes = {}
    for name in PASSES:
        print(f"-- {name}", flush=True)
        passes[name] = time_chapters(args.chapters)
    rows = [
        {
            "chapter": first["chapter"],
            **{f"seconds_{n}": passes[n][i]["seconds"] for n in PASSES},
            "slowest_cells_empty_caches": first["slowest_cells"],
            "error": first["error"] or passes[PASSES[-1]][i]["error"],
        }
        for i, first in enumerate(passes[PASSES[0]])
    ]
    totals = {n: sum(r[f"seconds_{n}"] for r in rows) for n in PASSES}
    print(f"{'chapter':<32} " + " ".join(f"{n:>13}" for n in PASSES))
    for r in rows:
        print(f"{r['chapter']:<32} " + " ".join(f"{r[f'seconds_{n}']:12.1f}s" for n in PASSES))
    print(f"{'total':<32} " + " ".join(f"{totals[n]:12.1f}s" for n in PASSES))
    date = datetime.date.today().isoformat()
    for r in sorted(rows, key=lambda r: -r["seconds_empty_caches"])[:3]:  # where the time goes
        print(f"{r['chapter']} (empty caches), slowest cells:")
        for c in r["slowest_cells_empty_caches"]:
            print(f"  cell {c['cell']:>3} {c['seconds']:7.1f} s  {c['code']}")
    # A partial run is kept apart: it is not the whole book's time that README.md quotes.
    kind = "book" if not args.chapters else "book-partial"
    output = args.output or ROOT / "bench" / "results" / f"{args.machine}-{date}-{kind}.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "machine": args.machine,
                "cpu_count": os.cpu_count(),
                "date": date,
                "profile": "full (the chapters ask for it by name)",
                "backend": os.environ.get("KERAS_BACKEND", "rnnbook default"),
                "workers": os.environ.get("RNNBOOK_WORKERS", "default (the cores, at most 4)"),
                "chapters_timed": args.chapters or "all",
                **{f"total_seconds_{n}": totals[n] for n in PASSES},
                "chapters": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {output}")
    return 0 if all(r["error"] is None for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

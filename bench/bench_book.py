"""Time the execution of every chapter of ``book/`` (the book's ``full`` profile), one kernel per chapter.

Usage (from the repository root)::

    python bench/bench_book.py          # prints a table, writes bench/results/<machine>-<date>-book.json

Each chapter runs top to bottom with ``nbclient`` in a fresh kernel, as ``jupyter-book build`` and
``pytest --nbval-lax`` do; the time includes the kernel start and the first import of Keras.

The book runs twice, both times with rnnbook's caches in one new, empty directory
(``RNNBOOK_CACHE_DIR``): the first pass starts with no compiled programs and no trained models (a new
machine), the second finds both (a re-build, or CI's nbval run after its book build). Both columns are
printed and stored.
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


def time_chapters(timeout: int = 1800) -> list[dict]:
    import nbclient
    import nbformat

    rows = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
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
        rows.append({"chapter": path.name, "seconds": time.perf_counter() - start, "error": error})
        print(
            f"{path.name:<32} {rows[-1]['seconds']:7.1f} s" + (f"  FAILED {error}" if error else ""),
            flush=True,
        )
    return rows


PASSES = ("empty_caches", "warm_caches")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", default=f"{socket.gethostname()}-{os.cpu_count()}cpu")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    # Every cache in one fresh directory, inherited by the kernels: the first pass fills it.
    os.environ["RNNBOOK_CACHE_DIR"] = tempfile.mkdtemp(prefix="rnnbook-bench-book-")
    for variable in ("RNNBOOK_CACHE", "RNNBOOK_COMPILE_CACHE", "RNNBOOK_MODEL_CACHE"):
        os.environ.pop(variable, None)
    passes = {}
    for name in PASSES:
        print(f"-- {name}", flush=True)
        passes[name] = time_chapters()
    rows = [
        {
            "chapter": first["chapter"],
            **{f"seconds_{n}": passes[n][i]["seconds"] for n in PASSES},
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
    output = args.output or ROOT / "bench" / "results" / f"{args.machine}-{date}-book.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "machine": args.machine,
                "cpu_count": os.cpu_count(),
                "date": date,
                "profile": "full (the chapters ask for it by name)",
                "backend": os.environ.get("KERAS_BACKEND", "rnnbook default"),
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

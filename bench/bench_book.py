"""Time the execution of every chapter of ``book/`` (the book's ``full`` profile), one kernel per chapter.

Usage (from the repository root)::

    python bench/bench_book.py          # prints a table, writes bench/results/<machine>-<date>-book.json
    python bench/bench_book.py --chapters 04 06 --workers 1   # some chapters (-book-partial.json)
    python bench/bench_book.py --passes empty_caches --jobs 9 --deadline 240   # a GPU machine's call

Each chapter runs top to bottom with ``nbclient`` in a fresh kernel, as ``jupyter-book build`` and
``pytest --nbval-lax`` do; the time includes the kernel start and the first import of Keras.

The book runs twice, both times with rnnbook's caches in one new, empty directory
(``RNNBOOK_CACHE_DIR``): the first pass starts with no compiled programs and no trained models (a new
machine), the second finds both (a re-build, or CI's nbval run after its book build). Both columns are
printed and stored, with each chapter's ten slowest cells in each pass (where its time goes), and,
for the first pass, the models the chapter trained (read from the trained-model cache it filled, by
when each entry was written; not with ``--jobs``, where chapters overlap): how many, their seconds of
fitting added up over the processes that trained them, and how much of that was each run's first epoch
beyond its later ones (compilation, mostly). ``--workers`` sets how many worker processes the chapters'
independent trainings use (``rnnbook.parallel``; default: the cores).

``--jobs`` runs that many chapters at once, each in its own process (a many-core or GPU machine, where
the point is whether every chapter's claims hold, not a per-chapter time on an idle machine), and
``--deadline`` stops whatever is still running after that many seconds, recording it as unfinished,
so a call with a hard time limit still brings back every chapter that finished.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if str(ROOT / "bench") not in sys.path:  # the benchmark beside it, however this file is run or loaded
    sys.path.insert(0, str(ROOT / "bench"))
from run_bench import first_epoch_excess  # noqa: E402


def chapter_paths(chapters=None) -> list[Path]:
    """The book's chapters, or those whose names start with one of ``chapters``."""
    paths = sorted((ROOT / "book").glob("*.ipynb"))
    return [p for p in paths if not chapters or any(p.name.startswith(c) for c in chapters)]


def time_chapters(chapters=None, timeout: int = 1800) -> list[dict]:
    return [time_chapter(path, timeout) for path in chapter_paths(chapters)]


def time_chapter(path: Path, timeout: int = 1800) -> dict:
    """Execute one chapter in a fresh kernel: its seconds, slowest cells and error (None: it ran)."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    _running.update(path=path, nb=nb, start=time.perf_counter(), started=time.time())
    error = None
    try:
        client.execute()
    except Exception as exc:  # a failing chapter is reported, the others still run
        # A failing cell names its exception and message (a check's "claim fails: ..." line).
        error = f"{getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', str(exc))[:500]}"
    row = chapter_row(error=error, **_running)
    print(f"{path.name:<32} {row['seconds']:7.1f} s" + (f"  FAILED {error}" if error else ""), flush=True)
    return row


_running: dict = {}  # the chapter being executed: its path, notebook and start time


def chapter_row(path: Path, nb, start: float, started: float, error: str | None) -> dict:
    """A chapter's result: seconds since ``start`` (``started``: that moment by the wall clock), how
    many code cells ran (nbclient times each one it executes), the slowest of them, and the error."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    ran = sum("iopub.execute_input" in c.metadata.get("execution", {}) for c in code)
    return {
        "chapter": path.name,
        "started": started,
        "seconds": time.perf_counter() - start,
        "code_cells_run": f"{ran}/{len(code)}",
        "slowest_cells": slowest_cells(nb),
        "error": error,
    }


def _stopped(signum, frame):
    """SIGTERM in a process of --jobs (the deadline): report how far the chapter got, and exit (its
    kernel notices its parent has gone and exits too)."""
    print(json.dumps(chapter_row(error="stopped at the deadline", **_running)), flush=True)
    os._exit(0)


def time_chapters_at_once(chapters=None, jobs: int = 2, deadline: float | None = None) -> list[dict]:
    """Like :func:`time_chapters`, ``jobs`` chapters at a time, each in its own process; a chapter
    still running at ``deadline`` seconds is stopped and recorded so, with the cells it ran."""
    paths, running, rows = chapter_paths(chapters), {}, {}
    start = time.perf_counter()
    while paths or running:
        while paths and len(running) < jobs:
            path = paths.pop(0)
            cmd = [sys.executable, __file__, "--one-chapter", str(path)]
            # Its own session, so that the deadline can kill it with its training workers; its kernel
            # (which jupyter_client starts in a session of its own) exits when its parent has gone.
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, start_new_session=True)
            running[path] = (proc, time.perf_counter())
        for path, (proc, began) in list(running.items()):
            if proc.poll() is not None:
                out = proc.stdout.read().strip().splitlines()
                rows[path] = (
                    json.loads(out[-1])
                    if proc.returncode == 0 and out
                    else _unfinished(path, began, f"the chapter's process failed ({proc.returncode})")
                )
                del running[path]
            elif deadline is not None and time.perf_counter() - start > deadline:
                rows[path] = _stop(proc, path, began, deadline)
                del running[path]
        time.sleep(0.5)
    return [rows[p] for p in chapter_paths(chapters)]


def _stop(proc, path: Path, began: float, deadline: float) -> dict:
    """Stop a chapter's process at the deadline: asked first (it reports the cells it ran), then killed
    with whatever of its own it left running."""
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=10)
        row = json.loads(out.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, json.JSONDecodeError, IndexError):
        row = _unfinished(path, began, "")
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:  # nothing left
        pass
    proc.wait()
    row["error"] = f"not finished within the {deadline:.0f} s deadline"
    return row


def _unfinished(path: Path, began: float, why: str) -> dict:
    return {
        "chapter": path.name,
        "started": time.time() - (time.perf_counter() - began),
        "seconds": time.perf_counter() - began,
        "code_cells_run": "unknown",
        "slowest_cells": [],
        "error": why,
    }


def slowest_cells(nb, n: int = 10) -> list[dict]:
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


def trained_per_chapter(models_dir: Path, rows: list[dict]) -> list[dict]:
    """What each chapter of one pass trained, from the trained-model cache that pass filled: each entry
    (its ``result.json``) belongs to the chapter running when it was written. Per chapter: the runs,
    their ``fit_seconds`` added up (over the worker processes, so more than the wall time when two
    trained at once), and the part of it that was each run's first epoch beyond the median of its
    later ones -- compilation and the first pass's one-off costs. Only for chapters run one at a
    time: with ``--jobs`` their windows overlap (the caller stores nothing then)."""
    entries = []
    for record in models_dir.glob("*/result.json"):
        if record.parent.name.startswith("."):  # an entry being written, or left half-written
            continue
        try:
            entry = json.loads(record.read_text())
        except (OSError, ValueError):
            continue
        entries.append((record.stat().st_mtime, entry))
    found = []
    for row in rows:
        began, ended = row["started"], row["started"] + row["seconds"]
        mine = [e for written, e in entries if began <= written <= ended]
        first_epoch = [
            excess for e in mine if (excess := first_epoch_excess(e.get("epoch_seconds"))) is not None
        ]
        found.append(
            {
                "runs_trained": len(mine),
                "fit_seconds_summed": round(sum(e["fit_seconds"] for e in mine), 1),
                "first_epoch_excess_seconds_summed": round(sum(first_epoch), 1),
            }
        )
    return found


PASSES = ("empty_caches", "warm_caches")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", default=f"{socket.gethostname()}-{os.cpu_count()}cpu")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--chapters", nargs="*", help="only these chapters (name prefixes: 04 06)")
    parser.add_argument(
        "--workers", type=int, help="worker processes for the chapters' trainings ($RNNBOOK_WORKERS)"
    )
    parser.add_argument("--passes", nargs="+", choices=PASSES, default=list(PASSES))
    parser.add_argument("--jobs", type=int, default=1, help="chapters executed at once (default: 1)")
    parser.add_argument("--deadline", type=float, help="stop each pass's unfinished chapters after this")
    parser.add_argument("--one-chapter", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_chapter:  # a process of --jobs: one chapter, its row as JSON on the last line
        signal.signal(signal.SIGTERM, _stopped)  # at the deadline: report the cells run so far
        print(json.dumps(time_chapter(args.one_chapter)), flush=True)
        return 0
    if args.workers is not None:
        os.environ["RNNBOOK_WORKERS"] = str(args.workers)
    # Every cache in one fresh directory, inherited by the kernels: the first pass fills it.
    os.environ["RNNBOOK_CACHE_DIR"] = caches = tempfile.mkdtemp(prefix="rnnbook-bench-book-")
    for variable in ("RNNBOOK_CACHE", "RNNBOOK_COMPILE_CACHE", "RNNBOOK_MODEL_CACHE"):
        os.environ.pop(variable, None)
    passes, trained = {}, []
    for name in args.passes:
        print(f"-- {name}", flush=True)
        if args.jobs > 1 or args.deadline is not None:
            passes[name] = time_chapters_at_once(args.chapters, args.jobs, args.deadline)
        else:
            passes[name] = time_chapters(args.chapters)
        if name == "empty_caches" and args.jobs == 1:  # read before the next pass adds to the cache
            trained = trained_per_chapter(Path(caches) / "models", passes[name])
    first_pass, last_pass = passes[args.passes[0]], passes[args.passes[-1]]
    rows = [
        {
            "chapter": first["chapter"],
            **{f"seconds_{n}": passes[n][i]["seconds"] for n in args.passes},
            "code_cells_run": first["code_cells_run"],
            **{f"slowest_cells_{n}": passes[n][i]["slowest_cells"] for n in args.passes},
            **(trained[i] if trained else {}),
            "error": first["error"] or last_pass[i]["error"],
        }
        for i, first in enumerate(first_pass)
    ]
    totals = {n: sum(r[f"seconds_{n}"] for r in rows) for n in args.passes}
    print(f"{'chapter':<32} " + " ".join(f"{n:>13}" for n in args.passes))
    for r in rows:
        print(f"{r['chapter']:<32} " + " ".join(f"{r[f'seconds_{n}']:12.1f}s" for n in args.passes))
    print(f"{'total':<32} " + " ".join(f"{totals[n]:12.1f}s" for n in args.passes))
    if trained:
        print(f"{'trained (empty caches)':<32} {'runs':>5} {'fit s, summed':>14} {'first epochs':>13}")
        for r in rows:
            print(
                f"{r['chapter']:<32} {r['runs_trained']:5d} {r['fit_seconds_summed']:13.1f}s "
                f"{r['first_epoch_excess_seconds_summed']:12.1f}s"
            )
    date = datetime.date.today().isoformat()
    for n in args.passes:  # where the time goes, in each pass
        for r in sorted(rows, key=lambda r: -r[f"seconds_{n}"])[:3]:
            print(f"{r['chapter']} ({n}), slowest cells:")
            for c in r[f"slowest_cells_{n}"]:
                print(f"  cell {c['cell']:>3} {c['seconds']:7.1f} s  {c['code']}")
    # A partial run is kept apart: it is not the whole book's time that README.md quotes.
    whole = not args.chapters and list(args.passes) == list(PASSES) and args.jobs == 1 and not args.deadline
    kind = "book" if whole else "book-partial"
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
                "chapters_at_once": args.jobs,
                "deadline_seconds": args.deadline,
                **{f"total_seconds_{n}": totals[n] for n in args.passes},
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

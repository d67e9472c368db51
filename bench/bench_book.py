"""Time the execution of every chapter of ``book/`` (quick profile by default), one kernel per chapter.

Usage (from the repository root)::

    python bench/bench_book.py                 # prints a table, writes bench/results/<machine>-<date>-book.json
    python bench/bench_book.py --profile full

Each chapter runs top to bottom with ``nbclient`` in a fresh kernel, as ``jupyter-book build`` and
``pytest --nbval-lax`` do; the time includes the kernel start and the first import of Keras.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def time_chapters(profile: str = "quick", timeout: int = 1800) -> list[dict]:
    import nbclient
    import nbformat

    os.environ["RNNBOOK_PROFILE"] = profile
    rows = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                         resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        error = None
        try:
            client.execute()
        except Exception as exc:  # a failing chapter is reported, the others still run
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
        rows.append({"chapter": path.name, "seconds": time.perf_counter() - start, "error": error})
        print(f"{path.name:<32} {rows[-1]['seconds']:7.1f} s" + (f"  FAILED {error}" if error else ""),
              flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--machine", default=f"{socket.gethostname()}-{os.cpu_count()}cpu")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    rows = time_chapters(args.profile)
    total = sum(r["seconds"] for r in rows)
    print(f"{'total':<32} {total:7.1f} s")
    date = datetime.date.today().isoformat()
    output = args.output or ROOT / "bench" / "results" / f"{args.machine}-{date}-book.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps({"machine": args.machine, "cpu_count": os.cpu_count(), "date": date,
                                  "profile": args.profile,
                                  "backend": os.environ.get("KERAS_BACKEND", "rnnbook default"),
                                  "total_seconds": total, "chapters": rows}, indent=2) + "\n")
    print(f"wrote {output}")
    return 0 if all(r["error"] is None for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

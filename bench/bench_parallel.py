"""The same trainings one after the other and side by side in worker processes (``rnnbook.parallel``).

Usage (from the repository root)::

    python bench/bench_parallel.py      # prints a table, writes bench/results/parallel-<machine>-<date>.json

Trains chapter 6's comparison -- the SimpleRNN, LSTM and GRU forecasters, 3 seeds each, the book's
``full`` profile -- through :func:`rnnbook.compare.train_seeds` with 1, 2 (and, on a larger machine, as
many as the cores, at most 4) worker processes. Each configuration runs in a new Python process with
every rnnbook cache in a new, empty directory: nothing compiled, nothing trained (a new machine, as the
book's cold build). The table gives the wall time, the speed-up over one worker, and whether every
run's validation MSE equals the one-worker run's to the last bit.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("seq2seq_rnn", "seq2seq_lstm", "seq2seq_gru")

RUN = """
import json, sys, time
import rnnbook
from rnnbook import compare
start = time.perf_counter()
runs = compare.train_seeds({models!r}, profile={profile!r}, workers={workers})
wall = time.perf_counter() - start
scores = {{name: [r.val_mse for r in rs] for name, rs in runs.items()}}
print(json.dumps({{"wall_seconds": wall, "val_mse": scores}}))
"""


def run(workers: int, models, profile: str) -> dict:
    """One configuration in a new process with empty caches."""
    env = {**os.environ, "RNNBOOK_CACHE_DIR": tempfile.mkdtemp(prefix="rnnbook-bench-parallel-")}
    for variable in ("RNNBOOK_CACHE", "RNNBOOK_COMPILE_CACHE", "RNNBOOK_MODEL_CACHE", "RNNBOOK_WORKERS"):
        env.pop(variable, None)
    code = RUN.format(models=tuple(models), profile=profile, workers=workers)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", default=f"{socket.gethostname()}-{os.cpu_count()}cpu")
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--profile", default="full")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    counts = sorted({1, 2, min(os.cpu_count() or 1, 4)})
    rows = []
    for workers in counts:
        result = run(workers, args.models, args.profile)
        rows.append({"workers": workers, **result})
        print(f"{workers} worker(s): {result['wall_seconds']:7.1f} s", flush=True)
    base = rows[0]
    for row in rows:
        row["speedup"] = base["wall_seconds"] / row["wall_seconds"]
        row["same_scores_as_one_worker"] = row["val_mse"] == base["val_mse"]
    print(f"\n{'workers':>7} {'wall':>9} {'speed-up':>9}  same scores")
    for row in rows:
        print(
            f"{row['workers']:>7} {row['wall_seconds']:8.1f}s {row['speedup']:8.2f}x  "
            f"{row['same_scores_as_one_worker']}"
        )
    date = datetime.date.today().isoformat()
    output = args.output or ROOT / "bench" / "results" / f"parallel-{args.machine}-{date}.json"
    output.write_text(
        json.dumps(
            {
                "machine": args.machine,
                "cpu_count": os.cpu_count(),
                "date": date,
                "profile": args.profile,
                "models": args.models,
                "seeds": 3,
                "loadavg_1min": os.getloadavg()[0],
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {output}")
    return 0 if all(r["same_scores_as_one_worker"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

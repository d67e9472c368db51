"""Benchmark the widgets in a live kernel: display time and update latency in JupyterLab and Chromium.

Runs the live browser test (``tests/test_live.py``: JupyterLab on 127.0.0.1, the chapters' widget
cells, every control moved) and reports what it measured, per widget:

* ``display_s``: from running the widget's cell to its picture being drawn in the browser -- with the
  trained-model and computed-widget caches warm (after the book's build), the goal is under 2 s;
* ``update_ms``: for each control moved, from the reader's input (pointer down, a dropdown's change) to
  the first animation frame showing another picture, measured in the page -- the goal is under 50 ms.

Prints a table and writes ``bench/results/live-<machine>-<date>.json``. Needs Chromium, like the test.

Run: ``python bench/bench_live.py``.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timings.json"
        env = {**os.environ, "RNNBOOK_LIVE_TIMINGS": str(out)}
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "browser",
            str(ROOT / "tests" / "test_live.py"),
        ]
        done = subprocess.run(command, cwd=ROOT, env=env, check=False)
        if not out.exists():
            print("the live test measured nothing (see its output above)", file=sys.stderr)
            return 1
        timings = json.loads(out.read_text())
    total = timings.pop("total_s")
    rows = [
        {
            "widget": name,
            "display_s": t["display_s"],
            "update_ms": t.get("browser_update_ms", []),
            "update_ms_max": max(t.get("browser_update_ms", [0])),
        }
        for name, t in timings.items()
    ]
    width = max((len(r["widget"]) for r in rows), default=6)
    print(f"{'widget'.ljust(width)}  display_s  update_ms_max  update_ms (each control)")
    for r in rows:
        print(f"{r['widget'].ljust(width)}  {r['display_s']:<9}  {r['update_ms_max']:<13}  {r['update_ms']}")
    print(f"live test: {total} s in the browser; pytest exit code {done.returncode}")
    machine = socket.gethostname().split(".")[0] or platform.node()
    result = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine,
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "test_passed": done.returncode == 0,
        "browser_s": total,
        "rows": rows,
    }
    path = ROOT / "bench" / "results" / f"live-{machine}-{datetime.date.today().isoformat()}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark the widgets: precompute time, frame sizes and the update latency of a control move.

For each widget of the book (with the arguments the chapters use), measures:

* ``precompute_s``: building the view -- loading (or training) its models, computing every state, drawing
  every frame -- with the computed-widget cache bypassed (:mod:`rnnbook.widgets._cache`);
* ``cached_s``: building the same view again from that cache, what a notebook does once the widget was
  computed on the machine (the goal: well under 2 s);
* ``fresh_hit_s`` and ``fresh_process_s``: the same cache hit in a new Python process, as a notebook's
  first widget cell meets it -- the call alone (which imports Keras and its backend, to key the entry)
  and the whole process (``python -c`` with ``import rnnbook``; the README promises "within a second or
  two");
* ``frames`` and ``embedded_kb``: what the page embeds;
* ``update_ms`` (median and max over every option of every control): a control move in a live kernel,
  i.e. setting the control's ``index`` until the observer has selected the new frame in every stack.
  In the static book the same move is done by ``jslink`` in the browser, with no Python at all;
* ``state_ms``: recomputing one state's data with the pure compute function (slicing a step out of the
  unrolled trace, the masks of one receptive field...), the work a live re-render would start from;
* ``render_ms``: drawing one frame from its data, for reference (done once, at precompute time).

Prints a table and writes ``bench/results/widgets-<machine>-<date>.json``. Note the load average it
records: on a shared machine, training times scale with it.

Run: ``python bench/bench_widgets.py [--widgets unrolling_explorer,bptt_explorer,...]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import socket
import statistics
import time
from pathlib import Path

import numpy as np


def _time(fn, repeat: int = 1) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _update_latencies(view) -> list[float]:
    """Milliseconds from setting a control's index to the new frame being selected, for every option."""
    latencies = []
    for name, spec in zip(view.controls, view.control_list):
        for index in list(range(len(spec.options))) + [spec.initial]:
            start = time.perf_counter()
            view.select(**{name: index})
            assert view.shown_key()[[c.name for c in view.control_list].index(name)] == index
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


FRESH_HIT = """
import sys, time
import rnnbook.widgets as widgets
args = tuple(sys.argv[2:])
start = time.perf_counter()
view = getattr(widgets, sys.argv[1])(*args)
print("HIT", time.perf_counter() - start, view.cached)
"""


def _fresh_process_hit(name: str, args: tuple) -> tuple[float, float]:
    """``(call_s, process_s)``: reading the widget from the cache in a new Python process."""
    import subprocess
    import sys

    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", FRESH_HIT, name, *args], capture_output=True, text=True, check=True
    ).stdout
    process = time.perf_counter() - start
    call, cached = out.split("HIT")[1].split()
    assert cached == "True", f"{name}: not read from the cache in a new process"
    return float(call), process


def bench_one(name: str) -> dict:
    from rnnbook import widgets
    from rnnbook.widgets import bptt, forecast, gates, receptive_field, unrolling

    build = getattr(widgets, name)
    args = ("simple_rnn",) if name == "unrolling_explorer" else ()
    start = time.perf_counter()
    view = build.__wrapped__(*args)  # computed, the widget cache bypassed
    precompute = time.perf_counter() - start
    build(*args)  # computed (or read) and kept in the cache
    start = time.perf_counter()
    cached_view = build(*args)
    cached = time.perf_counter() - start
    assert cached_view.cached, f"{name}: the widget cache is off (RNNBOOK_MODEL_CACHE / RNNBOOK_CACHE)"
    fresh_hit, fresh_process = _fresh_process_hit(name, args)
    updates = _update_latencies(view)
    if name == "unrolling_explorer":
        state = lambda: unrolling.unrolling_step(view.data, 7)  # noqa: E731
        render = lambda: unrolling.render_unrolling_frame(view.data, 7)  # noqa: E731
    elif name == "bptt_explorer":
        key = next(iter(view.data))
        state = lambda: view.data[key]  # noqa: E731  (precomputed grid)
        render = lambda: bptt.render_bptt_frame(view.data[key], max_steps=100, ylim=(1e-20, 1e20))  # noqa: E731
    elif name == "forecast_explorer":
        key = next(iter(view.data))
        state = lambda: view.data[key].errors(5)  # noqa: E731
        render = lambda: forecast.render_forecast_frame(view.data[key], 5)  # noqa: E731
    elif name == "gate_explorer":
        state = lambda: gates.gate_data("lstm", 1)  # noqa: E731 (cached model)
        render = lambda: gates.render_gate_frame(view.data[(0, 1)])  # noqa: E731
    else:
        state = lambda: receptive_field.dependency_masks(2, (1, 2, 4, 8, 16), 64)  # noqa: E731
        render = lambda: receptive_field.render_field_frame(view.data[(0, 0, 4)])  # noqa: E731
    png = [f for f in view.frames.values() if isinstance(f, (bytes, bytearray))]
    return {
        "widget": name,
        "precompute_s": round(precompute, 2),
        "cached_s": round(cached, 3),
        "fresh_hit_s": round(fresh_hit, 2),
        "fresh_process_s": round(fresh_process, 2),
        "frames": len(view.frames),
        "png_frames": len(png),
        "embedded_kb": round(view.embedded_bytes() / 1024, 1),
        "mean_png_kb": round(float(np.mean([len(f) for f in png])) / 1024, 1) if png else 0.0,
        "update_ms_median": round(statistics.median(updates), 3),
        "update_ms_max": round(max(updates), 3),
        "state_ms": round(_time(state, 5), 3),
        "render_ms": round(_time(render, 3), 1),
    }


WIDGETS = (
    "receptive_field_explorer",
    "unrolling_explorer",
    "bptt_explorer",
    "gate_explorer",
    "forecast_explorer",
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widgets", default=",".join(WIDGETS), help="comma-separated widget names")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args(argv)
    import rnnbook  # noqa: F401  (picks the Keras backend)

    load_before = os.getloadavg()
    rows = [bench_one(name) for name in args.widgets.split(",")]
    header = [
        "widget",
        "precompute_s",
        "cached_s",
        "fresh_hit_s",
        "fresh_process_s",
        "frames",
        "png_frames",
        "embedded_kb",
        "mean_png_kb",
        "update_ms_median",
        "update_ms_max",
        "state_ms",
        "render_ms",
    ]
    widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in header]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for r in rows:
        print("  ".join(str(r[h]).ljust(w) for h, w in zip(header, widths)))
    machine = socket.gethostname().split(".")[0] or platform.node()
    import keras

    result = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "rows": rows,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"widgets-{machine}-{datetime.date.today().isoformat()}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"load average before/after: {result['loadavg_before']} / {result['loadavg_after']}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: rnnbook's full profile against the chapter's published table and its reference recipe.

For every row of the chapter's table (:mod:`rnnbook.published`, source cited there) this script

* trains the matching registered rnnbook model with ``rnnbook.training.train(name, profile=...)``
  (default: the ``full`` profile, on rnnbook's default Keras backend), one model per subprocess so
  each row gets its own peak RSS;
* trains, on the same machine in the same run, the chapter's reference recipe
  (``bench/reference_recipe.py``: plain Keras on TensorFlow, batch 32, 20 epochs, Adam), also one model
  per subprocess with ``KERAS_BACKEND=tensorflow``;
* prints a table and writes ``bench/results/<machine>-<date>.json``.

Finished rows are cached in ``bench/results/<machine>-<date>.<side>.tmp`` (JSON lines) as they come,
so an interrupted run picks up where it stopped.

Usage (from the repository root)::

    python bench/run_bench.py                                # everything (about 30-40 min on 2 cores)
    python bench/run_bench.py --reference-from bench/results/vm-2cpu-2026-11-25.json   # reuse reference
    python bench/run_bench.py --models linear deep_rnn --skip-reference
    python bench/run_bench.py --profile quick --skip-reference

``--models`` takes published row names or rnnbook registry names.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"


def model_map() -> dict:
    """Published row -> rnnbook registry name (the published values live in :mod:`rnnbook.published`;
    imported here, not at module level, so a worker times its own first ``import rnnbook``)."""
    from rnnbook.published import PUBLISHED

    return {row.row: name for name, row in PUBLISHED.items()}


NAIVE = ("naive_last_value", "naive_10_steps")  # nothing to train in the reference recipe


def published():
    """``(rows, source)``: the chapter's published validation MSEs, with where they come from."""
    from rnnbook.published import PUBLISHED, SOURCE

    return {row.row: row.val_mse for row in PUBLISHED.values()}, SOURCE


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------ workers (subprocess)
def rnnbook_worker(name: str, profile: str) -> dict:
    """Train one registered model with rnnbook's ``train`` (runs inside a subprocess)."""
    t0 = time.perf_counter()
    import rnnbook

    import_seconds = time.perf_counter() - t0
    from rnnbook.training import train

    result = train(name, profile=profile, progress=False)
    import keras

    return {
        "model": name,
        "val_mse": result.val_mse,
        "test_mse": result.test_mse,
        "fit_seconds": result.fit_seconds,
        "epochs": result.epochs,
        "params": result.params,
        "batch_size": getattr(result, "batch_size", None),
        "learning_rate": getattr(result, "learning_rate", None),
        "schedule": getattr(result, "schedule", None),
        "epoch_seconds": getattr(result, "epoch_seconds", None),
        # Validation score after each epoch, in the chapter's metric (None: the model's history does
        # not hold it, e.g. an iterated one-step model is trained on one step, scored on ten).
        "val_history": _val_history(result),
        "backend": keras.backend.backend(),
        "rnnbook_import_seconds": import_seconds,
        "peak_rss_mb": peak_rss_mb(),
        "rnnbook_version": rnnbook.__version__,
    }


def _val_history(result):
    history = result.history
    if result.spec.kind == "iterative":
        return None
    return history.get("val_last_time_step_mse", history.get("val_loss"))


def time_to_quality(epoch_seconds, val_history, target):
    """``(seconds, epochs)`` until the validation score first reaches ``target`` (MLPerf's time to a target
    quality), or ``(None, None)`` when it never does or the history is missing.

    >>> time_to_quality([3.0, 1.0, 1.0], [0.5, 0.2, 0.1], 0.2)
    (4.0, 2)
    """
    if not val_history or not epoch_seconds or target is None:
        return None, None
    for epoch, value in enumerate(val_history, 1):
        if value <= target:
            return float(sum(epoch_seconds[:epoch])), epoch
    return None, None


def first_epoch_excess(epoch_seconds) -> float | None:
    """How much longer a run's first epoch took than the median of its later ones: its one-off costs
    (XLA compilation, mostly), never below 0; ``None`` for a run of fewer than two epochs.

    >>> first_epoch_excess([3.0, 1.0, 1.2, 0.8])
    2.0
    """
    if not epoch_seconds or len(epoch_seconds) < 2:
        return None
    return max(0.0, epoch_seconds[0] - statistics.median(epoch_seconds[1:]))


def _run_subprocess(cmd, env) -> dict:
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _cached(path: Path) -> dict:
    rows = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row.get("published_model", row["model"])] = row
    return rows


def run_side(
    side,
    rows,
    cache: Path,
    profile: str,
    backend: str | None,
    rerun: bool = False,
    compile_cache: Path | None = None,
) -> dict:
    """Train ``rows`` (published names) on one side, caching each finished row in ``cache``."""
    done = _cached(cache)
    if rerun:
        for row in rows:
            done.pop(row, None)
    for i, row in enumerate(rows, 1):
        if row in done:
            print(f"[{side} {i}/{len(rows)}] {row}: cached", flush=True)
            continue
        env = dict(os.environ)
        if side == "reference":
            if row in NAIVE:
                continue
            env["KERAS_BACKEND"] = "tensorflow"
            cmd = [sys.executable, str(BENCH / "reference_recipe.py"), "--model", row]
        else:
            if backend:
                env["KERAS_BACKEND"] = backend
            # Cold start: a fresh, empty JAX compilation cache for every model, so each row pays its
            # compilation like a first run of the book (rnnbook caches compiled programs on disk).
            env["RNNBOOK_COMPILE_CACHE"] = str(compile_cache or tempfile.mkdtemp(prefix="rnnbook-bench-jit-"))
            # A benchmark measures training: never a model loaded from the trained-model cache.
            env["RNNBOOK_MODEL_CACHE"] = "0"
            cmd = [
                sys.executable,
                str(BENCH / "run_bench.py"),
                "--worker",
                model_map()[row],
                "--profile",
                profile,
            ]
        t0 = time.perf_counter()
        load_before = os.getloadavg()[0]
        result = _run_subprocess(cmd, env)
        result["published_model"] = row
        # Other processes on the machine slow both sides down: keep the load next to each timing.
        result["loadavg_1min"] = [load_before, os.getloadavg()[0]]
        print(
            f"[{side} {i}/{len(rows)}] {row}: val_mse {result['val_mse']:.6f}, fit "
            f"{result['fit_seconds']:.1f} s (process {time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
        done[row] = result
        with cache.open("a") as f:
            f.write(json.dumps(result) + "\n")
    return {r: done[r] for r in rows if r in done}


def load_reference(path: Path) -> dict:
    """Reference rows from a results JSON (``reference_*`` columns) or a ``.tmp`` JSON-lines cache."""
    text = path.read_text()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return {r.get("published_model", r["model"]): r for r in map(json.loads, text.splitlines()) if r}
    out = {}
    for r in doc["rows"]:
        if r.get("reference_val_mse") is not None:
            out[r["model"]] = {
                "val_mse": r["reference_val_mse"],
                "test_mse": r.get("reference_test_mse"),
                "fit_seconds": r["reference_fit_seconds"],
                "peak_rss_mb": r.get("reference_peak_rss_mb"),
                "loadavg_1min": r.get("reference_loadavg_1min"),
            }
    return out


# ------------------------------------------------------------------------------------------ misc
def import_time() -> dict:
    """``import rnnbook`` in a fresh interpreter: seconds (best of 5) and whether a backend got imported."""
    code = (
        "import sys, time; t = time.perf_counter(); import rnnbook; dt = time.perf_counter() - t; "
        "bad = sorted(m for m in ('keras', 'jax', 'tensorflow', 'torch') if m in sys.modules); "
        "print(dt, ','.join(bad))"
    )
    times, loaded = [], ""
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.split()
        times.append(float(out[0]))
        loaded = out[1] if len(out) > 1 else ""
    return {
        "import_rnnbook_seconds": min(times),
        "import_rnnbook_seconds_all": times,
        "backend_modules_imported": loaded.split(",") if loaded else [],
    }


def format_table(rows) -> str:
    def f(v, spec):
        return format(v, spec) if isinstance(v, (int, float)) else "-"

    head = (
        f"| {'model':<44} | {'published':>9} | {'val_mse':>9} | {'test_mse':>9} | {'fit_s':>7} | "
        f"{'to_pub_s':>8} | {'ref val_mse':>11} | {'ref fit_s':>9} | {'speed-up':>8} | {'to_pub':>7} | "
        f"{'rss_mb':>6} | ok |"
    )
    lines = [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    for r in rows:
        ok = (
            r["val_mse"] is not None
            and r["published_val_mse"] is not None
            and r["val_mse"] <= r["published_val_mse"]
        )
        ok = "n/a" if r["model"] in NAIVE else ("yes" if ok else "NO")
        ref = r.get("reference_fit_seconds")
        speed = ref / r["fit_seconds"] if ref and r.get("fit_seconds") else None
        speed_q = ref / r["seconds_to_published"] if ref and r.get("seconds_to_published") else None
        lines.append(
            f"| {r['model']:<44} | {f(r['published_val_mse'], '9.6f')} | {f(r['val_mse'], '9.6f')} | "
            f"{f(r['test_mse'], '9.6f')} | {f(r['fit_seconds'], '7.1f')} | "
            f"{f(r['seconds_to_published'], '8.1f')} | "
            f"{f(r['reference_val_mse'], '11.6f')} | {f(ref, '9.1f')} | "
            f"{f(speed, '7.1f')}x | {f(speed_q, '6.1f')}x | {f(r['peak_rss_mb'], '6.0f')} | {ok} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark rnnbook against the chapter's table.")
    parser.add_argument("--models", nargs="*", help="published row names or rnnbook names (default: all)")
    parser.add_argument("--profile", default="full", help="rnnbook profile (default: full)")
    parser.add_argument("--backend", default=None, help="KERAS_BACKEND for rnnbook (default: rnnbook's)")
    parser.add_argument("--skip-reference", action="store_true", help="do not train the reference recipe")
    parser.add_argument("--reference-from", type=Path, help="reuse reference rows from this results JSON")
    parser.add_argument("--reference-only", action="store_true", help="train only the reference recipe")
    parser.add_argument(
        "--rerun",
        action="store_true",
        help="retrain the selected rows even if they are cached (after a recipe change)",
    )
    parser.add_argument(
        "--compile-cache",
        type=Path,
        help="share this JAX compilation cache between rnnbook's rows (a warm re-run) "
        "instead of an empty one per row (cold start, the default)",
    )
    parser.add_argument("--machine", default=f"{socket.gethostname()}-{os.cpu_count()}cpu")
    parser.add_argument(
        "--output", type=Path, help="results JSON (default: bench/results/<machine>-<date>.json)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(rnnbook_worker(args.worker, args.profile)), flush=True)
        return 0

    pub, source = published()
    inverse = {v: k for k, v in model_map().items()}
    names = [inverse.get(m, m) for m in (args.models or list(model_map()))]
    unknown = [m for m in names if m not in model_map()]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; known: {', '.join(model_map())}")

    date = datetime.date.today().isoformat()
    RESULTS.mkdir(exist_ok=True)
    stem = (
        f"{args.machine}-{date}"
        + ("" if args.profile == "full" else f"-{args.profile}")
        + ("-warm" if args.compile_cache else "")
    )
    output = args.output or RESULTS / f"{stem}.json"

    reference = {}
    if args.reference_from:
        reference = load_reference(args.reference_from)
    elif not args.skip_reference:
        reference = run_side(
            "reference",
            names,
            RESULTS / f"{args.machine}-{date}.reference.tmp",
            args.profile,
            None,
            args.rerun,
        )
    if args.reference_only:
        return 0

    backend = args.backend or os.environ.get("KERAS_BACKEND")
    ours = run_side(
        "rnnbook",
        names,
        RESULTS / f"{stem}.rnnbook.tmp",
        args.profile,
        backend,
        args.rerun,
        args.compile_cache,
    )

    # A warm re-run (--compile-cache) of the same day, if any: its fit times go next to the cold ones.
    warm = {} if args.compile_cache else _cached(RESULTS / f"{stem}-warm.rnnbook.tmp")
    rows = []
    for n in names:
        o, r, w = ours.get(n, {}), reference.get(n, {}), warm.get(n, {})
        to_quality, epochs_to_quality = time_to_quality(
            o.get("epoch_seconds"), o.get("val_history"), pub.get(n)
        )
        warm_to_quality, _ = time_to_quality(w.get("epoch_seconds"), w.get("val_history"), pub.get(n))
        rows.append(
            {
                "model": n,
                "rnnbook_model": model_map()[n],
                "published_val_mse": pub.get(n),
                "seconds_to_published": to_quality,
                "epochs_to_published": epochs_to_quality,
                "seconds_to_published_warm_compile_cache": warm_to_quality,
                "first_epoch_excess_seconds": first_epoch_excess(o.get("epoch_seconds")),
                "first_epoch_excess_seconds_warm_compile_cache": first_epoch_excess(w.get("epoch_seconds")),
                # what the derived figures above are computed from, kept so that they can be re-derived
                "epoch_seconds": o.get("epoch_seconds"),
                "epoch_seconds_warm_compile_cache": w.get("epoch_seconds"),
                "val_history": o.get("val_history"),
                "val_mse": o.get("val_mse"),
                "test_mse": o.get("test_mse"),
                "fit_seconds": o.get("fit_seconds"),
                "epochs": o.get("epochs"),
                "batch_size": o.get("batch_size"),
                "learning_rate": o.get("learning_rate"),
                "reference_val_mse": r.get("val_mse"),
                "reference_test_mse": r.get("test_mse"),
                "reference_fit_seconds": r.get("fit_seconds"),
                "reference_peak_rss_mb": r.get("peak_rss_mb"),
                "peak_rss_mb": o.get("peak_rss_mb"),
                "fit_seconds_warm_compile_cache": w.get("fit_seconds"),
                "loadavg_1min": o.get("loadavg_1min"),
                "reference_loadavg_1min": r.get("loadavg_1min"),
            }
        )
    backends = sorted({o.get("backend") for o in ours.values() if o.get("backend")})
    summary = summarize(rows)
    extras = {}
    for kind in ("book", "widgets"):
        found = sorted(RESULTS.glob(f"*{kind}*.json"))
        if found:
            extras[kind] = {"file": str(found[-1].relative_to(ROOT)), **_summary(found[-1])}
    doc = {
        "machine": args.machine,
        "cpu_count": os.cpu_count(),
        "cpu": _cpu_name(),
        "backend": backends[0] if len(backends) == 1 else backends,
        "reference_backend": "tensorflow",
        "profile": args.profile,
        "date": date,
        "compile_cache": "warm (shared)" if args.compile_cache else "cold (empty per model)",
        "python": platform.python_version(),
        "versions": _versions(),
        "published_source": source,
        "summary": summary,
        "import": import_time(),
        "loadavg_1min_end": os.getloadavg()[0],
        **extras,
        "rows": rows,
    }
    output.write_text(json.dumps(doc, indent=2) + "\n")
    print(format_table(rows))
    print(
        f"\n{summary['trained_rows_at_or_below_published']}/{summary['trained_rows']} trained rows at or "
        f"below the published val MSE; "
        f"fit time rnnbook {summary['rnnbook_fit_seconds_total']:.0f} s "
        + (
            f"vs reference {summary['reference_fit_seconds_total']:.0f} s ({summary['speedup_total']:.1f}x) "
            if summary["speedup_total"] is not None
            else "(no reference rows) "
        )
        + f"on {summary['rows_timed']} trained rows."
    )
    if summary.get("speedup_to_published") is not None:
        print(
            f"time to the published quality on {summary['rows_timed_to_published']} rows: rnnbook "
            f"{summary['rnnbook_seconds_to_published_total']:.0f} s vs the chapter's recipe "
            f"{summary['reference_seconds_to_published_total']:.0f} s "
            f"({summary['speedup_to_published']:.1f}x)"
            + (
                f"; warm compile cache {summary['speedup_to_published_warm_compile_cache']:.1f}x"
                if "speedup_to_published_warm_compile_cache" in summary
                else ""
            )
        )
    print(
        f"import rnnbook: {doc['import']['import_rnnbook_seconds']:.3f} s, backend modules imported: "
        f"{doc['import']['backend_modules_imported'] or 'none'}"
    )
    print(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0


def summarize(rows: list) -> dict:
    """The summary of a results file, from its rows: quality, fit times, time to the published quality,
    first-epoch excess. Totals run over the trained rows both sides timed; in a run of rnnbook's side
    alone (``--skip-reference``), over rnnbook's trained rows, and the ratios are ``None``."""
    has_reference = any(r["reference_fit_seconds"] is not None for r in rows)
    trained = [
        r
        for r in rows
        if r["model"] not in NAIVE
        and r["fit_seconds"] is not None
        and (r["reference_fit_seconds"] is not None or not has_reference)
    ]

    def total(key, subset):  # None where a row lacks the figure (the reference's, in a run without it)
        values = [r[key] for r in subset]
        return None if None in values else sum(values)

    def ratio(reference_total, ours_total):
        return reference_total / ours_total if reference_total is not None and ours_total else None

    trained_names = [r for r in rows if r["model"] not in NAIVE]
    total_ours, total_ref = total("fit_seconds", trained), total("reference_fit_seconds", trained)
    summary = {
        "trained_rows_at_or_below_published": sum(
            1 for r in trained_names if r["val_mse"] is not None and r["val_mse"] <= r["published_val_mse"]
        ),
        "trained_rows": len(trained_names),
        "rows_timed": len(trained),
        "naive_rows_note": "no training: on the chapter's data (the full profile's draw) they equal the "
        "published values",
        "rnnbook_fit_seconds_total": total_ours,
        "reference_fit_seconds_total": total_ref,
        "speedup_total": ratio(total_ref, total_ours),
    }
    # Time to the published quality (the chapter's recipe reached its published value at its last epoch,
    # so its whole fit time is its time to that quality), on the rows where rnnbook's history shows it.
    quality = [r for r in trained if r["seconds_to_published"] is not None]
    if quality:
        ours_q, ref_q = total("seconds_to_published", quality), total("reference_fit_seconds", quality)
        summary.update(
            {
                "rows_timed_to_published": len(quality),
                "rnnbook_seconds_to_published_total": ours_q,
                "reference_seconds_to_published_total": ref_q,
                "speedup_to_published": ratio(ref_q, ours_q),
            }
        )
        warm_q = total("seconds_to_published_warm_compile_cache", quality)
        if warm_q is not None:
            summary.update(
                {
                    "rnnbook_seconds_to_published_total_warm_compile_cache": warm_q,
                    "speedup_to_published_warm_compile_cache": ratio(ref_q, warm_q),
                }
            )
    total_warm = total("fit_seconds_warm_compile_cache", trained)
    if trained and total_warm is not None:
        summary["rnnbook_fit_seconds_total_warm_compile_cache"] = total_warm
        summary["speedup_total_warm_compile_cache"] = ratio(total_ref, total_warm)
    # The first epochs' one-off costs (compilation, mostly), and with a warm compile cache what is left.
    excess = [r for r in trained if r["first_epoch_excess_seconds"] is not None]
    warm_excess = total("first_epoch_excess_seconds_warm_compile_cache", excess)
    if excess:
        summary["rnnbook_first_epoch_excess_seconds_total"] = total("first_epoch_excess_seconds", excess)
    if excess and warm_excess is not None:
        summary["rnnbook_first_epoch_excess_seconds_total_warm_compile_cache"] = warm_excess
    return summary


def _summary(path: Path) -> dict:
    """The headline numbers of another bench results file (book timing, widget latency)."""
    doc = json.loads(path.read_text())
    out = {k: v for k, v in doc.items() if isinstance(v, (int, float, str)) and k not in ("machine", "date")}
    keep = ("chapter", "seconds", "error", "widget", "precompute_s", "update_ms_median", "update_ms_max")
    for key in ("chapters", "rows"):
        if isinstance(doc.get(key), list):
            out[key] = [{k: r[k] for k in keep if k in r} for r in doc[key]]
    return out


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _versions() -> dict:
    from importlib import metadata

    out = {}
    for dist in ("keras", "jax", "jaxlib", "tensorflow-cpu", "tensorflow", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


if __name__ == "__main__":
    sys.exit(main())

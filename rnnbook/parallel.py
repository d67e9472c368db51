"""Independent trainings at once, in worker processes, so that every core of the machine works.

A chapter's comparison trains several models, each with several seeds, and every one of those runs is
independent of the others. One small Keras model does not keep two cores busy, so the runs go faster
side by side: ``bench/bench_parallel.py`` measures the same runs with one and with two worker
processes (the stored result is quoted in ``bench/README.md``).

**The trained-model cache is where the workers and the caller meet.** :func:`prefill` hands the runs
that the cache does not hold yet to the workers; each worker calls :func:`rnnbook.training.train`,
which stores its model in the cache atomically. The caller then calls ``train`` for every run, in its
own order, and each call is a cache hit. So

* the results are exactly those of a sequential run (a hit returns the miss's weights, scores and
  history, and a run's numbers depend only on its seed: same seed, same numbers, in any process);
* Ctrl-C loses no finished run (it is in the cache; the workers are stopped, the caller's
  ``KeyboardInterrupt`` goes on);
* a run that fails in a worker is trained again by the caller, whose error is the one a sequential run
  would have raised; a model registered only in the caller's session (a notebook's own) never goes to
  a worker, which could not build it.

Without the cache (``RNNBOOK_MODEL_CACHE=0``, ``cache=False``, a forecaster such as ARMA) there is
nowhere to meet, and the runs train one after the other in the caller.

**How many workers:** ``workers=``, else ``$RNNBOOK_WORKERS``, else the cores this process may use (at
most :data:`MAX_WORKERS`); ``1`` turns the workers off. Two runs or more that the cache lacks go to the
workers. A worker pays once for importing Keras and its backend (a few seconds); short runs gain too,
since most of their time is compiling the model, which each worker does on its own core.

The workers are started once per process, with the caller's Keras backend, and kept for the next call.
Each is a fresh interpreter (``python -m rnnbook.parallel``), not a fork -- forking a process that runs
JAX or PyTorch threads is unsafe -- nor a ``multiprocessing`` spawn, which would run the caller's script
again in every worker. They sit in a session (on Windows, a process group) of their own, so a
terminal's Ctrl-C reaches only the caller, which stops them. What a worker prints is dropped (a
notebook's kernel would show it on the page); a run that fails in a worker comes back as one line, a
:class:`ParallelWarning`, and the caller trains it.

Example:

>>> from rnnbook import parallel
>>> parallel.worker_count(workers=1)
1
>>> parallel.worker_count(workers=3)
3
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import warnings

from rnnbook._checks import check_positive_int
from rnnbook.backend import backend

WORKERS_ENV = "RNNBOOK_WORKERS"
#: The most workers started by default: the chapter's small models gain little beyond it and each
#: worker holds its own copy of Keras and its backend (about half a gigabyte).
MAX_WORKERS = 4

_workers: list = []  # the running workers (:class:`_Worker`), started once and reused


def worker_count(workers: int | None = None) -> int:
    """The number of worker processes: ``workers``, else ``$RNNBOOK_WORKERS``, else the cores this
    process may use (at most :data:`MAX_WORKERS`). A bad value is one ``ValueError`` line naming where
    it came from."""
    if workers is not None:
        return check_positive_int("workers", workers)
    value = os.environ.get(WORKERS_ENV)
    if value is None or value == "":
        return max(1, min(_usable_cores(), MAX_WORKERS))
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"${WORKERS_ENV} is {value!r}; expected a positive integer (1: no workers).")
    return count


def _usable_cores() -> int:
    """The cores this process may run on (a container's or a CPU affinity's limit, not the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class ParallelWarning(UserWarning):
    """A run failed in a worker process (the caller trains it again itself)."""


def prefill(jobs, workers: int | None = None, *, warn: bool = True) -> int:
    """Train in worker processes every run of ``jobs`` that the trained-model cache does not hold yet.

    Args:
        jobs: ``(name, kwargs)`` pairs, each one call ``train(name, **kwargs)``.
        workers: the number of worker processes (see :func:`worker_count`).
        warn: give a :class:`ParallelWarning` for the runs that failed in a worker. A caller that
            reports each failure of its own when it trains the run again (the leaderboard, a
            backtest) passes ``False``, so a failure is reported once.

    Returns:
        How many runs the workers were given (``0``: none, the caller trains what is left itself).
        Afterwards ``train(name, **kwargs)`` reads each run the workers finished from the cache. The
        runs that failed in a worker give one :class:`ParallelWarning` with the first error (unless
        ``warn`` is false).
    """
    from rnnbook import model_cache

    count = worker_count(workers)
    if count < 2 or model_cache.directory() is None:  # no cache: nowhere to meet
        return 0
    todo = _for_workers(jobs)
    if len(todo) < 2:
        return 0
    waiting = queue.SimpleQueue()
    for job in todo:
        waiting.put(job)
    failures = []
    feeders = [
        threading.Thread(target=worker.take_jobs, args=(waiting, failures), daemon=True)
        for worker in _start(min(count, len(todo)))
    ]
    try:
        for feeder in feeders:
            feeder.start()
        for feeder in feeders:
            while feeder.is_alive():  # a timeout keeps the wait open to Ctrl-C everywhere
                feeder.join(timeout=0.5)
    except BaseException:  # Ctrl-C: stop the workers; the runs they finished are in the cache
        shutdown()
        raise
    if failures and warn:
        warnings.warn(
            f"{len(failures)} of {len(todo)} runs failed in a worker process and are trained here "
            f"instead; the first: {failures[0]}",
            ParallelWarning,
            stacklevel=3,
        )
    return len(todo)


def train_many(jobs, workers: int | None = None) -> list:
    """``[train(name, **kwargs) for name, kwargs in jobs]``, with the runs trained side by side first
    (:func:`prefill`): the same results, in the same order, sooner."""
    from rnnbook.training import train

    jobs = [(name, {"progress": False, **kwargs}) for name, kwargs in jobs]
    prefill(jobs, workers)
    return [train(name, **kwargs) for name, kwargs in jobs]


def shutdown() -> None:
    """Stop the worker processes (they are started again when needed)."""
    while _workers:
        _workers.pop().stop()


def _for_workers(jobs) -> list:
    """The jobs for the workers, each once: runs for the trained-model cache that it lacks, with the
    caller's cache directories spelled out (a worker's home or working directory may differ)."""
    from rnnbook import model_cache
    from rnnbook.cache import cache_dir
    from rnnbook.training import plan_training

    environ = {k: v for k, v in os.environ.items() if k.startswith("RNNBOOK_")}
    compiled = cache_dir("jax")
    if compiled is not None:
        environ["RNNBOOK_COMPILE_CACHE"] = compiled
    todo = {}
    for name, kwargs in jobs:
        if kwargs.get("callbacks"):  # a callback lives in the caller (and such runs are not cached)
            continue
        try:
            plan = plan_training(name, **{k: v for k, v in kwargs.items() if k != "progress"})
        except Exception:  # the caller's own call raises it, where the caller reports it
            continue
        if not _known_to_a_new_process(plan.spec):
            continue
        if plan.cache_key is not None and not model_cache.has(plan.cache_root, plan.cache_key):
            environ_here = {**environ, "RNNBOOK_MODEL_CACHE": plan.cache_root}
            todo[plan.cache_key] = (name, kwargs, environ_here, plan.cache_key)
    return list(todo.values())


def _known_to_a_new_process(spec) -> bool:
    """Whether a worker's registry has this model as the caller's has it: a built-in, or a plugin's
    entry point. One registered in the caller's session (a notebook's exercise, a script's own model)
    exists only there, so the caller trains it."""
    if spec.source.startswith("plugin"):
        return True
    return spec.source == "builtin" and getattr(spec.builder, "__module__", "").startswith("rnnbook.")


def _start(count: int) -> list:
    """``count`` running workers on the caller's Keras backend (those already running, and more)."""
    _workers[:] = [w for w in _workers if w.alive() and w.backend == backend()]
    while len(_workers) < count:
        _workers.append(_Worker(backend()))
    return _workers[:count]


_LENGTH = struct.Struct("<Q")  # each message: its length, then the pickle


class _Worker:
    """One worker process: jobs go in pickled on its standard input, one outcome comes back."""

    def __init__(self, backend_name: str):
        self.backend = backend_name
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rnnbook.parallel"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Dropped: a notebook's kernel shows its subprocesses' output on the page. A run that fails
            # in a worker comes back as one line (a ParallelWarning) and the caller trains it again.
            stderr=subprocess.DEVNULL,
            env={**os.environ, "KERAS_BACKEND": backend_name},
            # Ctrl-C goes to the caller alone, which stops the workers.
            **(
                {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
                if sys.platform == "win32"
                else {"start_new_session": True}
            ),
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def take_jobs(self, waiting: queue.SimpleQueue, failures: list) -> None:
        """Run jobs from ``waiting`` until it is empty or this worker has died; a job that fails (or
        cannot be sent: a hyper-parameter that does not pickle) is added to ``failures``."""
        while self.alive():
            try:
                job = waiting.get_nowait()
            except queue.Empty:
                return
            try:
                message = pickle.dumps(job)
            except Exception as exc:  # stays with the caller, which needs no pickle
                failures.append(f"{job[0]}: cannot be sent to a worker ({type(exc).__name__}: {exc})")
                continue
            try:
                self.process.stdin.write(_LENGTH.pack(len(message)) + message)
                self.process.stdin.flush()
                outcome = _read_message(self.process.stdout)
            except (OSError, EOFError, pickle.UnpicklingError, struct.error):
                failures.append(f"{job[0]}: the worker process stopped")
                self.stop()
                return
            if outcome is not None:
                failures.append(f"{job[0]}: {outcome}")

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()


def _read_message(stream):
    """One length-prefixed pickle from ``stream``; ``EOFError`` when the stream ends."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError
    (length,) = _LENGTH.unpack(header)
    body = stream.read(length)
    if len(body) < length:
        raise EOFError
    return pickle.loads(body)


def _serve() -> None:
    """A worker's loop: read a job, train it into the cache, answer; until its input closes."""
    jobs, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever training prints goes where standard error goes, away from the answers
    while True:
        try:
            name, kwargs, environ, key = _read_message(jobs)
        except EOFError:
            return
        except Exception as exc:  # a job this process cannot unpickle (a function of the caller's)
            outcome = f"cannot be read in a worker ({type(exc).__name__}: {exc})"
        else:
            outcome = _run(name, kwargs, environ, key)
        message = pickle.dumps(outcome)
        answers.write(_LENGTH.pack(len(message)) + message)
        answers.flush()


def _run(name: str, kwargs: dict, environ: dict, key: str) -> str | None:
    """Train one job into the cache under the caller's ``key``: ``None``, or what went wrong."""
    from rnnbook.training import plan_training, train

    for variable in [k for k in os.environ if k.startswith("RNNBOOK_")]:
        del os.environ[variable]
    os.environ.update(environ)  # the caller's cache directories and profile, as they are now
    try:
        plan = plan_training(name, **{k: v for k, v in kwargs.items() if k != "progress"})
        if plan.cache_key != key:  # the caller would never find the run under another key
            return (
                "the worker's rnnbook differs from the caller's (edited since the caller imported "
                "it? restart the kernel or process to train side by side again)"
            )
        train(name, **kwargs)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


atexit.register(shutdown)

if __name__ == "__main__":
    _serve()

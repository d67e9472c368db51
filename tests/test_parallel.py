"""rnnbook.parallel: runs trained side by side in worker processes give the numbers of one run after
the other, meet the caller in the trained-model cache, and never lose finished work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

from rnnbook import compare, parallel
from rnnbook.training import train

JOBS = [("linear", {"profile": "quick", "seed": seed}) for seed in (1, 2)]


@pytest.fixture
def model_cache(tmp_path, monkeypatch):
    """A trained-model cache of the test's own (conftest turns the cache off for unit tests)."""
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", str(tmp_path / "models"))
    yield tmp_path / "models"
    parallel.shutdown()


def test_side_by_side_gives_the_numbers_of_one_after_the_other(model_cache, monkeypatch):
    assert parallel.prefill(JOBS, workers=2) == 2
    assert len(list(model_cache.iterdir())) == 2  # both runs stored by the workers
    together = parallel.train_many(JOBS, workers=2)
    assert [r.cached for r in together] == [True, True]  # read back, not trained again
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", "0")
    alone = [train(name, progress=False, **kwargs) for name, kwargs in JOBS]
    for a, b in zip(together, alone):
        assert a.val_mse == b.val_mse and a.history == b.history
        for wa, wb in zip(a.model.get_weights(), b.model.get_weights()):
            np.testing.assert_array_equal(wa, wb)
    assert together[0].val_mse != together[1].val_mse  # two seeds, two experiments


def test_train_seeds_keeps_its_order_through_the_workers(model_cache):
    runs = compare.train_seeds(("linear", "naive_last_value"), seeds=(3, 4), profile="quick", workers=2)
    assert list(runs) == ["linear", "naive_last_value"]
    singles = [train("linear", profile="quick", seed=s, progress=False).val_mse for s in (3, 4)]
    assert [r.val_mse for r in runs["linear"]] == singles


def test_a_model_of_the_callers_session_is_trained_by_the_caller(model_cache):
    from rnnbook.specs import BUILTINS, register_model

    @register_model("tiny_here_only", description="Registered in this process only.")
    def tiny(n_steps=50, n_features=1, horizon=1):
        import keras

        return keras.Sequential(
            [keras.Input((n_steps, n_features)), keras.layers.Flatten(), keras.layers.Dense(horizon)]
        )

    try:
        jobs = [("tiny_here_only", {"profile": "quick", "seed": s}) for s in (1, 2)]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the expected case: no warning
            assert parallel.prefill(jobs, workers=2) == 0  # a worker would know no such model
        results = parallel.train_many(jobs, workers=2)
        assert [r.cached for r in results] == [False, False]  # trained here, not read back
        assert all(np.isfinite(r.val_mse) for r in results)
    finally:
        del BUILTINS["tiny_here_only"]


def test_a_run_that_fails_in_a_worker_warns_once_and_fails_in_the_caller_as_alone(model_cache):
    jobs = [("linear", {"profile": "quick", "seed": s, "no_such_argument": 1}) for s in (1, 2)]
    with pytest.warns(parallel.ParallelWarning, match=r"2 of 2 runs failed .*no_such_argument"):
        with pytest.raises(TypeError, match="no_such_argument"):
            parallel.train_many(jobs, workers=2)


def test_without_the_cache_nothing_goes_to_a_worker(monkeypatch):
    parallel.shutdown()
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", "0")
    assert parallel.prefill(JOBS, workers=2) == 0
    assert parallel._workers == []


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_worker_count_is_one_line_naming_it(monkeypatch, value):
    monkeypatch.setenv(parallel.WORKERS_ENV, value)
    with pytest.raises(ValueError, match=r"^\$RNNBOOK_WORKERS is .*expected a positive integer"):
        parallel.worker_count()
    with pytest.raises(ValueError, match="workers"):
        parallel.worker_count(workers=0)


def test_a_worker_whose_code_keys_the_run_otherwise_trains_nothing(model_cache):
    import queue

    (job,) = parallel._for_workers(JOBS[:1])
    waiting, failures = queue.SimpleQueue(), []
    waiting.put((*job[:3], "0" * 64))  # the key of a caller whose rnnbook was edited since
    (worker,) = parallel._start(1)
    worker.take_jobs(waiting, failures)
    assert len(failures) == 1 and "differs from the caller's" in failures[0]
    assert not model_cache.exists() or list(model_cache.iterdir()) == []


def test_the_same_run_twice_goes_to_one_worker_once(model_cache):
    assert parallel.prefill([JOBS[0], JOBS[0], JOBS[1]], workers=2) == 2


@pytest.fixture
def sigint_raises():
    """SIGINT raises KeyboardInterrupt, as in a terminal or a kernel, even where the test runner was
    started with SIGINT ignored (a shell's background job), which a child process inherits too."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_in_a_kernel_stops_the_workers_and_keeps_the_finished_runs(model_cache, sigint_raises):
    import _thread
    import threading

    jobs = [("linear", {"profile": "quick", "seed": s, "epochs": 40}) for s in range(1, 7)]
    workers = parallel._start(2)

    def interrupt_after_the_first_run():
        deadline = time.monotonic() + 240
        while not (model_cache.is_dir() and any(not p.name.startswith(".") for p in model_cache.iterdir())):
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        _thread.interrupt_main()  # what Ctrl-C (or a notebook's interrupt) does to the caller

    threading.Thread(target=interrupt_after_the_first_run, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        parallel.prefill(jobs, workers=2)
    # The caller lives on (a kernel does not exit), its workers do not, and finished runs are kept.
    assert parallel._workers == [] and not any(w.alive() for w in workers)
    finished = [p for p in model_cache.iterdir() if not p.name.startswith(".")]
    assert 1 <= len(finished) < 6 and all((p / "result.json").is_file() for p in finished)


def test_ctrl_c_in_a_terminal_stops_the_workers_and_keeps_the_finished_runs(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a terminal's Python, even if ignored here
        os.environ["RNNBOOK_MODEL_CACHE"] = {str(tmp_path / "models")!r}
        from rnnbook import parallel
        jobs = [("linear", {{"profile": "quick", "seed": s, "epochs": 40}}) for s in range(1, 7)]
        workers = parallel._start(2)
        print(*[w.process.pid for w in workers], flush=True)
        parallel.prefill(jobs, workers=2)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in child.stdout.readline().split()]
    models = tmp_path / "models"
    deadline = time.monotonic() + 240
    while not (models.is_dir() and any(not p.name.startswith(".") for p in models.iterdir())):
        assert time.monotonic() < deadline, "no run finished in 240 s"
        time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=60) != 0  # the KeyboardInterrupt went on
    finished = [p for p in models.iterdir() if not p.name.startswith(".")]
    assert 1 <= len(finished) < 6
    assert all((p / "result.json").is_file() for p in finished)
    for pid in pids:  # stopped, not left training in the background
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_run_that_cannot_be_planned_is_left_to_the_caller(model_cache):
    bad = ("linear", {"profile": "quick", "seed": 1, "horizon": 0})
    assert parallel.prefill([bad, *JOBS], workers=2) == 2  # the others still go to the workers
    with pytest.raises(ValueError, match="horizon"):  # the caller's own call says what is wrong
        train(bad[0], progress=False, **bad[1])

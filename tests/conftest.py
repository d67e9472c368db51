"""Shared pytest configuration for rnnbook's tests.

Markers:

* ``book`` -- tests about the book as a whole that only mean something when the chapters are collected
  by nbval in the same session (``pytest --nbval-lax book/ tests/test_book_toc.py``). The unit-only
  pass deselects them with ``-m "not book"``.
* ``backends`` -- tests whose outcome depends on the Keras backend (set on whole modules, below). The
  README's test command runs every test on JAX and these on TensorFlow and PyTorch too.
"""

from pathlib import Path

TESTS = Path(__file__).resolve().parent

# Modules whose outcome depends on the Keras backend: the models' numbers, the layers, saving and
# loading, gradients, the widgets' arrays, the plugins' models, the worker processes (a Ctrl-C bug once
# showed on TensorFlow alone). They run on all three backends.
ON_EVERY_BACKEND = {
    "test_backend", "test_baselines", "test_compare", "test_conv", "test_docstrings", "test_equations",
    "test_gradients", "test_layers", "test_metrics", "test_model_cache", "test_models", "test_parallel",
    "test_plugins", "test_registry", "test_saving", "test_training", "test_widgets",
}  # fmt: skip
# Modules whose code is the same whatever the backend -- the CLI, the backtest, the leaderboard, the
# statistical models, data, text and packaging -- run once, on JAX. Running them on all three backends
# cost CI about 7 minutes a backend (the CLI's and the backtest's end-to-end runs, mostly).
ON_JAX_ONLY = {
    "test_arma", "test_backtest", "test_bench_book", "test_bench_results", "test_book_toc",
    "test_browser", "test_cache", "test_cli", "test_data", "test_diagrams", "test_frames",
    "test_frames_fuzz", "test_glossary", "test_import", "test_intervals", "test_launch",
    "test_leaderboard", "test_live", "test_notebooks", "test_packaging", "test_plotting",
    "test_profiles", "test_readme", "test_report", "test_seasons", "test_sequence_types",
    "test_statistical", "test_verdict_margins",
}  # fmt: skip


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "book: needs the book's chapters collected by nbval in the same session "
        "(run with --nbval-lax book/; deselect with -m 'not book')",
    )
    config.addinivalue_line(
        "markers", "backends: the outcome depends on the Keras backend (run on TensorFlow and PyTorch too)"
    )


def pytest_collection_modifyitems(config, items):
    """Mark the tests of :data:`ON_EVERY_BACKEND`; a test module in neither set stops the run, so that a
    new module is never left off the other backends by accident."""
    for item in items:
        if item.path.parent != TESTS:  # the chapters, collected by nbval
            continue
        module = item.path.stem
        if module in ON_EVERY_BACKEND:
            item.add_marker(pytest.mark.backends)
        elif module not in ON_JAX_ONLY:
            raise pytest.UsageError(
                f"tests/{module}.py is in neither ON_EVERY_BACKEND nor ON_JAX_ONLY of tests/conftest.py; "
                "expected it in one (does its outcome depend on the Keras backend?)"
            )


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def no_trained_model_cache(monkeypatch):
    """Unit tests train for real: a cached model would make a seed or training test pass trivially.

    (The chapters, collected from book/, are outside this directory and keep the cache: nbval reuses
    what the book build trained. Tests of the cache itself point it at a directory of their own.)
    """
    monkeypatch.setenv("RNNBOOK_MODEL_CACHE", "0")


@pytest.fixture(autouse=True)
def quick_profile(monkeypatch):
    """Unit tests train in the quick profile (seconds per model) unless they name another; the book's
    default, ``full``, is for the chapters (outside this directory)."""
    monkeypatch.setenv("RNNBOOK_PROFILE", "quick")


# rnnbook must be imported before any test imports Keras: it sets the default backend (JAX) unless
# KERAS_BACKEND is set, and Keras reads that variable once, on its first import.
import rnnbook  # noqa: E402,F401


@pytest.fixture
def prefill_calls(tmp_path, monkeypatch):
    """``(models, calls)``: a trained-model cache directory of the test's own (set
    ``RNNBOOK_MODEL_CACHE`` to it when the test wants it), and each call of
    ``rnnbook.parallel.prefill`` as ``(runs given to the workers, entries in that cache once they
    were done)``. The workers are stopped afterwards."""
    from rnnbook import parallel

    models, calls = tmp_path / "models", []
    prefill = parallel.prefill

    def watched(*args, **kwargs):
        given = prefill(*args, **kwargs)
        calls.append((given, len(list(models.iterdir())) if models.exists() else 0))
        return given

    monkeypatch.setattr(parallel, "prefill", watched)
    yield models, calls
    parallel.shutdown()

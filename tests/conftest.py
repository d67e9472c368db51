"""Shared pytest configuration for rnnbook's tests.

Markers:

* ``book`` -- tests about the book as a whole that only mean something when the chapters are collected
  by nbval in the same session (``pytest --nbval-lax book/ tests/test_book_toc.py``). The unit-only
  pass deselects them with ``-m "not book"``.
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "book: needs the book's chapters collected by nbval in the same session "
        "(run with --nbval-lax book/; deselect with -m 'not book')",
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

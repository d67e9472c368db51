"""The backend: no TensorFlow unless it is the backend, no TensorFlow start-up log, clear seeds."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import rnnbook
from rnnbook.backend import _TF_STARTUP_LINE, missing_backend, set_seed

# A chapter's worth of work: seeding, building every built-in model, training, saving and loading,
# BPTT gradients and every widget's compute function.
CHAPTER_WORK = textwrap.dedent("""
    import os, sys, tempfile
    import numpy as np
    import rnnbook
    from rnnbook import registry
    from rnnbook.training import train
    from rnnbook.gradients import hidden_state_gradient_norms
    from rnnbook import widgets

    rnnbook.set_seed(0)
    for spec in registry.list_models():
        if spec.source == "builtin":
            rnnbook.build_model(spec.name)
    result = train("deep_rnn", profile="quick", epochs=1, progress=False)
    path = os.path.join(tempfile.mkdtemp(), "m.keras")
    result.model.save(path)
    import keras
    keras.saving.load_model(path)
    keras.utils.set_random_seed(1)   # Keras' own seeding, after import rnnbook, must not load TF either
    layer = keras.layers.SimpleRNN(4)
    X = np.random.default_rng(0).normal(size=(2, 8, 1)).astype("float32")
    hidden_state_gradient_norms(layer, X, np.zeros((2, 1), "float32"), head=keras.layers.Dense(1))
    widgets.dependency_masks(2, (1, 2, 4), n_steps=16)
    widgets.unrolling_data("lstm", n_steps=6, epochs=1)
    widgets.gate_data("gru", n_steps=8, epochs=1)
    widgets.bptt_data(n_steps=10)
    widgets.forecast_data("synthetic", "linear", horizon=2, epochs=1)
    print("LOADED", sorted(m for m in ("tensorflow", "torch", "jax") if m in sys.modules))
""")


def _run(code: str, backend: str, **env) -> subprocess.CompletedProcess:
    environ = {**os.environ, "KERAS_BACKEND": backend, **env}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=900
    )


@pytest.mark.parametrize("backend, others", [("jax", "tensorflow torch"), ("torch", "tensorflow")])
def test_a_chapters_work_never_imports_tensorflow_on_other_backends(backend, others):
    if missing_backend(backend):
        pytest.fail(missing_backend(backend))
    out = _run(CHAPTER_WORK, backend)
    assert out.returncode == 0, out.stderr[-3000:]
    loaded = out.stdout.split("LOADED", 1)[1]
    for other in others.split():
        assert f"'{other}'" not in loaded, f"{other} was imported on the {backend} backend: {loaded}"
    assert "absl::InitializeLog" not in out.stderr and "oneDNN" not in out.stderr, out.stderr[-2000:]


def test_tensorflow_start_up_lines_never_reach_stderr_on_the_tensorflow_backend():
    if missing_backend("tensorflow"):
        pytest.fail(missing_backend("tensorflow"))
    code = (
        "import rnnbook, keras, sys; m = rnnbook.build_model('simple_rnn'); "
        "print('other line', file=sys.stderr)"
    )
    out = _run(code, "tensorflow")
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stderr.strip().splitlines() == ["other line"], out.stderr


def test_the_start_up_filter_keeps_every_other_line():
    noise = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        "I0000 00:00:1795663685.790636    4005 port.cc:153] oneDNN custom operations are on.",
        "I0000 00:00:1795663685.824204    4005 cpu_feature_guard.cc:227] This TensorFlow binary is "
        "optimized to use available CPU instructions in performance-critical operations.",
    ]
    kept = [
        "Traceback (most recent call last):",
        "E0000 00:00:1.0 1 op.cc:1] a real error",
        "UserWarning: something the reader must see",
    ]
    assert all(_TF_STARTUP_LINE.match(line) for line in noise)
    assert not any(_TF_STARTUP_LINE.match(line) for line in kept)


def test_the_same_seed_gives_the_same_weights_and_another_seed_others():
    def weights(seed):
        set_seed(seed)
        return rnnbook.build_model("deep_rnn").get_weights()[0]

    first, again, other = weights(3), weights(3), weights(4)
    assert (first == again).all() and not (first == other).all()


@pytest.mark.parametrize("bad", [1.5, "3", -1, True, None])
def test_a_bad_seed_is_one_clear_error(bad):
    with pytest.raises(ValueError, match="seed"):
        set_seed(bad)


def test_a_missing_or_unknown_backend_is_one_line_saying_what_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    message = missing_backend("torch")
    assert "torch" in message and "pip install" in message and "\n" not in message
    assert "expected one of jax, tensorflow, torch" in missing_backend("theano")
    assert missing_backend("jax") is None

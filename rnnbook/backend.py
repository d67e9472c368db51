"""The Keras backend: which one runs, seeding it, and keeping the other frameworks out of the process.

``import rnnbook`` picks JAX unless ``KERAS_BACKEND`` is already set (JAX trained the chapter's models
fastest on CPU in ``bench/``) and calls :func:`install_import_hooks`, which imports nothing itself:

* **No TensorFlow unless it is the backend.** Keras probes for TensorFlow in several places even on
  JAX or PyTorch -- ``keras.utils.set_random_seed`` seeds ``tf.random`` "whenever TensorFlow is
  installed", and saving checks for ``tf.TensorShape`` -- and each probe imports TensorFlow, whose
  C++ runtime then prints its start-up log to the process's stderr (a red box on a book page). The
  hook makes those probes answer "only if TensorFlow is already imported": a TensorFlow object cannot
  exist in a process that never imported TensorFlow, so nothing that needs it is lost. Code that
  wants TensorFlow next to another backend (``tf.data``, say) imports it first and Keras sees it.
* **TensorFlow's start-up log stays off the page** on the TensorFlow backend: its C++ runtime writes
  lines such as ``All log messages before absl::InitializeLog() ...`` and ``oneDNN custom operations
  are on ...`` straight to file descriptor 2 when it is imported, and ``TF_CPP_MIN_LOG_LEVEL`` no
  longer hides them. The hook imports TensorFlow with descriptor 2 redirected and passes on every
  line that is not such a start-up line.

Example:

>>> import rnnbook
>>> from rnnbook.backend import set_seed
>>> set_seed(0)
>>> import sys; rnnbook.backend.backend() == "tensorflow" or "tensorflow" not in sys.modules
True
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import operator
import os
import re
import sys
import tempfile
import threading
import warnings

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras.

DEFAULT_BACKEND = "jax"
BACKENDS = ("jax", "tensorflow", "torch")

# TensorFlow's native start-up lines: absl's preamble and its INFO lines (``I0000 00:00:...``), plus
# the CPU-feature and CUDA-plugin notes it prints on machines without a GPU.
_TF_STARTUP_LINE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|I\d{4} .*"
    r"|[WE]\d{4} .*(cuda|cuDNN|cuFFT|cuBLAS|TensorRT|TF-TRT|cpu_feature_guard|Unable to register).*"
    r"|.*This TensorFlow binary is optimized to use available CPU instructions.*"
    r"|.*To enable the following instructions: .*in other operations, rebuild TensorFlow.*"
    r"|\s*)$"
)


def backend() -> str:
    """The Keras backend this process uses: Keras' own answer once it is imported, else ``KERAS_BACKEND``."""
    keras = sys.modules.get("keras")
    config = getattr(keras, "config", None)
    if config is not None and hasattr(config, "backend"):
        return config.backend()
    return os.environ.get("KERAS_BACKEND", DEFAULT_BACKEND)


# The module each backend needs, and the pip requirement that provides it.
_BACKEND_PACKAGES = {
    "jax": ("jax", "jax[cpu]"),
    "tensorflow": ("tensorflow", "tensorflow-cpu"),
    "torch": ("torch", "torch"),
}


def missing_backend(name: str) -> str | None:
    """``None`` when Keras can run on backend ``name`` here, else one line saying what to install."""

    if name not in _BACKEND_PACKAGES:
        return f"unknown Keras backend {name!r}; expected one of {', '.join(BACKENDS)}."
    module, requirement = _BACKEND_PACKAGES[name]
    if importlib.util.find_spec(module) is None:
        return (
            f"the {name} backend needs the {module!r} package, which is not installed "
            f"(pip install {requirement!r}, or `pip install -r requirements-test.txt` for all three)."
        )
    return None


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend: the same seed gives the same numbers on one backend.

    Unlike a bare ``keras.utils.set_random_seed`` called before ``import rnnbook``, this never imports
    TensorFlow on the JAX or PyTorch backend (see the module docstring).
    """
    try:
        if isinstance(seed, bool):
            raise TypeError
        seed = operator.index(seed)
    except TypeError:
        raise ValueError(f"`seed` must be an integer; got {seed!r}.") from None
    if seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer; got {seed}.")
    install_import_hooks()
    import keras

    keras.utils.set_random_seed(seed)


@contextlib.contextmanager
def _native_stderr_filtered():
    """Redirect file descriptor 2; afterwards pass on every line that is not TensorFlow start-up noise."""
    try:
        fd = sys.__stderr__.fileno() if sys.__stderr__ is not None else 2
    except (AttributeError, OSError, ValueError):
        fd = 2
    try:
        saved = os.dup(fd)
    except OSError:  # no descriptor 2 at all (a detached service): nothing can reach a page
        yield
        return
    try:
        capture = tempfile.TemporaryFile()
    except OSError:  # nowhere to capture to: let the lines through rather than fail the import
        os.close(saved)
        yield
        return
    with capture:
        for stream in (sys.stderr, sys.__stderr__):
            with contextlib.suppress(Exception):
                stream.flush()
        os.dup2(capture.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", errors="replace")
            kept = [line for line in text.splitlines() if not _TF_STARTUP_LINE.match(line)]
            if kept and sys.stderr is not None:
                sys.stderr.write("\n".join(kept) + "\n")


class _TensorFlowIfImported:
    """Replacement class of Keras' lazy ``tensorflow`` module: available only once TF is imported."""

    @property
    def available(self):
        if self.module is None and "tensorflow" not in sys.modules:
            return False
        return super().available


def _keep_tensorflow_out(module_utils) -> None:
    lazy = getattr(module_utils, "tensorflow", None)
    base = getattr(module_utils, "LazyModule", None)
    if lazy is None or base is None or type(lazy) is not base:
        return  # a Keras we do not know: leave it alone rather than guess
    lazy.__class__ = type("TensorFlowIfImported", (_TensorFlowIfImported, base), {})


class _Loader(importlib.abc.Loader):
    """Wraps a module's loader to run ``around(exec)`` instead of ``exec``; hands the real one back after."""

    def __init__(self, loader, name, hooks):
        self.loader, self.name, self.hooks = loader, name, hooks

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        # The action is taken when the module really executes -- not when someone merely looks it up
        # with importlib.util.find_spec -- and only once.
        around = self.hooks.take(self.name)
        try:
            if around is None:
                self.loader.exec_module(module)
            else:
                around(lambda: self.loader.exec_module(module), module)
        finally:
            module.__loader__ = self.loader
            if getattr(module, "__spec__", None) is not None:
                module.__spec__.loader = self.loader


class _ImportHooks(importlib.abc.MetaPathFinder):
    """Runs an action around the first import of a few modules, then steps aside."""

    def __init__(self):
        self.actions = {}
        self.lock = threading.Lock()

    def take(self, name):
        with self.lock:
            return self.actions.pop(name, None)

    def find_spec(self, name, path, target=None):
        if name not in self.actions:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _Loader(spec.loader, name, self)
        return spec


_HOOKS = _ImportHooks()


def _after(action):
    def around(execute, module):
        execute()
        try:
            action(module)
        except Exception as exc:  # never break the user's `import keras` over rnnbook's own step
            warnings.warn(
                f"rnnbook could not finish setting up after importing {module.__name__}: "
                f"{type(exc).__name__}: {exc}",
                RuntimeWarning,
                stacklevel=2,
            )

    return around


def _quietly(execute, module):
    with _native_stderr_filtered():
        execute()


def install_import_hooks(on_keras_import=None) -> None:
    """Arrange what must happen when Keras is imported; idempotent, and imports nothing itself.

    * ``on_keras_import()`` runs the moment Keras is imported (at once if it already is): ``import
      rnnbook`` passes a function that registers rnnbook's custom objects, so ``.keras`` files of
      rnnbook models load in any process that imported rnnbook, and turns JAX's compile cache on.
      (Passed in rather than imported here, so this foundation module depends on nothing above it.)
    * on JAX and PyTorch, TensorFlow stays out of the process; on TensorFlow, its start-up log stays
      off stderr (see the module docstring).
    """
    if on_keras_import is not None:
        action = _after(lambda module: on_keras_import())
        if "keras" in sys.modules:  # under the same guard: a failing step never breaks `import rnnbook`
            action(lambda: None, sys.modules["keras"])
        else:
            _HOOKS.actions.setdefault("keras", action)
    if backend() == "tensorflow":
        if "tensorflow" not in sys.modules:
            _HOOKS.actions.setdefault("tensorflow", _quietly)
    elif "keras.src.utils.module_utils" in sys.modules:
        _keep_tensorflow_out(sys.modules["keras.src.utils.module_utils"])
    else:
        _HOOKS.actions.setdefault("keras.src.utils.module_utils", _after(_keep_tensorflow_out))
    if _HOOKS.actions and _HOOKS not in sys.meta_path:
        sys.meta_path.insert(0, _HOOKS)

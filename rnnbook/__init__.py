"""rnnbook: processing sequences with RNNs and CNNs -- the package behind the book.

Importing ``rnnbook`` is cheap: it imports no deep-learning backend. Keras (and its backend) is imported
the first time a model is built. Unless ``KERAS_BACKEND`` is already set, rnnbook picks JAX, the
backend that trained the chapter's models fastest on CPU in ``bench/`` (see README); TensorFlow and
PyTorch work too -- set ``KERAS_BACKEND`` before the first import of Keras.
"""

from __future__ import annotations

import os

__version__ = "0.1.0"

from rnnbook.backend import DEFAULT_BACKEND, install_import_hooks, set_seed  # noqa: E402  (imports nothing)

os.environ.setdefault("KERAS_BACKEND", DEFAULT_BACKEND)
# TensorFlow's Python-level start-up logging; its native lines are filtered by the import hooks.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# float32 means float32 on every device. A GPU's default matrix products on JAX round inputs to TF32 (a
# 10-bit mantissa): on an H200 chapter 3's exactness check then failed (relative error 1.9e-3; 3.7e-6
# on CPU, bench/README.md). Changes nothing on CPU; set the variable before `import rnnbook` to choose.
os.environ.setdefault("JAX_DEFAULT_MATMUL_PRECISION", "highest")

from rnnbook.profiles import get_profile  # noqa: E402  (cheap: no backend)
from rnnbook.registry import build_model, get_spec, list_models, register_model  # noqa: E402
from rnnbook.saving import load_model, register_custom_objects  # noqa: E402  (import Keras only when called)


def _set_up_keras() -> None:
    """What rnnbook sets up the moment Keras is imported: its custom layers and metric register, and
    on JAX the compile cache is on (:func:`rnnbook.training.enable_compile_cache`). Not only a
    training compiles: loading a cached model runs each weight's initializer, and the gradient probes
    are jitted. With the cache on only from a first fit, a chapter whose models all came from the
    trained-model cache compiled those programs anew in every kernel (the warm book, bench/README.md).
    """
    register_custom_objects()
    from rnnbook.backend import backend

    if backend() == "jax":
        from rnnbook.training import enable_compile_cache

        enable_compile_cache()


install_import_hooks(on_keras_import=_set_up_keras)

__all__ = [
    "__version__",
    "build_model",
    "get_profile",
    "get_spec",
    "list_models",
    "load_model",
    "register_model",
    "set_seed",
]

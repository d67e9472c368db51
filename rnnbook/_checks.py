"""Argument checks shared by every module.

Messages follow Keras' wording ("Received an invalid value for argument `units`, expected a positive
integer, got 0.") so a reader meets one style of error whether it comes from Keras or from rnnbook.
"""

from __future__ import annotations

import functools
import numbers
import os
import tempfile
import warnings

import numpy as np


def check_positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` or raise ``ValueError`` naming ``name``.

    ``bool`` is rejected on purpose: ``units=True`` is a bug, not a 1.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected {expected}, got {value!r}."
        )
    return int(value)


def check_int_sequence(name: str, value) -> tuple[int, ...]:
    """A non-empty sequence of positive integers as a tuple; one integer means a sequence of one.

    Lists, tuples and 1-D NumPy arrays of integers are accepted, and so are NumPy integer scalars:
    ``units=np.int64(20)`` and ``dilation_rates=np.array([1, 2])`` mean what they say.
    """
    if isinstance(value, np.ndarray):
        if value.ndim > 1 or not np.issubdtype(value.dtype, np.integer):
            value = "invalid"  # reported below, with what was expected
        else:
            value = value.reshape(-1).tolist()
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected a positive integer "
            f"or a non-empty sequence of them, got {value!r}."
        )
    return tuple(check_positive_int(name, v) for v in value)


def check_units(units, name: str = "units") -> tuple[int, ...]:
    """Layer sizes as a tuple of positive ints; a single int means one layer."""
    return check_int_sequence(name, units)


def check_dilations(dilation_rates) -> tuple[int, ...]:
    """One dilation per layer, always a sequence: a lone integer is more likely a slip than "one layer"."""
    if isinstance(dilation_rates, numbers.Integral) or (
        isinstance(dilation_rates, np.ndarray) and dilation_rates.ndim == 0
    ):
        raise ValueError(
            f"Received an invalid value for argument `dilation_rates`, expected a non-empty "
            f"sequence of positive integers (one per layer), got {dilation_rates!r}."
        )
    return check_int_sequence("dilation_rates", dilation_rates)


def check_order(name: str, order, length: int) -> tuple[int, ...]:
    """An ARIMA order: exactly ``length`` non-negative integers, as a tuple."""
    if not isinstance(order, (list, tuple)) or len(order) != length:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected {length} "
            f"non-negative integers, got {order!r}."
        )
    return tuple(check_positive_int(name, v, minimum=0) for v in order)


def check_fraction(name: str, value, *, allow_one: bool = False) -> float:
    """A rate in [0, 1) (or [0, 1] with ``allow_one``), such as a dropout rate."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and 0.0 <= float(value) and (float(value) <= 1.0 if allow_one else float(value) < 1.0)
    if not ok:
        bound = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected a number in {bound}, got {value!r}."
        )
    return float(value)


def check_positive_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected a positive number, got {value!r}."
        )
    return float(value)


def check_bool(name: str, value) -> bool:
    """``value`` if it is ``True`` or ``False``; anything else (``1``, ``"no"``) is refused, not cast."""
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be True or False, got {value!r}.")
    return value


def check_choice(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected one of "
            f"{', '.join(repr(c) for c in choices)}, got {value!r}."
        )
    return value


def check_finite(name: str, array: np.ndarray) -> np.ndarray:
    """Raise if ``array`` holds a NaN or an infinity, saying where the first one is."""
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        kind = "NaN" if np.isnan(array[where]) else "inf"
        raise ValueError(
            f"`{name}` contains {int(bad.sum())} non-finite value(s) ({kind} first at index {where}); "
            "fill or drop them before windowing (rnnbook never fills them silently)."
        )
    return array


def check_array(name: str, value, ndim=None, what: str = "") -> np.ndarray:
    """``value`` as a float64 array (of rank ``ndim`` if given); ``what`` describes the expected shape."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected a numeric array, "
            f"got {type(value).__name__} ({error})."
        ) from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected an array of rank {ndim}"
            f"{' ' + what if what else ''}, got shape {array.shape}."
        )
    return array


def check_shape(name: str, array: np.ndarray, shape: tuple, what: str) -> np.ndarray:
    """``array`` if its shape is ``shape``; ``what`` says where that shape comes from."""
    if array.shape != tuple(shape):
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected shape {tuple(shape)} "
            f"{what}, got shape {array.shape}."
        )
    return array


def prove_writable(directory) -> None:
    """Create ``directory`` and write, then remove, a file there; raises ``OSError`` if either fails.

    The one way rnnbook checks a place before relying on it (the caches, ``rnnbook leaderboard --json``).
    """
    os.makedirs(directory, exist_ok=True)
    fd, probe = tempfile.mkstemp(prefix=".rnnbook-probe-", suffix=".tmp", dir=directory)
    try:
        os.write(fd, b"rnnbook")
    finally:
        os.close(fd)
        os.unlink(probe)


def warn_deprecated(old: str, new: str, stacklevel: int = 3) -> None:
    """Warn once per call site that ``old`` is an old name kept working for a release; use ``new``."""

    warnings.warn(f"`{old}` is deprecated; use `{new}` instead.", DeprecationWarning, stacklevel=stacklevel)


def renamed_keywords(**renames: str):
    """Decorator: each old keyword ``old="new"`` keeps working for a release, with a ``DeprecationWarning``.

    The one place where a renamed argument is mapped to its new name (the README's glossary names the
    words). Passing both names is a ``TypeError``. The old names are kept on the wrapper as
    ``renamed_keywords`` (``{old: new}``), so a test can list them.

    Example:

    >>> @renamed_keywords(target="layout")
    ... def cut(layout="one_step"):
    ...     return layout
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     cut(target="vector"), str(caught[0].message)
    ('vector', '`cut(target=...)` is deprecated; use `cut(layout=...)` instead.')
    """

    def decorate(func):
        name = getattr(func, "__qualname__", func.__name__)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(
                            f"{name}() got both `{old}` (the old name) and `{new}`: pass `{new}`."
                        )
                    warn_deprecated(f"{name}({old}=...)", f"{name}({new}=...)")  # the caller of `wrapper`
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.renamed_keywords = {**getattr(func, "renamed_keywords", {}), **renames}
        return wrapper

    return decorate


def renamed_attribute(old: str, new: str) -> property:
    """A read-only property ``old`` that returns attribute ``new`` with a ``DeprecationWarning``."""

    def get(self):
        warn_deprecated(f"{type(self).__name__}.{old}", f"{type(self).__name__}.{new}")
        return getattr(self, new)

    return property(get, doc=f"Deprecated: ``{new}``.")


def renamed_module_attribute(module: str, name: str, renames: dict):
    """For a module's ``__getattr__``: an old module-level name in ``renames`` (``{old: new}``) returns the
    new one with a ``DeprecationWarning``; any other name raises ``AttributeError`` as usual."""
    import sys

    if name not in renames:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    warn_deprecated(f"{module}.{name}", f"{module}.{renames[name]}", stacklevel=4)
    return getattr(sys.modules[module], renames[name])

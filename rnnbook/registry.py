"""One registry for every model: built-ins and third-party plugins.

A *builder* is a callable ``builder(n_steps=50, n_features=1, horizon=1, **hparams)`` that returns an
**uncompiled** ``keras.Model`` mapping ``(batch, n_steps, n_features)`` to the forecast -- ``(batch,
horizon)`` for seq2vec models, ``(batch, steps, horizon)`` for seq2seq ones -- or, for
``kind="forecaster"`` entries such as ARMA, an object with ``fit(X, y)``, ``predict(X)`` and
``count_params()``.

Built-ins register with the :func:`register_model` decorator (from the leaf module `rnnbook.specs`);
other packages add models through the entry-point group ``rnnbook.models`` (see :func:`spec_from_plugin`
for the contract). Entry points are read once and cached, as in xarray's backend registry: a plugin that
fails to import becomes a warning and an entry listed with its error, never an exception, and
:func:`refresh` reads them again.

Example:

>>> import rnnbook
>>> model = rnnbook.build_model("deep_rnn", units=(8, 8))          # doctest: +SKIP
>>> [m.name for m in rnnbook.list_models()][:2]                     # doctest: +SKIP
['naive_last_value', 'naive_n_steps']
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import warnings
from collections.abc import Mapping
from importlib import metadata

import numpy as np

from rnnbook._checks import check_positive_int, renamed_module_attribute, warn_deprecated
from rnnbook.specs import BUILTINS, KINDS, LAYOUTS, ModelSpec, first_doc_line, register_model

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras.

# ModelSpec, register_model, LAYOUTS and KINDS live in the leaf module `rnnbook.specs` (the built-in models
# import it to register themselves, and this module imports the models: no import circle); they are
# re-exported here, the registry's public face.
__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "LAYOUTS",
    "ModelSpec",
    "PluginContractError",
    "PluginWarning",
    "build_model",
    "check_plugins",
    "get_spec",
    "list_models",
    "refresh",
    "register_model",
    "spec_from_plugin",
]

ENTRY_POINT_GROUP = "rnnbook.models"


class PluginWarning(UserWarning):
    """A plugin model could not be loaded or built; the rest of rnnbook keeps working."""


class PluginContractError(RuntimeError):
    """A plugin's builder or model breaks the contract of :func:`spec_from_plugin`.

    ``reason`` is the message without the model's name and source ("breaks the contract: ...").
    """

    def __init__(self, spec: ModelSpec, what: str):
        self.reason = f"breaks the contract: {what}"
        super().__init__(f"Plugin model {spec.name!r} ({spec.source}) {self.reason}")


def _load_builtins() -> None:
    # Importing the package registers every built-in; done on first use so `import rnnbook` stays
    # free of Keras and its backend.
    importlib.import_module("rnnbook.models")


def spec_from_plugin(name: str, obj, source: str) -> ModelSpec:
    """Turn what an entry point resolved to into a :class:`ModelSpec`.

    The contract for plugin authors: the entry point names either

    * a builder callable ``builder(n_steps=50, n_features=1, horizon=1, **hparams)`` returning an
      uncompiled ``keras.Model`` from ``(batch, n_steps, n_features)`` to ``(batch, horizon)``;
      optional metadata as attributes of the callable: ``description`` (else the docstring's first
      line), ``layout`` (``"one_step"``, ``"vector"`` or ``"seq2seq"``), ``horizon``, ``kind`` and
      ``recipe`` (a dict such as ``{"learning_rate": 1e-3, "batch_size": 32}``); or
    * a :class:`ModelSpec` instance.

    The entry point's *name* is the registry name.
    """
    if isinstance(obj, ModelSpec):
        return dataclasses.replace(obj, name=name, source=source)
    if not callable(obj):
        raise TypeError(f"entry point {name!r} resolved to {type(obj).__name__}, which is not callable")
    return ModelSpec(
        name=name,
        builder=obj,
        description=getattr(obj, "description", None) or first_doc_line(obj),
        layout=_plugin_attribute(obj, "layout", "target", "one_step"),
        horizon=getattr(obj, "horizon", 1),
        kind=getattr(obj, "kind", "keras"),
        recipe=dict(_plugin_attribute(obj, "recipe", "fit_defaults", {}) or {}),
        time_steps=getattr(obj, "time_steps", None),
        source=source,
    )


def _plugin_attribute(obj, name: str, old: str, default):
    """A plugin builder's metadata attribute ``name`` (its ``old`` name kept working for a release)."""
    if not hasattr(obj, name) and hasattr(obj, old):
        warn_deprecated(f"a plugin builder's `{old}` attribute", f"`{name}`")
        return getattr(obj, old)
    return getattr(obj, name, default)


def __getattr__(name):  # the old names, kept working for a release
    return renamed_module_attribute(__name__, name, {"TARGETS": "LAYOUTS"})


def _entry_points():
    return metadata.entry_points(group=ENTRY_POINT_GROUP)


@functools.lru_cache(maxsize=1)
def _plugins() -> dict[str, ModelSpec]:
    plugins: dict[str, ModelSpec] = {}
    for ep in _entry_points():
        dist = getattr(ep, "dist", None)
        source = f"plugin {dist.name} {dist.version}" if dist is not None else f"plugin {ep.value}"
        try:
            spec = spec_from_plugin(ep.name, ep.load(), source)
        except Exception as exc:  # a plugin must never break rnnbook: record it and go on
            message = f"{type(exc).__name__}: {exc}"
            warnings.warn(
                f"rnnbook plugin {ep.name!r} ({ep.value}) failed to load: {message}",
                PluginWarning,
                stacklevel=2,
            )
            spec = ModelSpec(
                name=ep.name, builder=None, description="(broken plugin)", source=source, error=message
            )
        if ep.name in plugins:
            warnings.warn(
                f"Two plugins register {ep.name!r}; using the one from {plugins[ep.name].source}.",
                PluginWarning,
                stacklevel=2,
            )
            continue
        plugins[ep.name] = spec
    return plugins


def refresh() -> None:
    """Forget the cached entry points so the next lookup reads them again (after a ``pip install``)."""
    _plugins.cache_clear()
    _reported_clashes.clear()


# Name clashes already reported: each is a warning once per process (or per refresh), not per lookup.
_reported_clashes: set[tuple[str, str]] = set()


def _all_specs() -> dict[str, ModelSpec]:
    _load_builtins()
    specs = dict(BUILTINS)
    for name, spec in _plugins().items():
        if name in specs:
            if (name, spec.source) not in _reported_clashes:
                _reported_clashes.add((name, spec.source))
                warnings.warn(
                    f"Plugin model {name!r} from {spec.source} has the name of a built-in model; "
                    "the built-in one is used.",
                    PluginWarning,
                    stacklevel=3,
                )
            continue
        specs[name] = spec
    return specs


def list_models(include_broken: bool = True) -> list[ModelSpec]:
    """Every registered model, built-ins first (in registration order), then plugins by name."""
    specs = _all_specs()
    builtin = [s for s in specs.values() if s.source == "builtin"]
    plugins = sorted((s for s in specs.values() if s.source != "builtin"), key=lambda s: s.name)
    return [s for s in builtin + plugins if include_broken or s.ok]


def get_spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` of ``name``; an unknown name raises ``ValueError`` listing the known ones."""
    specs = _all_specs()
    if name not in specs:
        raise ValueError(f"Unknown model {name!r}. Registered models: {', '.join(specs)}.")
    spec = specs[name]
    if not spec.ok:
        raise RuntimeError(f"Plugin model {name!r} ({spec.source}) is broken: {spec.error}")
    return spec


def build_model(
    name: str, *, n_steps: int | None = 50, n_features: int = 1, horizon: int | None = None, **hparams
):
    """Build the model registered as ``name``.

    Args:
        name: a name from :func:`list_models`.
        n_steps: input length (``None`` for models that accept any length).
        n_features: number of input features.
        horizon: steps ahead to forecast; defaults to the model's own.
        **hparams: the builder's hyper-parameters (``units``, ``dilation_rates``, ...), checked before
            anything is built.

    Returns:
        An uncompiled ``keras.Model`` (or a forecaster object for ``kind="forecaster"``).

    Example:

    >>> model = build_model("simple_rnn")            # doctest: +SKIP
    >>> model.output_shape                           # doctest: +SKIP
    (None, 1)
    """
    spec = get_spec(name)
    if n_steps is not None:
        check_positive_int("n_steps", n_steps)
    check_positive_int("n_features", n_features)
    horizon = spec.horizon if horizon is None else check_positive_int("horizon", horizon)
    if spec.source == "builtin":  # built-ins raise their own precise errors (e.g. bad `units`)
        return spec.builder(n_steps=n_steps, n_features=n_features, horizon=horizon, **hparams)
    _check_signature(spec, hparams)
    try:
        model = spec.builder(n_steps=n_steps, n_features=n_features, horizon=horizon, **hparams)
    except Exception as exc:
        raise RuntimeError(
            f"Plugin model {name!r} ({spec.source}) failed to build: {type(exc).__name__}: {exc}"
        ) from exc
    _check_model(spec, model, n_steps, n_features, horizon)
    return model


_REQUIRED_KEYWORDS = ("n_steps", "n_features", "horizon")


def _check_signature(spec: ModelSpec, hparams: Mapping) -> None:
    """The builder takes ``n_steps``, ``n_features``, ``horizon`` and the hyper-parameters by keyword."""
    try:
        parameters = inspect.signature(spec.builder).parameters
    except (TypeError, ValueError):  # a builtin or C callable: nothing to inspect, its call will tell
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    keyword = {
        n
        for n, p in parameters.items()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    missing = [k for k in _REQUIRED_KEYWORDS if k not in keyword]
    if missing:
        raise PluginContractError(
            spec,
            f"its builder must accept the "
            f"keyword arguments {', '.join(_REQUIRED_KEYWORDS)}; it lacks {', '.join(missing)}.",
        )
    unknown = [k for k in hparams if k not in keyword]
    if unknown:
        raise ValueError(
            f"Model {spec.name!r} has no hyper-parameter {', '.join(map(repr, unknown))}; "
            f"it takes {', '.join(k for k in keyword if k not in _REQUIRED_KEYWORDS) or 'none'}."
        )


def expected_output_shape(spec: ModelSpec, n_steps: int, horizon: int) -> str:
    """The contract's output shape as text, e.g. ``"(batch, 10)"`` or ``"(batch, steps, 10)"``."""
    return f"(batch, steps, {horizon})" if spec.eval_layout == "seq2seq" else f"(batch, {horizon})"


def _check_model(spec: ModelSpec, model, n_steps, n_features, horizon) -> None:
    """Check what a plugin built against the contract, once, on a batch of zeros (no training)."""

    def broken(what):
        return PluginContractError(spec, what)

    if spec.kind == "forecaster":
        missing = [m for m in ("fit", "predict", "count_params") if not callable(getattr(model, m, None))]
        if missing:
            raise broken(
                f"a forecaster needs the methods fit, predict and count_params; "
                f"{type(model).__name__} lacks {', '.join(missing)}."
            )
        return
    import keras

    if not isinstance(model, keras.Model):
        raise broken(f"the builder must return a keras.Model, it returned {type(model).__name__}.")
    steps = 50 if n_steps is None else n_steps
    batch = 2
    try:
        output = model(np.zeros((batch, steps, n_features), dtype="float32"))
    except Exception as exc:
        raise broken(
            f"the model cannot take inputs of shape (batch, {steps}, {n_features}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    shapes = [tuple(keras.ops.shape(o)) for o in keras.tree.flatten(output)]
    shape = shapes[0] if len(shapes) == 1 else None
    if spec.eval_layout == "seq2seq":
        ok = (
            shape is not None
            and len(shape) == 3
            and shape[0] == batch
            and 1 <= shape[1] <= steps
            and shape[2] == horizon
        )
    else:
        ok = shape == (batch, horizon)
    if not ok:
        got = (
            "several outputs " + ", ".join(_batch_shape(s) for s in shapes)
            if shape is None
            else _batch_shape(shape)
        )
        raise broken(
            f"for layout {spec.eval_layout!r} and horizon {horizon} it must map (batch, {steps}, "
            f"{n_features}) to {expected_output_shape(spec, steps, horizon)}; it returned {got}."
        )


def _batch_shape(shape) -> str:
    return "(" + ", ".join(["batch", *map(str, shape[1:])]) + ")"


def check_plugins(n_steps: int = 50, n_features: int = 1) -> dict[str, str]:
    """Try to build every loadable plugin once; return ``{name: error}`` for those that fail.

    Each failure is also a :class:`PluginWarning`. Used by ``rnnbook models`` so a plugin that
    imports but cannot build is listed with its error.
    """
    errors = {}
    for spec in list_models():
        if spec.source == "builtin":
            continue
        if not spec.ok:
            errors[spec.name] = spec.error
            continue
        try:
            build_model(spec.name, n_steps=n_steps, n_features=n_features)
        except PluginContractError as exc:
            errors[spec.name] = exc.reason
            warnings.warn(f"rnnbook plugin {spec.name!r} {errors[spec.name]}", PluginWarning, stacklevel=2)
        except Exception as exc:
            cause = exc.__cause__ or exc  # build_model wraps the plugin's own error
            errors[spec.name] = f"{type(cause).__name__}: {cause}"
            warnings.warn(
                f"rnnbook plugin {spec.name!r} failed to build: {errors[spec.name]}",
                PluginWarning,
                stacklevel=2,
            )
    return errors

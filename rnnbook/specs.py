"""What the registry knows about a model, and the decorator the built-in models register with.

A leaf module: the built-in models import `register_model` from here and `rnnbook.registry` imports the
models, so nothing imports in a circle. Users reach everything here through `rnnbook.registry`.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from rnnbook._checks import (
    check_choice,
    check_positive_int,
    renamed_attribute,
    renamed_keywords,
    renamed_module_attribute,
)
from rnnbook.data import LAYOUTS

#: How a model is trained and used: see :class:`ModelSpec`.
KINDS = ("keras", "iterative", "forecaster")

__all__ = ["BUILTINS", "KINDS", "LAYOUTS", "ModelSpec", "first_doc_line", "register_model"]


def __getattr__(name):  # the old names, kept working for a release
    return renamed_module_attribute(__name__, name, {"TARGETS": "LAYOUTS"})


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """Everything rnnbook knows about one registered model.

    Args:
        name: registry name (``snake_case``).
        builder: the builder callable (see the module docstring).
        description: one line, shown by ``rnnbook models``.
        layout: the target layout it is trained on: ``"one_step"``, ``"vector"`` or ``"seq2seq"``.
        horizon: default number of steps ahead it forecasts.
        kind: ``"keras"`` (trained directly), ``"iterative"`` (a one-step Keras model fed its own
            forecasts; trained on one-step targets, evaluated ``horizon`` steps ahead; the built model
            has the one-step model as ``model.step_model``) or ``"forecaster"`` (``fit``/``predict``
            object, e.g. ARMA).
        recipe: the model's own recipe (training settings) that reproduces the chapter, e.g.
            ``{"learning_rate": 5e-3}`` (the ``full`` profile trains every model alike and ignores it).
        time_steps: for seq2seq models whose outputs are not one per input step (Conv1D with a stride),
            a callable ``(n_steps, hparams) -> slice`` choosing the matching target time steps.
        source: ``"builtin"`` or ``"plugin <distribution> <version>"``.
        error: for a broken plugin, why it could not be loaded (``builder`` is then ``None``).
    """

    name: str
    builder: Callable[..., Any] | None
    description: str
    layout: str = "one_step"
    horizon: int = 1
    kind: str = "keras"
    recipe: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    time_steps: Callable[[int, dict], slice] | None = None
    source: str = "builtin"
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def eval_layout(self) -> str:
        """The target layout the model is evaluated on (iterative models forecast a vector)."""
        return "vector" if self.kind == "iterative" else self.layout

    @property
    def train_layout(self) -> str:
        """The target layout the model is trained on (iterative models learn one step)."""
        return "one_step" if self.kind == "iterative" else self.layout

    target = renamed_attribute("target", "layout")
    eval_target = renamed_attribute("eval_target", "eval_layout")
    train_target = renamed_attribute("train_target", "train_layout")
    fit_defaults = renamed_attribute("fit_defaults", "recipe")

    def __post_init__(self):
        check_choice("layout", self.layout, LAYOUTS)
        check_choice("kind", self.kind, KINDS)
        check_positive_int("horizon", self.horizon)


# ModelSpec(target=..., fit_defaults=...) keeps working for a release.
ModelSpec.__init__ = renamed_keywords(target="layout", fit_defaults="recipe")(ModelSpec.__init__)

#: The built-in models by name, in registration order (`rnnbook.models` fills it on import).
BUILTINS: dict[str, ModelSpec] = {}


@renamed_keywords(target="layout", fit_defaults="recipe")
def register_model(
    name: str,
    *,
    description: str | None = None,
    layout: str = "one_step",
    horizon: int = 1,
    kind: str = "keras",
    recipe: Mapping | None = None,
    time_steps=None,
    overwrite: bool = False,
):
    """Decorator that registers a builder under ``name``.

    Example:

    >>> @register_model("my_linear", description="Flatten + Dense.", overwrite=True)
    ... def my_linear(n_steps=50, n_features=1, horizon=1):
    ...     import keras
    ...     return keras.Sequential([keras.Input((n_steps, n_features)), keras.layers.Flatten(),
    ...                              keras.layers.Dense(horizon)])
    >>> BUILTINS["my_linear"].description
    'Flatten + Dense.'
    >>> del BUILTINS["my_linear"]
    """

    def decorator(builder):
        if name in BUILTINS and not overwrite:
            raise ValueError(
                f"A model named {name!r} is already registered; pass overwrite=True to replace it."
            )
        BUILTINS[name] = ModelSpec(
            name=name,
            builder=builder,
            description=description or first_doc_line(builder),
            layout=layout,
            horizon=horizon,
            kind=kind,
            recipe=dict(recipe or {}),
            time_steps=time_steps,
        )
        return builder

    return decorator


def first_doc_line(obj) -> str:
    """The first line of ``obj``'s docstring: a model's default description."""
    doc = inspect.getdoc(obj) or ""
    return doc.strip().splitlines()[0] if doc.strip() else "(no description)"

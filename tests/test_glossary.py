"""The README's glossary against the public API: one meaning per word (README "Glossary").

Every code object the glossary names exists; the target's shape is called ``layout`` everywhere in the
public API (``target`` is left to the forecast column); and every name the glossary replaced still works
for a release, with a ``DeprecationWarning`` naming the new one.
"""

import dataclasses
import importlib
import inspect
import pkgutil
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import rnnbook

README = Path(__file__).resolve().parents[1] / "README.md"


def glossary() -> dict[str, str]:
    """``{word: definition}`` of the README's glossary table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Glossary", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| \*\*(.+?)\*\*(?: \([^|]*\))? \| (.+) \|$", section, flags=re.M)
    return dict(rows)


def resolve(dotted: str):
    """The object ``rnnbook.a.b.C.attr`` names; a dataclass field or an attribute set in ``__init__``
    counts for the last part of a class."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for j, name in enumerate(parts[i:], start=i):
            if hasattr(obj, name):
                obj = getattr(obj, name)
            elif j == len(parts) - 1 and inspect.isclass(obj) and _instance_attribute(obj, name):
                return obj
            else:
                raise AttributeError(f"{dotted}: {'.'.join(parts[:j])} has no {name!r}")
        return obj
    raise ImportError(dotted)


def _instance_attribute(cls, name: str) -> bool:
    if dataclasses.is_dataclass(cls) and name in {f.name for f in dataclasses.fields(cls)}:
        return True
    try:
        return f"self.{name} =" in inspect.getsource(cls.__init__)
    except (OSError, TypeError):  # a generated __init__ has no source
        return False


def test_the_glossary_gives_each_word_one_meaning():
    words = glossary()
    for word in ("layout", "target column", "recipe", "rebuild", "plan", "kind", "profile", "explorer"):
        assert word in words, f"the glossary has no entry {word!r}"
    assert "target" not in words  # the shape is the layout; a target is a column's future values
    assert len(words) == len({w.lower() for w in words})


def test_every_code_object_the_glossary_names_exists():
    named = sorted({m for d in glossary().values() for m in re.findall(r"`(rnnbook(?:\.\w+)+)`", d)})
    assert len(named) >= 20  # the glossary points into the code
    for dotted in named:
        resolve(dotted)  # raises, naming the missing part
    assert rnnbook.data.LAYOUTS == ("one_step", "vector", "seq2seq")
    assert resolve("rnnbook.profiles.REAL_RECIPE")["schedule"] == "plateau"


def test_resolve_refuses_a_name_that_does_not_exist():
    with pytest.raises(AttributeError, match="no 'TARGETZ'"):
        resolve("rnnbook.data.TARGETZ")
    with pytest.raises(AttributeError, match="no 'spec'"):
        resolve("rnnbook.data.Dataset.spec")


def _public_callables():
    """``(qualified name, callable)`` for every public function and class of rnnbook's modules."""
    for info in pkgutil.walk_packages(rnnbook.__path__, "rnnbook."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]) or info.name == "rnnbook.__main__":
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != info.name:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{info.name}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and (not attr.startswith("_") or attr == "__init__"):
                        yield f"{info.name}.{name}.{attr}", member


# The widgets' traces whose ``target`` holds the true next values of the series (the targets, as the
# glossary's "target column" says), not a layout.
TRUE_VALUES = {
    "rnnbook.widgets.gates.GateData",
    "rnnbook.widgets.gates.GateData.__init__",
    "rnnbook.widgets.unrolling.UnrollingData",
    "rnnbook.widgets.unrolling.UnrollingData.__init__",
}


def test_no_public_function_takes_target_for_the_layout():
    """``target`` as a parameter is gone from the public API (old callers go through
    :func:`rnnbook._checks.renamed_keywords`, which maps it to ``layout``); the column is
    ``target_column``."""
    checked, offenders = 0, []
    for qualname, obj in _public_callables():
        try:
            parameters = inspect.signature(obj).parameters
        except (TypeError, ValueError):
            continue
        checked += 1
        if "target" in parameters and qualname not in TRUE_VALUES or "strategy" in parameters:
            offenders.append(qualname)
        if "layout" in parameters and getattr(obj, "renamed_keywords", {}).get("target") not in (
            None,
            "layout",
        ):
            offenders.append(qualname)
    assert checked > 100
    assert offenders == []
    assert all(any(q == name for q, _ in _public_callables()) for name in TRUE_VALUES)
    assert "layout" in inspect.signature(rnnbook.frames.frame_dataset).parameters
    assert list(inspect.signature(rnnbook.frames.frame_dataset).parameters)[:2] == ["frame", "target_column"]


def _warns(new: str, call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = call()
    messages = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert any("deprecated" in m and new in m for m in messages), (new, messages)
    return value


def test_the_old_names_still_work_and_warn_with_the_new_name():
    from rnnbook import data, profiles, training, widgets
    from rnnbook.models import sequence_types
    from rnnbook.registry import ModelSpec, get_spec
    from rnnbook.widgets._frames import Control, FrameView

    ds = _warns("layout", lambda: data.synthetic_dataset(30, 10, (20, 5, 5), horizon=2, target="vector"))
    assert ds.layout == "vector" and ds.y_valid.shape == (5, 2)
    assert _warns("Dataset.layout", lambda: ds.target) == "vector"
    assert _warns("Dataset.rebuild", lambda: ds.recipe) is ds.rebuild
    again = _warns(
        "layout", lambda: data.Dataset(*ds.splits()[0][1:] * 3, n_steps=10, horizon=2, target="vector")
    )
    assert again.layout == "vector"
    assert _warns("LAYOUTS", lambda: data.TARGETS) == data.LAYOUTS
    assert _warns("REAL_RECIPE", lambda: profiles.REAL_FIT) == profiles.REAL_RECIPE
    assert _warns("REAL_RECIPE", lambda: rnnbook.frames.REAL_FIT) == profiles.REAL_RECIPE
    assert (
        _warns("recipe_for", lambda: profiles.fit_settings("quick", fit_defaults={"epochs": 3}))["epochs"]
        == 3
    )

    spec = get_spec("seq2seq_gru")
    assert _warns("ModelSpec.layout", lambda: spec.target) == "seq2seq"
    assert _warns("ModelSpec.train_layout", lambda: spec.train_target) == "seq2seq"
    assert _warns("ModelSpec.eval_layout", lambda: get_spec("iterative_deep_rnn").eval_target) == "vector"
    assert (
        _warns("ModelSpec.recipe", lambda: get_spec("simple_rnn").fit_defaults)
        == get_spec("simple_rnn").recipe
    )
    old = _warns("layout", lambda: ModelSpec("x", None, "d", target="vector", fit_defaults={"epochs": 2}))
    assert (old.layout, dict(old.recipe)) == ("vector", {"epochs": 2})
    assert _warns("model_layout", lambda: training.model_target(get_spec("linear"), 4)) == "vector"
    plan = training.plan_training("linear", profile="quick", cache=False)
    assert _warns("Plan.recipe", lambda: plan.fit) is plan.recipe
    assert (
        _warns("layout", lambda: training.forecast_mse(np.zeros((2, 3)), np.ones((2, 3)), target="vector"))
        == 1.0
    )

    assert _warns("layouts_for", lambda: widgets.strategies_for(get_spec("linear"))) == (
        "iterative",
        "seq2vec",
    )
    view = FrameView([Control("t", "t", ["0"])], {(0,): "<b>0</b>"})
    assert _warns("FrameView.control_list", lambda: view.spec) is view.control_list
    model = _warns("n_features", lambda: sequence_types.seq2vec_model(n_inputs=3, n_outputs=2, n_steps=4))
    assert tuple(model.output_shape) == (None, 2) and tuple(model.input_shape) == (None, 4, 3)
    seq = _warns("n_steps_out", lambda: sequence_types.vec2seq_model(2, 1, steps_out=5))
    assert tuple(seq.output_shape) == (None, 5, 1)
    assert widgets.gate_inspector.__doc__.startswith("Deprecated: :func:`gate_explorer`")


def test_an_old_and_a_new_name_together_are_refused():
    with pytest.raises(TypeError, match="both `target` .* and `layout`"):
        rnnbook.data.shape_dataset("quick", 1, layout="one_step", target="vector")


def test_a_deprecation_warning_names_the_callers_line():
    """Python shows a DeprecationWarning by default only when it is attributed to the caller's code, so
    each old name's warning must point at the line that used it, not at rnnbook's wrapper."""
    from rnnbook import data, frames

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data.synthetic_dataset(30, 10, (20, 5, 5), horizon=2, target="vector")  # an old keyword
        frames.REAL_FIT  # noqa: B018 -- an old module attribute
        data.synthetic_dataset(30, 10, (20, 5, 5)).target  # noqa: B018 -- an old attribute
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(deprecations) == 3, [str(w.message) for w in deprecations]
    assert [w.filename for w in deprecations] == [__file__] * 3, [
        (w.filename, w.lineno) for w in deprecations
    ]

"""`import rnnbook` must stay cheap: no Keras and no backend until a model is needed."""

import subprocess
import sys


def test_import_does_not_load_a_backend():
    code = (
        "import sys, rnnbook, rnnbook.data, rnnbook.registry, rnnbook.profiles; "
        "print(sorted(m for m in ('keras', 'jax', 'tensorflow', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _imports_between_modules():
    """``{module: {rnnbook modules it imports}}``, from the source, function-level imports included."""
    import ast
    from pathlib import Path

    import rnnbook

    root = Path(rnnbook.__file__).parent
    graph = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # from . import x, from ..y import z
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(filter(None, [*parts, node.module]))
                targets |= {base} | {f"{base}.{a.name}" for a in node.names}
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                targets.add(node.args[0].value)  # importlib.import_module("rnnbook.x")
        graph[name] = {t for t in targets if t.startswith("rnnbook")}
    # Keep only names that are modules, and drop a module's edges to its own parent packages (Python
    # initialises a package before its submodules; `from rnnbook import data` names the root too).
    return {
        m: {t for t in ts if t in graph and t != m and not m.startswith(t + ".")} for m, ts in graph.items()
    }


def test_no_module_imports_in_a_circle():
    graph = _imports_between_modules()
    assert "rnnbook.specs" in graph["rnnbook.models.simple_rnn"]  # the graph sees real imports
    cycles, state = [], {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(path[path.index(target) :] + [target] if target in path else [module, target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


#: The README's layers ("The package"): a module imports only from its own layer and the ones below.
LAYERS = {
    1: (
        "rnnbook.data",
        "rnnbook.frames",
        "rnnbook.seasons",
        "rnnbook.profiles",
        "rnnbook.published",
        "rnnbook.backend",
        "rnnbook.cache",
        "rnnbook.plotting",
        "rnnbook.diagrams",
        "rnnbook.receptive",
        "rnnbook._checks",
        "rnnbook._files",
    ),
    2: ("rnnbook.layers", "rnnbook.metrics", "rnnbook.intervals", "rnnbook.gradients", "rnnbook.equations"),
    3: ("rnnbook.registry", "rnnbook.models", "rnnbook.specs", "rnnbook.saving"),
    4: ("rnnbook.training", "rnnbook.model_cache", "rnnbook.parallel"),
    5: (
        "rnnbook.cli",
        "rnnbook.leaderboard",
        "rnnbook.backtest",
        "rnnbook.report",
        "rnnbook.compare",
        "rnnbook.widgets",
        "rnnbook.__main__",
    ),
}


def _layer(module: str) -> int | None:
    for layer, prefixes in LAYERS.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return layer
    return None


def test_modules_import_only_from_their_layer_and_below():
    graph = _imports_between_modules()
    unplaced = sorted(m for m in graph if m != "rnnbook" and _layer(m) is None)
    assert not unplaced, f"modules in no layer of the README: {unplaced}"
    upward = [
        f"{m} (layer {_layer(m)}) imports {t} (layer {_layer(t)})"
        for m, targets in graph.items()
        if m != "rnnbook"
        for t in targets
        if t != "rnnbook" and _layer(t) > _layer(m)
    ]
    assert not upward, "imports from a higher layer:\n" + "\n".join(sorted(upward))


def test_jax_matrix_products_are_float32_unless_the_user_chose_otherwise():
    """On a GPU, JAX's default products round to TF32; rnnbook asks for float32 (a no-op on CPU)."""
    import os

    code = "import rnnbook, jax; print(jax.config.jax_default_matmul_precision)"
    env = {k: v for k, v in os.environ.items() if k != "JAX_DEFAULT_MATMUL_PRECISION"}
    for chosen, expected in ((None, "highest"), ("default", "default")):
        run_env = env if chosen is None else {**env, "JAX_DEFAULT_MATMUL_PRECISION": chosen}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=run_env)
        assert out.stdout.strip() == expected, out.stderr

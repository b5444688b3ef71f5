"""Project rules: only app.py, page.py and playground/ui touch Streamlit; ruff is clean."""

import ast
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_never_imports_streamlit():
    engine = [p for p in (ROOT / "playground").rglob("*.py") if "ui" not in p.relative_to(ROOT).parts[1:2]]
    assert len(engine) >= 8
    offenders = [str(p.relative_to(ROOT)) for p in engine
                 if any(m == "streamlit" or m.startswith("streamlit.") for m in imported_modules(p))]
    assert offenders == []


def test_the_check_sees_an_offender(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom streamlit import session_state\n")
    assert "streamlit" in imported_modules(bad)


def test_ruff_is_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -r requirements-dev.txt)")
    proc = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---- the architecture: no cycles, small files, one home per name, one writer per value ----------

PACKAGE = ROOT / "playground"
MAX_MODULE_LINES = 300


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every playground module -> the playground modules it imports (function-level imports too)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported in imported_modules(path):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]  # `from a.b import c` where c is a name
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    for name, path in modules.items():  # `from playground.ui import live` imports a module too
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in modules:
                graph[name] |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, or None (package __init__ files that import nothing are skipped)."""
    done, stack = set(), []

    def visit(node: str) -> list[str] | None:
        if node in stack:
            return [*stack[stack.index(node):], node]
        if node in done:
            return None
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + ".") and not graph.get(node):
                continue
            found = visit(nxt)
            if found:
                return found
        stack.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        found = visit(node)
        if found:
            return found
    return None


def test_no_import_cycles_under_playground():
    graph = import_graph()
    assert len(graph) >= 30 and "playground.engine.train" in graph["playground.engine.race"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_check_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_every_module_is_at_most_300_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_only_the_state_module_touches_session_state_and_query_params():
    offenders = [str(p.relative_to(ROOT)) for p in [ROOT / "app.py", ROOT / "page.py", *PACKAGE.rglob("*.py")]
                 if p.name != "state.py" and re.search(r"\bst\.(session_state|query_params)\b", p.read_text())]
    assert offenders == []


def test_one_writer_of_live_hyperparameters():
    """Only engine/optim.py touches param_groups, and nothing assigns a trainer's cfg from outside."""
    touching = sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py") if "param_groups" in p.read_text())
    assert touching == ["playground/engine/optim.py"]
    outside = []
    for p in [*PACKAGE.rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]:
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for t in targets:
                if isinstance(t, ast.Attribute) and t.attr == "_cfg" and not (
                        isinstance(t.value, ast.Name) and t.value.id == "self"):
                    outside.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert outside == []


def test_a_trainers_config_cannot_be_assigned():
    from playground.config import RunConfig
    from playground.engine.train import Trainer

    trainer = Trainer(RunConfig(n_points=20, epochs=1))
    with pytest.raises(AttributeError):
        trainer.cfg = RunConfig(lr=0.5)

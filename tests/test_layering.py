"""Project rules: only app.py and playground/ui touch Streamlit; ruff is clean."""

import ast
import pathlib
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

"""The layers of docs/architecture.md hold: every import, at the top of a module or inside a
function, goes downward (core <- ingest <- assistant <- ui.py <- evals <- cli.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYER = {"core": 0, "ingest": 1, "assistant": 2, "ui": 3, "evals": 4, "cli": 5}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(LAYER)


def modules() -> list[Path]:
    return [p for pkg in ("core", "ingest", "assistant", "evals") for p in (REPO / pkg).rglob("*.py")] + [
        REPO / "cli.py", REPO / "ui.py"]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_imports_go_downward(path: Path) -> None:
    rel = path.relative_to(REPO)
    own = LAYER[rel.parts[0].removesuffix(".py")]
    upward = sorted(name for name in imported_packages(path) if LAYER[name] > own)
    assert not upward, f"{rel} imports {upward}, a layer above it"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from evals.run import main\n    import core.settings\n")
    assert imported_packages(module) == {"evals", "core"}


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 400, f"{path.name} has {len(text.splitlines())} lines: split it by concern"
    long = [(n.name, n.end_lineno - n.lineno + 1) for n in ast.walk(ast.parse(text))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.end_lineno - n.lineno + 1 > 60]
    assert not long, f"{path.name}: functions over 60 lines: {long}"

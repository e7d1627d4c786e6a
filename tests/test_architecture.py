"""Data flows one way and the headless part stays free of Textual."""

import ast
from pathlib import Path

import coach

PACKAGE = Path(coach.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_nothing_outside_the_tui_imports_textual():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "tui" not in path.relative_to(PACKAGE).parts
        and any(name == "textual" or name.startswith("textual.") for name in _imports(path))
    ]
    assert offenders == []


def test_the_engine_and_scenario_packages_do_not_reach_up_into_store_reports_or_tui():
    for sub in ("engine", "scenario"):
        for path in (PACKAGE / sub).rglob("*.py"):
            for name in _imports(path):
                assert not name.startswith(("coach.store", "coach.reports", "coach.tui", "coach.commands")), (path, name)

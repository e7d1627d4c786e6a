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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_imports(source: str, modules: set[str]) -> set[str]:
    """The package's modules that `source` imports anywhere: at module level, inside functions (a
    lazy import of a module above is still reaching up), under TYPE_CHECKING (a circle in the types
    is a circle in the design), and `importlib.import_module` of a name written in the module."""
    found: set[str] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            # `from pkg import module` imports the module; `from pkg import name`, the package
            found.update(subs)
            if len(subs) < len(node.names):
                found.add(node.module)
    if "import_module" in source:  # names imported by string (CoachApp.WARM): a literal naming a module
        found.update(node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in modules)
    return found & modules


def _import_graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {m: _package_imports(p.read_text(encoding="utf-8"), set(paths)) - {m} for m, p in paths.items()}


def _circles(graph: dict[str, set[str]]) -> list[str]:
    """One circle through each group of modules that import each other, as `a -> b -> a` (the
    shortest from the group's first module) and the whole group when it is larger (Tarjan's
    strongly connected components, then a breadth-first search)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # recursive: the package is a few hundred modules deep at most
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    circles = []
    for group in groups:
        if len(group) < 2:
            continue
        start = min(group)
        trails = [[start]]
        while trails:  # breadth first: the shortest way back to the start
            trail = trails.pop(0)
            nxt = sorted(n for n in graph[trail[-1]] if n in group)
            if start in nxt:
                circle = " -> ".join(trail + [start])
                if len(group) > len(trail):  # more circles run through these modules
                    circle += " (one of the circles among " + ", ".join(sorted(group)) + ")"
                circles.append(circle)
                break
            trails += [trail + [n] for n in nxt if n not in trail]
    return sorted(circles)


def test_no_import_circles_between_modules():
    circles = _circles(_import_graph())
    assert circles == [], "import circles:\n" + "\n".join(circles)


def test_the_circle_finder_names_each_circle():
    graph = {"a": {"b"}, "b": {"c", "a"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert _circles(graph) == ["a -> b -> a (one of the circles among a, b, c)", "d -> e -> d"]


def test_lazy_type_checking_and_by_name_imports_count():
    source = """
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from coach.tui.app import CoachApp
def later():
    from coach.tui import store
    import importlib
    importlib.import_module("coach.engine")
"""
    modules = {"coach.tui", "coach.tui.app", "coach.tui.store", "coach.engine", "coach.scenario"}
    assert _package_imports(source, modules) == {"coach.tui.app", "coach.tui.store", "coach.engine"}


# The TUI in layers, lowest first: a module imports its own layer and those before it, never one
# after it. Screens and widgets only draw and post messages; controllers decide and reach the store;
# the hosts (CoachApp, the History and check apps) only wire. Everything else in coach/tui (strings,
# the catalog, signals, what screens read of a play) is the base.
TUI_LAYERS = ("base", "widgets", "screens", "controllers", "hosts")
HOSTS = {"coach.tui.app", "coach.tui.store_apps"}
# The controllers in their own order (coach/tui/controllers/__init__.py): each may import those before it.
CONTROLLERS = ("session", "stack", "link", "practice", "review", "check", "store")


def _tui_layer(module: str) -> str:
    if module in HOSTS:
        return "hosts"
    for layer in ("widgets", "screens", "controllers"):
        if module.startswith(f"coach.tui.{layer}."):
            return layer
    return "base"


def test_tui_modules_never_import_a_layer_above_their_own():
    graph = _import_graph()
    wrong = sorted(f"{src} ({_tui_layer(src)}) imports {dst} ({_tui_layer(dst)})"
                   for src, targets in graph.items() if src.startswith("coach.tui")
                   for dst in targets if dst.startswith("coach.tui.")
                   and TUI_LAYERS.index(_tui_layer(dst)) > TUI_LAYERS.index(_tui_layer(src)))
    assert wrong == [], "\n".join(wrong)


def test_each_controller_imports_only_the_controllers_before_it():
    graph = _import_graph()
    names = sorted(m.rsplit(".", 1)[1] for m in graph if m.startswith("coach.tui.controllers."))
    assert sorted(CONTROLLERS) == names, "list a new controller in CONTROLLERS, in its place"
    wrong = sorted(f"{src} imports {dst}" for src, targets in graph.items()
                   if src.startswith("coach.tui.controllers.") for dst in targets
                   if dst.startswith("coach.tui.controllers.")
                   and CONTROLLERS.index(dst.rsplit(".", 1)[1]) > CONTROLLERS.index(src.rsplit(".", 1)[1]))
    assert wrong == [], "\n".join(wrong)


def test_only_the_commands_import_the_tui_and_nothing_imports_the_commands():
    """`coach.cli` dispatches to the commands, the commands start the TUI: nothing below reaches up."""
    top = ("coach.cli", "coach.__main__", "coach.commands")
    wrong = sorted(f"{src} imports {dst}" for src, targets in _import_graph().items() for dst in targets
                   if (dst.startswith(top) and not src.startswith(top))
                   or (dst.startswith("coach.tui") and not src.startswith(top + ("coach.tui",))))
    assert wrong == [], "\n".join(wrong)

"""The library's entries: every scenario file found, loaded strictly, with its first error if any.

Headless (no textual): `coach run` builds the catalog before the app starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from coach.library import bundled_dir, scenario_files, user_dir
from coach.scenario.model import Scenario, localize


@dataclass
class Entry:
    path: Path
    scenario: Scenario | None
    sha256: str = ""
    error: str = ""  # the first error, file:line:col, for a file that failed to load

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.error

    def title(self, lang: str) -> str:
        return localize(self.scenario.title, lang) if self.scenario else self.path.name


def shown_path(path: Path) -> str:
    """A path as the teller should read it: relative to the working folder when below it."""
    from coach.untrusted import one_line  # a file name can hold an escape sequence or a newline

    try:
        return one_line(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return one_line(path)


def load_entry(path: Path) -> Entry:
    from coach.scenario.loader import load_scenario

    try:
        result = load_scenario(path)  # with the linter: a broken graph is not playable
    except Exception as exc:  # the loader has its own safety net; this is the last one
        return Entry(path, None, error=f"{shown_path(path)}: {exc.__class__.__name__}")
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if result.scenario is None or errors:
        if errors:
            d = errors[0]
            first = f"{shown_path(path)}:{d.line}:{d.col}: error: {d.message}"
        else:
            first = f"{shown_path(path)}: could not be loaded"
        return Entry(path, None, result.sha256, first)
    return Entry(path, result.scenario, result.sha256)


def build(extra_dirs: Iterable[Path] = (), *, bundled: bool = True, user: bool = True) -> list[Entry]:
    """Entries from the extra folders, the bundled library and the user's folder, in that order.

    A scenario id seen twice keeps its first file (the extra folders win over the bundled ones).
    """
    folders = [*extra_dirs]
    if bundled:
        folders.append(bundled_dir())
    if user:
        folders.append(user_dir())
    entries: list[Entry] = []
    seen_paths: set[Path] = set()
    seen_ids: set[str] = set()
    for folder in folders:
        for path in scenario_files(Path(folder)):
            key = path.resolve()
            if key in seen_paths:
                continue
            seen_paths.add(key)
            entry = load_entry(path)
            if entry.scenario is not None:
                if entry.scenario.id in seen_ids:
                    continue
                seen_ids.add(entry.scenario.id)
            entries.append(entry)
    return entries

"""The library's entries: every scenario file found, checked strictly (through the validation
cache, coach/scenario/cache.py), with its first error if any.

Headless (no textual, no pydantic until a scenario is loaded): the app builds the catalog in a
worker after its first paint; `coach run FILE` opens one entry before the app starts.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from coach.library import bundled_dir, scenario_files, user_dir
from coach.scenario.summary import Summary
from coach.scenario.text import localize

if TYPE_CHECKING:
    from coach.scenario.cache import Checked, ScenarioCache
    from coach.scenario.model import Scenario


class Entry:
    """One scenario file in the library. `summary` (from the validation cache or a fresh load) is
    what the library and the briefing show; `scenario`, the validated model that is played, is
    loaded from the file's current bytes on first use (`load()`, in a worker while the briefing
    shows), never taken from the cache: a file edited since it was listed is played as it is now."""

    def __init__(self, path: Path, scenario: Scenario | None = None, sha256: str = "", error: str = "",
                 summary: Summary | None = None) -> None:
        self.path = path
        self.sha256 = sha256
        self.error = error  # the first error, file:line:col, for a file that failed to load
        self._scenario = scenario
        self.summary = summary if summary is not None or scenario is None else Summary.of(scenario)
        self._lock = threading.Lock()
        self._tried = scenario is not None

    def __repr__(self) -> str:
        return f"Entry({str(self.path)!r}, ok={self.ok})"

    @property
    def ok(self) -> bool:
        return self.summary is not None and not self.error

    @property
    def id(self) -> str | None:
        return self.summary.id if self.summary is not None else None

    @property
    def loaded(self) -> bool:
        return self._scenario is not None

    @property
    def scenario(self) -> Scenario | None:
        if self._scenario is None and self.summary is not None and not self.error:
            return self.load()
        return self._scenario

    def load(self) -> Scenario | None:
        """Validate the file as it is now (thread-safe, once); on errors, set `error`."""
        with self._lock:
            if self._tried:
                return self._scenario
            self._tried = True
            fresh = load_entry(self.path)
            if fresh._scenario is None:
                self.error = fresh.error
                return None
            if fresh.sha256 != self.sha256:  # edited since it was listed: show and play what it is now
                self.summary = fresh.summary
                self.sha256 = fresh.sha256
            self._scenario = fresh._scenario
            return self._scenario

    def fresh(self) -> Scenario | None:
        """The scenario as the file is now, for a play about to start: the file's bytes are hashed
        and, if they are not the ones loaded, loaded and validated again (None and `error` if broken)."""
        import hashlib

        from coach.scenario.cache import READ_LIMIT

        with self._lock:
            try:
                with open(self.path, "rb") as fh:
                    sha = hashlib.sha256(fh.read(READ_LIMIT)).hexdigest()
            except OSError:
                sha = None
            if self._scenario is not None and sha == self.sha256:
                return self._scenario
            self._scenario, self._tried = None, False
        return self.load()

    def title(self, lang: str) -> str:
        return localize(self.summary.title, lang) if self.summary else self.path.name


def shown_path(path: Path) -> str:
    """A path as the teller should read it: relative to the working folder when below it."""
    from coach.untrusted import one_line  # a file name can hold an escape sequence or a newline

    try:
        return one_line(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return one_line(path)


def _first_error(path: Path, problems: list[tuple]) -> str:
    errors = [p for p in problems if p[2] == "error"]
    if errors:
        line, col, _, message, _ = errors[0]
        return f"{shown_path(path)}:{line}:{col}: error: {message}"
    return f"{shown_path(path)}: could not be loaded"


def load_entry(path: Path) -> Entry:
    """The file loaded and validated now (no cache): what is played."""
    from coach.scenario.loader import load_scenario

    try:
        result = load_scenario(path)  # with the linter: a broken graph is not playable
    except Exception as exc:  # the loader has its own safety net; this is the last one
        return Entry(path, None, error=f"{shown_path(path)}: {exc.__class__.__name__}")
    if result.scenario is None or not result.ok:
        problems = [(d.line, d.col, d.severity, d.message, d.code) for d in result.diagnostics]
        return Entry(path, None, result.sha256, _first_error(path, problems))
    return Entry(path, result.scenario, result.sha256)


def _from_checked(path: Path, checked: Checked, result=None) -> Entry:
    if not checked.ok:
        return Entry(path, None, checked.sha256, _first_error(path, checked.problems))
    scenario = result.scenario if result is not None else None
    return Entry(path, scenario, checked.sha256, summary=checked.summary)


def open_cache(cache: ScenarioCache | None | bool = True) -> ScenarioCache | None:
    """The default validation cache (True), the one given, or none (False/None)."""
    if cache is True:
        from coach.scenario.cache import ScenarioCache

        return ScenarioCache()
    return cache or None


def open_entry(path: Path, cache: ScenarioCache | None | bool = True) -> Entry:
    """One file for `coach run FILE`: its bytes hashed now, validated unless the cache knows them."""
    from coach.scenario.cache import check_file

    cache = open_cache(cache)
    try:
        checked, result = check_file(path, cache)
    except Exception:  # the cache is an optimisation: on any surprise, load for real
        return load_entry(path)
    if cache is not None:
        cache.save()
    return _from_checked(path, checked, result)


def files(extra_dirs: Iterable[Path] = (), *, bundled: bool = True, user: bool = True) -> list[Path]:
    """Scenario files of the extra folders, the bundled library and the user's folder, in that order."""
    folders = [*extra_dirs]
    if bundled:
        folders.append(bundled_dir())
    if user:
        folders.append(user_dir())
    found: list[Path] = []
    seen: set[str] = set()
    for folder in folders:
        folder = Path(folder)
        real, base = os.path.realpath(folder), len(str(folder))
        for path in scenario_files(folder):
            key = real + str(path)[base:]  # the same file through another spelling of its folder
            if key not in seen:
                seen.add(key)
                found.append(path)
    return found


def build_cached(paths: list[Path], limit: int = 200) -> list[Entry] | None:
    """The entries of these files (from `files`) at once when there are at most `limit` and the
    cache knows every one unchanged (size and mtime); None otherwise (then `build` them in a worker)."""
    if len(paths) > limit:
        return None
    try:
        cache = open_cache(True)
        for path in paths:
            try:
                st = os.stat(path)
            except OSError:
                return None
            sha = cache.known_hash(os.path.abspath(path), st)
            if sha is None or cache.result(sha) is None:
                return None
    except Exception:  # the cache is an optimisation
        return None
    return build(cache=cache, paths=paths)


def build(extra_dirs: Iterable[Path] = (), *, bundled: bool = True, user: bool = True,
          cache: ScenarioCache | None | bool = True,
          progress: Callable[[int, int], None] | None = None, paths: list[Path] | None = None) -> list[Entry]:
    """Entries from the extra folders, the bundled library and the user's folder, in that order.

    A scenario id seen twice keeps its first file (the extra folders win over the bundled ones).
    Files the validation cache knows (same size and mtime as when hashed) are not read again;
    `progress(done, total)` is called as files are checked.
    """
    if paths is None:
        paths = files(extra_dirs, bundled=bundled, user=user)
    cache = open_cache(cache)
    from coach.scenario.cache import check_file

    entries: list[Entry] = []
    seen_ids: set[str] = set()
    total = len(paths)
    try:
        try:  # the files the cache knows unchanged, in one pass; the others are read below
            known = cache.known_results(paths) if cache is not None else [None] * total
        except Exception:  # the cache is an optimisation
            known = [None] * total
        for done, (path, hit) in enumerate(zip(paths, known), 1):
            try:
                checked = hit if hit is not None else check_file(path, cache, trust_stat=True)[0]
                entry = _from_checked(path, checked)  # not the Scenario: it is loaded again when played
            except Exception:  # the cache is an optimisation: on any surprise, load for real
                entry = load_entry(path)
            if progress is not None and (hit is None or done % 256 == 0 or done == total):
                progress(done, total)  # may raise to stop (the app is closing)
            if entry.ok:
                if entry.id in seen_ids:
                    continue
                seen_ids.add(entry.id)
            entries.append(entry)
    finally:
        if cache is not None:
            cache.save()  # what was checked is kept, even when stopped half-way
    return entries

"""A cache of validated scenario files, keyed by each file's content hash (as mypy and ruff do).

Validating a scenario costs the pydantic model (~130 ms of imports) plus a few ms per file; a
library of 3,000 files took 15 s to start. The cache keeps, per content hash, what the library and
`coach validate` need (a `Summary` and the diagnostics), so an unchanged file is never validated twice.

- Where: `COACH_CACHE_DIR`, else the user cache folder (platformdirs). One JSON file (never pickle)
  whose name carries a fingerprint of this coach's version and scenario code: another version, or an
  edited model or linter, starts a fresh cache.
- Hits: by content hash. `lookup(path, trust_stat=True)` may skip reading a file whose size and
  mtime match the last time it was hashed (mypy's fast path); the library uses it to list, and a
  scenario is always loaded for real, from its bytes, before it is played (coach/tui/catalog.py).
- Writes replace the file atomically (a temporary file, then `os.replace`), after merging what
  another process wrote meanwhile: processes sharing the cache never read half an entry.
- A missing, corrupt or hostile cache is ignored (every record is checked, see summary.py) and
  rebuilt; a folder that cannot be written leaves coach working without a cache, silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat as stat_mod
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.scenario.diagnostics import Diagnostic
from coach.scenario.summary import BadRecord, Summary
from coach.scenario.text import clean_text

ENV_VAR = "COACH_CACHE_DIR"
FORMAT = 1
MAX_CACHE_BYTES = 256 * 1024 * 1024  # a cache file larger than this is not ours: ignored
_SEVERITIES = ("error", "warning")
READ_LIMIT = 1024 * 1024 + 1  # coach.scenario.loader.MAX_BYTES + 1 (a test checks), without importing pydantic
# The code whose output the cache keeps: editing any of these invalidates every entry.
_SOURCES = ("model.py", "loader.py", "lint.py", "text.py", "summary.py", "diagnostics.py", "cache.py",
            "../principles.py")


@dataclass
class Checked:
    """One file's validation, without its path: a summary when it loaded, and its diagnostics."""

    sha256: str
    summary: Summary | None
    problems: list[tuple[int, int, str, str, str]] = field(default_factory=list)  # line, col, severity, message, code
    id_at: tuple[int, int] = (1, 1)  # where the scenario's id is (coach validate: duplicate ids)

    @property
    def ok(self) -> bool:
        return self.summary is not None and not any(p[2] == "error" for p in self.problems)

    def diagnostics(self, path: str) -> list[Diagnostic]:
        return [Diagnostic(path, line, col, sev, msg, code) for line, col, sev, msg, code in self.problems]

    @classmethod
    def of(cls, result) -> "Checked":
        """From a coach.scenario.loader.LoadResult."""
        summary = Summary.of(result.scenario) if result.scenario is not None else None
        problems = [(d.line, d.col, d.severity, d.message, d.code) for d in result.diagnostics]
        line, col = result.positions.get(("id",), (1, 1))
        return cls(result.sha256, summary, problems, (line, col))

    def to_json(self) -> dict[str, Any]:
        return {"summary": None if self.summary is None else self.summary.to_json(),
                "problems": [list(p) for p in self.problems], "id_at": list(self.id_at)}

    @classmethod
    def from_json(cls, sha256: str, obj: Any) -> "Checked":
        if not isinstance(obj, dict) or not isinstance(obj.get("problems"), list):
            raise BadRecord("record")
        raw = obj.get("summary")
        summary = None if raw is None else Summary.from_json(raw)
        problems = []
        for p in obj["problems"]:
            if (not isinstance(p, list) or len(p) != 5 or type(p[0]) is not int or type(p[1]) is not int
                    or p[2] not in _SEVERITIES or not isinstance(p[3], str) or not isinstance(p[4], str)
                    or len(p[3]) > 2000 or len(p[4]) > 64):
                raise BadRecord("problem")
            problems.append((max(p[0], 1), max(p[1], 1), p[2], clean_text(p[3]), clean_text(p[4])))
        if summary is None and not any(p[2] == "error" for p in problems):
            raise BadRecord("neither a scenario nor an error")
        id_at = obj.get("id_at", [1, 1])
        if not isinstance(id_at, list) or len(id_at) != 2 or not all(type(v) is int and v >= 1 for v in id_at):
            raise BadRecord("id_at")
        return cls(sha256, summary, problems, (id_at[0], id_at[1]))


def default_folder() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("coach", appauthor=False)


_fingerprint: str | None = None


def fingerprint() -> str:
    """coach's version and the scenario code's bytes, hashed: what makes a cached result valid."""
    global _fingerprint
    if _fingerprint is None:
        import coach

        h = hashlib.sha256(f"{FORMAT}:{coach.__version__}".encode())
        here = Path(__file__).resolve().parent
        for name in _SOURCES:
            try:
                h.update((here / name).read_bytes())
            except OSError:
                h.update(name.encode())
        _fingerprint = h.hexdigest()[:16]
    return _fingerprint


def _key(sha256: str, lint: bool) -> str:
    return sha256 if lint else sha256 + ":nolint"


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns]


class ScenarioCache:
    """Load once, look up many, save once (atomically). Safe to use from one worker thread at a time
    and the UI thread (a lock guards the tables)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = default_folder() if folder is None else Path(folder)
        self.path = self.folder / f"scenarios-{fingerprint()}.json"
        self._files: dict[str, list] = {}  # abs path -> [size, mtime_ns, sha256]
        self._results: dict[str, dict] = {}  # sha256[:nolint] -> raw record (checked when read)
        self._checked: dict[str, Checked] = {}
        self._dirty = False
        self._lock = threading.Lock()
        self.writable = True
        self._loaded = False

    # ---- reading ----------------------------------------------------------------------------

    def load(self) -> "ScenarioCache":
        if self._loaded:
            return self
        self._loaded = True
        files, results = _read(self.path)
        with self._lock:
            self._files, self._results = files, results
        return self

    def result(self, sha256: str, lint: bool = True) -> Checked | None:
        """The cached validation of this content, or None (a miss, or a record that fails its checks)."""
        self.load()
        key = _key(sha256, lint)
        with self._lock:
            hit = self._checked.get(key)
            if hit is not None:
                return hit
            raw = self._results.get(key)
            if raw is None:
                return None
            try:
                hit = Checked.from_json(sha256, raw)
            except (BadRecord, TypeError, ValueError, KeyError):
                del self._results[key]  # hostile or damaged: validate again and overwrite it
                self._dirty = True
                return None
            self._checked[key] = hit
            return hit

    def known_hash(self, path: str, st: os.stat_result) -> str | None:
        """The hash recorded for this path when its size and mtime were these, else None."""
        self.load()
        with self._lock:
            rec = self._files.get(path)
        if isinstance(rec, list) and len(rec) == 3 and rec[:2] == _stamp(st) and isinstance(rec[2], str):
            return rec[2]
        return None

    def known_results(self, paths: list, lint: bool = True) -> list[Checked | None]:
        """For each path, its cached validation when the file's size and mtime are as recorded
        (check_file's `trust_stat` hit), else None: check_file's fast path in one loop, for a big
        library's later start (3,024 files: ~45 -> ~25 µs each)."""
        self.load()
        with self._lock:
            files, checked, results = self._files, self._checked, self._results
        stat, abspath, is_reg = os.stat, os.path.abspath, stat_mod.S_ISREG
        out: list[Checked | None] = []
        for path in paths:
            shown = str(path)
            try:
                st = stat(shown)
            except OSError:
                out.append(None)
                continue
            rec = files.get(abspath(shown))
            if (not is_reg(st.st_mode) or not isinstance(rec, list) or len(rec) != 3
                    or rec[0] != st.st_size or rec[1] != st.st_mtime_ns or not isinstance(rec[2], str)):
                out.append(None)
                continue
            key = _key(rec[2], lint)
            hit = checked.get(key)
            if hit is None:
                raw = results.get(key)
                if raw is not None:
                    try:
                        hit = Checked.from_json(rec[2], raw)
                    except (BadRecord, TypeError, ValueError, KeyError):
                        with self._lock:
                            results.pop(key, None)  # hostile or damaged: validated again, overwritten
                            self._dirty = True
                    else:
                        checked[key] = hit
            out.append(hit)
        return out

    # ---- writing ----------------------------------------------------------------------------

    def put(self, checked: Checked, lint: bool = True) -> None:
        self.load()  # first: loading replaces the tables
        with self._lock:
            key = _key(checked.sha256, lint)
            self._checked[key] = checked
            self._results[key] = checked.to_json()
            self._dirty = True

    def remember(self, path: str, st: os.stat_result, sha256: str) -> None:
        self.load()
        with self._lock:
            if self._files.get(path) != [*_stamp(st), sha256]:
                self._files[path] = [*_stamp(st), sha256]
                self._dirty = True

    def save(self) -> bool:
        """Write the cache if anything changed; False (and no exception) when it cannot be written."""
        if not self._dirty or not self.writable:
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            theirs_files, theirs_results = _read(self.path)  # another process may have saved meanwhile
            with self._lock:
                files = {**theirs_files, **self._files}
                results = {**theirs_results, **self._results}
                self._dirty = False
            # Keep only what some file still refers to, so the cache does not grow without end.
            files = {p: r for p, r in files.items() if isinstance(r, list) and len(r) == 3 and os.path.exists(p)}
            used = {r[2] for r in files.values()}
            results = {k: v for k, v in results.items() if k.split(":", 1)[0] in used}
            # ASCII: a file name that is not UTF-8 is kept as a surrogate escape, which only a
            # \u escape can carry through UTF-8 (json.loads gives the same name back).
            doc = json.dumps({"format": FORMAT, "fingerprint": fingerprint(), "files": files,
                              "results": results}, ensure_ascii=True, separators=(",", ":"))
            fd, tmp = tempfile.mkstemp(prefix=".scenarios-", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(doc)
                os.replace(tmp, self.path)
            except BaseException:
                _unlink(tmp)
                raise
            _prune(self.folder, self.path)
            return True
        except OSError:
            self.writable = False  # read-only or full: work without a cache
            return False


def _read(path: Path) -> tuple[dict, dict]:
    """The cache file's tables, or empty ones for a missing, foreign or corrupt file."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_CACHE_BYTES + 1)
        if len(data) > MAX_CACHE_BYTES:
            return {}, {}
        doc = json.loads(data)
    except (OSError, ValueError, RecursionError):
        return {}, {}
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("fingerprint") != fingerprint():
        return {}, {}
    files, results = doc.get("files"), doc.get("results")
    if not isinstance(files, dict) or not isinstance(results, dict):
        return {}, {}
    return files, results


def _unlink(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _prune(folder: Path, keep: Path, age: float = 86_400) -> None:
    """Remove other coach versions' caches and stray temporary files older than a day."""
    limit = time.time() - age
    for p in list(folder.glob("scenarios-*.json")) + list(folder.glob(".scenarios-*.tmp")):
        try:
            if p != keep and p.stat().st_mtime < limit:
                p.unlink()
        except OSError:
            pass


# ---- checking a file through the cache -----------------------------------------------------------

def check_file(path: str | Path, cache: ScenarioCache | None, *, lint: bool = True,
               trust_stat: bool = False) -> tuple[Checked, Any]:
    """(Checked, LoadResult or None): the cached validation of a file's current bytes, or a fresh one.

    The LoadResult is given when the file was validated now (it holds the Scenario); the loader is
    imported only then. A file that cannot be read is never cached.
    """
    shown = str(path)
    key = os.path.abspath(shown)
    try:
        st = os.stat(shown)
    except OSError:
        st = None
    if st is not None and stat_mod.S_ISREG(st.st_mode) and cache is not None:
        if trust_stat:
            sha = cache.known_hash(key, st)
            hit = cache.result(sha, lint) if sha else None
            if hit is not None:
                return hit, None
        try:
            with open(shown, "rb") as fh:
                data = fh.read(READ_LIMIT)
        except OSError:
            data = None
        if data is not None:
            sha = hashlib.sha256(data).hexdigest()
            cache.remember(key, st, sha)
            hit = cache.result(sha, lint)
            if hit is not None:
                return hit, None
            from coach.scenario.loader import load_scenario_text

            result = load_scenario_text(data, shown, lint=lint)
            checked = Checked.of(result)
            cache.put(checked, lint)
            return checked, result
    from coach.scenario.loader import load_scenario

    result = load_scenario(shown, lint=lint)  # not a readable file: its read error, never cached
    return Checked.of(result), result

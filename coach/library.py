"""Where scenarios live: the bundled library, the user's scenario folder, extra folders."""

from __future__ import annotations

import os
import re
from pathlib import Path

import coach

SUFFIXES = (".yaml", ".yml")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")  # the model's id pattern


def bundled_dir() -> Path:
    """The bundled scenarios: inside the wheel (coach/bundled) or, in a checkout, ./scenarios."""
    here = Path(coach.__file__).resolve().parent
    inside = here / "bundled"
    return inside if inside.is_dir() else here.parent / "scenarios"


def user_dir() -> Path:
    """The teller's or trainer's own scenario folder (created on demand, not here)."""
    from platformdirs import user_data_path

    return user_data_path("coach", appauthor=False) / "scenarios"


def scenario_files(folder: Path) -> list[Path]:
    """Scenario files below a folder, sorted as paths sort; none if it does not exist.

    os.scandir, not rglob: the directory entries say what is a file without a stat each (3,000
    files are listed in a few ms)."""
    if not folder.is_dir():
        return []
    found: list[tuple[tuple[str, ...], str]] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(str(folder), ())]
    while stack:
        where, parts = stack.pop()
        try:
            listing = os.scandir(where)
        except OSError:
            continue
        with listing:
            for item in listing:
                try:
                    if item.is_dir():
                        if not item.is_symlink():  # as rglob: a linked folder is not entered (no loops)
                            stack.append((item.path, (*parts, item.name)))
                    elif os.path.splitext(item.name)[1] in SUFFIXES and item.is_file():
                        found.append(((*parts, item.name), item.path))
                except OSError:
                    continue
    found.sort()
    return [Path(path) for _, path in found]


def collect(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The scenario files that command-line paths name (a file, or a folder searched), in order and
    without repeats, and usage problems (missing paths, empty folders). `coach validate`, its
    `--watch` and `coach audit` share it."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        p = Path(raw)
        try:
            if p.is_dir():
                found = scenario_files(p)
                if not found:
                    problems.append(f"{raw}: no scenario files (*.yaml, *.yml) in this folder")
                files.extend(found)
            elif p.exists():
                files.append(p)
            else:
                problems.append(f"{raw}: no such file or folder")
        except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL byte
            problems.append(f"{raw}: cannot be read ({getattr(exc, 'strerror', None) or exc})")
    unique = list(dict.fromkeys(files))
    return unique, problems


def resolve(ref: str, extra_dirs: list[Path] | tuple[Path, ...] = ()) -> Path | None:
    """A scenario given as a path, or as an id found in the extra, bundled or user folders."""
    path = Path(ref)
    try:
        if path.suffix in SUFFIXES or path.exists():
            # a FIFO or device is returned too: the loader says it is not a regular file (never opens it)
            return path if path.exists() and not path.is_dir() else None
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte: no such file
        return None
    return find_id(ref, extra_dirs)


def is_scenario_id(text: str) -> bool:
    """A scenario id as the model allows it: lower case letters, digits and dashes, at most 64."""
    return isinstance(text, str) and len(text) <= 64 and _ID.match(text) is not None


def find_id(sid: str, extra_dirs: list[Path] | tuple[Path, ...] = ()) -> Path | None:
    """The file `<sid>.yaml` (or .yml) in the extra, bundled or user folders, for an id only.

    A scenario id read from a database is untrusted: it is never used as a path (`../x`, `/etc/x`),
    and one that is not a valid id (too long for a file name, a NUL byte) names no file.
    """
    if not is_scenario_id(sid):
        return None
    for folder in (*extra_dirs, bundled_dir(), user_dir()):
        for suffix in SUFFIXES:
            candidate = folder / f"{sid}{suffix}"
            try:
                if candidate.is_file():
                    return candidate
            except OSError:
                continue
    return None

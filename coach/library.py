"""Where scenarios live: the bundled library, the user's scenario folder, extra folders."""

from __future__ import annotations

from pathlib import Path

import coach

SUFFIXES = (".yaml", ".yml")


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
    """Scenario files below a folder, sorted; none if it does not exist."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def resolve(ref: str, extra_dirs: list[Path] | tuple[Path, ...] = ()) -> Path | None:
    """A scenario given as a path, or as an id found in the extra, bundled or user folders."""
    path = Path(ref)
    if path.suffix in SUFFIXES or path.exists():
        # a FIFO or device is returned too: the loader says it is not a regular file (never opens it)
        return path if path.exists() and not path.is_dir() else None
    for folder in (*extra_dirs, bundled_dir(), user_dir()):
        for suffix in SUFFIXES:
            candidate = folder / f"{ref}{suffix}"
            if candidate.is_file():
                return candidate
    return None

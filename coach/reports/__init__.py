"""Analytics across tellers: merging history databases, views, item analysis, exports.

Headless: imports neither textual nor any terminal machinery (rich only to draw tables).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from coach.reports.merge import Dataset, Filters, ReportError, merge


def scenario_finder(extra_dirs: tuple[Path, ...] = ()) -> Callable[[str, str], object | None]:
    """Find the scenario of an id whose sha256 matches: `<id>.yaml` in the extra, bundled and user
    folders first, else any file in the extra folders whose `id:` is that id (a trainer's folder
    need not name files by id). A folder or file that cannot be read is passed over. The loader is
    imported on the first lookup, not before (the central report warms it while PostgreSQL computes)."""
    from coach.library import find_id, scenario_files

    by_name: dict[str, object | None] = {}
    by_id: dict[str, list] | None = None

    def load(path: Path):
        from coach.scenario.loader import load_scenario

        try:
            result = load_scenario(path, lint=False)
        except OSError:
            return None
        return result if result.scenario is not None else None

    def index() -> dict[str, list]:
        nonlocal by_id
        if by_id is None:
            by_id = {}
            for folder in extra_dirs:
                try:
                    files = scenario_files(Path(folder))
                except OSError:
                    continue
                for path in files:
                    result = load(path)
                    if result is not None:
                        by_id.setdefault(result.scenario.id, []).append(result)
        return by_id

    def find(sid: str, sha: str) -> object | None:
        if sid not in by_name:
            try:
                path = find_id(sid, extra_dirs)  # an id from the database, never a path
            except (OSError, ValueError):  # an unreadable folder
                path = None
            result = load(path) if path is not None else None
            by_name[sid] = result if result is not None and result.scenario.id == sid else None
        result = by_name[sid]
        if result is not None and (not sha or result.sha256 == sha):
            return result.scenario
        for other in index().get(sid, []):
            if not sha or other.sha256 == sha:
                return other.scenario
        return None

    return find


def build(data: Dataset, *, first_only: bool = True, scenario_for=None, lang: str = "en") -> dict:
    """Every view of a dataset, as one JSON-ready dict."""
    from coach.reports.items import item_analysis
    from coach.reports.views import principle_view, scenario_view, teller_view

    return {
        "sources": data.sources,
        "filters": data.filters.to_dict(),
        "attempts": len(data.attempts),
        "answers": data.answer_count,
        "duplicates_skipped": data.duplicates,
        "item_analysis_on": "first attempts" if first_only else "all attempts",
        "tellers": teller_view(data.attempts),
        "principles": principle_view(data.attempts),
        "scenarios": scenario_view(data.attempts),
        "items": item_analysis(data.attempts, first_only=first_only, scenario_for=scenario_for, lang=lang),
    }


__all__ = ["Dataset", "Filters", "ReportError", "build", "merge", "scenario_finder"]

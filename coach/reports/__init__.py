"""Analytics across tellers: merging history databases, views, item analysis, exports.

Headless: imports neither textual nor any terminal machinery (rich only to draw tables).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from coach.reports.merge import Dataset, Filters, ReportError, merge


def scenario_finder(extra_dirs: tuple[Path, ...] = ()) -> Callable[[str, str], object | None]:
    """Find the scenario file of an id whose sha256 matches, in the extra, bundled and user folders.
    The loader is imported on the first lookup, not before (the central report warms it while
    PostgreSQL computes)."""
    from coach.library import find_id

    cache: dict[str, object | None] = {}

    def find(sid: str, sha: str) -> object | None:
        from coach.scenario.loader import load_scenario

        if sid not in cache:
            path = find_id(sid, extra_dirs)  # an id from the database, never a path
            result = load_scenario(path, lint=False) if path is not None else None
            ok = result is not None and result.scenario is not None and result.scenario.id == sid
            cache[sid] = result if ok else None
        result = cache[sid]
        if result is None or (sha and result.sha256 != sha):
            return None
        return result.scenario

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

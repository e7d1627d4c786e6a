"""Typed replies ("say it yourself") across history databases, per scenario and step, for a trainer:
what tellers said in their own words, which markers it had, lacked and hurt with, and how they
rated themselves. Read-only, like the other reports."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from coach.reports.merge import ReportError, _check_schema, _clean_name, _ReadOnly, db_files

RATINGS = {1: "again", 2: "hard", 3: "good", 4: "easy"}


def read_replies(paths: list[str], teller: str | None = None, scenario: str | None = None) -> list[dict]:
    """Every stored reply, sorted by scenario, step and time. Databases from before replies were
    kept simply have none."""
    out: list[dict] = []
    for path in db_files(paths):
        with _ReadOnly(Path(path)) as conn:
            try:
                _check_schema(conn, path)
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if "replies" not in tables:
                    continue
                rows = conn.execute(
                    "SELECT t.name, r.scenario_id, r.step, r.lang, r.text, r.markers, r.rating, r.at"
                    " FROM replies AS r JOIN tellers AS t ON t.id = r.teller_id"
                ).fetchall()
            except sqlite3.DatabaseError as exc:
                raise ReportError(f"{path}: damaged ({exc})") from None
        for name, sid, step, lang, text, markers, rating, at in rows:
            name = _clean_name(name)
            if (teller and name != _clean_name(teller)) or (scenario and sid != scenario):
                continue
            try:
                found = json.loads(markers) if markers else {}
            except ValueError:
                found = {}
            out.append({
                "teller": name, "scenario": sid, "step": step, "lang": lang, "text": text, "at": at,
                "rating": RATINGS.get(rating),
                "has": [m.get("found") for m in found.get("has", []) if isinstance(m, dict)],
                "lacks": [m.get("principle") for m in found.get("lacks", []) if isinstance(m, dict)],
                "hurts": [m.get("found") for m in found.get("hurts", []) if isinstance(m, dict)],
                "too_long": bool(found.get("too_long")),
            })
    out.sort(key=lambda r: (r["scenario"], r["step"], r["at"] or ""))
    return out


def replies_table(rows: list[dict]) -> str:
    """Plain text, grouped by scenario and step."""
    if not rows:
        return "No typed replies in these databases.\n"
    lines: list[str] = []
    current = None
    for r in rows:
        if (r["scenario"], r["step"]) != current:
            current = (r["scenario"], r["step"])
            lines.append(f"\n{r['scenario']} @ {r['step']}")
        notes = []
        if r["has"]:
            notes.append("has " + ", ".join(str(x) for x in r["has"]))
        if r["lacks"]:
            notes.append("lacks " + ", ".join(str(x) for x in r["lacks"]))
        if r["hurts"]:
            notes.append("hurts " + ", ".join(str(x) for x in r["hurts"]))
        if r["too_long"]:
            notes.append("too long")
        lines.append(f"  {r['teller']} ({r['rating'] or '-'}): {r['text']}")
        if notes:
            lines.append("      " + "; ".join(notes))
    return "\n".join(lines).lstrip("\n") + "\n"

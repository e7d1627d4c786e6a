"""Helpers for report tests: the hand-made data set, and real history databases made with the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"
ORDER = FIXTURES / "engine" / "order.yaml"


@pytest.fixture
def small() -> list[dict]:
    """tests/fixtures/reports/small.json, with the keys a merged row has filled in."""
    data = json.loads((FIXTURES / "reports" / "small.json").read_text(encoding="utf-8"))
    rows = data["attempts"]
    for n, a in enumerate(rows):
        a.setdefault("mode", "practice")
        a.setdefault("lang", "en")
        a.setdefault("ended", a["started"])
        a.setdefault("key", f"{a['teller']}|{a['scenario']}|{a['started']}")
        for seq, x in enumerate(a["answers"], 1):
            x.setdefault("seq", seq)
            x.setdefault("act", "explain")
            x.setdefault("rule_points", 0)
    return rows


def make_db(path: Path, plays: list[tuple[str, list[int]]], scenario: Path = ORDER, mode: str = "practice") -> Path:
    """A history database written by the store itself: each play is (teller, 0-based choices)."""
    from coach.engine import Session
    from coach.scenario.loader import load_scenario
    from coach.store import Recorder, connect

    loaded = load_scenario(scenario)
    conn = connect(path)
    try:
        for teller, picks in plays:
            rec = Recorder(conn, teller)
            aid = rec.start(loaded.scenario, loaded.sha256, mode, "en")
            session = Session(loaded.scenario)
            for p in picks:
                rec.answer(aid, session.choose(p), 2.5)
            if session.finished:
                rec.finish(aid, session.scorecard())
    finally:
        conn.close()
    return path


@pytest.fixture(name="make_db")
def make_db_fixture():
    return make_db


@pytest.fixture
def two_dbs(tmp_path) -> Path:
    """Two workstations' databases in one folder; Ann practised on both."""
    folder = tmp_path / "collected"
    folder.mkdir()
    make_db(folder / "branch-a.sqlite3", [("Ann", [0, 0, 0, 0]), ("Bob", [1, 1, 1, 1]), ("Ann", [0, 0, 0, 1])])
    make_db(folder / "branch-b.sqlite3", [("Ann", [0, 1, 0, 0]), ("王芳", [1, 0, 1, 0]), ("Cy", [0, 0])])
    return folder

"""The terminal UI's background sync: after each finished attempt when COACH_CENTRAL is set, never
blocking, and a quiet line on the library when the last sync failed or attempts wait."""

from __future__ import annotations

import time

import pytest

from coach.engine import Session
from coach.scenario.loader import load_scenario
from coach.store import connect

from .conftest import ORDER, make_history, rows

DEAD = "postgresql://coach_admin:Hidden-Pw-1@127.0.0.1:1/coach"


def _link(tmp_path, monkeypatch, url, teller="Ann"):
    from coach.tui.controllers.link import StoreLink

    monkeypatch.setenv("COACH_CENTRAL", url)
    monkeypatch.setenv("COACH_BRANCH", "B7")
    path = tmp_path / "h.sqlite3"
    link = StoreLink(connect(path), teller, path)
    link.start_background_sync()
    link.background.wait(30)
    return link


def _play(link):
    loaded = load_scenario(ORDER)
    session = Session(loaded.scenario)
    aid = link.recorder.start(loaded.scenario, loaded.sha256, "practice", "en")
    for i in (0, 0, 0, 0):
        link.recorder.answer(aid, session.choose(i), 1.0)
    started = time.perf_counter()
    link.recorder.finish(aid, session.scorecard())
    return time.perf_counter() - started


def test_a_finished_attempt_is_synced_in_the_background(central, tmp_path, monkeypatch):
    link = _link(tmp_path, monkeypatch, central)
    _play(link)
    link.background.wait(60)
    assert rows(central, "SELECT branch, teller FROM coach.attempts") == [("B7", "Ann")]
    assert not any(link.sync_lines().values())  # all synced: nothing to say


def test_server_down_does_not_block_and_the_library_says_so_quietly(tmp_path, monkeypatch):
    link = _link(tmp_path, monkeypatch, DEAD)
    assert _play(link) < 0.5  # finishing returns at once; the sync runs on its thread
    link.background.wait(60)
    from coach.central.background import status_line

    line = status_line(link.conn)
    assert "failed" in line and "1 attempts waiting" in line and "Hidden-Pw-1" not in line
    assert connect(tmp_path / "h.sqlite3").execute("SELECT count(*) FROM attempts WHERE status = 'finished'"
                                                   ).fetchone()[0] == 1


async def test_library_screen_shows_the_failed_sync(tmp_path, monkeypatch):
    pytest.importorskip("textual")
    from coach.tui import catalog
    from coach.tui.app import CoachApp
    from coach.tui.controllers.link import StoreLink

    path = make_history(tmp_path / "h.sqlite3", [("Ann", [0, 0, 0, 0])])
    monkeypatch.setenv("COACH_CENTRAL", DEAD)
    monkeypatch.setenv("COACH_BRANCH", "B7")
    link = StoreLink(connect(path), "Ann", path)
    app = CoachApp(catalog.build([ORDER.parent], bundled=False, user=False), store=link, seed=1)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        link.background.wait(60)
        for _ in range(20):
            await pilot.pause(0.05)
        text = str(app.screen.query_one("#lib-sync").render())
        assert "failed" in text and "1 attempts waiting" in text

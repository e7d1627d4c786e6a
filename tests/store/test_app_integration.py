"""The store inside CoachApp: teller on first start, resume at the exact step, a changed scenario,
History and the pre-shift check from the library keys, best scores in the library."""

import pytest

pytest.importorskip("textual")

from coach.engine import Session  # noqa: E402
from coach.store import connect  # noqa: E402
from coach.store.recorder import Recorder  # noqa: E402
from coach.tui import catalog  # noqa: E402
from coach.tui.app import CoachApp  # noqa: E402
from coach.tui.controllers.link import StoreLink  # noqa: E402

from .conftest import LIBRARY  # noqa: E402


def entries():
    return catalog.build([LIBRARY], bundled=False, user=False)


def screen_name(app):
    return type(app.screen).__name__


async def test_first_start_asks_for_the_teller_then_history(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    app = CoachApp(entries(), store=StoreLink(conn, None), seed=1)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert screen_name(app) == "TellerScreen"
        for ch in "Ana":
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "LibraryScreen"
        assert app.store.teller == "Ana" and app.recorder.bound
        await pilot.press("h")
        await pilot.pause()
        assert screen_name(app) == "HistoryScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "LibraryScreen"


async def test_resume_continues_at_the_exact_step_with_the_same_scorecard(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    es = {e.scenario.id: e for e in entries()}
    atm = es["atm-card"]
    rec = Recorder(conn, "Li")
    a = rec.start(atm.scenario, atm.sha256, "practice", "en")
    s = Session(atm.scenario)
    for i in (0, 0, 0):
        rec.answer(a, s.choose(i), 2.0)
    app = CoachApp(list(es.values()), store=StoreLink(conn, "Li"), seed=1)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert screen_name(app) == "ResumeScreen"
        await pilot.press("y")
        await pilot.pause()
        assert screen_name(app) == "ConversationScreen"
        c = app.controller
        assert c.attempt_id == a and c.session.step_id == s.step_id == "follow"
        assert c.session.scorecard().to_dict() == s.scorecard().to_dict()
    # one more answer goes to the same attempt
    assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 1


async def test_a_changed_scenario_is_said_plainly_and_restarted(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    es = {e.scenario.id: e for e in entries()}
    atm = es["atm-card"]
    rec = Recorder(conn, "Li")
    a = rec.start(atm.scenario, "0" * 64, "practice", "en")  # another version of the file
    rec.answer(a, Session(atm.scenario).choose(0), 2.0)
    app = CoachApp(list(es.values()), store=StoreLink(conn, "Li"), seed=1)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert screen_name(app) == "ResumeScreen"
        assert "has changed since you started it" in str(app.screen.query_one("#resume-message").render())
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "BriefingScreen"
    assert conn.execute("SELECT status FROM attempts WHERE id = ?", (a,)).fetchone()[0] == "abandoned"


async def test_check_from_the_library_and_best_scores(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    app = CoachApp(entries(), store=StoreLink(conn, "Li"), seed=3)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert screen_name(app) == "LibraryScreen"
        await pilot.press("c")
        await pilot.pause()
        assert screen_name(app) == "CheckScreen"
        while screen_name(app) == "CheckScreen":
            c = app.screen.controller
            await pilot.press(str(c.order().index(c.session.step.best_index()) + 1))
            await pilot.pause()
        assert screen_name(app) == "VerdictScreen" and app.screen.verdict.ready
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "LibraryScreen"
        rows = dict(conn.execute("SELECT scenario_id, overall FROM attempts").fetchall())
        assert app.best_scores == {sid: (o, o) for sid, o in rows.items()}
    assert conn.execute("SELECT verdict FROM checks").fetchone()[0] == "ready"

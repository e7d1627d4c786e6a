"""Pilot tests of the store's screens: History, the pre-shift check ending in each verdict
(snapshots in zh and en), the teller picker, the resume offer, and the time box."""

import pytest

pytest.importorskip("textual")

from coach import check  # noqa: E402
from coach.engine import Session  # noqa: E402
from coach.store import connect  # noqa: E402
from coach.store.recorder import Recorder  # noqa: E402
from coach.store.resume import offers  # noqa: E402
from coach.tui.screens.check import CheckScreen, VerdictScreen  # noqa: E402
from coach.tui.screens.resume import ResumeScreen  # noqa: E402
from coach.tui.store_apps import CheckApp, HistoryApp  # noqa: E402

from .conftest import LIBRARY, STORE_FIXTURES  # noqa: E402


def library():
    cands, _ = check.load_library([LIBRARY])
    return {c.id: c for c in cands}


def _play(rec, cand, picks, when):
    a = rec.start(cand.scenario, cand.sha256, "practice", "en")
    s = Session(cand.scenario)
    for i in picks:
        rec.answer(a, s.choose(i), 3.0)
    if s.finished:
        rec.finish(a, s.scorecard())
    rec.conn.execute("UPDATE attempts SET started = ?, ended = CASE WHEN ended IS NULL THEN NULL ELSE ? END"
                     " WHERE id = ?", (when, when, a))


@pytest.fixture
def history_db(tmp_path):
    lib = library()
    conn = connect(tmp_path / "h.sqlite3")
    rec = Recorder(conn, "Li")
    plays = [("atm-card", [1, 1], "2026-03-01T09:00"), ("fee-confusion", [0, 0], "2026-03-02T09:00"),
             ("queue-anger", [1, 1], "2026-03-03T09:00"), ("atm-card", [0, 0, 0, 0], "2026-03-04T09:00"),
             ("form-help", [1, 0], "2026-03-05T09:00"), ("loan-offer", [0], "2026-03-06T09:00")]
    for sid, picks, when in plays:
        _play(rec, lib[sid], picks, when)
    return conn, lib


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_history_screen_snapshot(history_db, snap_compare, lang):
    conn, lib = history_db
    app = HistoryApp(conn, "Li", lang, {c.id: c.scenario for c in lib.values()})
    assert snap_compare(app, terminal_size=(100, 44))


async def test_history_screen_content(history_db):
    conn, lib = history_db
    app = HistoryApp(conn, "Li", "en", {c.id: c.scenario for c in lib.values()})
    async with app.run_test(size=(100, 44)) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#attempts")
        assert table.row_count == 6
        assert str(table.get_row_at(0)[1]) == "loan-offer" and str(table.get_row_at(0)[4]) == "unfinished"
        assert len(screen.query("Sparkline")) > 0
        assert len(screen.query(".weak-name")) == 3
        await pilot.press("escape")


async def test_history_screen_for_a_new_teller(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    app = HistoryApp(conn, "Nobody")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.query_one("#empty")


def _check_app(tmp_path, lang, **kw):
    lib = library()
    conn = connect(tmp_path / "h.sqlite3")
    chosen = [lib["fund-question"], lib["queue-anger"]]
    return CheckApp(conn, "Li", list(lib.values()), minutes=10, lang=lang, chosen=chosen,
                    clock=kw.get("clock", lambda: 0.0), seed=7), conn


async def answer(pilot, best: bool, n: int = 4):
    """Press the number of the best (or worst) choice as shown (assessment mode shuffles them)."""
    for _ in range(n):
        c = pilot.app.screen.controller
        step = c.session.step
        want = step.best_index() if best else min(range(len(step.choices)), key=lambda i: (step.choices[i].total, i))
        await pilot.press(str(c.order().index(want) + 1))
        await pilot.pause()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_check_ready_snapshot(tmp_path, snap_compare, lang):
    app, _ = _check_app(tmp_path, lang)
    assert snap_compare(app, run_before=lambda pilot: answer(pilot, True), terminal_size=(90, 24))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_check_review_snapshot(tmp_path, snap_compare, lang):
    app, _ = _check_app(tmp_path, lang)
    assert snap_compare(app, run_before=lambda pilot: answer(pilot, False), terminal_size=(90, 30))


@pytest.mark.parametrize("ready", [True, False])
async def test_check_ends_in_a_verdict_that_is_stored(tmp_path, ready):
    app, conn = _check_app(tmp_path, "en")
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CheckScreen)
        assert "customer 1 of 2" in str(app.screen.query_one("#check-head").render())
        await answer(pilot, ready)
        assert isinstance(app.screen, VerdictScreen)
        await pilot.press("enter")
    verdict = app.return_value
    assert verdict.ready is ready
    stored = conn.execute("SELECT verdict, review FROM checks").fetchall()
    assert stored == [("ready" if ready else "review", "[]" if ready else stored[0][1])]
    assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 4
    assert {r[0] for r in conn.execute("SELECT mode FROM attempts")} == {"assessment"}


async def test_check_time_box_ends_the_check_mid_scenario(tmp_path):
    now = [0.0]
    app, conn = _check_app(tmp_path, "en", clock=lambda: now[0])
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        now[0] = 10 * 60 + 1
        app.screen._tick()
        await pilot.pause()
        assert isinstance(app.screen, VerdictScreen)
        v = app.screen.verdict
        assert [p["finished"] for p in v.played] == [False]
    assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 1


async def test_teller_screen_on_first_start(tmp_path):
    lib = library()
    conn = connect(tmp_path / "h.sqlite3")
    app = CheckApp(conn, None, list(lib.values()), chosen=[lib["fund-question"]], clock=lambda: 0.0)
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # empty name: refused with a message
        await pilot.pause()
        assert "cannot be empty" in str(app.screen.query_one("#teller-error").render())
        for ch in "Mei":
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckScreen)
    assert conn.execute("SELECT name FROM tellers").fetchall() == [("Mei",)]


async def test_resume_screen(tmp_path):
    from coach.scenario.loader import load_scenario
    from textual.app import App

    loaded = load_scenario(STORE_FIXTURES / "long.yaml")
    conn = connect(tmp_path / "h.sqlite3")
    rec = Recorder(conn, "Li")
    a = rec.start(loaded.scenario, loaded.sha256, "practice", "en")
    s = Session(loaded.scenario)
    rec.answer(a, s.choose(0), 1.0)
    [offer] = offers(conn, rec.teller_id, lambda sid: STORE_FIXTURES / "long.yaml")
    answers = []

    class Host(App):
        def on_mount(self):
            self.push_screen(ResumeScreen(offer, "en"), answers.append)

    async with Host().run_test() as pilot:
        await pilot.pause()
        assert "interrupted after 1 answers" in str(pilot.app.screen.query_one("#resume-message").render())
        await pilot.press("y")
        await pilot.pause()
    assert answers == [True] and offer.session.step_id == "s2"


@pytest.mark.parametrize("key, agreed", [("y", True), ("n", False)])
async def test_broken_database_confirm_screen(tmp_path, key, agreed):
    from coach.store.db import BrokenDatabase
    from coach.tui.screens.broken import _Confirm

    app = _Confirm(BrokenDatabase(tmp_path / "h.sqlite3", "it is not a SQLite database"), "en")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "not a readable coach history database" in str(app.screen.query_one("#broken-message").render())
        await pilot.press(key)
    assert app.return_value is agreed


@pytest.mark.parametrize("ready", [True, False])
async def test_the_verdict_lists_the_moments_to_review_as_coach_check_does(tmp_path, ready):
    from textual.widgets import Static  # Labels are Statics

    from coach.review import due_for_verdict
    from coach.store.tellers import teller_id

    app, conn = _check_app(tmp_path, "en")
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.pause()
        await answer(pilot, ready)
        screen = app.screen
        assert isinstance(screen, VerdictScreen)
        expected = due_for_verdict(conn, teller_id(conn, "Li"), screen.verdict, list(library().values()))
        assert [(d["scenario"], d["step"]) for d in screen.due] == [(d["scenario"], d["step"]) for d in expected]
        text = "\n".join(str(w.render()) for w in screen.query(Static))
        if ready:
            assert not screen.due and "Moments to review" not in text
        else:
            assert screen.due and all(f"{d['scenario']} @ {d['step']}" in text for d in screen.due)


async def test_an_answer_that_arrives_twice_for_one_decision_is_stored_once(tmp_path):
    """Two presses before the first is handled post two Chosen messages for the same decision: the
    check run takes the first and drops the late one (it is not an answer to the next step)."""
    app, conn = _check_app(tmp_path, "en")
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        play = screen.controller
        screen.post_message(CheckScreen.Chosen(play, 0, 0))
        screen.post_message(CheckScreen.Chosen(play, 1, 0))
        await pilot.pause()
        assert len(play.session.turns) == 1
    assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 1

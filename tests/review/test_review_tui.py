"""Review and "say it yourself" in the terminal UI, by Pilot, in Chinese and English: the library's
due count and key, recall before the choices, feedback quoting the article, the session end with
what is due tomorrow, typed replies compared with the best answer and self-rated into FSRS."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.engine import Session
from coach.store import connect
from coach.store import review as cards
from coach.store.recorder import Recorder
from coach.tui.app import CoachApp
from coach.tui.catalog import build, load_entry
from coach.tui.controllers.link import StoreLink
from tests.tui.conftest import name, screen_text

FIXTURES = Path(__file__).parent.parent / "fixtures" / "review"
SIZE = (80, 24)


def missed_ask(db_path):
    """Teller Li played 'rates' and brushed the customer off at 'ask' (a miss), then finished."""
    conn = connect(db_path)
    loaded = load_entry(FIXTURES / "rates.yaml")
    rec = Recorder(conn, "Li")
    attempt = rec.start(loaded.scenario, loaded.sha256, "practice", "en")
    session = Session(loaded.scenario)
    for i in (0, 1, 0):
        rec.answer(attempt, session.choose(i), 20.0)
    rec.finish(attempt, session.scorecard())
    return conn, rec.teller_id


def app_for(conn, lang: str, **kw) -> CoachApp:
    return CoachApp(build([FIXTURES], bundled=False, user=False), lang=lang, bundled=False, user=False,
                    store=StoreLink(conn, "Li"), seed=0, **kw)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def type_reply(pilot, app, reply: str) -> None:
    """Type into the reply box (a terminal's input method gives Chinese whole, as here) and submit."""
    from textual.widgets import Input

    box = app.screen.query_one(Input)
    assert box.has_focus
    box.insert_text_at_cursor(reply)
    await pilot.press("enter")


def best_position(app) -> int:
    item = app.screen.item
    return item.order.index(item.best_index()) + 1


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_library_shows_the_due_count_and_r_opens_the_review(db_path, lang):
    conn, tid = missed_ask(db_path)
    app = app_for(conn, lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert ("1 项待复习" if lang == "zh" else "1 due (r)") in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert name(app) == "ReviewScreen"
        text = screen_text(app)
        assert ("为什么他们给" if lang == "zh" else "Why do they pay") in text
        assert not app.screen.query_one("#rv-choices").display  # recall first: choices hidden


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_answering_best_gives_feedback_with_the_article_and_moves_the_date(db_path, lang):
    conn, tid = missed_ask(db_path)
    app = app_for(conn, lang, open_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(str(best_position(app)))
        await settle(pilot)
        assert name(app) == "ReviewFeedbackScreen"
        text = screen_text(app)
        assert "「" in text  # the article quoted, as in practice
        assert ("轻松" if lang == "zh" else "Rating: Easy") in text  # best, and quick (a Pilot is)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert ("到明天为止待复习" if lang == "zh" else "Due by tomorrow:") in text
    assert cards.due(conn, tid) == []
    assert conn.execute("SELECT rating, how FROM review_log").fetchall() == [(cards.EASY, "choice")]


async def test_a_wrong_answer_is_again_and_names_the_best_move(db_path):
    conn, tid = missed_ask(db_path)
    app = app_for(conn, "en", open_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        item = app.screen.item
        wrong = item.order.index(1) + 1  # "Head office sets the rates"
        await pilot.press(str(wrong))
        await settle(pilot)
        text = screen_text(app)
        assert "Rating: Again" in text and "The best move:" in text
    [(rating,)] = conn.execute("SELECT rating FROM review_log").fetchall()
    assert rating == cards.AGAIN


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_say_it_yourself_in_review_compares_markers_and_self_rates(db_path, lang):
    conn, tid = missed_ask(db_path)
    app = app_for(conn, lang, open_review=True)
    reply = "两种产品有区别，您可以选择。" if lang == "zh" else "The products differ; you can choose."
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert name(app) == "SayScreen"
        assert "Explain how the products differ" not in screen_text(app)  # the choices stay hidden
        await type_reply(pilot, app, reply)
        await settle(pilot)
        text = screen_text(app)
        assert ("最好的回答" if lang == "zh" else "The best answer") in text
        assert ("区别" if lang == "zh" else "differ") in text
        await pilot.press("2")  # Hard
        await settle(pilot)
        assert name(app) == "ReviewScreen" and app.screen.finished
    [row] = cards.replies(conn)
    assert row["text"] == reply and row["rating"] == "hard"
    assert {m["principle"] for m in row["markers"]["has"]} == {"options", "understanding"}
    assert conn.execute("SELECT rating, how FROM review_log").fetchall() == [(2, "typed")]


async def test_say_it_yourself_in_practice_stores_the_reply_with_the_attempt(db_path):
    conn = connect(db_path)
    entry = load_entry(FIXTURES / "rates.yaml")
    app = CoachApp([], lang="en", start=entry, bundled=False, user=False, store=StoreLink(conn, "Li"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "1")  # start, prepare
        await pilot.press("enter")
        await settle(pilot)
        assert app.controller.session.step_id == "ask"
        await pilot.press("s")
        await settle(pilot)
        await type_reply(pilot, app, "It's the rule")
        await settle(pilot)
        assert "Hurts" in screen_text(app)
        await pilot.press("1")  # Again: a self-declared miss becomes a review item
        await settle(pilot)
        assert name(app) == "ConversationScreen"
    [row] = cards.replies(conn)
    assert row["attempt"] == app.controller.attempt_id and row["step"] == "ask"
    assert len(cards.due(conn, Recorder(conn, "Li").teller_id, by=None)) in (0, 1)
    assert conn.execute("SELECT count(*) FROM review_cards").fetchone()[0] == 1


async def test_nothing_due_says_so_and_enter_goes_back(db_path):
    conn = connect(db_path)
    app = app_for(conn, "en", open_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Nothing is due for review" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert name(app) == "LibraryScreen"


def keys(*presses):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_review_choices(snap_compare, db_path, lang):
    conn, _ = missed_ask(db_path)
    assert snap_compare(app_for(conn, lang, open_review=True), terminal_size=SIZE, run_before=keys("enter"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_review_feedback(snap_compare, db_path, lang):
    conn, _ = missed_ask(db_path)
    app = app_for(conn, lang, open_review=True)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.press(str(app.screen.item.order.index(2) + 1))  # half-right: "Just quote our rate"
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_say_comparison(snap_compare, db_path, lang):
    conn, _ = missed_ask(db_path)
    reply = "这是总行定的，您可以选择。" if lang == "zh" else "Head office sets it; you can choose."
    app = app_for(conn, lang, open_review=True)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await type_reply(pilot, app, reply)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_when_an_item_comes_back_reads_naturally():
    from datetime import datetime, timedelta, timezone

    from coach.tui.screens.review import when_text

    now = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    at = lambda **kw: (now + timedelta(**kw)).isoformat()  # noqa: E731
    assert when_text(at(minutes=1), "en", now) == "in a minute"
    assert when_text(at(minutes=10), "en", now) == "in 10 minutes"
    assert when_text(at(hours=5), "en", now) == "in 5 hours"
    assert when_text(at(days=3), "zh", now) == "3 天后"


async def test_say_it_yourself_is_not_offered_in_assessment_mode(db_path):
    conn = connect(db_path)
    entry = load_entry(FIXTURES / "rates.yaml")
    app = CoachApp([], lang="en", start=entry, assess=True, bundled=False, user=False,
                   store=StoreLink(conn, "Li"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "say it yourself" not in screen_text(app)
        await pilot.press("s")
        await settle(pilot)
        assert name(app) == "ConversationScreen"


async def test_a_history_that_cannot_be_written_is_a_message_and_the_item_stays(db_path):
    import sqlite3

    conn, tid = missed_ask(db_path)
    app = app_for(conn, "en", open_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen

        def locked(*a, **kw):
            raise sqlite3.OperationalError("database is locked")

        app.review.rate = locked
        await pilot.press("enter")
        await pilot.press(str(best_position(app)))
        await settle(pilot)
        assert name(app) == "ReviewScreen" and screen.index == 0 and not screen.finished
        assert any("database is locked" in str(n.message) for n in app._notifications)


async def test_an_answer_that_arrives_twice_for_one_item_is_rated_once(db_path):
    from coach.tui.screens.review import ReviewScreen

    conn, tid = missed_ask(db_path)
    app = app_for(conn, "en", open_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen, item = app.screen, app.screen.item
        screen.post_message(ReviewScreen.Chosen(item, 0, 5.0))
        screen.post_message(ReviewScreen.Chosen(item, 1, 5.0))
        await settle(pilot)
        assert name(app) == "ReviewFeedbackScreen" and screen.reviewed == 1
    assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1

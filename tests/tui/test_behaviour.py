"""Take-backs, the assessment shuffle, the recorder's call sites, quitting, language switching,
help, tiny terminals and the command palette."""

from __future__ import annotations

import pytest

from coach.engine import Session
from tests.tui.conftest import (
    FakeRecorder, choose_file_index, entry, library_app, name, scenario_app, screen_text,
)


async def start(pilot):
    await pilot.press("enter")
    await pilot.pause()


async def test_take_back_from_feedback_and_from_conversation(recorder):
    app = scenario_app("rates", "en", recorder=recorder)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert name(app) == "FeedbackScreen"
        await pilot.press("u")  # take it back from the feedback
        await pilot.pause()
        assert name(app) == "ConversationScreen"
        assert app.controller.session.turns == [] and app.controller.session.step_id == "ready"
        await pilot.press("1", "enter")
        await pilot.pause()
        assert app.controller.session.step_id == "ask"
        await pilot.press("backspace")  # and from the conversation
        await pilot.pause()
        assert app.controller.session.step_id == "ready" and not app.controller.session.turns
        await pilot.press("1", "enter", "1", "enter", "1", "enter")
        await pilot.pause()
        assert name(app) == "DebriefScreen"
        card = Session.replay(entry("rates").scenario, [0, 0, 0]).scorecard()
        assert recorder.calls == [
            ("start", "rates", entry("rates").sha256, "practice", "en"),
            ("answer", 7, "ready", 1), ("undo", 7),
            ("answer", 7, "ready", 0), ("undo", 7),
            ("answer", 7, "ready", 0), ("answer", 7, "ask", 0), ("answer", 7, "close", 0),
            ("finish", 7, card.overall),
        ]


async def test_take_back_of_the_last_choice_before_the_debrief():
    app = scenario_app("rates", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await pilot.press("1", "enter", "1", "enter", "2")
        await pilot.pause()
        assert app.controller.session.finished and name(app) == "FeedbackScreen"
        await pilot.press("u")
        await pilot.pause()
        assert name(app) == "ConversationScreen" and app.controller.session.step_id == "close"
        assert app.controller.scorecard is None


async def test_assessment_shuffles_keeps_mapping_and_refuses_take_backs(recorder):
    app = scenario_app("rates", "en", assess=True, seed=11, recorder=recorder)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        orders = []
        for index in (3 - 1, 3, 0):  # file indices at ready, ask, close
            orders.append(list(app.controller.order()))
            await choose_file_index(pilot, app, index)
            assert name(app) in ("ConversationScreen", "DebriefScreen")
            await pilot.press("u")
            await pilot.pause()
        assert name(app) == "DebriefScreen"
        assert app.controller.session.choices_made == [2, 3, 0]  # file positions, whatever was shown
        assert not any(c[0] == "undo" for c in recorder.calls)
        assert recorder.calls[0][3] == "assessment"
        assert any(o != sorted(o) for o in orders)  # seed 11 shuffles at least one step
        for o in orders:
            assert sorted(o) == list(range(len(o)))


async def test_assessment_order_differs_between_sessions():
    app = scenario_app("rates", "en", assess=True, seed=0)
    seen = set()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        for _ in range(6):
            seen.add(tuple(app.controller.order()))
            await pilot.press("1", "1", "1")
            await pilot.pause()
            assert name(app) == "DebriefScreen"
            await pilot.press("r")
            await pilot.pause()
    assert len(seen) > 1


async def test_practice_order_is_file_order():
    app = scenario_app("rates", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        assert app.controller.order() == [0, 1, 2]


@pytest.mark.parametrize("key", ["q", "ctrl+c", "ctrl+q"])
async def test_quit_mid_session_asks(key):
    app = scenario_app("order", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await pilot.press(key)
        await pilot.pause()
        assert name(app) == "ConfirmQuitScreen"
        assert "not finished" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert name(app) == "ConversationScreen"
        await pilot.press(key)
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0


async def test_quit_from_library_needs_no_confirmation():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_language_switches_at_any_time():
    app = scenario_app("order", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Ms Li" in screen_text(app)
        await pilot.press("f2")
        await pilot.pause()
        assert "李女士" in screen_text(app) and "客户简报" in screen_text(app)
        await start(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert "好的选择" in screen_text(app)
        await pilot.press("f2")
        await pilot.pause()
        assert "Good choice" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "What is going on?!" in screen_text(app) and "Read the log" in screen_text(app)


async def test_language_falls_back_when_a_scenario_lacks_it():
    app = scenario_app("hostile", "zh")  # written in English only (plain strings)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Mallory" in screen_text(app)


@pytest.mark.parametrize("where", ["library", "briefing", "conversation", "feedback", "debrief"])
async def test_help_lists_the_keys_of_the_current_screen(where):
    app = library_app("en") if where == "library" else scenario_app("order", "en")
    keys = {"library": "filter by type", "briefing": "Enter/Space start",
            "conversation": "Enter choose", "feedback": "Enter/Space continue", "debrief": "r retry"}
    async with app.run_test(size=(80, 24)) as pilot:
        if where != "library" and where != "briefing":
            await start(pilot)
        if where == "feedback":
            await pilot.press("1")
        if where == "debrief":
            for _ in range(4):
                await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert name(app) == "HelpScreen"
        text = screen_text(app)
        assert keys[where] in text and "How scoring works" in text
        await pilot.press("escape")
        await pilot.pause()
        assert name(app) != "HelpScreen"
        await pilot.press("f1")
        await pilot.pause()
        assert name(app) == "HelpScreen"


@pytest.mark.parametrize("size", [(20, 5), (10, 3), (40, 10), (1, 1)])
async def test_tiny_terminals_do_not_crash_and_play_goes_on_once_larger(size):
    """Below 60x20 the screen asks for a larger window and ignores keys (tests/tui/test_layout.py);
    nothing breaks meanwhile, and the play works once the window is large enough."""
    app = library_app("zh")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in ("enter", "enter", "1", "question_mark", "escape"):
            await pilot.press(key)
            await pilot.pause()
        assert name(app) == "LibraryScreen"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert name(app) == "ConversationScreen"
        for _ in range(4):
            await pilot.press("1")
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
        assert name(app) == "DebriefScreen"


async def test_resize_mid_session():
    app = scenario_app("rates", "zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await pilot.resize_terminal(20, 5)
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert name(app) == "ConversationScreen"


async def test_palette_switches_language_and_jumps_to_a_scenario():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"switch language")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.lang == "zh"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"存款利率")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert name(app) == "BriefingScreen" and app.screen.entry.scenario.id == "rates"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"切换模式")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.mode == "assessment"


async def test_best_and_last_scores_shown_in_library():
    app = library_app("en", best_scores={"rates": (88, 61)})
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#lib-table")
        rows = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[4]) for i in range(table.row_count)}
        assert rows["Comparing deposit rates"] == "88/61"
        assert rows["Order"] == "—"


async def test_escape_leaves_a_session_only_after_asking():
    app = scenario_app("order", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert name(app) == "ConfirmQuitScreen" and "Leave it?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert name(app) == "ConversationScreen"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert name(app) == "LibraryScreen"


async def test_a_broken_graph_is_listed_not_played():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        broken = screen_text(app)
        assert "dangling.yaml:36:110: error: 'next' names a step that does not exist: 'nowhere'" in broken
        table = app.screen.query_one("#lib-table")
        assert "dangling" not in [e.scenario.id for e in app.entries if e.scenario]
        assert table.row_count == 3  # order, rates, hostile


async def test_an_engine_error_mid_session_returns_to_the_library():
    """A graph error the linter missed ends the session with a message, never a traceback."""
    import yaml

    from coach.scenario.model import Scenario
    from coach.tui.catalog import Entry
    from tests.tui.conftest import TUI

    import hashlib

    raw = (TUI / "dangling.yaml").read_bytes()
    data = yaml.load(raw, Loader=yaml.CSafeLoader)
    # the file's own hash: a play checks it (Entry.fresh) and would otherwise load and lint it again
    bad = Entry(TUI / "dangling.yaml", Scenario.model_validate(data), hashlib.sha256(raw).hexdigest())
    app = CoachApp_for(bad)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        assert name(app) == "ConversationScreen"
        for _ in range(3):
            await pilot.press("1")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("1")  # 'Follow up' leads to 'nowhere'
        await pilot.pause()
        assert app.is_running and name(app) == "LibraryScreen"


def CoachApp_for(entry):
    from coach.tui.app import CoachApp

    return CoachApp([], lang="en", start=entry, bundled=False, user=False)


async def test_a_choice_that_arrives_twice_for_one_decision_is_taken_once(recorder):
    """Two presses before the first is handled post two Chosen messages for the same decision: the
    second is late (the practice controller checks the turn) and is not taken for the next step,
    even in assessment mode, where no feedback card covers the conversation."""
    from coach.tui.screens.conversation import ConversationScreen

    app = scenario_app("rates", "en", recorder=recorder, assess=True, seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        screen, play = app.screen, app.controller
        first = play.order()[0]
        screen.post_message(ConversationScreen.Chosen(play, 0, 0))
        screen.post_message(ConversationScreen.Chosen(play, 1, 0))
        await pilot.pause()
        assert [t.index for t in play.session.turns] == [first]
        assert [c[0] for c in recorder.calls] == ["start", "answer"]
        assert name(app) == "ConversationScreen" and play.session.step_id != "ready"


async def test_a_choice_for_a_play_that_is_over_is_dropped():
    from coach.tui.screens.conversation import ConversationScreen

    app = scenario_app("rates", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        old = app.controller
        await pilot.press("escape")  # leave the play (asked first)
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        app.screen.post_message(ConversationScreen.Chosen(old, 0, 0))
        await pilot.pause()
        assert old.session.turns == [] and app.controller is None

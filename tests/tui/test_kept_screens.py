"""What makes screen changes and the first screen quick must not change what the teller sees.

Screens are kept and shown again (CoachApp.kept_screen), never stale: each showing draws what it
was given this time (another scenario, another verdict, another screen's keys). The library's
search field is a stub on the first paint and a real Input right after, and `/` works either way."""

from __future__ import annotations

from .conftest import choose_file_index, library_app, name, screen_text


def never_painted_library():
    """A library app whose callbacks after the first paint never run: the search field stays a stub."""
    from coach.tui.app import CoachApp

    class NeverPainted(CoachApp):
        def after_first_paint(self, callback) -> None:
            pass

    return NeverPainted(library_app("en").entries, lang="en", bundled=False, user=False)


def by_id(app, sid: str):
    return next(e for e in app.entries if e.id == sid)


async def open_briefing(pilot, app, sid: str) -> None:
    """From the library: the row of scenario `sid`, then Enter."""
    table = app.screen.query_one("#lib-table")
    rows = [e.id for e in app.screen.visible()]
    table.move_cursor(rows.index(sid))
    await pilot.press("enter")
    await pilot.pause()


async def test_the_briefing_shown_again_is_the_new_scenarios():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_briefing(pilot, app, "rates")
        first = app.screen
        assert "Comparing deposit rates" in screen_text(app) and "Mr Wang" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await open_briefing(pilot, app, "order")
        assert app.screen is first  # kept, not built again
        text = screen_text(app)
        assert "Order" in text and "Comparing deposit rates" not in text and "Mr Wang" not in text


async def test_the_conversation_shown_again_starts_the_new_session_at_its_first_step():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_briefing(pilot, app, "rates")
        await pilot.press("enter")
        await pilot.pause()
        await choose_file_index(pilot, app, 0)
        await pilot.press("enter")  # past the feedback: turn 2 of rates
        await pilot.pause()
        conversation = app.screen
        assert "Move 2" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await open_briefing(pilot, app, "order")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is conversation
        order = by_id(app, "order").scenario
        first = order.steps[order.start].choices[0].text["en"]
        text = screen_text(app)
        assert "Move 1" in text and first in text and "Mr Wang" not in text
        assert app.controller.scenario.id == "order" and app.screen.controller is app.controller


async def test_feedback_shown_again_has_the_new_verdict_and_border():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_briefing(pilot, app, "rates")
        await pilot.press("enter")
        await pilot.pause()
        await choose_file_index(pilot, app, 0)  # the best: "Glance at today's rate sheet"
        card = app.screen
        assert name(app) == "FeedbackScreen" and card.has_class("good") and "✓" in screen_text(app)
        await pilot.press("u")  # take it back, choose the poor one
        await pilot.pause()
        await choose_file_index(pilot, app, 1)
        assert app.screen is card
        assert card.has_class("poor") and not card.has_class("good")
        text = screen_text(app)
        assert "Just call the next number" in text and "Glance at today's rate sheet" in text  # and the best


async def test_help_shown_again_lists_the_keys_of_the_screen_under_it():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        on_library = screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await open_briefing(pilot, app, "rates")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen is help_screen and screen_text(app) != on_library
        assert "Take back" in screen_text(app) or "take back" in screen_text(app).lower()


async def test_the_leave_dialog_asks_the_question_of_the_moment(monkeypatch):
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_briefing(pilot, app, "rates")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        dialog = app.screen
        assert "Leave it?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is dialog and "Leave it?" not in screen_text(app)
        assert "Quit" in screen_text(app) or "quit" in screen_text(app).lower()


async def test_the_debrief_shown_again_scores_the_new_session():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        for sid, plan in (("rates", "best"), ("order", "worst")):
            await open_briefing(pilot, app, sid)
            await pilot.press("enter")
            await pilot.pause()
            while not app.controller.session.finished:
                step = app.controller.session.step
                ranked = sorted(range(len(step.choices)), key=lambda i: sum(step.choices[i].scores.values()))
                await choose_file_index(pilot, app, ranked[-1] if plan == "best" else ranked[0])
                await pilot.press("enter")
                await pilot.pause()
            assert name(app) == "DebriefScreen"
            card = app.controller.scorecard
            text = screen_text(app)
            assert app.controller.scenario.title["en"] in text and f"{card.overall}" in text
            if sid == "rates":
                debrief = app.screen
                await pilot.press("l")
                await pilot.pause()
        assert app.screen is debrief
        assert "Comparing deposit rates" not in screen_text(app)


async def test_a_kept_screen_belongs_to_one_app():
    seen = []
    for _ in range(2):
        app = library_app("en")
        async with app.run_test(size=(80, 24)) as pilot:
            await open_briefing(pilot, app, "rates")
            seen.append(app.screen)
    assert seen[0] is not seen[1]


async def test_the_search_field_is_a_real_input_once_the_library_is_up():
    from textual.widgets import Input

    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen.query_one("#lib-search"), Input)
        assert not app.screen.query("#lib-search-stub")
        await pilot.press("slash", *"order")
        await pilot.pause()
        assert [e.id for e in app.screen.visible()] == ["order"]


async def test_slash_searches_even_before_the_field_replaced_its_stub():
    app = never_painted_library()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.query("#lib-search-stub") and "Search" in screen_text(app)
        await pilot.press("slash", *"order")
        await pilot.pause()
        assert [e.id for e in app.screen.visible()] == ["order"]
        assert not app.screen.query("#lib-search-stub")


async def test_a_click_on_the_search_stub_opens_the_search_field():
    app = never_painted_library()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#lib-search-stub")
        await pilot.press(*"order")
        await pilot.pause()
        assert [e.id for e in app.screen.visible()] == ["order"]

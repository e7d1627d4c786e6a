"""Whole scenarios played with real key presses, in both modes and both languages; the debrief's
numbers must be the engine's scorecard for the same choices."""

from __future__ import annotations

import re

import pytest

from coach.engine import Session
from coach.principles import PHASE_NAMES, PRINCIPLES, pick
from tests.tui.conftest import (
    choose_file_index, entry, library_app, name, scenario_app, screen_text, text_of,
)

PATHS = [
    ("order", [0, 0, 0, 0]),
    ("order", [1, 1, 0, 1]),
    ("order", [0, 2, 1, 1]),
    ("rates", [0, 0, 0]),
    ("rates", [1, 1, 1]),
    ("rates", [2, 3, 0]),
]


def debrief_numbers(app) -> tuple[int, dict[str, tuple[int, int, int]], dict[str, tuple[int, int, int]]]:
    screen = app.screen
    overall = int(re.search(r"(\d+)/100", text_of(screen.query_one("#db-overall"))).group(1))

    def bars(widget_id: str) -> dict[str, tuple[int, int, int]]:
        found = {}
        for line in text_of(screen.query_one(widget_id)).splitlines()[1:]:
            m = re.match(r"(.+?)\s+[█░]+\s+(\d+)/100\s+\((-?\d+)/(-?\d+)\)$", line)
            assert m, line
            found[m.group(1).strip()] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
        return found

    return overall, bars("#db-principles"), bars("#db-phases")


async def play(app, pilot, indices: list[int]) -> None:
    assert name(app) == "BriefingScreen"
    await pilot.press("enter")
    await pilot.pause()
    for index in indices:
        assert name(app) == "ConversationScreen"
        await choose_file_index(pilot, app, index)
        if app.mode == "practice":
            assert name(app) == "FeedbackScreen"
            await pilot.press("enter")
            await pilot.pause()
        else:
            assert name(app) != "FeedbackScreen"
    assert name(app) == "DebriefScreen"


@pytest.mark.parametrize("assess", [False, True], ids=["practice", "assessment"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("scenario,indices", PATHS)
async def test_debrief_matches_engine(scenario, indices, lang, assess):
    app = scenario_app(scenario, lang, assess=assess, seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await play(app, pilot, indices)
        card = Session.replay(entry(scenario).scenario, indices).scorecard()
        overall, principles, phases = debrief_numbers(app)
        assert overall == card.overall
        assert principles == {PRINCIPLES[p].name(lang): (t.score, t.earned, t.possible)
                              for p, t in card.principles.items()}
        assert phases == {pick(PHASE_NAMES[p], lang): (t.score, t.earned, t.possible)
                          for p, t in card.phases.items()}
        verdict = text_of(app.screen.query_one("#db-verdict"))
        assert (("可以上岗" if lang == "zh" else "ready") in verdict) == card.ready
        assert app.controller.session.choices_made == indices


async def test_library_to_debrief_with_keys_and_retry():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert name(app) == "LibraryScreen"
        # the broken fixture is listed with its first error, not skipped
        assert "broken.yaml:4:21" in text_of(app.screen.query_one("#lib-broken"))
        await pilot.press("slash", *"rates", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.entry.scenario.id == "rates"
        await play(app, pilot, [0, 0, 0])
        await pilot.press("r")
        await pilot.pause()
        assert name(app) == "ConversationScreen" and app.controller.session.turns == []
        # arrows + Enter choose too
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.controller.session.choices_made == [1]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert name(app) == "ConfirmQuitScreen"
        await pilot.press("n")
        await pilot.pause()
        assert name(app) == "ConversationScreen"


async def test_mouse_chooses():
    app = scenario_app("rates", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#conv-choices", offset=(5, 2))  # the second option
        await pilot.pause()
        assert app.controller.session.choices_made == [1]
        assert name(app) == "FeedbackScreen"


async def test_library_filter_and_debrief_keys():
    app = library_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#lib-table")
        assert table.row_count == 3  # order, rates, hostile
        await pilot.press("t")  # requesting
        assert table.row_count == 1
        await pilot.press("t")  # confused
        assert table.row_count == 1
        await pilot.press("t")  # agitated
        assert table.row_count == 1
        await pilot.press("escape")
        assert table.row_count == 3
        await pilot.press("slash", *"wang")  # matches the customer's English name in zh mode
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert name(app) == "BriefingScreen"
        text = screen_text(app)
        assert "王先生" in text and "要求型" in text and "足够量的信息" in text
        await pilot.press("escape")
        await pilot.pause()
        assert name(app) == "LibraryScreen"


async def test_feedback_content_practice_en():
    app = scenario_app("order", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "1")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("2")  # explain to a customer at mood 80: soothe_first is broken
        await pilot.pause()
        text = screen_text(app)
        assert "Poor choice" in text
        assert "Rule broken" in text and "Soothe first, then explain" in text
        assert "一定要先安抚用户的情绪" in text
        assert "Soothe the customer's feelings first" in text  # the English gloss
        assert "+2 Being understood" in text
        assert "The best move: Soothe" in text


async def test_feedback_zh_has_no_english_gloss():
    app = scenario_app("order", "zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "1")
        await pilot.pause()
        await pilot.press("enter", "2")
        await pilot.pause()
        text = screen_text(app)
        assert "违反了规则" in text and "一定要先安抚用户的情绪" in text
        assert "Soothe the customer's feelings first" not in text


async def test_debrief_shows_figures_moves_and_weak_principles():
    app = scenario_app("order", "en", assess=True, seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await play(app, pilot, [1, 2, 1, 1])
        text = screen_text(app)
        card = app.controller.scorecard
        assert card.outcome == "at_risk"
        for line in card.narrative("en"):
            assert line in text
        assert "Better: Read the log" in text  # best alternative where missed
        assert "Perfunctory" in text  # assessment mode: the feedback comes with the debrief
        for pid in card.weakest(n=99):
            assert PRINCIPLES[pid].quote_zh in text
        await pilot.press("l")
        await pilot.pause()
        assert name(app) == "LibraryScreen"  # built lazily when started on a scenario


async def test_library_filters_by_business_line_through_the_lines_it_has():
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#lib-table")
        status = app.screen.query_one("#lib-filter")
        await pilot.press("b")  # deposits: rates
        assert table.row_count == 1 and "Business line (b): Deposits and cash" in text_of(status)
        await pilot.press("b")  # branch service: order (hostile has no line and shows under "all" only)
        assert table.row_count == 1 and "Branch service" in text_of(status)
        await pilot.press("t")  # requesting and branch service: nothing
        assert table.row_count == 0 and "No scenario matches." in text_of(status)
        await pilot.press("t", "t")  # agitated and branch service: order
        assert table.row_count == 1
        await pilot.press("b")  # every line, agitated: order again (hostile is confused)
        assert table.row_count == 1 and "Business line (b): all" in text_of(status)
        await pilot.press("escape")  # clears both filters
        assert table.row_count == 3

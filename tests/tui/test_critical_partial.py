"""The TUI says a critical mistake plainly (feedback, debrief first) and marks half-right moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.tui.app import CoachApp
from coach.tui.catalog import load_entry
from tests.tui.conftest import choose_file_index, name, screen_text

CRITICAL = Path(__file__).parent.parent / "fixtures" / "engine" / "critical.yaml"


def app_for(lang: str, assess: bool = False) -> CoachApp:
    entry = load_entry(CRITICAL)
    assert entry.scenario is not None
    return CoachApp([], lang=lang, start=entry, bundled=False, user=False, assess=assess, seed=3)


async def _start(app, pilot) -> None:
    await pilot.press("enter")
    await pilot.pause()
    assert name(app) == "ConversationScreen"


@pytest.mark.parametrize("lang,word,reason", [
    ("en", "Critical mistake", "his signature does not waive the risk"),
    ("zh", "严重错误", "客户签字也不能免除风险"),
])
async def test_practice_feedback_says_a_critical_mistake_plainly(lang, word, reason):
    app = app_for(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(app, pilot)
        await choose_file_index(pilot, app, 1)
        assert name(app) == "FeedbackScreen"
        text = screen_text(app)
        assert text.index(word) < text.index(reason)
        assert app.screen.has_class("critical")


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_debrief_shows_the_critical_mistake_before_the_score(lang):
    app = app_for(lang, assess=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(app, pilot)
        for index in (1, 0):
            await choose_file_index(pilot, app, index)
        assert name(app) == "DebriefScreen"
        text = screen_text(app)
        reason = "his signature does not waive the risk" if lang == "en" else "客户签字也不能免除风险"
        overall = "Overall 8" if lang == "en" else "总分 8"  # the score line (86)
        assert reason in text and text.index(reason) < text.index(overall)
        assert ("Verdict: review" if lang == "en" else "需要复习") in text


@pytest.mark.parametrize("lang,label", [("en", "Partly right"), ("zh", "部分正确")])
async def test_practice_feedback_calls_a_half_right_choice_partly_right(lang, label):
    app = app_for(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(app, pilot)
        await choose_file_index(pilot, app, 0)
        await pilot.press("enter")
        await pilot.pause()
        await choose_file_index(pilot, app, 2)
        assert name(app) == "FeedbackScreen"
        assert label in screen_text(app)


@pytest.mark.parametrize("lang,label", [("en", "partly right"), ("zh", "部分正确")])
async def test_debrief_transcript_marks_a_half_right_move(lang, label):
    app = app_for(lang, assess=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(app, pilot)
        for index in (0, 2):
            await choose_file_index(pilot, app, index)
        text = screen_text(app)
        assert f"~ 2." in text and label in text
        assert "Critical" not in text and "严重错误" not in text


@pytest.mark.parametrize("lang,word", [("en", "Critical mistake"), ("zh", "严重错误")])
async def test_check_verdict_screen_names_the_critical_mistake_first(lang, word):
    from textual.app import App

    from coach import check
    from coach.engine import Session
    from coach.scenario.loader import load_scenario
    from coach.tui.screens.check import VerdictScreen

    card = Session.replay(load_scenario(CRITICAL).scenario, [1, 0]).scorecard()
    verdict = check.verdict([("critical", card, True)])

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(VerdictScreen(verdict, lang))

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        reason = "his signature does not waive the risk" if lang == "en" else "客户签字也不能免除风险"
        assert word in text.splitlines()[0]
        assert reason in text

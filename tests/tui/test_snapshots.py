"""Snapshots of every screen at 80x24, in Chinese and in English (fixture scenarios only).

Update with `scripts/test tests/tui --snapshot-update` and commit tests/tui/__snapshots__/.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import library_app, scenario_app

SIZE = (80, 24)


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def keys(*presses: str):
    async def run_before(pilot) -> None:
        await _settle(pilot)
        for key in presses:
            await pilot.press(key)
            await pilot.pause()
        await _settle(pilot)

    return run_before


LANGS = pytest.mark.parametrize("lang", ["zh", "en"])


@LANGS
def test_library(snap_compare, lang):
    assert snap_compare(library_app(lang), terminal_size=SIZE, run_before=keys())


@LANGS
def test_briefing(snap_compare, lang):
    assert snap_compare(scenario_app("rates", lang), terminal_size=SIZE, run_before=keys())


@LANGS
def test_conversation(snap_compare, lang):
    assert snap_compare(scenario_app("order", lang), terminal_size=SIZE,
                        run_before=keys("enter", "1", "enter", "1", "enter"))


@LANGS
def test_conversation_assessment(snap_compare, lang):
    assert snap_compare(scenario_app("rates", lang, assess=True, seed=11), terminal_size=SIZE,
                        run_before=keys("enter", "1"))


@LANGS
def test_feedback(snap_compare, lang):
    assert snap_compare(scenario_app("order", lang), terminal_size=SIZE,
                        run_before=keys("enter", "1", "enter", "2"))


@LANGS
def test_debrief(snap_compare, lang):
    assert snap_compare(scenario_app("order", lang), terminal_size=SIZE,
                        run_before=keys("enter", "2", "enter", "2", "enter", "1", "enter", "2", "enter"))


@LANGS
def test_help(snap_compare, lang):
    assert snap_compare(scenario_app("order", lang), terminal_size=SIZE,
                        run_before=keys("enter", "question_mark"))


@LANGS
def test_confirm_quit(snap_compare, lang):
    assert snap_compare(scenario_app("order", lang), terminal_size=SIZE, run_before=keys("enter", "q"))

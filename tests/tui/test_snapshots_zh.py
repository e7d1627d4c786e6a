"""Snapshots of long Chinese text laid out as a Chinese reader expects (issue 21): the library at
60x20, 80x24 and 120x40, a conversation's long feedback, the debrief and the review screen at 80x24.

The scenarios are copies of bundled ones (tests/fixtures/layout/), so a trainer's edit to the bundled
library does not move these pictures. Update with `scripts/test tests/tui --snapshot-update`; to look
at one, `rsvg-convert FILE.svg -o /tmp/x.png`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.engine import Session
from coach.store import connect
from coach.store.recorder import Recorder
from coach.tui.app import CoachApp
from coach.tui.catalog import build, load_entry
from coach.tui.controllers.link import StoreLink

LAYOUT = Path(__file__).parent.parent / "fixtures" / "layout"


def library(**kw) -> CoachApp:
    return CoachApp(build([LAYOUT], bundled=False, user=False), lang="zh", bundled=False, user=False, **kw)


def restricted() -> CoachApp:
    return CoachApp([], lang="zh", start=load_entry(LAYOUT / "account-restricted.yaml"), bundled=False, user=False)


def keys(*presses: str):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        for key in presses:
            await pilot.press(key)
            await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_library(snap_compare, size):
    # the third row: a title with quotation marks and a dash, cut in its column and whole below it
    assert snap_compare(library(), terminal_size=size, run_before=keys("down", "down", "down"))


def test_conversation_with_long_feedback(snap_compare):
    # a choice that breaks a rule: the feedback quotes the article, its lines hang under the quote
    assert snap_compare(restricted(), terminal_size=(80, 24), run_before=keys("enter", "1", "enter", "2"))


def test_debrief(snap_compare):
    # a page down: the moves, each wrapped under its own text after "✗ 3. [解释] "
    assert snap_compare(restricted(), terminal_size=(80, 24),
                        run_before=keys("enter", "1", "enter", "3", "enter", "3", "enter", "3", "enter", "3",
                                        "enter", "3", "enter", "pagedown"))


def test_review(snap_compare, tmp_path):
    """Li brushed the customer off at the second step; the review brings that moment back."""
    conn = connect(tmp_path / "history.sqlite3")
    entry = load_entry(LAYOUT / "account-restricted.yaml")
    rec = Recorder(conn, "Li")
    attempt = rec.start(entry.scenario, entry.sha256, "practice", "zh")
    session = Session(entry.scenario)
    for i in (0, 0, 2, 2, 2, 2):
        if session.finished:
            break
        rec.answer(attempt, session.choose(min(i, len(session.step.choices) - 1)), 20.0)
    if session.finished:
        rec.finish(attempt, session.scorecard())
    app = CoachApp(build([LAYOUT], bundled=False, user=False), lang="zh", bundled=False, user=False,
                   store=StoreLink(conn, "Li"), seed=0, open_review=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("enter"))

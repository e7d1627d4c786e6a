"""Helpers for the TUI tests: apps built on the fixtures in tests/fixtures/tui only."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.scenario.model import localize
from coach.tui.app import CoachApp
from coach.tui.catalog import build, load_entry

TUI = Path(__file__).parent.parent / "fixtures" / "tui"


def entry(name: str):
    e = load_entry(TUI / f"{name}.yaml")
    assert e.scenario is not None, e.error
    return e


def library_app(lang: str = "en", **kw) -> CoachApp:
    return CoachApp(build([TUI], bundled=False, user=False), lang=lang, bundled=False, user=False, **kw)


def scenario_app(name: str, lang: str = "en", **kw) -> CoachApp:
    return CoachApp([], lang=lang, start=entry(name), bundled=False, user=False, **kw)


def text_of(widget) -> str:
    """The plain text a Static shows."""
    return str(widget.visual) if widget.visual is not None else ""


def screen_text(app) -> str:
    """Every Static, Label and option prompt on the current screen, as plain text."""
    from textual.widgets import OptionList, Static

    parts = [text_of(w) for w in app.screen.query(Static)]
    for ol in app.screen.query(OptionList):
        parts += [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)]
    return "\n".join(parts)


def name(app) -> str:
    return type(app.screen).__name__


async def choose_file_index(pilot, app, index: int) -> None:
    """Press the number key of the choice whose text is file choice `index` (whatever the order)."""
    from coach.tui.widgets.choice_list import ChoiceList

    session = app.controller.session
    wanted = localize(session.step.choices[index].text, app.lang)
    options = app.screen.query_one(ChoiceList)
    shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    position = next(i for i, s in enumerate(shown) if s.split(". ", 1)[1] == wanted)
    await pilot.press(str(position + 1))
    await pilot.pause()


class FakeRecorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def start(self, scenario, sha256, mode, lang):
        self.calls.append(("start", scenario.id, sha256, mode, lang))
        return 7

    def answer(self, attempt_id, turn, seconds=None):
        assert seconds is not None and seconds >= 0
        self.calls.append(("answer", attempt_id, turn.step, turn.index))

    def undo(self, attempt_id):
        self.calls.append(("undo", attempt_id))

    def finish(self, attempt_id, scorecard):
        self.calls.append(("finish", attempt_id, scorecard.overall))


@pytest.fixture
def recorder() -> FakeRecorder:
    return FakeRecorder()

"""The conversation: phase, mood meter, the transcript so far, the situation, the customer's words
and the numbered choices. Keys 1–9, arrows + Enter and the mouse choose; the practice controller
(coach/tui/controllers/practice.py) gets what was chosen and says what to show next."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static

from coach.engine import Turn
from coach.principles import PHASES, colon
from coach.scenario.model import localize
from coach.tui.catalog import Entry
from coach.tui.i18n import t
from coach.tui.layout import Items
from coach.tui.screens.kept import Kept
from coach.tui.views import Play
from coach.tui.widgets.choice_list import ChoiceList
from coach.tui.widgets.mood_meter import MoodMeter
from coach.tui.widgets.phase_bar import PhaseBar
from coach.tui.widgets.transcript import Transcript


def transcript_lines(controller: Play, lang: str) -> list[Text]:
    """The customer's words and the teller's choices so far."""
    scenario = controller.scenario
    lines: list[Text] = []
    for turn in controller.session.turns:
        step = scenario.steps[turn.step]
        said = localize(step.customer, lang)
        if said:
            line = Text(t("customer", lang) + colon(lang), style="bold")
            line.append(said)
            lines.append(line)
        line = Text(t("you", lang) + colon(lang), style="bold italic")
        line.append(localize(step.choices[turn.index].text, lang), style="italic")
        lines.append(line)
    return lines


class ConversationScreen(Screen, Kept):
    DEFAULT_CSS = """
    #conv-body { height: 1fr; min-height: 3; }
    #conv-transcript { color: $text-muted; margin-bottom: 1; }
    #conv-customer { margin-top: 1; }
    #conv-choices { height: auto; max-height: 10; min-width: 12; }
    """
    HELP = "conversation"
    BINDINGS = [
        Binding("u,backspace", "undo", "Take back", show=False),
        Binding("s", "say", "Say it yourself", show=False),
        Binding("escape", "app.library", "Library", show=False),
        Binding("q", "app.request_quit", "Quit", show=False),
    ]

    @dataclass
    class Chosen(Message):
        """The choice shown at `position` of `play`'s `turn`-th decision (0-based) was taken."""

        play: Play
        position: int
        turn: int

    @dataclass
    class TakeBack(Message):
        """u: take the last choice back."""

        play: Play

    @dataclass
    class Say(Message):
        """s: type your own reply at this decision first."""

        play: Play

    def __init__(self, entry: Entry, controller: Play) -> None:
        super().__init__()
        self.take(entry, controller)

    def take(self, entry: Entry, controller: Play) -> None:
        self.entry, self.controller = entry, controller
        self._same_step = None  # relang scrolls to the end and focuses the choices itself

    def compose(self) -> ComposeResult:
        yield Static(id="conv-title", classes="screen-title")
        yield PhaseBar(id="conv-phase")
        yield MoodMeter(id="conv-mood")
        with VerticalScroll(id="conv-body"):
            yield Transcript(id="conv-transcript")
            yield Static(id="conv-situation")
            yield Static(id="conv-customer")
        yield Static(id="conv-prompt", classes="prompt")
        yield ChoiceList(id="conv-choices")
        yield Static(id="conv-keys", classes="keys")

    def on_mount(self) -> None:
        self.relang()

    def relang(self) -> None:
        lang = self.app.lang
        c = self.controller
        session = c.session
        if session.finished:
            return
        step = session.step
        title = Text(localize(c.scenario.title, lang), style="bold")
        mode = "mode_name_assess" if c.assess else "mode_name_practice"
        title.append(f"  · {t(mode, lang)} · {t('turn', lang, n=len(session.turns) + 1)}", style="dim")
        self.query_one("#conv-title", Static).update(title)
        done = {turn.phase for turn in session.turns} - {step.phase}
        self.query_one("#conv-phase", PhaseBar).show(step.phase, lang, done)
        self.query_one("#conv-mood", MoodMeter).show(session.mood, lang)
        self.query_one("#conv-transcript", Transcript).show(transcript_lines(c, lang))
        situation = localize(step.situation, lang)
        box = self.query_one("#conv-situation", Static)
        box.update(Text(situation, style="italic"))
        box.display = bool(situation)
        said = localize(step.customer, lang)
        words = Text(t("says", lang) + colon(lang), style="bold")
        words.append(said)
        box = self.query_one("#conv-customer", Static)
        box.update(words)
        box.display = bool(said)
        order = c.order()
        self.query_one("#conv-prompt", Static).update(Text(t("choose", lang, n=min(9, len(order))), style="bold"))
        choices = self.query_one("#conv-choices", ChoiceList)
        highlighted = choices.highlighted
        choices.show([localize(step.choices[i].text, lang) for i in order])
        if highlighted is not None and highlighted < len(order) and self._same_step == session.step_id:
            choices.highlighted = highlighted
        self._same_step = session.step_id
        choices.focus()
        keys = "conversation"
        from coach.tui.i18n import HELP_KEYS, pair

        hint = pair(HELP_KEYS[keys], lang)
        if c.assess:  # no take-backs in assessment mode
            hint = " · ".join(part for part in hint.split(" · ") if not part.startswith(("u/", "s ")))
        self.query_one("#conv-keys", Static).update(Items(hint))
        self.query_one("#conv-body", VerticalScroll).scroll_end(animate=False)

    _same_step: str | None = None

    def show_step(self, again: bool = False) -> None:
        """Draw the play's current step (`again`: the same step after a take-back, from the top)."""
        if again:
            self._same_step = None
        self.relang()

    # ---- choosing ---------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character in "123456789":
            n = int(event.character)
            if not self.controller.session.finished and n <= len(self.controller.order()):
                event.stop()
                event.prevent_default()
                self.choose(n - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option_index)

    def choose(self, position: int) -> None:
        c = self.controller
        if c.session.finished or self.app.screen is not self:
            return
        self.post_message(self.Chosen(c, position, len(c.session.turns)))

    def action_say(self) -> None:
        if self.controller.session.finished or self.app.screen is not self:
            return
        self.post_message(self.Say(self.controller))

    def action_undo(self) -> None:
        self.post_message(self.TakeBack(self.controller))


def phase_index(phase: str) -> int:
    return PHASES.index(phase) if phase in PHASES else 0


__all__ = ["ConversationScreen", "Turn", "transcript_lines", "phase_index"]

"""The conversation: phase, mood meter, the transcript so far, the situation, the customer's words
and the numbered choices. Keys 1–9, arrows + Enter and the mouse choose."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static

from coach.engine import Turn
from coach.principles import PHASES
from coach.scenario.model import localize
from coach.tui.catalog import Entry
from coach.tui.controller import SessionController
from coach.tui.i18n import t
from coach.tui.layout import Items
from coach.tui.screens.kept import Kept
from coach.tui.widgets.choice_list import ChoiceList
from coach.tui.widgets.mood_meter import MoodMeter
from coach.tui.widgets.phase_bar import PhaseBar
from coach.tui.widgets.transcript import Transcript


def transcript_lines(controller: SessionController, lang: str) -> list[Text]:
    """The customer's words and the teller's choices so far."""
    scenario = controller.scenario
    lines: list[Text] = []
    for turn in controller.session.turns:
        step = scenario.steps[turn.step]
        said = localize(step.customer, lang)
        if said:
            line = Text(t("customer", lang) + ": ", style="bold")
            line.append(said)
            lines.append(line)
        line = Text(t("you", lang) + ": ", style="bold italic")
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

    def __init__(self, entry: Entry, controller: SessionController) -> None:
        super().__init__()
        self.take(entry, controller)

    def take(self, entry: Entry, controller: SessionController) -> None:
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
        words = Text(t("says", lang) + ": ", style="bold")
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

    def show_step(self) -> None:
        self.relang()
        self.controller.shown()

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
        from coach.engine import SessionOver

        try:
            turn = c.choose(position)
        except (SessionOver, IndexError) as exc:  # a graph the linter did not see (never a traceback)
            self.app.notify(str(exc), severity="error", timeout=6, markup=False)
            self.app.show_library()
            return
        if c.assess:
            self.after_feedback("continue")
            return
        from coach.tui.screens.feedback import FeedbackScreen

        self.app.push_screen(self.app.kept_screen(FeedbackScreen, self.entry, c, turn), self.after_feedback)

    def after_feedback(self, result: str | None) -> None:
        c = self.controller
        if result == "undo":
            self.action_undo()
            return
        if c.session.finished:
            self.app.show_debrief(self.entry, c)
        else:
            self.show_step()

    def action_say(self) -> None:
        """Type your own reply at this decision (the choices are hidden meanwhile), then compare."""
        c = self.controller
        if c.session.finished or self.app.screen is not self:
            return
        if c.assess:  # it shows the best answer: not while being assessed
            self.notify("测评模式不能先说" if self.app.lang == "zh" else "Not in assessment mode: it shows the best answer",
                        timeout=2)
            return
        from coach.tui.screens.say import SayScreen

        prev = c.session.turns[-1] if c.session.turns else None
        prev_step = c.scenario.steps[prev.step] if prev else None
        step_id = c.session.step_id
        self.app.push_screen(
            SayScreen(c.scenario, c.session.step, prev_said=prev_step.customer if prev_step else None,
                      prev_reply=prev_step.choices[prev.index].text if prev_step else None),
            lambda result: self._said(step_id, result))

    def _said(self, step_id: str, result) -> None:
        if not result:
            return
        reply, check, rating = result
        from coach.tui import review_glue

        c = self.controller
        try:
            review_glue.practice_reply(self.app, c.scenario, c.sha256, step_id, self.app.lang, reply, check,
                                       rating, c.attempt_id)
        except Exception as exc:  # the history cannot be written: say so; the session goes on
            from coach.tui.i18n import t as tr

            self.app.notify(tr("store_failed", self.app.lang, e=str(exc) or type(exc).__name__),
                            severity="error", timeout=8)
        c.shown()  # the answer time starts again when the choices are back

    def action_undo(self) -> None:
        c = self.controller
        if not c.can_undo:
            if c.assess:
                self.notify("测评模式不能撤回" if self.app.lang == "zh" else "No take-backs in assessment mode",
                            timeout=2)
            return
        c.undo()
        self._same_step = None
        self.show_step()


def phase_index(phase: str) -> int:
    return PHASES.index(phase) if phase in PHASES else 0


__all__ = ["ConversationScreen", "Turn", "transcript_lines", "phase_index"]

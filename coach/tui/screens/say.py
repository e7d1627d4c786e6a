"""Say it yourself: the teller types their own reply before seeing the choices; then the best answer
beside theirs, which of the step's markers the reply has, lacks or hurts with, and a self-rating
(1 Again · 2 Hard · 3 Good · 4 Easy). Dismissed with (reply, ReplyCheck, rating) or None."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static

from coach.principles import PRINCIPLES, colon
from coach.scenario.model import Scenario, Step, localize
from coach.tui.i18n import HELP_KEYS, pair, t
from coach.tui.layout import Hanging, Items

#: A typed reply is at most this long (a counter sentence is far shorter; the note says so).
MAX_REPLY = 400


def context_text(scenario: Scenario, step: Step, lang: str, prev_said=None, prev_reply=None) -> Text:
    """The customer, the exchange just before (when known), the situation and the customer's line."""
    out = Text()
    name = localize(scenario.customer.name, lang)
    out.append(t('customer', lang) + colon(lang), style="bold")
    out.append(name + "\n")
    if prev_said or prev_reply:
        out.append(t("before", lang) + "\n", style="bold dim")
        if prev_said:
            out.append("  " + t('customer', lang) + colon(lang), style="dim")
            out.append(localize(prev_said, lang) + "\n", style="dim")
        if prev_reply:
            out.append("  " + t('you', lang) + colon(lang), style="dim")
            out.append(localize(prev_reply, lang) + "\n", style="dim italic")
    situation = localize(step.situation, lang)
    if situation:
        out.append("\n" + situation + "\n", style="italic")
    said = localize(step.customer, lang)
    if said:
        out.append("\n" + t("says", lang) + colon(lang), style="bold")
        out.append(said)
    return out


def comparison_text(step: Step, reply: str, check, lang: str) -> Text:
    """The markers the reply has, lacks and hurts with; the long-reply note; the advice line."""
    out = Text()
    if not step.markers:
        out.append(t("no_markers", lang) + "\n", style="dim")
    for label, rows, mark, style in (("has", check.has, "✓", "green"), ("lacks", check.lacks, "✗", "yellow"),
                                     ("hurts", check.hurts, "⚠", "red")):
        for r in rows:
            out.append(f"{mark} {t(label, lang)} · ", style=f"bold {style}")
            out.append(PRINCIPLES[r.principle].name(lang) + colon(lang))
            out.append(r.label(lang) + "\n")
    if check.too_long:
        out.append("\n" + t("too_long", lang) + "\n", style="bold")
    out.append("\n" + t("markers_note", lang), style="dim")
    return out


def _warm_segmenter() -> None:
    from coach.scenario.markers import zh_words

    zh_words("您好")


class SayScreen(Screen):
    """A whole screen, so the choices stay hidden while the teller types."""

    HELP = "say"
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]
    DEFAULT_CSS = """
    SayScreen #say-body { height: 1fr; }
    SayScreen #say-context, SayScreen #say-prompt { margin-bottom: 1; }
    SayScreen #say-compare { height: auto; margin-top: 1; }
    SayScreen .col { width: 1fr; height: auto; border: round $primary; padding: 0 1; }
    SayScreen #say-best { border: round $success; }
    SayScreen #say-markers { margin-top: 1; }
    """

    def __init__(self, scenario: Scenario, step: Step, *, prev_said=None, prev_reply=None) -> None:
        super().__init__()
        self.scenario, self.step = scenario, step
        self.prev_said, self.prev_reply = prev_said, prev_reply
        self.reply: str | None = None
        self.check = None

    @property
    def lang(self) -> str:
        return self.app.lang

    def compose(self) -> ComposeResult:
        yield Static(id="say-title", classes="screen-title")
        with VerticalScroll(id="say-body"):
            yield Static(id="say-context")
            yield Static(id="say-prompt")
            yield Input(id="say-input", max_length=MAX_REPLY)
            with Horizontal(id="say-compare"):
                yield Static(id="say-yours", classes="col")
                yield Static(id="say-best", classes="col")
            yield Static(id="say-markers")
        yield Static(id="say-keys", classes="keys")

    def on_mount(self) -> None:
        self.relang()
        self.query_one("#say-input", Input).focus()
        if self.step.markers:
            # jieba loads its dictionary in about a second: do it while the teller types.
            self.run_worker(_warm_segmenter, thread=True, exclusive=True, group="jieba")

    def relang(self) -> None:
        lang = self.lang
        title = Text(t("say_title", lang), style="bold")
        title.append("  · " + localize(self.scenario.title, lang), style="dim")
        self.query_one("#say-title", Static).update(title)
        self.query_one("#say-context", Static).update(
            Hanging(context_text(self.scenario, self.step, lang, self.prev_said, self.prev_reply)))
        self.query_one("#say-prompt", Static).update(Text(t("say_prompt", lang), style="bold"))
        box = self.query_one("#say-input", Input)
        box.placeholder = t("say_placeholder", lang)
        compared = self.reply is not None
        box.display = not compared
        self.query_one("#say-prompt").display = not compared
        self.query_one("#say-compare").display = compared
        self.query_one("#say-markers").display = compared
        if compared:
            from coach.scenario.markers import check_reply

            self.check = check_reply(self.step, self.reply, lang)
            yours = Text(t("yours", lang) + "\n", style="bold")
            yours.append(self.reply)
            best = Text(t("best_answer", lang) + "\n", style="bold")
            best.append(localize(self.step.choices[self.step.best_index() or 0].text, lang))
            self.query_one("#say-yours", Static).update(yours)
            self.query_one("#say-best", Static).update(best)
            self.query_one("#say-markers", Static).update(comparison_text(self.step, self.reply, self.check, lang))
            keys = t("self_rate", lang)
        else:
            keys = pair(HELP_KEYS["say"], lang)
        self.query_one("#say-keys", Static).update(Items(keys))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = " ".join(event.value.split())
        if not text:
            return
        self.reply = text
        self.relang()
        self.query_one("#say-body").focus()

    def on_key(self, event: events.Key) -> None:
        if self.reply is not None and event.character in ("1", "2", "3", "4"):
            event.stop()
            event.prevent_default()
            self.dismiss((self.reply, self.check, int(event.character)))

    def action_cancel(self) -> None:
        if self.reply is None:  # once the best answer is shown, the teller rates themselves
            self.dismiss(None)

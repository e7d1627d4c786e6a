"""The briefing: the customer card (name, type with the article's advice, mood, what the teller may
know, what the customer wants, the focus principles) before the first step.

It is drawn from the entry's summary (no pydantic before the first paint) while a worker loads and
validates the file as it is now; Enter starts once that load is done (the practice controller
starts the play: coach/tui/controllers/practice.py)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from coach.linebreak import series
from coach.principles import CUSTOMER_TYPES, PRINCIPLES, colon
from coach.scenario.text import localize
from coach.tui.catalog import Entry
from coach.tui.i18n import t
from coach.tui.layout import Items
from coach.tui.screens.kept import Kept
from coach.tui.widgets.mood_meter import mood_text


def labelled(label: str, value: str, lang: str) -> Text:
    text = Text(label + colon(lang), style="bold")
    text.append(value)
    return text


class BriefingScreen(Screen, Kept):
    DEFAULT_CSS = """
    #brief-body { height: 1fr; }
    #brief-body > Static { margin-top: 1; }
    #brief-mode { color: $accent; }
    """
    HELP = "briefing"
    BINDINGS = [
        Binding("enter,space", "begin", "Start", show=False),
        Binding("escape", "back", "Library", show=False),
        Binding("m", "app.switch_mode", "Mode", show=False),
        Binding("q", "app.request_quit", "Quit", show=False),
    ]

    TOP = "#brief-body"

    @dataclass
    class Begin(Message):
        """Enter: play this entry (its file is loaded and checked by now)."""

        entry: Entry

    class Back(Message):
        """Esc: back to the library."""

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.take(entry)

    def take(self, entry: Entry) -> None:
        self.entry = entry
        self._loader = None

    def reuse(self, entry: Entry) -> None:
        super().reuse(entry)
        if self.is_mounted:
            self._start_loading()  # the new entry's file, as it is now

    def compose(self) -> ComposeResult:
        yield Static(id="brief-title", classes="screen-title")
        with VerticalScroll(id="brief-body"):
            # Paragraphs in as few widgets as their styles allow (each widget is styled, laid out
            # and drawn before the first paint of `coach run FILE`); blank lines between them.
            yield Static(id="brief-who")  # name, type
            yield Static(id="brief-advice", classes="quote")
            yield Static(id="brief-card")  # mood, profile, wants, focus
            yield Static(id="brief-mode", classes="mode")
        yield Static(id="brief-keys", classes="keys")

    def on_mount(self) -> None:
        self.relang()
        self.query_one("#brief-body").focus()
        self.call_after_refresh(self._start_loading)  # after the first paint: the load's imports would hold it up

    def _start_loading(self) -> None:
        if self._loader is None and self.is_mounted:
            self._loader = self.run_worker(self._load, thread=True, exit_on_error=False)

    def _load(self) -> None:
        entry = self.entry  # the screen may be shown again for another entry meanwhile
        sha = entry.sha256
        entry.fresh()  # the file as it is now, validated (the play's start checks its hash again)
        import coach.tui.screens.conversation  # noqa: F401  (the next screen: its imports are paid here)
        if entry.sha256 != sha and entry.ok and entry is self.entry:  # edited since it was listed
            self.app.call_from_thread(self.relang)

    def relang(self) -> None:
        lang = self.app.lang
        s = self.entry.summary
        c = s
        ctype = CUSTOMER_TYPES[c.type]
        title = Text(f"{t('briefing', lang)} · ")
        title.append(localize(s.title, lang))
        title.append("  " + "★" * s.difficulty + "☆" * (3 - s.difficulty))
        self.query_one("#brief-title", Static).update(title)
        who = labelled(t("customer", lang), localize(c.name, lang), lang)
        who.append("\n\n")
        who.append_text(labelled(t("type", lang), ctype.name(lang), lang))
        self.query_one("#brief-who", Static).update(who)
        advice = Text(t("advice", lang) + colon(lang), style="bold")
        advice.append(ctype.advice_zh)
        if lang != "zh":
            advice.append("\n" + ctype.advice_en, style="italic")
        self.query_one("#brief-advice", Static).update(advice)
        card = mood_text(c.mood, lang)
        for key, value in (("profile", c.profile), ("wants", c.wants)):
            if value is not None:
                card.append("\n\n")
                card.append_text(labelled(t(key, lang), localize(value, lang), lang))
        focus = series((PRINCIPLES[p].name(lang) for p in s.focus), lang)
        card.append("\n\n")
        card.append_text(labelled(t("focus", lang), focus, lang))
        self.query_one("#brief-card", Static).update(card)
        mode = "mode_assess" if self.app.mode == "assessment" else "mode_practice"
        self.query_one("#brief-mode", Static).update(Text(t(mode, lang)))
        self.query_one("#brief-keys", Static).update(Items(t("start_hint", lang)))

    async def action_begin(self) -> None:
        self._start_loading()
        if self._loader is not None and not self._loader.is_finished:
            try:
                await self._loader.wait()
            except Exception:  # Entry.load never raises for a bad file; starting the play reports it
                pass
        self.post_message(self.Begin(self.entry))

    def action_back(self) -> None:
        self.post_message(self.Back())

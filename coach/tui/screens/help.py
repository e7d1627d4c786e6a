"""Help (? or F1): the keys of the current screen and how scoring works."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from coach.tui.i18n import HELP_KEYS, pair, t
from coach.tui.screens.kept import Kept


class HelpScreen(ModalScreen[None], Kept):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help-box {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    """
    BINDINGS = [Binding("escape,q,enter,question_mark", "close", "Close", show=False)]

    TOP = "#help-box"

    def __init__(self, screen_key: str) -> None:
        super().__init__()
        self.take(screen_key)

    def take(self, screen_key: str) -> None:
        self.screen_key = screen_key if screen_key in HELP_KEYS else "library"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(id="help-text")

    def on_mount(self) -> None:
        self.relang()
        self.query_one("#help-box").focus()

    def relang(self) -> None:
        lang = self.app.lang
        text = Text()
        text.append(t("help", lang) + "\n\n", style="bold")
        text.append(t("keys", lang) + "\n", style="bold")
        # a key a line: a list of keys wrapped as prose would split a key from what it does
        text.append(pair(HELP_KEYS[self.screen_key], lang).replace(" · ", "\n") + "\n")
        text.append(t("global_keys", lang).replace(" · ", "\n") + "\n")
        text.append(t("mouse", lang) + "\n\n")
        text.append(t("modes", lang) + "\n", style="bold")
        text.append(t("mode_practice", lang) + "\n" + t("mode_assess", lang) + "\n\n")
        text.append(t("scoring", lang) + "\n", style="bold")
        text.append(t("scoring_text", lang) + "\n\n")
        text.append(t("close", lang), style="dim")
        self.query_one("#help-text", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(None)

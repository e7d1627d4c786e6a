"""Asks before leaving an unfinished session. Dismissed with True to leave."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from coach.tui.i18n import t
from coach.tui.layout import Items
from coach.tui.screens.kept import Kept


class ConfirmQuitScreen(ModalScreen[bool], Kept):
    DEFAULT_CSS = """
    ConfirmQuitScreen { align: center middle; }
    #quit-box { width: 50; max-width: 100%; height: auto; border: round $warning; padding: 1 2; background: $surface; }
    #quit-keys { height: auto; color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str = "quit_q") -> None:
        super().__init__()
        self.take(question)

    def take(self, question: str) -> None:
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-box"):
            yield Static(id="quit-text")
            yield Static(id="quit-keys")  # not .keys: inside the box, not docked at the bottom

    def on_mount(self) -> None:
        self.relang()

    def relang(self) -> None:
        lang = self.app.lang
        keys = {"leave_q": "leave_keys", "end_check_q": "end_check_keys"}.get(self.question, "quit_keys")
        self.query_one("#quit-text", Static).update(Text(t(self.question, lang), style="bold"))
        self.query_one("#quit-keys", Static).update(Items(t(keys, lang)))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(bool(yes))

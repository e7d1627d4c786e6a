"""The history file is not a database, or is damaged: ask before moving it aside."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from coach.store.db import BrokenDatabase
from coach.untrusted import visible

TEXT = {
    "ask": ("要把它改名保存在旁边（不会删除），然后开始新的练习记录吗？",
            "Move it aside (it is kept, renamed) and start a fresh history?"),
    "keys": ("Y 是 · N 否（退出，什么都不改）", "Y yes · N no (quit, nothing is changed)"),
}


class BrokenDatabaseScreen(ModalScreen[bool]):
    """Dismissed with True when the teller agrees to a fresh history."""

    BINDINGS = [Binding("y", "answer(True)", show=False), Binding("n,escape", "answer(False)", show=False)]
    DEFAULT_CSS = """
    BrokenDatabaseScreen { align: center middle; }
    BrokenDatabaseScreen > Vertical { width: 70; height: auto; border: round $error; padding: 1 2; }
    BrokenDatabaseScreen .keys { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, error: BrokenDatabase, lang: str = "en") -> None:
        super().__init__()
        self.error, self.lang = error, lang

    def compose(self) -> ComposeResult:
        i = 0 if self.lang == "zh" else 1
        with Vertical():
            yield Static(visible(str(self.error)), id="broken-message", markup=False)
            yield Label(TEXT["ask"][i])
            yield Label(TEXT["keys"][i], classes="keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(bool(yes))


class _Confirm(App[bool]):
    def __init__(self, error: BrokenDatabase, lang: str) -> None:
        super().__init__()
        self.error, self.lang = error, lang

    def on_mount(self) -> None:
        self.push_screen(BrokenDatabaseScreen(self.error, self.lang), self.exit)


def confirm_fresh_history(error: BrokenDatabase, lang: str = "en") -> bool:
    """Ask in the terminal UI, before the main app starts; True to move the file aside."""
    from coach.tui import launch

    return bool(launch.run(_Confirm(error, lang), "coach"))

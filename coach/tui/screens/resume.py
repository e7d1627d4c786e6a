"""Offer to resume an interrupted session, or say plainly that its scenario changed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from coach.store.resume import ResumeOffer
from coach.untrusted import visible

KEYS = {
    "ok": ("Y 继续 · N 重新开始", "Y continue · N start over"),
    "other": ("按回车继续", "Press Enter to go on"),
}


class ResumeScreen(ModalScreen[bool]):
    """Dismissed with True to continue the offered session, False to start over (or go on)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Continue", show=False),
        Binding("n,escape", "answer(False)", "Start over", show=False),
        Binding("enter", "enter", "OK", show=False),
    ]
    DEFAULT_CSS = """
    ResumeScreen { align: center middle; }
    ResumeScreen > Vertical { width: 60; height: auto; border: round $warning; padding: 1 2; }
    ResumeScreen .keys { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, offer: ResumeOffer, lang: str = "en") -> None:
        super().__init__()
        self.offer, self.lang = offer, lang

    def compose(self) -> ComposeResult:
        i = 0 if self.lang == "zh" else 1
        with Vertical():
            yield Static(visible(self.offer.message(self.lang)), id="resume-message", markup=False)
            yield Label(KEYS["ok" if self.offer.status == "ok" else "other"][i], classes="keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(bool(yes) and self.offer.status == "ok")

    def action_enter(self) -> None:
        self.dismiss(self.offer.status == "ok")

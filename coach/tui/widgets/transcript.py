"""The conversation so far: the customer's lines and the teller's choices, as literal text."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


class Transcript(VerticalScroll):
    DEFAULT_CSS = """
    Transcript { height: auto; max-height: 8; }
    Transcript > Static { height: auto; }
    """
    can_focus = False

    def show(self, lines: list[Text]) -> None:
        self.remove_children()
        if lines:
            self.mount_all([Static(line) for line in lines])
            self.call_after_refresh(self.scroll_end, animate=False)

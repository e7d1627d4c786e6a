"""Kept: a screen CoachApp.kept_screen installs once and shows again.

`take(*args)` holds what the screen is shown for (its constructor's arguments); `reuse(*args)`
takes new ones and, once mounted, redraws (`relang`) with its scrolling body (`TOP`) back at the
top and focused. Nothing of the previous showing may stay on screen (tests/tui/test_kept_screens.py).
"""

from __future__ import annotations


class Kept:
    TOP: str | None = None  # the id of the body that scrolls, if any

    def take(self, *args) -> None:  # pragma: no cover - every kept screen has its own
        raise NotImplementedError

    def reuse(self, *args) -> None:
        """Shown again (CoachApp.kept_screen) for these arguments."""
        self.take(*args)
        if self.is_mounted:
            self.relang()
            if self.TOP is not None:
                body = self.query_one(self.TOP)
                body.scroll_home(animate=False)
                body.focus()

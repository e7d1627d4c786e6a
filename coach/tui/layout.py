"""How every coach app lays text out: Chinese line breaking, and the smallest window it draws in.

Importing this module routes Textual's and Rich's word wrap through `coach.linebreak` (every
Static, Label, OptionList prompt, table cell and Markdown paragraph wraps at the width it is drawn
at, by the Chinese rules there). Textual has no setting for its line breaker: `textual.content`
calls the `divide_line` it imported from Rich, so that name is replaced, as `rich.text`'s is
(tests/tui/test_layout.py fails if an upgrade moves either).

`FittedApp` is the base of coach's apps: below MIN_WIDTH x MIN_HEIGHT every screen shows only a
"make the window larger" message instead of a layout that would cut off what a teller needs, and
key presses other than quitting are ignored until the window is large enough (a choice made blind
would be scored).
"""

from __future__ import annotations

from textual import events
from textual.app import App, ReturnType
from textual.screen import Screen
from textual.widgets import Static

from coach.linebreak import break_offsets, install_rich

MIN_WIDTH, MIN_HEIGHT = 60, 20
QUIT_KEYS = frozenset({"ctrl+q", "ctrl+c"})

MESSAGE = (
    "窗口太小了：coach 至少需要 {w}×{h} 个字符的窗口，现在只有 {cw}×{ch}。\n请把窗口放大。Ctrl+Q 退出。",
    "The window is too small: coach needs at least {w}×{h} characters, and this one is {cw}×{ch}.\n"
    "Please make the window larger. Ctrl+Q quits.",
)


def install_line_breaking() -> None:
    import textual.content

    install_rich()
    if not hasattr(textual.content, "divide_line"):
        raise RuntimeError("textual.content.divide_line is gone: coach's line breaking needs updating")
    textual.content.divide_line = break_offsets


install_line_breaking()


class TooSmall(Static):
    """The message a screen shows instead of itself while the window is too small."""


class FittedApp(App[ReturnType]):
    """An app whose screens all give way to a "make the window larger" message below the minimum."""

    # The app's own CSS, parsed at start: rules that arrive later with a widget's DEFAULT_CSS are
    # not applied to the widgets already on screen.
    CSS = """
    TooSmall { display: none; }
    Screen.-too-small > * { display: none; }
    Screen.-too-small > TooSmall {
        display: block; width: 1fr; height: 1fr; padding: 1 2;
        content-align: center middle; text-align: center; text-style: bold; color: $warning;
    }
    """

    @property
    def too_small(self) -> bool:
        width, height = self.size
        return width < MIN_WIDTH or height < MIN_HEIGHT

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._fit)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.key not in QUIT_KEYS and self.too_small:
            event.stop()
            event.prevent_default()
            return
        await super().on_event(event)
        if isinstance(event, events.Resize):
            for screen in self.screen_stack:
                self._fit(screen)

    def _fit(self, screen: Screen) -> None:
        small = self.too_small
        screen.set_class(small, "-too-small")
        found = screen.query_children(TooSmall)
        if not small and not found:
            return  # the usual case: nothing mounted, nothing to update
        width, height = self.size
        lang = getattr(self, "lang", "en")
        text = MESSAGE[0 if lang == "zh" else 1].format(w=MIN_WIDTH, h=MIN_HEIGHT, cw=width, ch=height)
        if found:
            found.first().update(text)
        else:
            screen.mount(TooSmall(text, markup=False))

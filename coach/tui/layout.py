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

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import App, ReturnType
from textual.content import Content
from textual.css.styles import RulesMap
from textual.screen import Screen
from textual.strip import Strip
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from coach.linebreak import break_offsets, hang, install_rich

MIN_WIDTH, MIN_HEIGHT = 60, 20
QUIT_KEYS = frozenset({"ctrl+q", "ctrl+c"})

MESSAGE = (
    "窗口太小了（现在 {cw}×{ch}）\ncoach 至少需要 {w}×{h} 个字符\n请把窗口放大 · Ctrl+Q 退出",
    "The window is too small ({cw}×{ch})\ncoach needs at least {w}×{h} characters\n"
    "Please make the window larger · Ctrl+Q quits",
)


def install_line_breaking() -> None:
    import textual.content

    install_rich()
    if not hasattr(textual.content, "divide_line"):
        raise RuntimeError("textual.content.divide_line is gone: coach's line breaking needs updating")
    textual.content.divide_line = break_offsets


install_line_breaking()


class _LaidOut(Visual):
    """Text laid out by a rule of its own at the width it is drawn at; the last layout is kept (a
    screen asks for the height and then the lines at the same width)."""

    def __init__(self, text: str | Text | Content) -> None:
        if isinstance(text, Text):
            text = Content.from_rich_text(text)
        self.content = Content(text) if isinstance(text, str) else text
        self._laid: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return self.content.plain

    def laid_out(self, width: int) -> Content:
        """The content with a line end at every wrap."""
        if self._laid is None or self._laid[0] != width:
            self._laid = (width, Content("\n").join(self._lines(width)))
        return self._laid[1]

    def _lines(self, width: int) -> list[Content]:
        raise NotImplementedError

    def render_strips(self, width: int, height: int | None, style, options: RenderOptions) -> list[Strip]:
        return self.laid_out(width).render_strips(width, height, style, options)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.laid_out(width).get_height(rules, width)


class Hanging(_LaidOut):
    """Text whose paragraphs wrap under their own text: after a paragraph's indent and list mark
    ("• ", "✗ 3. [解释] ", "  「"), its continuation lines start where its text started (an indented
    quotation's opening mark hangs out). Wraps at the width it is drawn at, by coach's breaker."""

    def _lines(self, width: int) -> list[Content]:
        lines: list[Content] = []
        for paragraph in self.content.split("\n", allow_blank=True):
            n = hang(paragraph.plain)
            if n and paragraph.plain[n:n + 1] in ("「", "“", "『"):
                n += 1
            head, body = paragraph[:n], paragraph[n:]
            indent = head.cell_length
            if indent * 2 > width:  # a narrow box: no room to hang, wrap the whole paragraph
                head, body, indent = Content(), paragraph, 0
            for i, line in enumerate(body.wrap(max(1, width - indent)) if body.plain else [Content()]):
                lines.append((head if i == 0 else Content(" " * indent)) + line.rstrip())
        return lines

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)


class Items(_LaidOut):
    """Lines of items ("↑↓ 选择 · 回车 打开 · …": keys, a status, a scenario's facts) that wrap only
    between items, so no key is split from what it does and no name across lines; an item wider
    than the line wraps by the rules. Takes a str or a styled Text."""

    SEP = " · "

    def _lines(self, width: int) -> list[Content]:
        lines: list[Content] = []
        for paragraph in self.content.split("\n", allow_blank=True):
            plain, sep = paragraph.plain, len(self.SEP)
            cuts = [0]  # where each item starts
            while (at := plain.find(self.SEP, cuts[-1])) >= 0:
                cuts.append(at + sep)
            start = 0  # the first character of the line being filled
            for n, cut in enumerate(cuts):
                end = cuts[n + 1] - sep if n + 1 < len(cuts) else len(plain)
                if cut > start and cell_len(plain[start:end]) > width:
                    lines.append(paragraph[start:cut - sep])
                    start = cut
                if cell_len(plain[start:end]) > width:  # one item wider than the line: by the rules
                    *full, last = paragraph[start:end].wrap(max(1, width))
                    lines += [line.rstrip() for line in full]
                    start = end - len(last.plain)
            lines.append(paragraph[start:])
        return lines

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return min(container_width, self.content.cell_length)


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
            found.first().update(Items(text))
        else:
            screen.mount(TooSmall(Items(text)))

"""The teller's choices, numbered 1–9 in the order shown; arrows + Enter and the mouse select."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class NumberedChoice:
    """A choice's number in a column of its own, its text wrapped beside it (a hanging indent).

    As one Text, "2. " followed by a long Chinese sentence (no spaces to break at) would leave the
    number alone on its line and start the sentence below it.
    """

    def __init__(self, number: str, text: str) -> None:
        self.number, self.text = number, text

    def __str__(self) -> str:
        return f"{self.number} {self.text}".strip()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        grid = Table.grid(padding=(0, 1, 0, 0), expand=True)
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")  # a Chinese sentence has no spaces to wrap at
        grid.add_row(Text(self.number, style="bold"), Text(self.text))  # literal: scenario text is untrusted
        yield grid


class ChoiceList(OptionList):
    DEFAULT_CSS = "ChoiceList { height: auto; max-height: 12; }"

    def show(self, texts: list[str]) -> None:
        self.clear_options()
        options = []
        for i, text in enumerate(texts):
            options.append(Option(NumberedChoice(f"{i + 1}." if i < 9 else "  ", text), id=f"choice-{i}"))
        self.add_options(options)
        self.highlighted = 0 if options else None

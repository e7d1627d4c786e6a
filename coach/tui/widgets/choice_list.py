"""The teller's choices, numbered 1–9 in the order shown; arrows + Enter and the mouse select."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class ChoiceList(OptionList):
    DEFAULT_CSS = "ChoiceList { height: auto; max-height: 12; }"

    def show(self, texts: list[str]) -> None:
        self.clear_options()
        options = []
        for i, text in enumerate(texts):
            prompt = Text(f"{i + 1}. " if i < 9 else "   ", style="bold")
            prompt.append(text)
            options.append(Option(prompt, id=f"choice-{i}"))
        self.add_options(options)
        self.highlighted = 0 if options else None

"""The four phases with the current one marked (brackets and an arrow, so it reads without colour)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from coach.principles import PHASE_NAMES, PHASES, pick


def phase_text(current: str | None, lang: str, done: set[str] | frozenset[str] = frozenset()) -> Text:
    text = Text()
    for i, phase in enumerate(PHASES):
        if i:
            text.append(" → ", style="dim")
        name = pick(PHASE_NAMES[phase], lang)
        if phase == current:
            text.append(f"▶[{name}]", style="bold reverse")
        elif phase in done:
            text.append(f"✓{name}", style="dim")
        else:
            text.append(f" {name}", style="dim")
    return text


class PhaseBar(Static):
    DEFAULT_CSS = "PhaseBar { height: auto; }"

    def show(self, current: str | None, lang: str, done: set[str] | frozenset[str] = frozenset()) -> None:
        self.update(phase_text(current, lang, done))

"""The customer's mood as a labelled bar that reads without colour: calm … furious."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from coach.tui.i18n import t

WIDTH = 20


def mood_word(mood: int, lang: str) -> str:
    return t(f"mood_{min(4, max(0, mood) // 20)}", lang)


def mood_bar(mood: int, width: int = WIDTH) -> str:
    filled = round(max(0, min(100, mood)) * width / 100)
    return "█" * filled + "░" * (width - filled)


def mood_text(mood: int, lang: str, width: int = WIDTH) -> Text:
    level = min(4, max(0, mood) // 20)
    style = ("green", "green", "yellow", "dark_orange", "red")[level]
    text = Text()
    text.append(t("mood", lang) + " ", style="bold")
    text.append(t("mood_0", lang) + " ")
    text.append(mood_bar(mood, width), style=style)
    text.append(" " + t("mood_4", lang))
    text.append(f"  {mood}/100 ", style="bold")
    text.append(mood_word(mood, lang), style=f"bold {style}")
    return text


class MoodMeter(Static):
    DEFAULT_CSS = "MoodMeter { height: auto; }"

    def __init__(self, mood: int = 50, lang: str = "en", **kw) -> None:
        super().__init__(**kw)
        self.mood, self.lang = mood, lang

    def on_mount(self) -> None:
        self.show(self.mood, self.lang)

    def show(self, mood: int, lang: str) -> None:
        self.mood, self.lang = mood, lang
        self.update(mood_text(mood, lang))

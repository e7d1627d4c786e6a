"""Cleaning untrusted scenario text at load time, and picking a language of a localized text.

Plain Python (no pydantic): the first screen of the TUI uses it before the scenario model is imported."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls (ESC-introduced sequences such as OSC 52
# would otherwise reach the terminal), and the Unicode bidi embedding/override/isolate controls.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def clean_text(text: str) -> str:
    """Strip control and bidi characters; keep newlines and tabs."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n"))


def localize(text: str | dict[str, str] | None, lang: str) -> str:
    """The text in `lang`, falling back to another language the text has."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if lang in text:
        return text[lang]
    return next(iter(text.values()), "")

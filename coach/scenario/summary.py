"""What the library and the briefing show of a scenario, as plain data (no pydantic).

A `Summary` is made from a validated `Scenario` and kept in the validation cache as JSON, so the
first screen never waits for the scenario model. The cache is untrusted input like any file on
disk: `Summary.from_json` checks every field's type and range, and cleans every text the way the
loader does, so a hostile or damaged cache entry is refused (a miss), never shown raw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from coach.business import BUSINESS_LINES
from coach.principles import CUSTOMER_TYPES, PRINCIPLES
from coach.scenario.text import clean_text

if TYPE_CHECKING:
    from coach.scenario.model import Scenario

Localized = Union[str, dict[str, str]]

_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_LANGS = ("zh", "en")
_LANG_SET = frozenset(_LANGS)
_PRINCIPLE_SET = frozenset(PRINCIPLES)
_MAX_TEXT = 20_000  # a cached text longer than any real one is refused


class BadRecord(ValueError):
    """A cache record that is not what this coach wrote."""


@dataclass(frozen=True)
class Summary:
    id: str
    title: Localized
    type: str  # a customer type id
    difficulty: int
    focus: tuple[str, ...]  # the declared focus, or the derived one (Scenario.focus_principles)
    tags: tuple[str, ...] = ()
    name: Localized = ""
    mood: int = 50
    profile: Localized | None = None
    wants: Localized | None = None
    languages: tuple[str, ...] = field(default=())
    line: str | None = None  # a business line id (coach.business)

    def focus_principles(self) -> list[str]:
        return list(self.focus)

    @classmethod
    def of(cls, s: "Scenario") -> "Summary":
        c = s.customer
        return cls(id=s.id, title=s.title, type=c.type, difficulty=s.difficulty,
                   focus=tuple(s.focus_principles()), tags=tuple(s.tags), name=c.name, mood=c.mood,
                   profile=c.profile, wants=c.wants, languages=tuple(s.languages), line=s.line)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "type": self.type, "difficulty": self.difficulty,
                "focus": list(self.focus), "tags": list(self.tags), "name": self.name, "mood": self.mood,
                "profile": self.profile, "wants": self.wants, "languages": list(self.languages),
                "line": self.line}

    @classmethod
    def from_json(cls, obj: Any) -> "Summary":
        """A summary from cached JSON, checked field by field; BadRecord otherwise."""
        if not isinstance(obj, dict):
            raise BadRecord("not an object")
        sid = obj.get("id")
        if not isinstance(sid, str) or len(sid) > 64 or not _ID.match(sid):
            raise BadRecord("id")
        ctype = obj.get("type")
        if ctype not in CUSTOMER_TYPES:
            raise BadRecord("type")
        line = obj.get("line")
        if line is not None and (type(line) is not str or line not in BUSINESS_LINES):
            raise BadRecord("line")
        return cls(
            id=sid,
            title=_localized(obj.get("title")),
            type=ctype,
            difficulty=_int(obj.get("difficulty"), 1, 3),
            focus=tuple(_ids(obj.get("focus"), _PRINCIPLE_SET)),
            tags=tuple(_text(t, 40) for t in _list(obj.get("tags"))),
            name=_localized(obj.get("name")),
            mood=_int(obj.get("mood"), 0, 100),
            profile=_optional(obj.get("profile")),
            wants=_optional(obj.get("wants")),
            languages=tuple(_ids(obj.get("languages"), _LANG_SET)),
            line=line,
        )


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise BadRecord("list")
    return value


def _ids(value: Any, known: frozenset) -> list[str]:
    # Set operations at C speed (3,000 records per start of a big library); only strings can be
    # members of `known`, and an unhashable item (a list, a dict) is a TypeError: a bad record.
    out = _list(value)
    try:
        ok = known.issuperset(out)
    except TypeError:
        ok = False
    if not ok:
        raise BadRecord("unknown id")
    return out


def _int(value: Any, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise BadRecord("number")
    return value


def _text(value: Any, limit: int = _MAX_TEXT) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise BadRecord("text")
    # isprintable (C speed) is False for every character clean_text strips (controls, bidi marks)
    return value if value.isprintable() else clean_text(value)


def _localized(value: Any) -> Localized:
    # Inlined `_text` per value (a big library's later start checks ~12,000 of these): a record
    # whose texts are all clean is kept as it is, without a copy.
    if type(value) is dict:
        if not value or not _LANG_SET.issuperset(value):
            raise BadRecord("languages")
        for v in value.values():
            if type(v) is not str or len(v) > _MAX_TEXT:
                raise BadRecord("text")
            if not v.isprintable():
                return {k: _text(v) for k, v in value.items()}
        return value
    return _text(value)


def _optional(value: Any) -> Localized | None:
    return None if value is None else _localized(value)

"""Markers: which of a step's phrases a reply in the teller's own words has, and which it lacks.

A phrase matches whole words only, never a fragment of a longer word:
- Chinese is segmented with jieba (dictionary only, no HMM guessing, so a phrase such as 不归我管
  is not glued to its neighbours); a phrase matches where it starts and ends on word boundaries,
  so 处理 is found in 我帮您处理一下 but not in 处理器坏了, and 小时 not in 小时候.
- English is matched on words, case-insensitively, with simple inflections of the phrase's words
  (check → checks, checked, checking; apologise → apologised; sit → sitting), so "sit" is not
  found in "site" or "position", nor "rule" in "ruler".

jieba is imported here, on the first Chinese match, never at start-up (it takes about a second to
load its dictionary). `coach validate` needs no jieba: its check (`contains_phrase` with
`exact=False`) looks for the phrase anywhere in a choice, which is stricter than a word match.

Markers are advice beside the teller's self-rating, never a hidden score.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coach.scenario.model import Marker, Step

#: A reply longer than this many times the step's longest choice gets a note (and at least
#: LONG_MIN_ZH characters / LONG_MIN_EN words): a counter sentence is short.
LONG_FACTOR = 2
LONG_MIN_ZH = 60
LONG_MIN_EN = 40

_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("’", "'").replace("‘", "'")


# ---- English ------------------------------------------------------------------------------------

def en_words(text: str) -> list[str]:
    return _EN_WORD.findall(_norm(text))


def _inflections(word: str) -> set[str]:
    """The word and its simple inflections (plural, 3rd person, past, -ing, possessive)."""
    forms = {word, word + "s", word + "'s", word + "ed", word + "ing"}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms |= {word + "es"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # stop → stopped, sit → sitting
    return forms


def _en_find(phrase: str, words: list[str]) -> bool:
    wanted = [_inflections(w) for w in en_words(phrase)]
    if not wanted:
        return False
    n = len(wanted)
    return any(all(words[i + k] in wanted[k] for k in range(n)) for i in range(len(words) - n + 1))


# ---- Chinese ------------------------------------------------------------------------------------

_jieba = None


def _segmenter():
    global _jieba
    if _jieba is None:
        import logging

        import jieba  # lazily: only a "say it yourself" reply pays for it

        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return _jieba


def zh_words(text: str) -> list[str]:
    """The reply cut into words by jieba (dictionary only), spaces removed."""
    text = _SPACES.sub("", _norm(text))
    return [w for w in _segmenter().lcut(text, HMM=False) if w]


def _boundaries(words: list[str]) -> set[int]:
    out = {0}
    pos = 0
    for w in words:
        pos += len(w)
        out.add(pos)
    return out


def _zh_find(phrase: str, text: str, bounds: set[int]) -> bool:
    needle = _SPACES.sub("", _norm(phrase))
    if not needle:
        return False
    start = text.find(needle)
    while start != -1:
        if start in bounds and start + len(needle) in bounds:
            return True
        start = text.find(needle, start + 1)
    return False


# ---- one reply against a step's markers ---------------------------------------------------------

@dataclass(frozen=True)
class MarkerResult:
    marker: "Marker"
    found: str | None  # the phrase found in the reply, or None

    @property
    def kind(self) -> str:
        return self.marker.kind

    @property
    def principle(self) -> str:
        return self.marker.principle

    def label(self, lang: str) -> str:
        """How the marker is shown: the phrase found, else the marker's first phrase (with others)."""
        if self.found:
            return self.found
        phrases = _phrases(self.marker, lang)
        return " / ".join(phrases[:3])

    def to_dict(self, lang: str) -> dict:
        return {"principle": self.principle, "kind": self.kind, "found": self.found,
                "phrases": _phrases(self.marker, lang)}


@dataclass
class ReplyCheck:
    """What a typed reply has and lacks of a step's markers, and whether it is too long."""

    lang: str
    results: list[MarkerResult] = field(default_factory=list)
    too_long: bool = False

    @property
    def has(self) -> list[MarkerResult]:
        return [r for r in self.results if r.kind == "good" and r.found]

    @property
    def lacks(self) -> list[MarkerResult]:
        return [r for r in self.results if r.kind == "good" and not r.found]

    @property
    def hurts(self) -> list[MarkerResult]:
        return [r for r in self.results if r.kind == "hurt" and r.found]

    def to_dict(self) -> dict:
        return {
            "has": [r.to_dict(self.lang) for r in self.has],
            "lacks": [r.to_dict(self.lang) for r in self.lacks],
            "hurts": [r.to_dict(self.lang) for r in self.hurts],
            "too_long": self.too_long,
        }


def _phrases(marker: "Marker", lang: str) -> list[str]:
    phrases = marker.phrases
    if lang in phrases:
        return list(phrases[lang])
    return list(next(iter(phrases.values()), []))


def _size(text: str, lang: str) -> int:
    return len(en_words(text)) if lang == "en" else len(_SPACES.sub("", text))


def check_reply(step: "Step", reply: str, lang: str) -> ReplyCheck:
    """Each of the step's markers once: found (with the phrase) or not; and the length note."""
    from coach.scenario.model import localize

    out = ReplyCheck(lang)
    if lang == "zh":
        text = _SPACES.sub("", _norm(reply))
        bounds = _boundaries(zh_words(reply)) if step.markers else set()
        find = lambda phrase: _zh_find(phrase, text, bounds)  # noqa: E731
    else:
        words = en_words(reply)
        find = lambda phrase: _en_find(phrase, words)  # noqa: E731
    for marker in step.markers:
        found = next((p for p in _phrases(marker, lang) if find(p)), None)
        out.results.append(MarkerResult(marker, found))
    longest = max((_size(localize(c.text, lang), lang) for c in step.choices), default=0)
    floor = LONG_MIN_EN if lang == "en" else LONG_MIN_ZH
    out.too_long = _size(reply, lang) > max(floor, LONG_FACTOR * longest)
    return out


def contains_phrase(text: str, phrase: str, lang: str) -> bool:
    """For the linter, without jieba: English on words (with inflections); Chinese anywhere in the
    text (a phrase inside a longer word counts too, so the check errs on the strict side)."""
    if lang == "en":
        return _en_find(phrase, en_words(text))
    needle = _SPACES.sub("", _norm(phrase))
    return bool(needle) and needle in _SPACES.sub("", _norm(text))

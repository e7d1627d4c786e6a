"""Surface cues: features of a choice's form that a test-wise teller could pick by without reading.

A step gives its answer away when the best choice is, more often than chance, the longest, the
shortest, the one naming the customer, the one apologising, the politest or the one with the most
clause marks. Both the linter (per scenario) and `coach audit` (per scenario and for a set) measure
that here, from the text alone; nothing in this module plays a scenario.

How a cue is measured at one step: the choices the cue points at (e.g. all choices of the greatest
length) are its *winners*; a teller following the cue picks one of them at random, so the step
scores |best ∩ winners| / |winners| (the chance of landing on a best choice), against a chance of
|best| / |choices| for a teller picking blindly. A step counts only when the cue tells the choices
apart (some but not all of them are winners). Several choices sharing the top total are all best.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

from coach.scenario.model import Choice, Scenario, Step, localize

_APOLOGY = re.compile(r"对不起|抱歉|不好意思|致歉|道歉|sorry|apologi[sz]e|apolog(?:y|ies)", re.IGNORECASE)
_POLITE = re.compile(r"请|您|谢谢|感谢|麻烦您|劳驾|\bplease\b|\bthank|\bkindly\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[、；，：,;:]")
_ZH_HONORIFICS = ("先生", "女士", "小姐", "阿姨", "叔叔", "大爷", "大妈", "老师", "师傅", "姐", "哥")
_EN_TITLES = ("mr", "mrs", "ms", "miss", "dr", "mx")

#: Cue ids in the order reports show them; `long_zh`/`long_en` are per language.
CUE_IDS = ("long_zh", "long_en", "short_zh", "short_en", "name", "apology", "polite", "clauses")

#: Per-scenario lint: a cue is systematic when a teller following it lands on the best choice at
#: least this often, over at least LINT_MIN_STEPS steps, and LINT_MARGIN above chance. With three
#: choices a blind cue hits 5 steps of 5 once in 243 scenarios and 4 of 5 about once in 22.
LINT_RATE = 0.8
LINT_MIN_STEPS = 3
LINT_MARGIN = 0.4
#: A position cue needs more steps: with three positions to pick from, 4 of 5 at one position
#: happens by chance in one scenario of seven. (All at one position is `best-always-same`.)
POSITION_MIN_STEPS = 6


def apologises(text: str) -> bool:
    return bool(_APOLOGY.search(text))


def polite_words(text: str) -> int:
    return len(_POLITE.findall(text))


def clause_marks(text: str) -> int:
    return len(_CLAUSE.findall(text))


def _name_patterns(scenario: Scenario) -> list[re.Pattern]:
    """Ways a choice may name the customer: the name in each language, a Chinese surname with an
    honorific (林先生, 林阿姨) and an English surname after a title (Mr Lin, Mrs. Lin)."""
    name = scenario.customer.name
    names = [name] if isinstance(name, str) else list(name.values())
    pats: list[re.Pattern] = []
    for n in names:
        n = n.strip()
        if not n:
            continue
        pats.append(re.compile(re.escape(n), re.IGNORECASE))
        if re.match(r"^[\u4e00-\u9fff]", n):
            pats.append(re.compile(re.escape(n[0]) + "(?:" + "|".join(_ZH_HONORIFICS) + ")"))
        words = n.split()
        if len(words) >= 2 and words[0].rstrip(".").lower() in _EN_TITLES:
            surname = re.escape(words[-1])
            pats.append(re.compile(r"\b(?:" + "|".join(_EN_TITLES) + r")\.?\s+" + surname + r"\b", re.IGNORECASE))
    return pats


def all_text(text, langs: list[str]) -> str:
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return "\n".join(text.get(lang, "") for lang in langs) or "\n".join(text.values())


@dataclass(frozen=True)
class StepCue:
    """One cue at one step: who the cue points at, who is best."""

    winners: frozenset[int]
    best: frozenset[int]
    n: int

    @property
    def counts(self) -> bool:
        """The cue tells the choices apart here."""
        return 0 < len(self.winners) < self.n

    @property
    def hit(self) -> float:
        return len(self.winners & self.best) / len(self.winners)

    @property
    def chance(self) -> float:
        return len(self.best) / self.n


def best_set(step: Step) -> frozenset[int]:
    """Every choice sharing the highest total (two good routes are both best)."""
    if not step.choices:
        return frozenset()
    top = max(c.total for c in step.choices)
    return frozenset(i for i, c in enumerate(step.choices) if c.total == top)


def _extreme(values: list[float], pick: Callable[[list[float]], float]) -> frozenset[int]:
    target = pick(values)
    return frozenset(i for i, v in enumerate(values) if v == target)


class Features:
    """Per-choice surface features of one scenario, computed once."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.langs = list(dict.fromkeys(scenario.languages))
        self._names = _name_patterns(scenario)

    def length(self, choice: Choice, lang: str) -> int:
        return len(localize(choice.text, lang).strip())

    def text(self, choice: Choice) -> str:
        return all_text(choice.text, self.langs)

    def names(self, choice: Choice) -> bool:
        t = self.text(choice)
        return any(p.search(t) for p in self._names)

    def polite(self, choice: Choice) -> int:
        return polite_words(self.text(choice))

    def clauses(self, choice: Choice) -> int:
        return clause_marks(self.text(choice))

    def apology(self, choice: Choice) -> bool:
        return apologises(self.text(choice))

    def cue(self, cue_id: str, step: Step) -> StepCue | None:
        """The cue at a decision step, or None when the scenario lacks the language."""
        cs = step.choices
        n = len(cs)
        if cue_id in ("long_zh", "long_en", "short_zh", "short_en"):
            lang = cue_id[-2:]
            if lang not in self.langs:
                return None
            lengths = [self.length(c, lang) for c in cs]
            winners = _extreme(lengths, max if cue_id.startswith("long") else min)
        elif cue_id == "name":
            winners = frozenset(i for i, c in enumerate(cs) if self.names(c))
        elif cue_id == "apology":
            winners = frozenset(i for i, c in enumerate(cs) if self.apology(c))
        elif cue_id == "polite":
            winners = _extreme([self.polite(c) for c in cs], max)
        elif cue_id == "clauses":
            winners = _extreme([self.clauses(c) for c in cs], max)
        else:
            raise KeyError(cue_id)
        return StepCue(winners, best_set(step), n)

    def position(self, pos: int, step: Step) -> StepCue | None:
        """'The best is at 0-based position pos', for steps with more than pos choices."""
        if len(step.choices) <= pos:
            return None
        return StepCue(frozenset({pos}), best_set(step), len(step.choices))


@dataclass
class CueTally:
    """A cue summed over steps: hits is the expected number of best choices a cue-follower lands
    on; expected is what blind picking would land on."""

    hits: float = 0.0
    expected: float = 0.0
    variance: float = 0.0
    steps: int = 0

    def add(self, sc: StepCue | None) -> None:
        if sc is None or not sc.counts:
            return
        self.hits += sc.hit
        self.expected += sc.chance
        self.variance += sc.chance * (1 - sc.chance)
        self.steps += 1

    def merge(self, other: "CueTally") -> None:
        self.hits += other.hits
        self.expected += other.expected
        self.variance += other.variance
        self.steps += other.steps

    @property
    def rate(self) -> float | None:
        return self.hits / self.steps if self.steps else None

    @property
    def chance(self) -> float | None:
        return self.expected / self.steps if self.steps else None

    @property
    def z(self) -> float:
        """How many standard deviations of blind picking the hits are above it."""
        if self.variance <= 0:
            return 0.0
        return (self.hits - self.expected) / math.sqrt(self.variance)

    def systematic(self) -> bool:
        """For one scenario: the cue finds the best so often that a teller would notice."""
        if self.steps < LINT_MIN_STEPS or self.rate is None:
            return False
        return (self.hits >= LINT_MIN_STEPS and self.rate >= LINT_RATE
                and self.rate - self.chance >= LINT_MARGIN)


def decision_steps(scenario: Scenario) -> list[tuple[str, Step]]:
    """Decision steps reachable from the start with at least two choices, in graph order."""
    steps = scenario.steps
    if scenario.start not in steps:
        return []
    seen = [scenario.start]
    known = {scenario.start}
    i = 0
    while i < len(seen):
        for c in steps[seen[i]].choices:
            if c.next in steps and c.next not in known:
                known.add(c.next)
                seen.append(c.next)
        i += 1
    return [(sid, steps[sid]) for sid in seen if len(steps[sid].choices) >= 2]


def tally_scenario(scenario: Scenario) -> tuple[dict[str, CueTally], list[CueTally]]:
    """Per cue id, and per position (0-based), the tallies over a scenario's decision steps."""
    f = Features(scenario)
    cues = {cid: CueTally() for cid in CUE_IDS}
    steps = decision_steps(scenario)
    positions = [CueTally() for _ in range(max((len(s.choices) for _, s in steps), default=0))]
    for _, step in steps:
        for cid in CUE_IDS:
            cues[cid].add(f.cue(cid, step))
        for pos in range(len(positions)):
            positions[pos].add(f.position(pos, step))
    return cues, positions

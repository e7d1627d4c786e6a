"""The pre-shift check, as pure Python: which scenarios to play, and the verdict.

Selection: a teller with no finished attempts gets a spread over the article's three customer types
(requesting, confused, agitated) and over the principles (each pick adds the most principles not yet
covered), easiest first among equals. Otherwise each scenario is ranked by how weak the teller is in
the principles it trains (100 − recent mean score; 50 for a principle never scored), weighed down
for recent practice (to a quarter for the most recent), then by least recent practice (never played
first); after each pick the principles it covers count half and its customer type a little, so the
check spreads over the weak spots, the types and, day after day, the whole library. Scenarios are added while their estimated time fits
in the minutes given (at least one), and never the same scenario twice.

Verdict: points are summed over the check's scorecards. "ready" when the overall score reaches the
pass mark, no principle is below it and no critical mistake was made (a choice breaking a rule that
protects the customer or the bank); otherwise "review: <critical mistakes, principles>" — every
critical mistake first, then up to three principles under the pass mark, weakest first — with the
article's sentence for each and scenarios that train it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from coach.linebreak import series
from coach.principles import CUSTOMER_TYPES, PRINCIPLES, aside, colon

if TYPE_CHECKING:
    from coach.engine import Scorecard
    from coach.scenario.model import Scenario

DEFAULT_MINUTES = 10
DEFAULT_PASS_MARK = 80
MINUTES_PER_DECISION = 0.5
REVIEW_MAX = 3


@dataclass(frozen=True)
class Candidate:
    scenario: "Scenario"
    path: Path | None = None
    sha256: str = ""

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def type(self) -> str:
        return self.scenario.customer.type

    @property
    def focus(self) -> list[str]:
        return self.scenario.focus_principles()

    @property
    def minutes(self) -> float:
        return estimate_minutes(self.scenario)


def estimate_minutes(scenario: "Scenario") -> float:
    """Rough time to play in assessment mode: decisions on the best path × 30 s, at least 1.5 minutes."""
    from coach.engine import Session, SessionOver

    session = Session(scenario)
    try:
        session.play_best()
    except (SessionOver, IndexError, TypeError):
        pass
    return max(1.5, len(session.turns) * MINUTES_PER_DECISION)


def select(
    candidates: Iterable[Candidate],
    minutes: float,
    averages: dict[str, tuple[float, int]] | None = None,
    last_practised: dict[str, str] | None = None,
) -> list[Candidate]:
    """The scenarios for a check of `minutes`; `averages` is {principle: (mean, n)} from history."""
    pool: dict[str, Candidate] = {}
    for c in candidates:
        pool.setdefault(c.id, c)  # never the same scenario twice
    if not pool:
        return []
    averages = averages or {}
    last = last_practised or {}
    if not averages:
        ordered = _spread(list(pool.values()))
    else:
        ordered = _by_weakness(list(pool.values()), averages, last)
    chosen: list[Candidate] = []
    used = 0.0
    for c in ordered:
        if not chosen or used + c.minutes <= minutes:
            chosen.append(c)
            used += c.minutes
    return chosen


#: The weight of the most recently practised scenario's need (the oldest practised weighs ~1).
RECENT = 0.25
#: How much a pick's customer type counts against the next pick of the same type (points of need).
SAME_TYPE = 5.0


def _weakness(averages: dict[str, tuple[float, int]]) -> dict[str, float]:
    """100 − recent mean per principle; 50 for one never scored."""
    return {p: (100.0 - averages[p][0]) if p in averages else 50.0 for p in PRINCIPLES}


def _need(c: Candidate, weakness: dict[str, float]) -> float:
    focus = c.focus or []
    return sum(weakness.get(p, 50.0) for p in focus) / max(1, len(focus))


def _spread(pool: list[Candidate]) -> list[Candidate]:
    """Round robin over the three customer types; within a type the scenario whose focus adds the
    most principles not yet covered, easiest first among equals: a first check that is gentle and
    still spread over the article's principles."""
    groups: dict[str, list[Candidate]] = {t: [] for t in CUSTOMER_TYPES}
    for c in sorted(pool, key=lambda c: (c.scenario.difficulty, c.id)):
        groups.setdefault(c.type, []).append(c)
    weakness = _weakness({})
    out: list[Candidate] = []
    while any(groups.values()):
        for t in list(groups):
            if groups[t]:
                group = groups[t]
                pick = min(group, key=lambda c: (-round(_need(c, weakness), 3), c.scenario.difficulty, c.id))
                group.remove(pick)
                out.append(pick)
                for p in pick.focus:
                    weakness[p] = weakness.get(p, 50.0) / 2
    return out


def _by_weakness(pool: list[Candidate], averages: dict[str, tuple[float, int]], last: dict[str, str]) -> list[Candidate]:
    """Weakest principles first, spread: each pick halves the need of the principles it trains, and
    counts a little against its customer type. A scenario practised recently weighs less (down to
    a quarter for the most recent), so a teller weak in one principle meets the whole library's
    scenarios for it over successive checks instead of the same one every morning (which would
    test memory, not judgement)."""
    weakness = _weakness(averages)
    played = sorted((cid for cid in last if last[cid]), key=lambda cid: last[cid], reverse=True)
    fresh = {cid: RECENT + (1 - RECENT) * i / len(played) for i, cid in enumerate(played)}
    types: dict[str, int] = {}
    out: list[Candidate] = []
    rest = list(pool)
    while rest:
        def key(c: Candidate):
            need = _need(c, weakness) * fresh.get(c.id, 1.0) - SAME_TYPE * types.get(c.type, 0)
            return (-round(need, 3), last.get(c.id, ""), c.scenario.difficulty, c.id)

        pick = min(rest, key=key)
        rest.remove(pick)
        out.append(pick)
        types[pick.type] = types.get(pick.type, 0) + 1
        for p in pick.focus:
            weakness[p] = weakness.get(p, 50.0) / 2
    return out


@dataclass
class Verdict:
    ready: bool
    overall: int
    pass_mark: int
    principles: dict[str, int]
    review: list[str]
    played: list[dict] = field(default_factory=list)  # {id, overall, outcome, finished}
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    critical: list[dict] = field(default_factory=list)  # {scenario, step, reason (Localized)}

    @property
    def label(self) -> str:
        if self.ready:
            return "ready"
        named = [f"critical mistake in {c['scenario']} ({c['step']})" for c in self.critical]
        return "review: " + ", ".join(named + self.review or ["everything"])

    def critical_dicts(self, lang: str = "en") -> list[dict]:
        from coach.scenario.model import localize

        return [{"scenario": c["scenario"], "step": c["step"], "reason": localize(c["reason"], lang)}
                for c in self.critical]

    def numbers(self) -> dict:
        return {"overall": self.overall, "principles": dict(self.principles), "played": list(self.played),
                "critical": self.critical_dicts()}

    def to_dict(self, lang: str = "en") -> dict:
        return {
            "verdict": "ready" if self.ready else "review",
            "label": self.label,
            "overall": self.overall,
            "pass_mark": self.pass_mark,
            "principles": dict(self.principles),
            "critical": self.critical_dicts(lang),
            "review": [
                {"principle": p, "name": PRINCIPLES[p].name(lang), "score": self.principles.get(p),
                 "article": PRINCIPLES[p].quote_zh, "gloss": PRINCIPLES[p].gloss_en,
                 "scenarios": self.suggestions.get(p, [])}
                for p in self.review
            ],
            "scenarios": list(self.played),
        }

    def lines(self, lang: str = "en") -> list[str]:
        zh = lang == "zh"
        out = [("总分" if zh else "Overall") + colon(lang) + f"{self.overall}/100"
               + aside(("合格线" if zh else "pass mark") + f" {self.pass_mark}", lang)]
        if self.ready:
            out.append("结论：可以上岗" if zh else "Verdict: ready")
            return out
        crit = [("严重错误：" if zh else "critical mistake in ") + f"{c['scenario']}" for c in self.critical]
        names = series(crit + [PRINCIPLES[p].name(lang) for p in self.review], lang) or ("全部" if zh else "everything")
        out.append(("结论：需要复习 — " if zh else "Verdict: review — ") + names)
        # Critical mistakes first: whatever the score, they alone stop a teller being ready.
        for c in self.critical_dicts(lang):
            out.append(("  严重错误" if zh else "  Critical mistake") + f" — {c['scenario']} @ {c['step']}" + colon(lang).rstrip())
            out.append(f"    {c['reason']}")
        for p in self.review:
            pr = PRINCIPLES[p]
            out.append(f"  {pr.name(lang)}{aside(p, lang)}{colon(lang)}{self.principles.get(p, 0)}/100")
            out.append(f"    {pr.quote_zh}")
            if not zh:
                out.append(f"    {pr.gloss_en}")
            if self.suggestions.get(p):
                out.append(("    练习：" if zh else "    Practise: ") + ", ".join(self.suggestions[p]))
        return out


def verdict(
    cards: list[tuple[str, "Scorecard", bool]],
    pass_mark: int = DEFAULT_PASS_MARK,
    library: Iterable[Candidate] = (),
) -> Verdict:
    """The verdict over (scenario id, scorecard, finished) of every scenario played in the check."""
    from coach.engine import Tally

    principles: dict[str, Tally] = {}
    overall = Tally()
    played = []
    critical: list[dict] = []
    for sid, card, finished in cards:
        critical += [{"scenario": sid, "step": c.step, "reason": c.reason} for c in card.critical]
        for pid, t in card.principles.items():
            principles.setdefault(pid, Tally()).add(t.earned, t.possible)
        for t in card.phases.values():
            overall.add(t.earned, t.possible)
        played.append({"id": sid, "overall": card.overall, "outcome": card.outcome, "finished": finished})
    order = list(PRINCIPLES)
    scores = {p: principles[p].score for p in sorted(principles, key=order.index)}
    total = overall.score if cards else 0
    below = sorted((p for p in scores if scores[p] < pass_mark), key=lambda p: (scores[p], order.index(p)))
    review = below[:REVIEW_MAX]
    ready = bool(cards) and total >= pass_mark and not below and not critical
    played_ids = {sid for sid, _, _ in cards}
    suggestions: dict[str, list[str]] = {}
    pool = sorted(library, key=lambda c: (c.id in played_ids, c.scenario.difficulty, c.id))
    for p in review:
        suggestions[p] = [c.id for c in pool if p in c.focus][:3]
    return Verdict(ready, total, pass_mark, scores, review, played, suggestions, critical)


def load_library(folders: Iterable[Path]) -> tuple[list[Candidate], list[str]]:
    """Valid scenarios in these folders (first of each id), and the files skipped as invalid."""
    from coach.library import scenario_files
    from coach.scenario.loader import load_scenario

    found: dict[str, Candidate] = {}
    skipped: list[str] = []
    for folder in folders:
        for path in scenario_files(Path(folder)):
            result = load_scenario(path)
            if result.scenario is None or not result.ok:
                skipped.append(str(path))
                continue
            found.setdefault(result.scenario.id, Candidate(result.scenario, path, result.sha256))
    return list(found.values()), skipped

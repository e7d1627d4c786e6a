"""The Scorecard: per principle, per phase and overall, each 0–100 against the best that was
possible on the path taken, and the critical mistakes made on it (docs/scoring.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coach.principles import FIGURES, OUTCOME_FIGURES, PRINCIPLES, pick
from coach.scenario.model import Localized, localize

if TYPE_CHECKING:
    from coach.engine.rules import RuleEvent
    from coach.engine.turn import Turn

PASS_MARK = 80


@dataclass
class Tally:
    """Points earned against points possible."""

    earned: int = 0
    possible: int = 0

    def add(self, earned: int, possible: int) -> None:
        self.earned += earned
        self.possible += possible

    @property
    def score(self) -> int:
        if self.possible <= 0:
            return 0 if self.earned < 0 else 100
        return max(0, min(100, round(100 * self.earned / self.possible)))


PrincipleScore = Tally


@dataclass(frozen=True)
class CriticalMistake:
    """A choice that broke a rule protecting the customer or the bank, and why."""

    step: str
    reason: Localized

    def to_dict(self, lang: str = "en") -> dict:
        return {"step": self.step, "reason": localize(self.reason, lang)}


@dataclass
class Scorecard:
    scenario: str
    overall: int
    principles: dict[str, Tally]
    phases: dict[str, Tally]
    mood: list[int]
    outcome: str | None
    rules: list["RuleEvent"] = field(default_factory=list)
    pass_mark: int = PASS_MARK
    critical: list[CriticalMistake] = field(default_factory=list)

    @classmethod
    def from_turns(cls, scenario_id: str, start_mood: int, turns: list["Turn"],
                   ending_events: list["RuleEvent"], outcome: str | None) -> "Scorecard":
        principles: dict[str, Tally] = {}
        phases: dict[str, Tally] = {}
        overall = Tally()
        events: list[RuleEvent] = []

        def principle(pid: str) -> Tally:
            return principles.setdefault(pid, Tally())

        def count(phase: str, pts: dict[str, int], best: dict[str, int], earned_total: int, best_total: int) -> None:
            for pid in pts.keys() | best.keys():
                principle(pid).add(pts.get(pid, 0), max(0, best.get(pid, 0)))
            phases.setdefault(phase, Tally()).add(earned_total, best_total)
            overall.add(earned_total, best_total)

        for turn in turns:
            count(turn.phase, turn.points, turn.best_points, sum(turn.points.values()), max(0, turn.best_total))
            for ev in turn.events:
                count(turn.phase, ev.earned, ev.possible, sum(ev.earned.values()), sum(ev.possible.values()))
                events.append(ev)
        for ev in ending_events:
            count("follow_up", ev.earned, ev.possible, sum(ev.earned.values()), sum(ev.possible.values()))
            events.append(ev)
        mood = [start_mood] + [t.mood_after for t in turns]
        order = list(PRINCIPLES)
        principles = {p: principles[p] for p in sorted(principles, key=order.index)}
        critical = [CriticalMistake(t.step, t.critical) for t in turns if t.critical is not None]
        return cls(scenario_id, overall.score, principles, phases, mood, outcome, events, critical=critical)

    @property
    def ready(self) -> bool:
        """At the pass mark, and no critical mistake whatever the score."""
        return self.overall >= self.pass_mark and not self.critical

    def weakest(self, n: int = 3, below: int | None = None) -> list[str]:
        """The principles with the lowest scores, weakest first (only those under `below`)."""
        limit = self.pass_mark if below is None else below
        weak = [p for p, t in self.principles.items() if t.score < limit]
        order = list(PRINCIPLES)
        return sorted(weak, key=lambda p: (self.principles[p].score, order.index(p)))[:n]

    def narrative(self, lang: str) -> list[str]:
        """The outcome told with the article's figures."""
        if self.outcome is None:
            return []
        return [pick(FIGURES[key], lang) for key in OUTCOME_FIGURES[self.outcome]]

    def to_dict(self, lang: str = "en") -> dict:
        return {
            "scenario": self.scenario,
            "overall": self.overall,
            "ready": self.ready,
            "pass_mark": self.pass_mark,
            "critical": [c.to_dict(lang) for c in self.critical],
            "principles": {p: t.score for p, t in self.principles.items()},
            "points": {p: {"earned": t.earned, "possible": t.possible} for p, t in self.principles.items()},
            "phases": {p: t.score for p, t in self.phases.items()},
            "outcome": self.outcome,
            "mood": list(self.mood),
            "rules": [ev.to_dict() for ev in self.rules],
            "narrative": self.narrative(lang),
        }

"""A Turn: one decision of a session, as the engine records it."""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.engine.rules import RuleEvent
from coach.scenario.model import Localized


@dataclass(frozen=True)
class Turn:
    """One decision: the choice taken, its points, the best that was possible, the rules fired."""

    step: str
    phase: str
    index: int  # 0-based position of the choice in the file
    act: str
    points: dict[str, int]
    best_points: dict[str, int]  # per principle, what the best move here earns (docs/scoring.md)
    best_index: int
    best_total: int
    mood_before: int
    mood_after: int
    next: str
    events: list[RuleEvent] = field(default_factory=list)
    #: The choice's `critical` reason when it breaks a rule protecting the customer or the bank.
    critical: Localized | None = None

    @property
    def total(self) -> int:
        return sum(self.points.values())

    @property
    def was_best(self) -> bool:
        """Every choice sharing the top total is best (two good routes), not only the first."""
        return self.total >= self.best_total

    @property
    def partly_right(self) -> bool:
        """Half-right: some but not all of the best points (0 < total < best total)."""
        return 0 < self.total < self.best_total

"""What the screens read of the play a controller hands them (coach/tui/controllers/session.py's
SessionController has all of it). Screens draw from it; only controllers change it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from coach.engine import Scorecard, Session
    from coach.scenario.model import Scenario


class Play(Protocol):
    scenario: Scenario
    session: Session
    sha256: str
    attempt_id: Any
    scorecard: Scorecard | None  # set once the play is finished

    @property
    def assess(self) -> bool: ...

    def order(self) -> list[int]:
        """File indices of the current step's choices in the order they are shown."""
        ...

"""SessionController: one play of a scenario as the TUI drives it.

It owns the engine Session, the mode (practice or assessment), the displayed order of the choices
(shuffled per session in assessment mode; display position -> file index) and the one place where
the history store's `recorder` is called. Headless: no textual import.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from coach.engine import Scorecard, Session, Turn
    from coach.scenario.model import Scenario

PRACTICE, ASSESSMENT = "practice", "assessment"


class RecorderLike(Protocol):
    def start(self, scenario: Scenario, sha256: str, mode: str, lang: str) -> Any: ...
    def answer(self, attempt_id: Any, turn: Turn, seconds: float | None = None) -> Any: ...
    def undo(self, attempt_id: Any) -> None: ...
    def finish(self, attempt_id: Any, scorecard: Scorecard) -> None: ...


class SessionController:
    def __init__(self, scenario: Scenario, *, sha256: str = "", mode: str = PRACTICE, lang: str = "en",
                 recorder: RecorderLike | None = None, seed: int | None = None,
                 session: Session | None = None, attempt_id: Any = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.scenario = scenario
        self.sha256 = sha256
        self.mode = mode
        self.lang = lang
        self.recorder = recorder
        self.clock = clock
        from coach.engine import Session  # imported when a session starts, not at start-up

        self.rng = random.Random(seed)
        self.session = session or Session(scenario)
        self._orders: dict[str, list[int]] = {}
        self.scorecard: Scorecard | None = None
        self.attempt_id = attempt_id
        if recorder is not None and attempt_id is None:
            self.attempt_id = recorder.start(scenario, sha256, mode, lang)
        self.asked_at = clock()

    @property
    def assess(self) -> bool:
        return self.mode == ASSESSMENT

    @property
    def can_undo(self) -> bool:
        return not self.assess and bool(self.session.turns)

    def order(self) -> list[int]:
        """File indices of the current step's choices in the order they are shown."""
        step_id = self.session.step_id
        if step_id not in self._orders:
            n = len(self.session.step.choices)
            idx = list(range(n))
            if self.assess:
                self.rng.shuffle(idx)
            self._orders[step_id] = idx
        return self._orders[step_id]

    def shown(self) -> None:
        """The current step is on screen: its answer time starts now."""
        self.asked_at = self.clock()

    def choose(self, position: int) -> Turn:
        """Take the choice shown at 0-based `position`; the engine gets its file index."""
        index = self.order()[position]
        turn = self.session.choose(index)
        if self.recorder is not None:
            self.recorder.answer(self.attempt_id, turn, max(0.0, self.clock() - self.asked_at))
        return turn

    def undo(self) -> Turn | None:
        if not self.can_undo:
            return None
        turn = self.session.undo()
        self.scorecard = None
        if turn is not None and self.recorder is not None:
            self.recorder.undo(self.attempt_id)
        self.shown()
        return turn

    def finish(self) -> Scorecard:
        """The debrief is shown: the scorecard is final (and stored, once)."""
        if self.scorecard is None:
            self.scorecard = self.session.scorecard()
            if self.recorder is not None:
                self.recorder.finish(self.attempt_id, self.scorecard)
        return self.scorecard

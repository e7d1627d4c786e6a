"""Resume: an interrupted attempt continues at the exact step with the same scorecard.

The stored choice indices are replayed through `Session.replay`, which gives the same state for the
same choices. If the scenario file changed since the attempt began (its sha256 differs) the old
choices may mean something else, so the attempt is not resumed: the teller is told plainly and
restarts it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

from coach.store.queries import Unfinished, unfinished

Status = Literal["ok", "changed", "missing"]


@dataclass
class ResumeOffer:
    attempt: Unfinished
    status: Status
    path: Path | None = None
    scenario: object | None = None  # coach.scenario.model.Scenario
    sha256: str = ""
    session: object | None = None  # coach.engine.Session, rebuilt, when status == "ok"

    @property
    def scenario_id(self) -> str:
        return self.attempt.scenario_id

    def message(self, lang: str = "en") -> str:
        sid, n = self.attempt.scenario_id, len(self.attempt.choices)
        zh = lang == "zh"
        if self.status == "ok":
            return (f"上次的练习「{sid}」没有完成（已答 {n} 步）。要从中断处继续吗？" if zh else
                    f"Your last session of '{sid}' was interrupted after {n} answers. Continue where you left off?")
        if self.status == "changed":
            return (f"场景「{sid}」的文件在你上次练习之后被修改过，无法接着上次继续；请重新开始。" if zh else
                    f"The scenario '{sid}' has changed since you started it, so your {n} answers no longer "
                    "fit it. Start it again instead.")
        return (f"找不到上次未完成的场景「{sid}」；这次尝试将被关闭。" if zh else
                f"The scenario '{sid}' of your interrupted session can no longer be found; that attempt is closed.")


def Locator(extra_dirs: tuple[Path, ...] = ()) -> Callable[[str], Path | None]:
    """Find a scenario file by id in the extra, bundled and user folders."""
    from coach.library import find_id

    return lambda sid: find_id(sid, extra_dirs)  # an id from the database, never a path


def offer_for(attempt: Unfinished, locate: Callable[[str], Path | None]) -> ResumeOffer:
    from coach.engine import Session, SessionOver
    from coach.scenario.loader import load_scenario

    path = locate(attempt.scenario_id)
    if path is None:
        return ResumeOffer(attempt, "missing")
    result = load_scenario(path)
    if result.scenario is None or not result.ok or result.scenario.id != attempt.scenario_id:
        return ResumeOffer(attempt, "missing", path)
    if result.sha256 != attempt.scenario_sha256:
        return ResumeOffer(attempt, "changed", path, result.scenario, result.sha256)
    try:
        session = Session.replay(result.scenario, attempt.choices)
    except (IndexError, SessionOver):
        return ResumeOffer(attempt, "changed", path, result.scenario, result.sha256)
    return ResumeOffer(attempt, "ok", path, result.scenario, result.sha256, session)


def offers(conn: sqlite3.Connection, teller_id: int, locate: Callable[[str], Path | None]) -> list[ResumeOffer]:
    """An offer for each of the teller's interrupted attempts, newest first."""
    return [offer_for(a, locate) for a in unfinished(conn, teller_id)]

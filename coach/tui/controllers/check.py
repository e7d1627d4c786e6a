"""The pre-shift check: assessment mode (no feedback until the end), time-boxed, every answer stored
the moment it is chosen (through the Outbox), then the verdict.

`CheckRun` is one check, in CoachApp (the `c` key, through `CheckController`) or on its own
(`coach check`, coach/tui/store_apps.py); CheckScreen and VerdictScreen only draw it and post what
the teller did. `done(verdict)` is told how it ended (None: ended early, without a verdict)."""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING, Callable

from coach.tui.controllers.link import outbox, watch_outbox
from coach.tui.controllers.stack import show_main

if TYPE_CHECKING:
    from coach import check
    from coach.tui.controllers.practice import PracticeController
    from coach.tui.controllers.session import SessionController
    from coach.tui.screens.check import CheckScreen


class CheckRun:
    def __init__(self, app, conn: sqlite3.Connection, teller: str, chosen: list[check.Candidate], *,
                 minutes: int | None = None, pass_mark: int | None = None, lang: str = "en",
                 library: list[check.Candidate] | None = None, clock: Callable[[], float] = time.monotonic,
                 seed: int | None = None, done: Callable[[check.Verdict | None], None]) -> None:
        from coach import check

        self.app, self.conn, self.teller = app, conn, teller
        self.chosen, self.lang = list(chosen), lang
        self.minutes = check.DEFAULT_MINUTES if minutes is None else minutes
        self.pass_mark = check.DEFAULT_PASS_MARK if pass_mark is None else pass_mark
        self.library = library if library is not None else list(chosen)
        self.clock, self.seed, self.done = clock, seed, done
        # the Outbox: a locked database or a full disk never freezes the check or loses an answer
        self.recorder = outbox(conn, teller)
        self.recorder.start_check(self.minutes, self.pass_mark)
        self.deadline = clock() + self.minutes * 60
        self.cards: list = []
        self.index = -1
        self.play: SessionController | None = None
        self.verdict: check.Verdict | None = None
        self.ended = False  # ended early, without a verdict
        self.screen: CheckScreen | None = None

    def begin(self) -> None:
        from coach.tui.screens.check import CheckScreen

        self.screen = CheckScreen(self.deadline, lang=self.lang, clock=self.clock)
        self._next_scenario()
        show_main(self.app, self.screen)
        watch_outbox(self.app, lambda: self.recorder, self.lang)  # on the app: it outlives the screen

    @property
    def over(self) -> bool:
        return self.verdict is not None or self.ended

    def _next_scenario(self) -> None:
        self.index += 1
        if self.index >= len(self.chosen):
            self._end()
            return
        from coach.tui.controllers.session import ASSESSMENT, SessionController

        cand = self.chosen[self.index]
        # assessment mode: choices shuffled, no feedback, no take-backs; the play records each answer
        self.play = SessionController(
            cand.scenario, sha256=cand.sha256, mode=ASSESSMENT, lang=self.lang, recorder=self.recorder,
            seed=None if self.seed is None else self.seed + self.index, clock=self.clock)
        self.screen.show_scenario(self.index, len(self.chosen), self.play)
        self.play.shown()

    # ---- what the teller did on the check screen ------------------------------------------------

    def choose(self, play: SessionController, position: int, turn: int) -> None:
        if self.over or play is not self.play or len(play.session.turns) != turn:  # a late message
            return
        play.choose(position)
        if play.session.finished:
            self._close_scenario()
            self._next_scenario()
        else:
            self.screen.show_step()
            play.shown()

    def time_up(self) -> None:
        if not self.over:
            self._end()

    def request_end(self) -> None:
        """Esc: ask first; a check ended early gives no verdict (it is not a "review")."""
        if self.over:
            return
        from coach.tui.screens.confirm_quit import ConfirmQuitScreen

        self.app.push_screen(ConfirmQuitScreen("end_check_q"), lambda yes: self._abandon() if yes else None)

    def close(self, verdict: check.Verdict) -> None:
        """The verdict was read."""
        self.done(verdict)

    # ---- ending -----------------------------------------------------------------------------------

    def _close_scenario(self) -> None:
        c = self.play
        if c is None:
            return
        if c.session.turns or c.session.finished:
            card = c.finish()
            card.pass_mark = self.pass_mark
            self.cards.append((self.chosen[self.index].id, card, c.session.finished))
        else:
            self.recorder.abandon(c.attempt_id)
        self.play = None

    def _abandon(self) -> None:
        if self.over:
            return
        self.ended = True
        c = self.play
        if c is not None and c.attempt_id is not None:
            self.recorder.abandon(c.attempt_id)  # its answers stay stored
        self.play = None
        self.recorder.abandon_check(self.recorder.check_id)
        self.done(None)

    def _end(self) -> None:
        if self.verdict is not None:
            return
        from coach import check
        from coach.tui.screens.check import VerdictScreen

        self._close_scenario()
        self.verdict = check.verdict(self.cards, self.pass_mark, self.library)
        self.recorder.finish_check(self.recorder.check_id, self.verdict)
        show_main(self.app, VerdictScreen(self.verdict, self.lang, due=self._due_items()))

    def _due_items(self) -> list[dict]:
        """The moments to review for this verdict, as `coach check` lists them; none rather than a
        crash when the history cannot be read now (the verdict is stored through the Outbox)."""
        from coach.review import due_for_verdict
        from coach.store.tellers import teller_id

        try:
            self.recorder.flush()  # this check's missed moments are review cards once written
            return due_for_verdict(self.conn, teller_id(self.conn, self.teller), self.verdict, self.library)
        except Exception:  # noqa: BLE001 - a list is not worth losing the verdict screen
            return []


class CheckController:
    """The check inside CoachApp: `c` on the library picks the scenarios, runs the check, and goes
    back to the library with the best scores and the due count brought up to date."""

    def __init__(self, app, practice: PracticeController) -> None:
        self.app, self.practice = app, practice
        self.run: CheckRun | None = None

    def start(self, minutes: int = 10, pass_mark: int = 80) -> None:
        app = self.app
        link = app.store
        if link is None or not link.teller:
            app.notify("The check needs a history database." if app.lang != "zh" else "自测需要练习记录数据库。",
                       severity="warning")
            return
        from coach import check
        from coach.store import queries
        from coach.store.tellers import teller_id

        library = [check.Candidate(e.scenario, e.path, e.sha256) for e in app.all_entries()
                   if e.ok and e.scenario is not None]
        if not library:
            return
        tid = teller_id(link.conn, link.teller)
        chosen = check.select(library, minutes, queries.principle_averages(link.conn, tid),
                              queries.last_practised(link.conn, tid))
        self.begin(link.conn, link.teller, chosen, minutes=minutes, pass_mark=pass_mark, library=library)

    def begin(self, conn: sqlite3.Connection, teller: str, chosen: list[check.Candidate], **kw) -> None:
        """Run a check of these scenarios now (`start` chose them)."""
        self.practice.drop_play()
        self.run = CheckRun(self.app, conn, teller, chosen, lang=self.app.lang, seed=self.app.seed,
                            done=self._done, **kw)
        self.run.begin()

    def _done(self, verdict: check.Verdict | None) -> None:
        app = self.app
        self.run = None
        link = app.store
        if link is not None:
            app.best_scores.update(link.best_scores())
            if link.background is not None:
                link.background.kick()  # the check's attempts and verdict go to the central store too
        self.practice.show_library()  # with the due count: the check's misses are review items now

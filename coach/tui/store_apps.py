"""Small hosts for the store's screens: the History screen on its own, and the pre-shift check
(`coach check` without --auto/--answers). The main CoachApp shows the same screens, driven by the
same controllers (coach/tui/controllers/check.py, store.py)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import TYPE_CHECKING

from textual.binding import Binding

from coach import check
from coach.store import queries
from coach.tui.controllers.check import CheckRun
from coach.tui.controllers.store import history_screen
from coach.tui.layout import FittedApp
from coach.tui.screens.teller import TellerScreen
from coach.tui.signals import exit_on_signals

if TYPE_CHECKING:
    from coach.tui.screens.check import CheckScreen, VerdictScreen


class HistoryApp(FittedApp):
    TITLE = "coach"

    def __init__(self, conn: sqlite3.Connection, teller: str, lang: str = "en", library=None) -> None:
        super().__init__()
        self.conn, self.teller, self.lang, self.library = conn, teller, lang, library

    def on_mount(self) -> None:
        exit_on_signals(self)
        self.push_screen(history_screen(self.conn, self.teller, self.lang, self.library))


class CheckApp(FittedApp):
    """Asks for the teller if needed, then runs the check; exits with the Verdict (or None)."""

    TITLE = "coach check"
    BINDINGS = [Binding("question_mark,f1", "help", "Help", show=False)]

    def __init__(self, conn: sqlite3.Connection, teller: str | None, library: list[check.Candidate], *,
                 minutes: int = check.DEFAULT_MINUTES, pass_mark: int = check.DEFAULT_PASS_MARK,
                 lang: str = "en", chosen: list[check.Candidate] | None = None, clock=None,
                 seed: int | None = None) -> None:
        super().__init__()
        self.conn, self.teller, self.library = conn, teller, library
        self.minutes, self.pass_mark, self.lang = minutes, pass_mark, lang
        self.chosen, self.clock, self.seed = chosen, clock, seed
        self.check_run: CheckRun | None = None

    def on_mount(self) -> None:
        exit_on_signals(self)
        if self.teller:
            self._start(self.teller)
        else:
            from coach.store.tellers import tellers

            self.push_screen(TellerScreen(tellers(self.conn), self.lang), self._start)

    def action_help(self) -> None:
        from coach.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen(getattr(self.screen, "HELP", "check")))

    def _start(self, name: str | None) -> None:
        if not name:
            self.exit(None)
            return
        from coach.store.tellers import teller_id

        self.teller = name
        tid = teller_id(self.conn, name)
        chosen = self.chosen or check.select(self.library, self.minutes,
                                             queries.principle_averages(self.conn, tid),
                                             queries.last_practised(self.conn, tid))
        kwargs = {"clock": self.clock} if self.clock else {}
        self.check_run = CheckRun(self, self.conn, name, chosen, minutes=self.minutes, pass_mark=self.pass_mark,
                            lang=self.lang, library=self.library, seed=self.seed, done=self.exit, **kwargs)
        self.check_run.begin()

    # what the check's screens post, to the run
    def on_check_screen_chosen(self, message: CheckScreen.Chosen) -> None:
        self.check_run.choose(message.play, message.position, message.turn)

    def on_check_screen_time_up(self, message: CheckScreen.TimeUp) -> None:
        self.check_run.time_up()

    def on_check_screen_end_requested(self, message: CheckScreen.EndRequested) -> None:
        self.check_run.request_end()

    def on_verdict_screen_closed(self, message: VerdictScreen.Closed) -> None:
        self.check_run.close(message.verdict)


def run_check(args: argparse.Namespace, conn: sqlite3.Connection, teller: str | None,
              library: list[check.Candidate]) -> int:
    chosen = None
    if getattr(args, "scenarios", None):
        by_id = {c.id: c for c in library}
        chosen = [by_id[s] for s in dict.fromkeys(x.strip() for x in args.scenarios.split(",")) if s in by_id]
    app = CheckApp(conn, teller, library, minutes=args.minutes, pass_mark=args.pass_mark, lang=args.lang,
                   chosen=chosen or None)
    from coach.tui import launch

    verdict = launch.run(app, "coach check")
    if verdict is None:
        if app.return_code:  # stopped by a signal (coach/tui/signals.py)
            return int(app.return_code)
        print("coach check: ended without a verdict; your answers are kept.", file=sys.stderr)
        return 1
    print("\n".join(verdict.lines(args.lang)))
    return 0 if verdict.ready else 3

"""The TUI's link to the history store: the teller, the Outbox every answer goes through, and what
the library shows from the store (best scores, the due count, the sync line).

`coach run` calls `add_store_arguments` and `open_store`; CoachApp gets the link (`store`) and its
`recorder`; the controllers read and write through it. Everything is optional: without a link the
app runs as before (nothing stored).
"""

from __future__ import annotations

import argparse
import atexit
import sqlite3
import sys
from typing import TYPE_CHECKING

from coach.store import queries
from coach.store.db import BrokenDatabase, StoreError, connect, default_path, move_aside
from coach.store.write_queue import Outbox
from coach.store.tellers import clean_name, find_teller, teller_id, tellers

if TYPE_CHECKING:
    from coach.scenario.markers import ReplyCheck


def add_store_arguments(p: argparse.ArgumentParser) -> None:
    from coach.store.cli_support import add_db_arguments

    p.add_argument("--teller", metavar="NAME", help="who is practising (skips the name prompt)")
    p.add_argument("--ask-teller", action="store_true",
                   help="always ask who is practising, even if one teller is known (a shared PC; coach serve)")
    add_db_arguments(p)


def outbox(conn: sqlite3.Connection, teller: str) -> Outbox:
    """An Outbox for the app: writes never freeze or crash the UI (a locked database, a full disk);
    what is still unwritten at exit gets a last try and, failing that, a line on stderr."""
    box = Outbox.for_connection(conn, teller)
    atexit.register(_close_at_exit, box)
    return box


def _close_at_exit(box: Outbox) -> None:
    left = box.close()
    if left:
        print(f"coach: {left} answer(s) or result(s) could not be saved to {box.path}: {box.problem} "
              "They are lost; free the disk or close the other program before practising again.",
              file=sys.stderr)


def watch_outbox(node, get_box, lang: str = "en") -> None:
    """Every second, say on screen (quietly, once per change) when answers wait to be saved."""
    from coach.store.write_queue import message

    seen = {"pending": False}

    def check() -> None:
        box = get_box()
        if box is None:
            return
        pending, problem = box.status()
        if pending and problem is not None and not seen["pending"]:
            seen["pending"] = True
            node.app.notify(message(problem, pending, lang), severity="warning", timeout=8)
        elif not pending and seen["pending"]:
            seen["pending"] = False
            node.app.notify(message(None, 0, lang), timeout=4)

    node.set_interval(1.0, check)


class TellerRecorder:
    """The Recorder protocol, bound to a teller once one is known (the name screen may come first)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._rec: Outbox | None = None
        self.after_finish = None  # called after each finished attempt (the background sync)

    @property
    def bound(self) -> bool:
        return self._rec is not None

    def bind(self, name: str) -> None:
        self._rec = outbox(self.conn, name)

    @property
    def inner(self) -> Outbox:
        if self._rec is None:
            raise StoreError("no teller chosen yet")
        return self._rec

    def start(self, scenario, sha256: str, mode: str, lang: str) -> int:
        return self.inner.start(scenario, sha256, mode, lang)

    def answer(self, attempt_id: int, turn, seconds: float | None = None) -> int:
        return self.inner.answer(attempt_id, turn, seconds)

    def undo(self, attempt_id: int) -> None:
        self.inner.undo(attempt_id)

    def finish(self, attempt_id: int, scorecard) -> None:
        self.inner.finish(attempt_id, scorecard)
        if self.after_finish is not None:
            self.after_finish()  # the background sync: returns at once

    def abandon(self, attempt_id: int) -> None:
        self.inner.abandon(attempt_id)


class StoreLink:
    def __init__(self, conn: sqlite3.Connection, teller: str | None, path=None) -> None:
        self.conn = conn
        self.teller = teller
        self.path = path
        self.recorder = TellerRecorder(conn)
        self.background = None  # a coach.central.background.BackgroundSync when COACH_CENTRAL is set
        if teller:
            self.recorder.bind(teller)

    def start_background_sync(self, on_done=None) -> None:
        """With COACH_CENTRAL set, sync after each finished attempt (and once now), off the UI thread."""
        import os

        if self.path is None or not os.environ.get("COACH_CENTRAL"):
            return
        from coach.central.background import BackgroundSync

        self.background = BackgroundSync.from_env(self.path, on_done)
        if self.background is not None:
            self.recorder.after_finish = self.background.kick
            self.background.kick()

    def bind(self, name: str) -> None:
        self.teller = name
        self.recorder.bind(name)

    def known_teller(self) -> int | None:
        """The teller's row id, or None while they have none yet. Reading only: a new teller's row
        is written with their first answer, through the Outbox, so a name typed while another
        program holds the database's write lock never waits for it (15 s) on the UI thread."""
        if not self.teller:
            return None
        try:
            return find_teller(self.conn, self.teller)
        except StoreError:
            return None

    def best_scores(self) -> dict[str, tuple[int, int]]:
        tid = self.known_teller()
        return {} if tid is None else queries.best_and_last(self.conn, tid)

    def count_due(self) -> int | None:
        """How many review items are due now (None when that cannot be read: a count is not worth
        a crash; the review itself reports problems)."""
        if not self.teller:
            return None
        from coach.store import review as cards

        try:
            tid = self.known_teller()  # a teller with no row yet has nothing due (and writes nothing here)
            return 0 if tid is None else cards.count_due(self.conn, tid)
        except Exception:
            return None

    def sync_lines(self) -> dict[str, str]:
        """The library's quiet line about the central sync, by language ({} or '' when all is well
        or sync is off)."""
        if self.background is None:
            return {}
        from coach.central.background import status_line
        from coach.tui.i18n import LANGS

        try:
            return {lang: status_line(self.conn, lang) for lang in LANGS}
        except sqlite3.Error:
            return {}

    def close_open_checks(self) -> None:
        """A check that never got its verdict (closed terminal, full disk) is ended without one:
        history and reports show it as "abandoned". Through the Outbox: a locked database never
        freezes the start."""
        if self.recorder.bound:
            self.recorder.inner.close_open_checks()

    def save_practice_reply(self, scenario, sha256: str, step_id: str, lang: str, text: str,
                            check: "ReplyCheck", rating: int, attempt_id) -> None:
        """A reply typed during practice: stored with the attempt; the self-rating feeds the step's
        review card (created when the teller rates themselves Again or Hard)."""
        if not self.teller:
            return
        from coach.store import review as cards

        tid = teller_id(self.conn, self.teller)
        card_id = cards.card_for(self.conn, tid, scenario.id, step_id)
        if card_id is None and rating <= cards.HARD:
            step = scenario.steps[step_id]
            card_id = cards.create_card(self.conn, tid, scenario.id, sha256, step_id, step.fingerprint(),
                                        attempt_id if isinstance(attempt_id, int) else None)
        if card_id is not None:
            cards.review(self.conn, card_id, rating, how="typed")
        cards.save_reply(self.conn, tid, scenario.id, step_id, lang, text, check.to_dict(), rating,
                         attempt_id=attempt_id if isinstance(attempt_id, int) else None, card_id=card_id)


def open_store(args: argparse.Namespace, lang: str = "en") -> StoreLink | int:
    """The link for CoachApp, or an exit code after a plain message."""
    prog = "coach run"
    name = getattr(args, "teller", None)
    if name is not None:
        try:
            name = clean_name(name)
        except StoreError as exc:
            print(f"{prog}: --teller: {exc}", file=sys.stderr)
            return 2
    path = default_path(getattr(args, "db", None))
    try:
        conn = connect(path, verify=bool(getattr(args, "yes", False)))
    except BrokenDatabase as exc:
        agreed = bool(getattr(args, "yes", False))
        if not agreed and sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty():  # <&- : None
            from coach.tui.screens.broken import confirm_fresh_history

            agreed = confirm_fresh_history(exc, lang)
        if not agreed:
            print(f"{prog}: {exc}\n{prog}: nothing was changed. Run again with --yes to move it aside "
                  "and start a fresh history, or use another file with --db.", file=sys.stderr)
            return 1
        try:
            moved = move_aside(path)
            print(f"{prog}: {exc} Moved it to {moved}; starting a fresh history.", file=sys.stderr)
            conn = connect(path)
        except (StoreError, OSError) as again:
            print(f"{prog}: {again}", file=sys.stderr)
            return 1
    except StoreError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    if name is None and not getattr(args, "ask_teller", False):
        known = tellers(conn)
        if len(known) == 1:
            name = known[0]  # one teller on this workstation: no need to ask
    return StoreLink(conn, name, path)

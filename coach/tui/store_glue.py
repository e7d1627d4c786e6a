"""The history store inside CoachApp: teller, resume, History and the pre-shift check.

`coach run` calls `add_store_arguments` and `open_store`; CoachApp gets the link's `recorder` and
`best_scores`, calls `on_app_mount(app)` once it shows the library, and its `h` / `c` keys call
`show_history(app)` / `start_check(app)`. Everything here is optional: without a link the app runs
as before (nothing stored).
"""

from __future__ import annotations

import argparse
import atexit
import sqlite3
import sys
from typing import TYPE_CHECKING, Any

from coach.store import queries
from coach.store.db import BrokenDatabase, StoreError, connect, default_path, move_aside
from coach.store.write_queue import Outbox
from coach.store.tellers import clean_name, find_teller, teller_id, tellers

if TYPE_CHECKING:
    from coach.tui.app import CoachApp


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


# ---- inside the app ---------------------------------------------------------------------------

def sync_line(app: "CoachApp") -> str:
    """The library's quiet line about the central sync ('' when all is well or sync is off)."""
    link: StoreLink | None = getattr(app, "store", None)
    if link is None or link.background is None:
        return ""
    from coach.central.background import status_line

    try:
        return status_line(link.conn, app.lang)
    except sqlite3.Error:
        return ""


def on_app_mount(app: "CoachApp") -> None:
    """Ask for the teller if needed, then offer to resume an interrupted session."""
    link: StoreLink | None = getattr(app, "store", None)
    if link is None:
        return

    def synced() -> None:
        try:
            app.call_from_thread(_refresh_library, app)
        except Exception:  # noqa: BLE001 - the app has closed: nothing to redraw
            pass

    link.start_background_sync(synced)
    watch_outbox(app, lambda: link.recorder._rec, app.lang)
    if link.teller:
        _after_teller(app, link)
        return
    from coach.tui.screens.teller import TellerScreen

    def chosen(name: str | None) -> None:
        if not name:
            app.exit(0)
            return
        link.bind(name)
        _after_teller(app, link)

    app.push_screen(TellerScreen(tellers(link.conn), app.lang), chosen)


def _refresh_library(app: "CoachApp") -> None:
    for screen in app.screen_stack:
        fill = getattr(screen, "fill", None)
        if fill is not None and type(screen).__name__ == "LibraryScreen" and screen.is_mounted:
            try:
                fill()
            except Exception:  # not composed yet: it reads app.best_scores when it mounts
                pass


def _after_teller(app: "CoachApp", link: StoreLink) -> None:
    app.best_scores.update(link.best_scores())
    from coach.tui import review_glue

    review_glue.count_due(app)
    _refresh_library(app)
    app.after_first_paint(lambda: _close_interrupted_checks(link))  # housekeeping: nothing on screen
    if getattr(app, "open_review", False):
        review_glue.start_review(app)
        return
    tid = link.known_teller()
    pending = [] if tid is None else queries.unfinished(link.conn, tid)
    for attempt in pending[1:]:  # only the newest is offered; older ones are closed
        link.recorder.abandon(attempt.id)
    if not pending:
        return
    attempt = pending[0]
    if attempt.check_id is not None:  # a timed check cannot be resumed; its time is over
        link.recorder.abandon(attempt.id)
        return
    # The offer needs the library (which file has that id): built after the first paint, in a worker.
    app.when_catalog_ready(lambda found: _offer_resume(app, link, attempt, found))


def _offer_resume(app: "CoachApp", link: StoreLink, attempt, found) -> None:
    from coach.store.resume import offer_for

    entries = {e.id: e for e in found if e.ok}
    offer = offer_for(attempt, lambda sid: entries[sid].path if sid in entries else None)
    from coach.tui.screens.resume import ResumeScreen

    def answered(go_on: bool | None) -> None:
        entry = entries.get(attempt.scenario_id)
        if go_on and offer.status == "ok" and entry is not None:
            resume(app, entry, offer)
            return
        link.recorder.abandon(attempt.id)
        if offer.status == "changed" and entry is not None:
            app.show_briefing(entry)  # restart it instead

    app.push_screen(ResumeScreen(offer, app.lang), answered)


def _close_interrupted_checks(link: StoreLink) -> None:
    """A check that never got its verdict (closed terminal, full disk) is ended without one:
    history and reports show it as "abandoned". Through the Outbox: a locked database never
    freezes the start."""
    if link.recorder.bound:
        link.recorder.inner.close_open_checks()


def resume(app: "CoachApp", entry, offer) -> None:
    """Continue the interrupted attempt at its exact step, with the same scorecard."""
    from coach.tui.controllers.session import SessionController
    from coach.tui.screens.conversation import ConversationScreen

    mode = offer.attempt.mode
    # the offer loaded the file now and replayed the answers on it: play exactly that
    app.controller = SessionController(offer.scenario, sha256=offer.sha256, mode=mode, lang=app.lang,
                                       recorder=app.recorder, session=offer.session,
                                       attempt_id=offer.attempt.id)
    app._main(app.kept_screen(ConversationScreen, entry, app.controller))


def show_history(app: "CoachApp") -> None:
    link: StoreLink | None = getattr(app, "store", None)
    if link is None or not link.teller:
        app.notify("No history: coach was started without a history database." if app.lang != "zh"
                   else "没有练习记录数据库。", severity="warning")
        return
    from coach.tui.screens.history import HistoryScreen

    library = {e.id: e.summary for e in app.all_entries() if e.ok}  # titles and focus: no need to load
    app.push_screen(HistoryScreen(link.conn, link.teller, app.lang, library))


def start_check(app: "CoachApp", minutes: int = 10, pass_mark: int = 80) -> None:
    link: StoreLink | None = getattr(app, "store", None)
    if link is None or not link.teller:
        app.notify("The check needs a history database." if app.lang != "zh" else "自测需要练习记录数据库。",
                   severity="warning")
        return
    from coach import check
    from coach.tui.screens.check import CheckScreen

    library = [check.Candidate(e.scenario, e.path, e.sha256) for e in app.all_entries()
               if e.ok and e.scenario is not None]
    if not library:
        return
    tid = teller_id(link.conn, link.teller)
    chosen = check.select(library, minutes, queries.principle_averages(link.conn, tid),
                          queries.last_practised(link.conn, tid))
    app.controller = None
    app._main(CheckScreen(link.conn, link.teller, chosen, minutes=minutes, pass_mark=pass_mark,
                          lang=app.lang, library=library, seed=getattr(app, "seed", None)))


def after_check(app: "CoachApp", verdict: Any) -> None:
    app.best_scores.update(app.store.best_scores()) if getattr(app, "store", None) else None
    from coach.tui import review_glue

    review_glue.count_due(app)  # the check's misses are review items now
    background = getattr(getattr(app, "store", None), "background", None)
    if background is not None:
        background.kick()  # the check's attempts and verdict go to the central store too
    app.show_library()

"""The history store inside CoachApp, at start and on `h`: who is practising (asked when not known),
the session they left unfinished (offered to resume) or, for `coach review`, the due items; the
background sync's line on the library; and the History screen."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from coach.store import queries
from coach.store.tellers import find_teller, tellers
from coach.tui.controllers.link import watch_outbox

if TYPE_CHECKING:
    from coach.tui.controllers.link import StoreLink
    from coach.tui.controllers.practice import PracticeController
    from coach.tui.controllers.review import ReviewController


def history_screen(conn: sqlite3.Connection, teller: str, lang: str, library=None):
    """The History screen of a teller, with what it shows read now."""
    from coach.tui.screens.history import SHOWN, HistoryScreen

    record = queries.teller_history(conn, find_teller(conn, teller), SHOWN)
    return HistoryScreen(teller, record, lang, library)


class StoreController:
    def __init__(self, app, practice: PracticeController, review: ReviewController) -> None:
        self.app, self.practice, self.review = app, practice, review

    def start(self) -> None:
        """Once the app is mounted: the background sync, the Outbox's warnings, then the teller."""
        app = self.app
        link: StoreLink | None = app.store
        if link is None:
            return

        def synced() -> None:
            try:
                app.call_from_thread(self._synced)
            except Exception:  # noqa: BLE001 - the app has closed: nothing to redraw
                pass

        link.start_background_sync(synced)
        watch_outbox(app, lambda: link.recorder._rec, app.lang)
        if link.teller:
            self._after_teller(link)
            return
        from coach.tui.screens.teller import TellerScreen

        def chosen(name: str | None) -> None:
            if not name:
                app.exit(0)
                return
            link.bind(name)
            self._after_teller(link)

        app.push_screen(TellerScreen(tellers(link.conn), app.lang), chosen)

    def _synced(self) -> None:
        self.app.sync_lines = self.app.store.sync_lines()
        self._refresh_library()

    def _refresh_library(self) -> None:
        for screen in self.app.screen_stack:
            fill = getattr(screen, "fill", None)
            if fill is not None and type(screen).__name__ == "LibraryScreen" and screen.is_mounted:
                try:
                    fill()
                except Exception:  # not composed yet: it reads app.best_scores when it mounts
                    pass

    def _after_teller(self, link: StoreLink) -> None:
        """Ask for the teller if needed, then offer to resume an interrupted session."""
        app = self.app
        app.best_scores.update(link.best_scores())
        app.review_due = link.count_due()
        app.sync_lines = link.sync_lines()
        self._refresh_library()
        app.after_first_paint(link.close_open_checks)  # housekeeping: nothing on screen
        if app.open_review:
            self.review.start()
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
        app.when_catalog_ready(lambda found: self._offer_resume(link, attempt, found))

    def _offer_resume(self, link: StoreLink, attempt, found) -> None:
        from coach.store.resume import offer_for
        from coach.tui.screens.resume import ResumeScreen

        entries = {e.id: e for e in found if e.ok}
        offer = offer_for(attempt, lambda sid: entries[sid].path if sid in entries else None)

        def answered(go_on: bool | None) -> None:
            entry = entries.get(attempt.scenario_id)
            if go_on and offer.status == "ok" and entry is not None:
                self.practice.resume(entry, offer)
                return
            link.recorder.abandon(attempt.id)
            if offer.status == "changed" and entry is not None:
                self.practice.show_briefing(entry)  # restart it instead

        self.app.push_screen(ResumeScreen(offer, self.app.lang), answered)

    def show_history(self) -> None:
        app = self.app
        link: StoreLink | None = app.store
        if link is None or not link.teller:
            app.notify("No history: coach was started without a history database." if app.lang != "zh"
                       else "没有练习记录数据库。", severity="warning")
            return
        library = {e.id: e.summary for e in app.all_entries() if e.ok}  # titles and focus: no need to load
        app.push_screen(history_screen(link.conn, link.teller, app.lang, library))

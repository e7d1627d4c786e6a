"""The history store inside CoachApp: teller, resume and History.

CoachApp calls `on_app_mount(app)` once it shows the library, and its `h` key calls
`show_history(app)`; the link itself (StoreLink, the Outbox, open_store) is coach/tui/controllers/
link.py, the check coach/tui/controllers/check.py. Without a link the app runs as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coach.store import queries
from coach.store.tellers import tellers
from coach.tui.controllers.link import StoreLink, watch_outbox

if TYPE_CHECKING:
    from coach.tui.app import CoachApp


# ---- inside the app ---------------------------------------------------------------------------

def on_app_mount(app: "CoachApp") -> None:
    """Ask for the teller if needed, then offer to resume an interrupted session."""
    link: StoreLink | None = getattr(app, "store", None)
    if link is None:
        return

    def synced() -> None:
        try:
            app.call_from_thread(_synced, app, link)
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


def _synced(app: "CoachApp", link: StoreLink) -> None:
    app.sync_lines = link.sync_lines()
    _refresh_library(app)


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
    app.review_due = link.count_due()
    app.sync_lines = link.sync_lines()
    _refresh_library(app)
    app.after_first_paint(lambda: _close_interrupted_checks(link))  # housekeeping: nothing on screen
    if getattr(app, "open_review", False):
        app.review.start()
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
            app.practice.resume(entry, offer)
            return
        link.recorder.abandon(attempt.id)
        if offer.status == "changed" and entry is not None:
            app.practice.show_briefing(entry)  # restart it instead

    app.push_screen(ResumeScreen(offer, app.lang), answered)


def _close_interrupted_checks(link: StoreLink) -> None:
    """A check that never got its verdict (closed terminal, full disk) is ended without one:
    history and reports show it as "abandoned". Through the Outbox: a locked database never
    freezes the start."""
    if link.recorder.bound:
        link.recorder.inner.close_open_checks()


def show_history(app: "CoachApp") -> None:
    link: StoreLink | None = getattr(app, "store", None)
    if link is None or not link.teller:
        app.notify("No history: coach was started without a history database." if app.lang != "zh"
                   else "没有练习记录数据库。", severity="warning")
        return
    from coach.tui.screens.history import HistoryScreen

    library = {e.id: e.summary for e in app.all_entries() if e.ok}  # titles and focus: no need to load
    app.push_screen(HistoryScreen(link.conn, link.teller, app.lang, library))

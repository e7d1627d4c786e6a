"""CoachApp: the teller's coach, from the scenario library to the debrief.

The app wires: it builds the controllers (coach/tui/controllers/) and routes each screen's messages
and each global key to one of them; they decide which screen comes next and talk to the store.
It also holds what the screens draw from (language, mode, the library's entries, best scores, the
due count), keeps screens for reuse (`kept_screen`) and checks the library in a worker. The history
store plugs in through optional arguments: `store` (a StoreLink), `recorder` (start/answer/undo/
finish, called only by the play) and `best_scores` ({scenario id: (best, last)}, shown in the library).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from textual import events
from textual.binding import Binding

from coach.tui import i18n
from coach.tui.catalog import Entry
from coach.tui.controllers.check import CheckController
from coach.tui.controllers.practice import PracticeController
from coach.tui.controllers.review import ReviewController
from coach.tui.controllers.session import ASSESSMENT, PRACTICE
from coach.tui.controllers.store import StoreController
from coach.tui.layout import FittedApp

if TYPE_CHECKING:  # the screens' messages are routed by handler name: no screen is imported at start-up
    from coach.tui.controllers.link import StoreLink
    from coach.tui.controllers.session import RecorderLike, SessionController
    from coach.tui.screens.briefing import BriefingScreen
    from coach.tui.screens.check import CheckScreen, VerdictScreen
    from coach.tui.screens.conversation import ConversationScreen
    from coach.tui.screens.debrief import DebriefScreen
    from coach.tui.screens.library import LibraryScreen
    from coach.tui.screens.review import ReviewScreen


class _Stopped(Exception):
    """The catalog worker was cancelled (the app is closing)."""


def _palette():
    """The command palette's provider, imported when the palette first opens (start-up cost)."""
    from coach.tui.palette import CoachCommands

    return CoachCommands


class CoachApp(FittedApp[int]):
    TITLE = "coach"
    CSS_PATH = str(Path(__file__).with_name("coach.tcss"))  # absolute: subclasses live elsewhere
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = FittedApp.COMMANDS | {_palette}
    BINDINGS = [
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
        Binding("ctrl+c", "request_quit", "Quit", show=False, priority=True),
        Binding("f1", "help", "Help", show=False, priority=True),
        Binding("question_mark", "help", "Help", show=False),
        Binding("f2", "switch_lang", "Language", show=False, priority=True),
        Binding("h", "history", "History", show=False),  # from the library (coach/tui/controllers/store.py)
        Binding("c", "check", "Pre-shift check", show=False),
        Binding("r", "review", "Review", show=False),  # due review items (coach/tui/controllers/review.py)
    ]

    def __init__(self, entries: list[Entry] | None = None, *, lang: str = "en", assess: bool = False,
                 start: Entry | None = None, extra_dirs: Iterable[Path] = (),
                 recorder: RecorderLike | None = None,
                 best_scores: dict[str, tuple[int, int]] | None = None, seed: int | None = None,
                 bundled: bool = True, user: bool = True, store: Any = None, open_review: bool = False) -> None:
        super().__init__()
        self.entries = entries
        self.lang = lang if lang in i18n.LANGS else "en"
        self.mode = ASSESSMENT if assess else PRACTICE
        self.start_entry = start
        self.extra_dirs = list(extra_dirs)
        self.store: StoreLink | None = store  # teller, resume, history, check
        self.recorder = recorder if recorder is not None or store is None else store.recorder
        self.best_scores = dict(best_scores or {})
        self.seed = seed
        self._bundled, self._user = bundled, user
        self.open_review = open_review  # `coach review`: straight to the due items
        self.review_due: int | None = None  # shown on the library when a teller is known
        self.sync_lines: dict[str, str] = {}  # the central sync's line on the library, by language
        self._hay: list[str] | None = None
        self._library_screen = None
        self._paths = None  # the library's files, when listed already
        self._catalog_worker = None
        self._catalog_waiting: list = []
        self._first_screen_up = False
        self._after_first_screen: list = []
        from coach.tui.quiet_gc import QuietCollector

        self.collector = QuietCollector()
        self.practice = PracticeController(self)
        self.review = ReviewController(self, self.practice)
        self.checks = CheckController(self, self.practice)
        self.store_flow = StoreController(self, self.practice, self.review)

    @property
    def controller(self) -> SessionController | None:
        """The play under way (None between plays)."""
        return self.practice.play

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self.collector.input()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.collector.stop()

    # ---- flow -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        from coach.tui.signals import exit_on_signals

        exit_on_signals(self)  # SIGTERM/SIGHUP/SIGQUIT: restore the terminal, keep the answers
        self.collector.start()  # full garbage collections while the teller reads, not mid-key
        self.set_interval(0.25, self.collector.idle_tick, name="quiet-gc")
        self.store_flow.start()  # the teller, then an interrupted session to resume
        self.call_after_refresh(self._after_first_paint)

    def get_default_screen(self):
        """The first screen (the briefing of `coach run FILE`, else the library) is the bottom of
        the stack itself: no empty default screen is composed, styled and drawn under it first."""
        return self.practice.first_screen()

    def after_first_paint(self, callback) -> None:
        """Call `callback()` once the first screen is up and complete (the library listed, when it
        is the first screen): work the teller does not see waits instead of delaying what they
        see (the UI thread's work slows the catalog worker too). Now, if that time has come."""
        if self._first_screen_up:
            callback()
        else:
            self._after_first_screen.append(callback)

    def _after_first_paint(self) -> None:
        from coach.tui import quiet_gc

        quiet_gc.release()  # held by `coach run` until now
        if self.start_entry is None:  # once the listed library is drawn too
            self.when_catalog_ready(lambda _: self.call_after_refresh(self._first_screen_done))
        else:
            self._first_screen_done()

    def _first_screen_done(self) -> None:
        self._first_screen_up = True
        waiting, self._after_first_screen = self._after_first_screen, []
        for callback in waiting:
            callback()
        self._warm_up()

    # Modules the next key presses need, imported in a thread once the first screen is up (and the
    # library checked), so the first press of each key does not pay for them.
    WARM = ("coach.scenario.loader", "coach.engine", "coach.store.writes", "coach.tui.controllers.session",
            "coach.tui.screens.briefing", "coach.tui.screens.conversation", "coach.tui.screens.feedback",
            "coach.tui.screens.debrief", "coach.tui.screens.confirm_quit", "coach.tui.screens.help")

    def _warm_up(self) -> None:
        def work() -> None:
            import importlib

            entries = self.entries
            if entries and self._hay is None:  # the library's search index first
                from coach.tui.screens.library import haystack

                self.call_from_thread(self._hay_ready, entries, [haystack(e) for e in entries])
            for name in self.WARM:
                importlib.import_module(name)

        self.run_worker(work, name="warm-up", group="warm-up", thread=True, exit_on_error=False)

    def kept_screen(self, kind, *args):
        """The one instance of a screen kind, given `args` (what its constructor takes).

        Composing, mounting and styling a screen's widgets is most of a screen change's cost
        (~45 ms for the conversation); an installed screen is kept when it is left, so showing it
        again only redraws its text (`reuse(*args)`): ~15 ms. See docs/performance.md."""
        name = "kept-" + kind.__name__
        if self.is_screen_installed(name):
            screen = self.get_screen(name)
            screen.reuse(*args)
            return screen
        screen = kind(*args)
        self.install_screen(screen, name=name)
        return screen

    def library_screen(self):
        """The one library screen: installed, so leaving it keeps it (search, cursor) and coming back
        does not build it again (a key press that changes screen stays cheap)."""
        if self._library_screen is not None:
            return self._library_screen
        from coach.tui.screens.library import LibraryScreen

        if self.entries is None:
            from coach.tui import catalog

            # A small library the cache knows unchanged is drawn in the first frame; any other is
            # shown at once and its rows arrive from a worker, with progress (load_catalog).
            self._paths = catalog.files(self.extra_dirs, bundled=self._bundled, user=self._user)
            self.entries = catalog.build_cached(self._paths)
        if self.entries is None:
            self.load_catalog()
            screen = LibraryScreen(None)
        else:
            screen = LibraryScreen(self.entries, self._hay)
        self._library_screen = screen
        self.install_screen(screen, name="library")
        return screen

    # ---- the catalog, checked after the first paint, off the UI thread ------------------------

    def load_catalog(self) -> None:
        if self.entries is not None or self._catalog_worker is not None:
            return
        self._catalog_worker = self.run_worker(self._build_catalog, name="catalog", group="catalog",
                                               thread=True, exit_on_error=False)

    def _build_catalog(self) -> None:
        """In a thread: every file through the validation cache, with progress for the library."""
        import time

        from coach.tui import catalog, quiet_gc

        from textual.worker import get_current_worker

        worker = get_current_worker()
        last = started = time.monotonic()
        shown = False
        first: tuple[float, int] | None = None  # (time, done) at the first file: the pace since then
        pause = quiet_gc.Pause()  # a warm library's records all live on: no collections meanwhile

        def progress(done: int, total: int) -> None:
            nonlocal last, shown, first
            if worker.is_cancelled:  # the app is closing: stop checking files
                raise _Stopped
            now = time.monotonic()
            if now - started > 0.5:  # files are being validated: their garbage wants collecting
                pause.end()
            if first is None:  # after the cache was read: the pace of the files themselves
                first = (now, done)
                return
            # Ten updates a second at most, and only while what is left looks like taking over
            # 0.3 s at the pace so far: a warm library (3,000 files in ~0.15 s) is listed without
            # a progress bar it would only flash, and without the frames that draw it.
            if now - last < 0.1:
                return
            pace = (done - first[1]) / max(now - first[0], 1e-6)  # files a second
            if shown or (total - done) > 0.3 * pace:
                last, shown = now, True
                self.call_from_thread(self._catalog_progress, done, total)

        try:
            with pause:
                entries = catalog.build(self.extra_dirs, bundled=self._bundled, user=self._user,
                                        progress=progress, paths=self._paths)
        except _Stopped:
            return
        except Exception as exc:  # never a traceback: an empty library and a message
            entries = []
            self.call_from_thread(self.notify, f"{type(exc).__name__}: {exc}", severity="error", markup=False)
        # The search index is built by the warm-up after the list is on screen (a search before it
        # builds its own): computed here it would hold the GIL while the list is drawn.
        self.call_from_thread(self._catalog_ready, entries)

    def _library_screens(self):
        found = [s for s in self.screen_stack if type(s).__name__ == "LibraryScreen"]
        if self._library_screen is not None and self._library_screen not in found:
            found.append(self._library_screen)  # installed, not shown now
        return found

    def _catalog_progress(self, done: int, total: int) -> None:
        for screen in self._library_screens():
            screen.show_progress(done, total)

    def _hay_ready(self, entries: list[Entry], hay: list[str]) -> None:
        if entries is self.entries:
            self._hay = hay
            for screen in self._library_screens():
                screen.set_hay(entries, hay)

    def _catalog_ready(self, entries: list[Entry]) -> None:
        if self.entries is None:
            self.entries = entries
        for screen in self._library_screens():
            if screen.pending:
                screen.set_entries(self.entries, self._hay)
        waiting, self._catalog_waiting = self._catalog_waiting, []
        for callback in waiting:
            callback(self.entries)

    def when_catalog_ready(self, callback) -> None:
        """Call `callback(entries)` once the catalog is built (now, if it is)."""
        if self.entries is not None:
            callback(self.entries)
            return
        self._catalog_waiting.append(callback)
        self.load_catalog()

    # ---- what the screens post, to the controller that decides --------------------------------

    def on_library_screen_picked(self, message: LibraryScreen.Picked) -> None:
        self.practice.show_briefing(message.entry)

    def on_briefing_screen_begin(self, message: BriefingScreen.Begin) -> None:
        self.practice.start_session(message.entry)

    def on_briefing_screen_back(self, message: BriefingScreen.Back) -> None:
        self.practice.show_library()

    def on_conversation_screen_chosen(self, message: ConversationScreen.Chosen) -> None:
        self.practice.choose(message.play, message.position, message.turn)

    def on_conversation_screen_take_back(self, message: ConversationScreen.TakeBack) -> None:
        self.practice.take_back(message.play)

    def on_conversation_screen_say(self, message: ConversationScreen.Say) -> None:
        self.practice.say(message.play)

    def on_debrief_screen_retry(self, message: DebriefScreen.Retry) -> None:
        self.practice.start_session(message.entry)

    def on_debrief_screen_to_library(self, message: DebriefScreen.ToLibrary) -> None:
        self.practice.show_library()

    def on_review_screen_chosen(self, message: ReviewScreen.Chosen) -> None:
        self.review.choose(message.item, message.position, message.seconds)

    def on_review_screen_say(self, message: ReviewScreen.Say) -> None:
        self.review.say(message.item)

    def on_review_screen_done(self, message: ReviewScreen.Done) -> None:
        self.review.done()

    def on_check_screen_chosen(self, message: CheckScreen.Chosen) -> None:
        if self.checks.run is not None:
            self.checks.run.choose(message.play, message.position, message.turn)

    def on_check_screen_time_up(self, message: CheckScreen.TimeUp) -> None:
        if self.checks.run is not None:
            self.checks.run.time_up()

    def on_check_screen_end_requested(self, message: CheckScreen.EndRequested) -> None:
        if self.checks.run is not None:
            self.checks.run.request_end()

    def on_verdict_screen_closed(self, message: VerdictScreen.Closed) -> None:
        if self.checks.run is not None:
            self.checks.run.close(message.verdict)

    # ---- actions ----------------------------------------------------------------------------

    def action_request_quit(self) -> None:
        self.practice.request_quit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("history", "check", "review"):
            return type(self.screen).__name__ == "LibraryScreen"
        return True

    def action_history(self) -> None:
        self.store_flow.show_history()

    def action_check(self) -> None:
        self.checks.start()

    def action_review(self) -> None:
        self.review.start()

    def action_help(self) -> None:
        from coach.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(self.kept_screen(HelpScreen, getattr(self.screen, "HELP", "library")))

    def action_switch_lang(self) -> None:
        self.set_lang(i18n.other(self.lang))

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        if self.controller is not None:
            self.controller.lang = lang
        for screen in self.screen_stack:
            relang = getattr(screen, "relang", None)
            if relang is not None:
                relang()

    def action_switch_mode(self) -> None:
        self.set_mode(PRACTICE if self.mode == ASSESSMENT else ASSESSMENT)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        name = i18n.t("mode_name_assess" if mode == ASSESSMENT else "mode_name_practice", self.lang)
        self.notify(i18n.t("mode_now", self.lang, m=name), timeout=2)
        for screen in self.screen_stack:
            relang = getattr(screen, "relang", None)
            if relang is not None:
                relang()

    def open_scenario(self, entry: Entry) -> None:
        """Jump to a scenario's briefing (command palette); asks first in the middle of a session."""
        self.practice.open_scenario(entry)

    def action_library(self) -> None:
        self.practice.request_library()

    def request_library(self) -> None:
        self.practice.request_library()

    def all_entries(self) -> list[Entry]:
        if self.entries is None:
            from coach.tui import catalog

            self.entries = catalog.build(self.extra_dirs, bundled=self._bundled, user=self._user)
        return self.entries

    def t(self, key: str, **kw: Any) -> str:
        return i18n.t(key, self.lang, **kw)

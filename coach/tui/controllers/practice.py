"""The practice flow: library -> briefing -> conversation -> feedback -> debrief, and back.

It owns the play under way (a SessionController), decides which screen comes after each thing the
teller does on those screens (their messages, routed here by CoachApp), asks before a play is left
unfinished, and resumes an interrupted one. Screens are the app's kept ones (CoachApp.kept_screen):
showing one again only redraws it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from coach.tui.controllers.stack import show_main

if TYPE_CHECKING:
    from coach.tui.catalog import Entry
    from coach.tui.controllers.session import SessionController


class PracticeController:
    def __init__(self, app) -> None:
        self.app = app
        self.play: SessionController | None = None  # the play under way, None between plays
        self.entry: Entry | None = None  # the library entry it was started from
        self.screen = None  # the conversation screen showing it
        self._sessions = 0  # plays started: each gets its own seed (tests' fixed orders)

    @property
    def in_session(self) -> bool:
        c = self.play
        return c is not None and c.scorecard is None and not c.session.finished

    def drop_play(self) -> None:
        """Another flow (the check, the review) takes over the screen."""
        self.play = None

    # ---- screens ----------------------------------------------------------------------------------

    def first_screen(self):
        """The bottom of the stack: the briefing of `coach run FILE`, else the library."""
        app = self.app
        if app.start_entry is not None:
            from coach.tui.screens.briefing import BriefingScreen

            return app.kept_screen(BriefingScreen, app.start_entry)
        return app.library_screen()

    def show_library(self) -> None:
        app = self.app
        self.play = None
        link = app.store
        if link is not None:  # misses of the session just played are due now; attempts wait to sync
            app.review_due = link.count_due()
            app.sync_lines = link.sync_lines()
        show_main(app, app.library_screen())

    def show_briefing(self, entry: Entry) -> None:
        from coach.tui.screens.briefing import BriefingScreen

        self.play = None
        show_main(self.app, self.app.kept_screen(BriefingScreen, entry))

    def start_session(self, entry: Entry) -> None:
        app = self.app
        scenario = entry.fresh()  # verified by hash (loaded again if the file changed since it was listed)
        if scenario is None:
            app.notify(entry.error or str(entry.path), severity="error", markup=False)
            self.show_library()
            return
        from coach.tui.controllers.session import SessionController

        seed = None if app.seed is None else app.seed + self._sessions
        self._sessions += 1
        self._converse(entry, SessionController(scenario, sha256=entry.sha256, mode=app.mode, lang=app.lang,
                                                recorder=app.recorder, seed=seed))

    def resume(self, entry: Entry, offer) -> None:
        """Continue the interrupted attempt at its exact step, with the same scorecard."""
        from coach.tui.controllers.session import SessionController

        app = self.app
        # the offer loaded the file now and replayed the answers on it: play exactly that
        self._converse(entry, SessionController(offer.scenario, sha256=offer.sha256, mode=offer.attempt.mode,
                                                lang=app.lang, recorder=app.recorder, session=offer.session,
                                                attempt_id=offer.attempt.id))

    def _converse(self, entry: Entry, play: SessionController) -> None:
        from coach.tui.screens.conversation import ConversationScreen

        self.entry, self.play = entry, play
        self.screen = self.app.kept_screen(ConversationScreen, entry, play)
        show_main(self.app, self.screen)

    def show_debrief(self) -> None:
        from coach.tui.screens.debrief import DebriefScreen

        app, c = self.app, self.play
        card = c.finish()  # the scorecard is final (and stored, once)
        sid = c.scenario.id
        app.best_scores[sid] = (max(card.overall, app.best_scores.get(sid, (0, 0))[0]), card.overall)
        show_main(app, app.kept_screen(DebriefScreen, self.entry, c))

    # ---- the conversation -------------------------------------------------------------------------

    def _showing(self, play: SessionController) -> bool:
        """`play` is the one under way and its conversation is on top (a message may arrive late)."""
        return play is self.play and not play.session.finished and self.app.screen is self.screen

    def choose(self, play: SessionController, position: int, turn: int) -> None:
        """The teller chose the choice shown at `position` at their `turn`-th decision (0-based)."""
        if not self._showing(play) or len(play.session.turns) != turn:
            return
        from coach.engine import SessionOver

        app = self.app
        try:
            done = play.choose(position)
        except (SessionOver, IndexError) as exc:  # a graph the linter did not see (never a traceback)
            app.notify(str(exc), severity="error", timeout=6, markup=False)
            self.show_library()
            return
        if play.assess:  # no feedback until the debrief
            self._after_feedback("continue")
            return
        from coach.tui.screens.feedback import FeedbackScreen

        app.push_screen(app.kept_screen(FeedbackScreen, self.entry, play, done), self._after_feedback)

    def _after_feedback(self, result: str | None) -> None:
        c = self.play
        if c is None:
            return
        if result == "undo":
            self.undo()
        elif c.session.finished:
            self.show_debrief()
        else:
            self.screen.show_step()
            c.shown()  # the answer time starts now

    def take_back(self, play: SessionController) -> None:
        if play is self.play:
            self.undo()

    def undo(self) -> None:
        c = self.play
        if c is None:
            return
        if not c.can_undo:
            if c.assess:
                self.app.notify("测评模式不能撤回" if self.app.lang == "zh" else "No take-backs in assessment mode",
                                timeout=2)
            return
        c.undo()
        self.screen.show_step(again=True)
        c.shown()

    def say(self, play: SessionController) -> None:
        """Type your own reply at this decision (the choices are hidden meanwhile), then compare."""
        if not self._showing(play):
            return
        app = self.app
        if play.assess:  # it shows the best answer: not while being assessed
            app.notify("测评模式不能先说" if app.lang == "zh" else "Not in assessment mode: it shows the best answer",
                       timeout=2)
            return
        from coach.tui.screens.say import SayScreen

        session, scenario = play.session, play.scenario
        prev = session.turns[-1] if session.turns else None
        prev_step = scenario.steps[prev.step] if prev else None
        step_id = session.step_id
        app.push_screen(
            SayScreen(scenario, session.step, prev_said=prev_step.customer if prev_step else None,
                      prev_reply=prev_step.choices[prev.index].text if prev_step else None),
            lambda result: self._said(play, step_id, result))

    def _said(self, play: SessionController, step_id: str, result) -> None:
        if not result:
            return
        reply, check, rating = result
        app = self.app
        try:
            if app.store is not None:
                app.store.save_practice_reply(play.scenario, play.sha256, step_id, app.lang, reply, check, rating,
                                              play.attempt_id)
        except Exception as exc:  # the history cannot be written: say so; the session goes on
            from coach.tui.i18n import t

            app.notify(t("store_failed", app.lang, e=str(exc) or type(exc).__name__), severity="error", timeout=8)
        play.shown()  # the answer time starts again when the choices are back

    # ---- leaving ----------------------------------------------------------------------------------

    def request_quit(self) -> None:
        from coach.tui.screens.confirm_quit import ConfirmQuitScreen

        app = self.app
        if isinstance(app.screen, ConfirmQuitScreen):
            app.exit(0)
            return
        if self.in_session:
            app.push_screen(app.kept_screen(ConfirmQuitScreen, "quit_q"), lambda yes: app.exit(0) if yes else None)
        else:
            app.exit(0)

    def open_scenario(self, entry: Entry) -> None:
        """Jump to a scenario's briefing (command palette); asks first in the middle of a session."""
        self._leave(lambda: self.show_briefing(entry))

    def request_library(self) -> None:
        self._leave(self.show_library)

    def _leave(self, then: Callable[[], None]) -> None:
        from coach.tui.screens.confirm_quit import ConfirmQuitScreen

        if self.in_session:
            self.app.push_screen(self.app.kept_screen(ConfirmQuitScreen, "leave_q"),
                                 lambda yes: then() if yes else None)
        else:
            then()

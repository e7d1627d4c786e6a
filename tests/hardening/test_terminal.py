"""Promises about the terminal (issue 10, "The terminal").

SIGTERM, SIGHUP, SIGQUIT and SIGINT during `coach run` leave the terminal as it was (alternate screen off,
mouse tracking off, cursor shown) and every answer given is in the history database. On the
pre-shift check screen, `?` shows the check's own keys, and Esc asks before ending the check; a
check ended that way is stored as abandoned, never as a "review" verdict.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
ORDER = ROOT / "tests" / "fixtures" / "engine" / "order.yaml"

ALT_SCREEN_OFF = b"\x1b[?1049l"
MOUSE_OFF = b"\x1b[?1000l"
CURSOR_SHOWN = b"\x1b[?25h"


class PtyCoach:
    """`coach run` in a pseudo-terminal of 100x30: keys in, every byte it writes kept."""

    def __init__(self, argv: list[str], tmp_path: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "COACH"))}
        env.update(TERM="xterm-256color", COLUMNS="100", LINES="30", XDG_DATA_HOME=str(tmp_path / "xdg"),
                   LANG="C.UTF-8")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "coach", *argv], env)
        import fcntl
        import struct
        import termios

        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.output = bytearray()
        self.status: int | None = None

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the child closed the terminal
                    return
                if not chunk:
                    return
                self.output += chunk

    def wait_for(self, predicate, seconds: float = 60) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.read(0.2)
            if predicate():
                return
        raise AssertionError(f"timed out; screen bytes: {bytes(self.output[-600:])!r}")

    def press(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def finish(self, seconds: float = 30) -> int:
        """Read until the child exits; its exit status."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.read(0.2)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.read(0.5)
                self.status = status
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError(f"did not exit; last bytes: {bytes(self.output[-600:])!r}")

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass


def answers(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT attempt_id, seq, step, choice FROM answers ORDER BY seq").fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_during_run_restores_the_terminal_and_keeps_the_answers(tmp_path, sig):
    db = tmp_path / "h.sqlite3"
    app = PtyCoach(["run", str(ORDER), "--db", str(db), "--teller", "Li"], tmp_path)
    try:
        app.wait_for(lambda: b"Order" in app.output)  # the briefing
        app.press(b"\r")
        app.wait_for(lambda: b"Read the log" in app.output)  # the first decision
        app.press(b"1")
        app.wait_for(lambda: len(answers(db)) == 1)
        app.read(0.5)
        mark = len(app.output)
        os.kill(app.pid, sig)
        code = app.finish()
        after = bytes(app.output[mark:])
    finally:
        app.close()
    assert code == 128 + sig, after[-400:]
    assert ALT_SCREEN_OFF in after and MOUSE_OFF in after and CURSOR_SHOWN in after
    assert b"Traceback" not in app.output
    assert f"stopped by {sig.name}; every answer given is saved".encode() in after
    assert [a[1:] for a in answers(db)] == [(1, "prepare", answers(db)[0][3])]
    conn = sqlite3.connect(db)
    status = conn.execute("SELECT status FROM attempts").fetchone()[0]
    conn.close()
    assert status == "open"  # offered for resuming next time


# ---- the pre-shift check screen ---------------------------------------------------------------


def _check_app(tmp_path):
    from coach import check
    from coach.store import connect
    from coach.tui.store_apps import CheckApp

    library, _ = check.load_library([ORDER.parent])
    conn = connect(tmp_path / "h.sqlite3")
    order = [c for c in library if c.id == "order"]
    return conn, CheckApp(conn, "Li", library, chosen=order, seed=1)


async def test_question_mark_on_the_check_screen_shows_the_checks_keys(tmp_path):
    from coach.tui.i18n import HELP_KEYS
    from coach.tui.screens.help import HelpScreen

    conn, app = _check_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").visual)
        # the help lists a key a line
        assert HELP_KEYS["check"][1].replace(" · ", "\n") in text
        assert HELP_KEYS["library"][1].replace(" · ", "\n") not in text
    conn.close()


async def test_question_mark_on_the_check_inside_the_coach_shows_the_checks_keys(tmp_path):
    from coach import check
    from coach.store import connect
    from coach.tui.app import CoachApp
    from coach.tui.i18n import HELP_KEYS
    from coach.tui.screens.help import HelpScreen

    library, _ = check.load_library([ORDER.parent])
    conn = connect(tmp_path / "h.sqlite3")
    app = CoachApp([], lang="en", bundled=False, user=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.checks.begin(conn, "Li", [c for c in library if c.id == "order"], library=library)
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").visual)
        keys = {k: HELP_KEYS[k][1].replace(" · ", "\n") for k in ("check", "library")}  # a key a line
        assert keys["check"] in text and keys["library"] not in text
    conn.close()


async def test_one_escape_asks_before_ending_the_check(tmp_path):
    conn, app = _check_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmQuitScreen"
        await pilot.press("n")  # keep going
        await pilot.pause()
        assert type(app.screen).__name__ == "CheckScreen"
        row = conn.execute("SELECT ended, verdict FROM checks").fetchone()
        assert row == (None, None)
    conn.close()


async def test_an_abandoned_check_is_not_a_review_verdict(tmp_path):
    conn, app = _check_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    ended, verdict, numbers = conn.execute("SELECT ended, verdict, numbers FROM checks").fetchone()
    assert ended is not None and verdict is None
    assert '"abandoned": true' in numbers
    answered = conn.execute("SELECT count(*) FROM answers").fetchone()[0]
    assert answered == 1  # the answer given is kept
    conn.close()

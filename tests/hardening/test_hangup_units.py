"""The parts that end coach when its terminal goes away, one promise each (docs/reliability.md).

The Outlet (coach/tui/outlet.py) never lets a dead or stalled terminal hold the app; hangup.py knows
a dead stream when it sees one and silences it; the hard stop ends a stuck process after saving
what is queued; launch.run keeps an exit an exit; and the Textual internals the drivers rely on are
still there (a Textual upgrade that moves them fails here first).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from coach.tui import hangup
from coach.tui.outlet import MAX_QUEUED, Outlet

ROOT = Path(__file__).parent.parent.parent


def _read_all(fd: int) -> bytes:
    out = b""
    while chunk := os.read(fd, 65536):
        out += chunk
    return out


# ---- the Outlet -------------------------------------------------------------------------------

def test_an_outlet_writes_text_and_bytes_in_order():
    r, w = os.pipe()
    outlet = Outlet(w)
    for i in range(200):
        outlet.write(f"{i}," if i % 2 else f"{i},".encode())
    assert outlet.close(2.0) is True
    os.close(w)
    assert _read_all(r) == "".join(f"{i}," for i in range(200)).encode()
    os.close(r)


def test_a_broken_pipe_is_reported_once_and_later_output_is_dropped_at_once():
    r, w = os.pipe()
    os.close(r)  # the reader is gone: EPIPE
    told = []
    outlet = Outlet(w, on_lost=told.append)
    start = time.monotonic()
    for _ in range(MAX_QUEUED * 40):  # far more than the queue holds: nothing may wait
        outlet.write("frame" * 100)
    outlet.close(1.0)
    assert time.monotonic() - start < 1.0
    assert outlet.lost and told == ["EPIPE"]
    os.close(w)


def test_a_hung_up_terminal_is_reported_as_eio():
    master, slave = os.openpty()
    told = []
    outlet = Outlet(slave, on_lost=told.append)
    os.close(master)  # the terminal window closes
    deadline = time.monotonic() + 2
    while not told and time.monotonic() < deadline:
        outlet.write("x")
        time.sleep(0.01)
    outlet.close(0.5)
    os.close(slave)
    assert told == ["EIO"]


def test_a_terminal_that_reads_nothing_holds_a_stopping_app_no_longer_than_its_deadline():
    r, w = os.pipe()  # nobody reads r: the pipe fills, the writer thread blocks in write(2)
    outlet = Outlet(w)
    block = "y" * 65536
    for _ in range(8):  # fill the pipe (64 KiB) and start filling the queue
        threading.Thread(target=outlet.write, args=(block,), daemon=True).start()
    time.sleep(0.2)
    outlet.hurry(0.3)
    start = time.monotonic()
    for _ in range(MAX_QUEUED * 2):
        outlet.write(block)
    assert outlet.close(0.3) is False
    assert time.monotonic() - start < 1.0  # 0.3 s, and one poll step
    assert outlet.why == "stalled"
    os.close(r)
    os.close(w)


def test_an_outlet_thread_never_keeps_the_process_alive():
    r, w = os.pipe()
    outlet = Outlet(w)
    assert outlet._thread.daemon
    outlet.close(1.0)
    os.close(r)
    os.close(w)


# ---- dead streams -----------------------------------------------------------------------------

def test_a_pipe_whose_reader_closed_is_dead_and_a_live_one_is_not():
    r, w = os.pipe()
    assert not hangup.is_dead(w)
    os.close(r)
    assert hangup.is_dead(w)
    os.close(w)


def test_a_hung_up_terminal_is_dead_on_both_sides_of_the_slave():
    master, slave = os.openpty()
    assert not hangup.is_dead(slave)
    os.close(master)
    assert hangup.is_dead(slave)
    os.close(slave)


def test_a_regular_file_is_never_dead_and_a_closed_descriptor_is(tmp_path):
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    assert not hangup.is_dead(fd)
    os.close(fd)
    assert hangup.is_dead(fd)


def _python(code: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, **kw)


def test_a_dead_stdout_is_pointed_at_dev_null_so_late_prints_cannot_fail():
    code = """
        import os, sys
        from coach.tui import hangup
        sys.stdin.readline()  # the test closes our stdout's reader, then says go
        changed = hangup.silence_dead_streams()
        print("x" * 100000)  # would be EPIPE without it
        sys.stdout.flush()
        print(1 in changed, 2 in changed, os.readlink("/proc/self/fd/1"), file=sys.stderr)
    """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    out, err = proc.communicate("go\n", timeout=60)
    assert proc.returncode == 0, err
    assert err.split() == ["True", "False", "/dev/null"]  # stderr, still read, is left alone


# ---- the hard stop ----------------------------------------------------------------------------

def test_the_hard_stop_saves_the_queued_answers_and_ends_a_stuck_process(tmp_path):
    """A process whose main thread never returns (stuck anywhere) still ends at the deadline, with
    its code, after the Outbox's last try: the answer waiting for a lock is written."""
    db = tmp_path / "h.sqlite3"
    from tests.hardening.conftest import make_history

    make_history(db, plays=())
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another program holds the history
    code = f"""
        import time
        from coach.engine import Session
        from coach.scenario.loader import load_scenario
        from coach.store.write_queue import Outbox
        from coach.tui import hangup

        loaded = load_scenario({str(ROOT / "tests/fixtures/engine/order.yaml")!r})
        box = Outbox({str(db)!r}, "Li")
        aid = box.start(loaded.scenario, loaded.sha256, "practice", "en")
        box.answer(aid, Session(loaded.scenario).choose(0))
        print("queued", box.pending, flush=True)
        hangup.hard_stop.arm(0.5, 129)
        while True:  # stuck: no exit, no atexit
            time.sleep(1)
    """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "queued 2"
    time.sleep(0.3)
    lock.execute("ROLLBACK")  # the lock goes; the last save can write
    lock.close()
    started = time.monotonic()
    assert proc.wait(timeout=10) == 129
    assert time.monotonic() - started < 3
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT seq, step FROM answers").fetchall() == [(1, "prepare")]
    conn.close()


def test_the_hard_stop_keeps_the_earliest_deadline():
    stop = hangup.HardStop()
    stop.now = lambda code: None  # this process must live on
    stop._at = None
    stop._thread = object()  # no thread: only the bookkeeping is under test
    stop.arm(5.0, 143)
    first = stop._at
    stop.arm(9.0, 129)
    assert stop._at == first and stop._code == 143
    stop.arm(1.0, 129)
    assert stop._at < first and stop._code == 129


# ---- signals ----------------------------------------------------------------------------------

def test_sighup_inherited_as_ignored_stays_ignored_and_the_others_are_handled():
    code = """
        import asyncio, signal
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup leaves it
        from coach.tui import signals

        class App:
            is_headless = False

        async def main():
            signals.exit_on_signals(App())
        asyncio.run(main())
        print(signal.getsignal(signal.SIGHUP) == signal.SIG_IGN,
              signal.getsignal(signal.SIGTERM) is signals._on_signal)
    """
    out = _python(code)
    assert out.stdout.split() == ["True", "True"], out.stderr


# ---- launch.run -------------------------------------------------------------------------------

async def test_a_screen_pushed_as_the_app_exits_does_not_turn_the_exit_into_a_crash():
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Static

    from coach.tui import launch

    class Querying(Screen):
        def compose(self):
            yield Static(id="child")

        def on_mount(self):
            self.query_one("#child")  # not mounted: the app stopped mounting at exit()

    class Ending(App):
        def on_mount(self):
            self.exit(None, 129)
            self.push_screen(Querying())

    app = Ending()
    launch._calm_while_closing(app)
    await app.run_async(headless=True)
    assert app.return_code == 129

    plain = Ending()  # without it: Textual's crash, return code 1
    await plain.run_async(headless=True)
    assert plain.return_code == 1


# ---- the Textual internals the drivers rely on --------------------------------------------------

def test_the_textual_version_is_the_one_the_drivers_were_written_for():
    import textual

    version = tuple(int(x) for x in textual.__version__.split(".")[:3])
    assert (8, 2, 8) <= version < (8, 3)


def test_the_linux_driver_internals_the_coach_driver_relies_on_are_there():
    import inspect

    from textual.drivers import _writer_thread, linux_driver
    from textual.drivers.linux_driver import LinuxDriver

    start = inspect.getsource(LinuxDriver.start_application_mode)
    assert "self._writer_thread = WriterThread(self._file)" in start
    assert "Thread(target=self._run_input_thread" in start
    assert "self._must_signal_resume = True" in inspect.getsource(LinuxDriver._sigtstp_application)
    assert "self.resume_application_mode()" in inspect.getsource(LinuxDriver._sigcont_application)
    assert "self.run_input_thread()" in inspect.getsource(LinuxDriver._run_input_thread)
    assert "self._queue.put(text)" in inspect.getsource(_writer_thread.WriterThread.write)
    assert "if text is None:" in inspect.getsource(_writer_thread.WriterThread.run)
    for name in ("exit_event", "_debug", "attrs_before", "fileno", "_file"):
        assert name in inspect.getsource(LinuxDriver.__init__) + inspect.getsource(linux_driver.Driver.__init__)
    from textual._xterm_parser import XTermParser  # noqa: F401 - the input loop's parser


def test_the_web_driver_and_app_internals_the_coach_relies_on_are_there():
    import inspect

    from textual.app import App
    from textual.drivers.web_driver import WebDriver
    from textual.widget import Widget

    init = inspect.getsource(WebDriver.__init__)
    assert "self._write = partial(os.write, self.fileno)" in init
    assert "self._input_reader = InputReader()" in init
    for method in (WebDriver.write, WebDriver.write_meta, WebDriver.write_binary_encoded):
        assert "self._write(" in inspect.getsource(method)
    assert "for data in input_reader:" in inspect.getsource(WebDriver.run_input_thread)
    assert "self._input_reader.close()" in inspect.getsource(WebDriver.stop_application_mode)
    assert "self._exit = True" in inspect.getsource(App.exit)
    assert "if self.app._exit:" in inspect.getsource(Widget.mount_all)
    assert "self._return_code = 1" in inspect.getsource(App._handle_exception)


@pytest.mark.parametrize("name", ["LinuxDriver", "WebDriver", "HeadlessDriver"])
def test_coach_replaces_the_terminal_and_web_drivers_only(name):
    from coach.tui.drivers import coach_driver

    if name == "LinuxDriver":
        from textual.drivers.linux_driver import LinuxDriver as cls
    elif name == "WebDriver":
        from textual.drivers.web_driver import WebDriver as cls
    else:
        from textual.drivers.headless_driver import HeadlessDriver as cls
    got = coach_driver(cls)
    assert (got is cls) == (name == "HeadlessDriver")
    assert issubclass(got, cls)


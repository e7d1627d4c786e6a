"""Promises: nothing the teller or trainer stored is ever lost or overwritten by coach itself.

- An output file is never one of the inputs (itself, a symbolic or hard link to it, a database's
  side files), for every command that writes a file; nothing is written when it would be.
- A healthy database is never treated as damaged: locked, read-only, full or failing disks, another
  program's database and anything but a regular file each get their own message, and are never
  moved aside. Only real damage is, and only a regular file, never through a symbolic link.
- A FIFO as --db or as a scenario never blocks.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest
from pathlib import Path

from .conftest import ORDER, coach, make_history, no_traceback


# ---- an output is never an input --------------------------------------------------------------

def _unchanged(path, before: bytes) -> bool:
    return path.read_bytes() == before


@pytest.mark.parametrize("extra", [
    ["--format", "csv", "--out", "{db}"],
    ["--format", "json", "--out", "{db}"],
    ["--html", "{db}"],
    ["--out", "{db}-wal"],
])
def test_report_refuses_to_write_over_its_database(history_db, extra):
    before = history_db.read_bytes()
    out = coach("report", history_db, *[a.format(db=history_db) for a in extra])
    assert out.returncode == 2 and "is one of the inputs" in out.stderr and no_traceback(out)
    assert _unchanged(history_db, before)
    assert not history_db.with_name(history_db.name + "-wal").exists()


def test_report_refuses_a_symlink_or_hard_link_to_its_database(history_db, tmp_path):
    before = history_db.read_bytes()
    soft, hard = tmp_path / "soft.csv", tmp_path / "hard.csv"
    soft.symlink_to(history_db)
    os.link(history_db, hard)
    for target in (soft, hard):
        out = coach("report", history_db, "--format", "csv", "--out", target)
        assert out.returncode == 2 and "is one of the inputs" in out.stderr, out.stderr
    assert _unchanged(history_db, before)


def test_report_refuses_a_database_found_in_a_folder(history_db):
    before = history_db.read_bytes()
    out = coach("report", history_db.parent, "--format", "json", "--out", history_db)
    assert out.returncode == 2 and "is one of the inputs" in out.stderr
    assert _unchanged(history_db, before)


def test_report_refuses_a_scenario_file_of_its_scenarios_folder(history_db, tmp_path):
    folder = tmp_path / "scen"
    folder.mkdir()
    scen = folder / "order.yaml"
    scen.write_bytes(ORDER.read_bytes())
    out = coach("report", history_db, "--scenarios", folder, "--out", scen)
    assert out.returncode == 2 and scen.read_bytes() == ORDER.read_bytes()


def test_report_refuses_the_same_file_for_html_and_out(history_db, tmp_path):
    page = tmp_path / "page.html"
    out = coach("report", history_db, "--html", page, "--out", page)
    assert out.returncode == 2 and "same file" in out.stderr and not page.exists()


def test_export_refuses_to_write_over_its_database(history_db, tmp_path):
    before = history_db.read_bytes()
    link = tmp_path / "statements.jsonl"
    link.symlink_to(history_db)
    for target in (history_db, link):
        out = coach("export", "--xapi", history_db, "--out", target)
        assert out.returncode == 2 and "is one of the inputs" in out.stderr and no_traceback(out)
    assert _unchanged(history_db, before)


def test_graph_refuses_to_write_over_its_scenario(tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_bytes(ORDER.read_bytes())
    hard = tmp_path / "graph.mmd"
    os.link(scen, hard)
    for target in (scen, hard):
        out = coach("graph", scen, "-o", target)
        assert out.returncode == 2 and "is one of the inputs" in out.stderr
    assert scen.read_bytes() == ORDER.read_bytes()


def test_an_output_elsewhere_is_still_written(history_db, tmp_path):
    out = coach("report", history_db, "--format", "csv", "--view", "tellers", "--out", tmp_path / "r.csv")
    assert out.returncode == 0 and (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_emit_itself_refuses_an_input(tmp_path, capsys):
    from coach.commands._output import emit

    src = tmp_path / "in.txt"
    src.write_text("keep")
    assert emit("new", str(src), "coach x", [src]) == 1
    assert src.read_text() == "keep" and "one of the inputs" in capsys.readouterr().err


# ---- a healthy database is never treated as damaged -------------------------------------------

def _locker(db, seconds: float) -> subprocess.Popen:
    """Another process holding the write lock of `db` for `seconds`."""
    code = ("import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "time.sleep(float(sys.argv[2]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_locked_database_is_never_moved_aside(tmp_path, monkeypatch):
    from coach.store import db as dbmod

    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 300)  # the real wait is 15 s
    path = make_history(tmp_path / "h.sqlite3")
    with sqlite3.connect(path) as c:  # an older schema, so opening must write (migrate)
        c.execute("PRAGMA user_version = 1")
    before = path.read_bytes()
    proc = _locker(path, 5)
    try:
        with pytest.raises(dbmod.DatabaseBusy, match="in use"):
            dbmod.connect(path, verify=True)
        from coach.store.cli_support import open_db
        import argparse

        conn, code = open_db(argparse.Namespace(db=str(path), yes=True), "coach check")
        assert conn is None and code == 1
    finally:
        proc.kill()
        proc.wait()
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if ".broken-" in p.name]


def test_locked_database_message_says_what_to_do_not_yes(history_db, capsys, monkeypatch):
    from coach.store import db as dbmod
    from coach.store.cli_support import damaged

    assert damaged("coach check", history_db, sqlite3.OperationalError("database is locked")) == 1
    err = capsys.readouterr().err
    assert "in use" in err and "--yes" not in err and "damaged" not in err


@pytest.mark.parametrize("error, kind, words", [
    ("database or disk is full", "DiskFull", "full"),
    ("disk I/O error", "DatabaseIOError", "I/O"),
    ("attempt to write a readonly database", "ReadOnlyDatabase", "cannot be written"),
    ("database is locked", "DatabaseBusy", "in use"),
    ("file is not a database", "BrokenDatabase", "not a SQLite database"),
    ("database disk image is malformed", "BrokenDatabase", "damaged"),
])
def test_each_sqlite_failure_is_named_for_what_it_is(tmp_path, error, kind, words):
    from coach.store import db as dbmod

    problem = dbmod.classify(sqlite3.OperationalError(error), tmp_path / "h.sqlite3")
    assert type(problem).__name__ == kind and words in str(problem)


def test_only_damage_suggests_moving_aside(tmp_path, capsys):
    from coach.store.cli_support import damaged

    for error in ("database or disk is full", "disk I/O error", "database is locked"):
        damaged("coach history", tmp_path / "h.sqlite3", sqlite3.OperationalError(error))
        assert "--yes" not in capsys.readouterr().err
    damaged("coach history", tmp_path / "h.sqlite3", sqlite3.DatabaseError("database disk image is malformed"))
    assert "--yes" in capsys.readouterr().err


def test_a_full_disk_at_open_is_not_damage(tmp_path, monkeypatch):
    """SQLite's 'disk full' while migrating a new file: a message, and the file stays."""
    from coach.store import db as dbmod

    path = tmp_path / "h.sqlite3"
    real = dbmod.migrate

    def full(conn, p="x"):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(dbmod, "migrate", full)
    with pytest.raises(dbmod.DiskFull):
        dbmod.connect(path, verify=True)
    monkeypatch.setattr(dbmod, "migrate", real)
    assert path.exists()


def test_a_foreign_sqlite_database_is_never_moved(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE accounts (x)")
    before = path.read_bytes()
    out = coach("history", "--db", path, "--yes")
    assert out.returncode == 1 and "another program" in out.stderr and no_traceback(out)
    assert path.read_bytes() == before and not [p for p in tmp_path.iterdir() if ".broken-" in p.name]


@pytest.fixture
def null_device(tmp_path):
    """A character device like /dev/null. As root, a private node with /dev/null's numbers: a test run
    against a coach with this bug must not rename the machine's real /dev/null (it once did)."""
    if os.geteuid() != 0:
        return "/dev/null"  # not root: /dev cannot be written, so the real one is safe
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return str(node)


@pytest.mark.parametrize("command", [["history"], ["check", "--teller", "Li", "--auto", "best"], ["run"]])
def test_a_character_device_as_db_is_never_renamed(command, null_device):
    out = coach(*command, "--db", null_device, "--yes", input="", timeout=30)
    assert out.returncode != 0 and "not a regular file" in out.stderr and no_traceback(out)
    assert stat.S_ISCHR(os.stat(null_device).st_mode)
    assert not [p for p in os.listdir(os.path.dirname(null_device)) if ".broken-" in p or p.endswith("-wal")]


@pytest.mark.parametrize("command", [["history"], ["check", "--teller", "Li", "--auto", "best"],
                                     ["report"], ["export", "--xapi"]])
def test_a_fifo_as_db_never_blocks(tmp_path, command):
    fifo = tmp_path / "h.sqlite3"
    os.mkfifo(fifo)
    args = [*command, fifo] if command[0] in ("report", "export") else [*command, "--db", fifo, "--yes"]
    out = coach(*args, timeout=30)  # before: blocked forever in open()
    assert out.returncode != 0 and no_traceback(out)
    assert "not a regular file" in out.stderr or "not a file" in out.stderr
    assert fifo.exists() and not fifo.is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["h.sqlite3"]


def test_a_fifo_as_scenario_never_blocks(tmp_path):
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    for command in (["play", fifo, "--best"], ["validate", fifo], ["graph", fifo]):
        out = coach(*command, timeout=30)
        assert out.returncode != 0 and "not a regular file" in out.stderr + out.stdout, (command, out.stderr)
        assert no_traceback(out)


def test_move_aside_never_follows_a_symlink(tmp_path):
    from coach.store import db as dbmod

    target = tmp_path / "real.sqlite3"
    target.write_bytes(b"garbage, but somebody's" * 10)
    link = tmp_path / "h.sqlite3"
    link.symlink_to(target)
    with pytest.raises(dbmod.StoreError, match="symbolic link"):
        dbmod.move_aside(link)
    assert link.is_symlink() and target.read_bytes() == b"garbage, but somebody's" * 10
    out = coach("history", "--db", link, "--yes")
    assert out.returncode == 1 and "symbolic link" in out.stderr and link.is_symlink() and target.exists()


def test_move_aside_refuses_anything_but_a_regular_file(tmp_path):
    from coach.store import db as dbmod

    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    for path in (fifo, folder):
        with pytest.raises(dbmod.StoreError):
            dbmod.move_aside(path)
    assert fifo.exists() and folder.is_dir() and not [p for p in tmp_path.iterdir() if ".broken-" in p.name]


def test_move_aside_refuses_a_character_device(null_device):
    from coach.store import db as dbmod

    with pytest.raises(dbmod.NotARegularFile):
        dbmod.move_aside(null_device)
    assert stat.S_ISCHR(os.stat(null_device).st_mode)


def test_real_damage_is_still_moved_aside_with_yes(tmp_path):
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    out = coach("history", "--db", path, "--yes")
    assert out.returncode == 0 and "moved it to" in out.stderr, out.stderr
    assert [p for p in tmp_path.iterdir() if ".broken-" in p.name]


# ---- a locked database or a full disk while answering: keep playing, lose nothing --------------

def _hold_write_lock(path):
    """Another connection holding the write lock (as a second coach in a long transaction would)."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE tellers SET created = created")
    return other


def _wait(predicate, seconds: float = 10.0) -> bool:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _long():
    from coach.scenario.loader import load_scenario

    from .conftest import LONG

    return load_scenario(LONG)


def _started(tmp_path):
    """A new history, an Outbox retrying every 0.2 s, an attempt of the long fixture started in it."""
    from coach.engine import Session
    from coach.store import connect
    from coach.store.write_queue import Outbox

    path = tmp_path / "h.sqlite3"
    connect(path).close()
    loaded = _long()
    box = Outbox(path, "Li", retry_seconds=0.2)
    aid = box.start(loaded.scenario, loaded.sha256, "practice", "en")
    return path, box, aid, Session(loaded.scenario)


def test_answers_while_the_database_is_locked_return_at_once_and_are_stored_once_later(tmp_path):
    import time

    from coach.store.db import DatabaseBusy

    path, box, aid, session = _started(tmp_path)
    box.answer(aid, session.choose(0), 1.0)
    locker = _hold_write_lock(path)
    try:
        slowest = 0.0
        while not session.finished:
            t = time.perf_counter()
            box.answer(aid, session.choose(0), 1.0)  # before: waited 15 s, then a traceback
            slowest = max(slowest, time.perf_counter() - t)
        box.finish(aid, session.scorecard())
        assert slowest < 1.0
        pending, problem = box.status()
        assert pending == 12 and isinstance(problem, DatabaseBusy)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert _wait(lambda: box.pending == 0)
    conn = sqlite3.connect(path)
    seqs = [r[0] for r in conn.execute("SELECT seq FROM answers WHERE attempt_id = ? ORDER BY seq", (aid,))]
    assert seqs == list(range(1, 13))  # every answer, once, in order
    assert conn.execute("SELECT status FROM attempts WHERE id = ?", (aid,)).fetchone()[0] == "finished"
    assert box.close() == 0


def test_close_all_during_another_close_waits_for_the_queued_answers(tmp_path):
    """At exit the app closes its Outbox while coach/tui/hangup.py's hard stop may close every open
    one from another thread: neither may return (and let the process end) before the queue is
    written, and close_all must still see an Outbox whose close is under way."""
    import threading
    import time

    from coach.store.write_queue import close_all

    path, box, aid, session = _started(tmp_path)
    locker = _hold_write_lock(path)
    box.answer(aid, session.choose(0), 1.0)
    assert box.pending == 1
    first = threading.Thread(target=box.close)  # the app's own close, waiting for the lock
    first.start()
    time.sleep(0.2)
    threading.Timer(0.3, lambda: (locker.execute("ROLLBACK"), locker.close())).start()
    assert close_all(5.0) == (0, "")  # the hard stop's: returns once the answer is written
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT seq FROM answers")] == [1]
    conn.close()
    first.join(5)
    assert close_all(5.0) == (0, "")  # nothing open any more


def _fill_the_disk(conn):
    """Make SQLite's file as full as a full disk would: no page can be added."""
    conn.execute("CREATE TABLE IF NOT EXISTS filler (x BLOB)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    try:
        while True:
            conn.execute("INSERT INTO filler VALUES (zeroblob(3000))")
    except sqlite3.OperationalError as exc:
        assert "full" in str(exc)


def test_answers_while_the_disk_is_full_are_kept_in_order_and_stored_when_space_returns(tmp_path):
    from coach.engine import Session
    from coach.store import connect
    from coach.store.db import DiskFull
    from coach.store.write_queue import Outbox

    path = tmp_path / "h.sqlite3"
    connect(path).close()
    loaded = _long()
    box = Outbox(path, "Li", retry_seconds=0.2)
    _fill_the_disk(box.conn)
    first = box.start(loaded.scenario, loaded.sha256, "practice", "en")  # uses up the last free room
    warm = Session(loaded.scenario)
    while not warm.finished:
        box.answer(first, warm.choose(0), 1.0)
    aid = box.start(loaded.scenario, loaded.sha256, "practice", "en")
    session = Session(loaded.scenario)
    undone = False
    while not session.finished:
        box.answer(aid, session.choose(1 if len(session.turns) == 3 else 0), 1.0)
        if len(session.turns) == 5 and not undone:
            box.undo(aid)  # take one back (practice): it is kept, marked undone
            session.undo()
            undone = True
    box.finish(aid, session.scorecard())
    pending, problem = box.status()
    assert pending > 0 and isinstance(problem, DiskFull) and "full" in str(problem)
    box.conn.execute("PRAGMA max_page_count = 1000000")  # space again
    assert _wait(lambda: box.pending == 0)
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT seq, undone IS NULL FROM answers WHERE attempt_id = ? ORDER BY seq", (aid,)).fetchall()
    assert [s for s, _ in rows] == list(range(1, 14)) and [s for s, live in rows if not live] == [5]
    assert [r[0] for r in conn.execute("SELECT choice FROM answers WHERE attempt_id = ? AND undone IS NULL"
                                       " ORDER BY seq", (aid,))] == [t.index for t in session.turns]
    assert conn.execute("SELECT count(*) FROM answers WHERE attempt_id = ?", (first,)).fetchone()[0] == 12
    assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 2
    assert conn.execute("SELECT status FROM attempts WHERE id = ?", (aid,)).fetchone()[0] == "finished"
    box.close()


def test_a_check_verdict_on_a_full_disk_is_stored_when_space_returns(tmp_path):
    from types import SimpleNamespace

    from coach.store import connect
    from coach.store.write_queue import Outbox

    path = tmp_path / "h.sqlite3"
    connect(path).close()
    box = Outbox(path, "Li", retry_seconds=0.2)
    check_id = box.start_check(10, 80)
    _fill_the_disk(box.conn)
    box.conn.execute("UPDATE checks SET numbers = NULL")  # nothing to free: the verdict needs room
    verdict = SimpleNamespace(ready=False, review=["x" * 5000], numbers=lambda: {"overall": 50, "pad": "y" * 8000})
    box.finish_check(check_id, verdict)
    assert box.pending == 1
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT verdict FROM checks").fetchone()[0] is None
    box.conn.execute("PRAGMA max_page_count = 1000000")
    assert _wait(lambda: box.pending == 0)
    assert conn.execute("SELECT verdict FROM checks").fetchone()[0] == "review"
    box.close()


def test_a_scripted_check_on_a_full_disk_stores_nothing_half(tmp_path, monkeypatch, capsys):
    """`coach check --auto` is one transaction: a full disk leaves no check row without a verdict."""
    from coach.cli import main
    from coach.store import cli_support, db as dbmod

    path = tmp_path / "h.sqlite3"
    dbmod.connect(path).close()
    real = cli_support.connect

    def nearly_full(*a, **k):
        conn = real(*a, **k)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 1}")
        return conn

    monkeypatch.setattr(cli_support, "connect", nearly_full)
    library = str(Path(__file__).parent.parent / "fixtures" / "store" / "library")
    code = main(["check", "--db", str(path), "--teller", "Li", "--auto", "best", "--dir", library])
    err = capsys.readouterr().err
    assert code == 1 and "full" in err and "--yes" not in err
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM checks").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 0


async def test_the_check_screen_keeps_going_while_the_database_is_locked(tmp_path):
    """The terminal UI: no freeze, no traceback; a quiet notice; everything stored once the lock goes."""
    pytest.importorskip("textual")
    from coach.store import connect
    from coach.tui import catalog
    from coach.tui.app import CoachApp
    from coach.tui.controllers.link import StoreLink

    path = tmp_path / "h.sqlite3"
    conn = connect(path)
    library = Path(__file__).parent.parent / "fixtures" / "store" / "library"
    app = CoachApp(catalog.build([library], bundled=False, user=False), store=StoreLink(conn, "Li"), seed=3)
    notes: list[str] = []
    real_notify = app.notify
    app.notify = lambda message, **kw: (notes.append(str(message)), real_notify(message, **kw))[1]
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        locker = _hold_write_lock(path)
        try:
            await pilot.press("c")
            await pilot.pause()
            assert type(app.screen).__name__ == "CheckScreen"
            answered = 0
            while type(app.screen).__name__ == "CheckScreen":
                c = app.screen.controller
                await pilot.press(str(c.order().index(c.session.step.best_index()) + 1))
                answered += 1
                await pilot.pause()
            assert type(app.screen).__name__ == "VerdictScreen" and answered > 3
            await pilot.pause(1.5)
            assert any("Not saved yet" in n and "locked" in n for n in notes), notes
            assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 0
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        for _ in range(60):
            await pilot.pause(0.1)
            if conn.execute("SELECT count(*) FROM checks WHERE verdict IS NOT NULL").fetchone()[0]:
                break
        assert conn.execute("SELECT verdict FROM checks").fetchall() == [("ready",)]
        assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == answered
        assert conn.execute("SELECT count(*) FROM attempts WHERE status = 'finished'").fetchone()[0] >= 1
        await pilot.pause(1.2)
        assert any("All answers are saved" in n for n in notes)


async def test_a_check_left_without_a_verdict_is_closed_as_abandoned_on_the_next_start(tmp_path):
    pytest.importorskip("textual")
    from coach.store import connect
    from coach.tui import catalog
    from coach.tui.app import CoachApp
    from coach.tui.controllers.link import StoreLink

    path = tmp_path / "h.sqlite3"
    conn = connect(path)
    conn.execute("INSERT INTO tellers (name, created) VALUES ('Li', '2026-11-01T08:00:00+00:00')")
    conn.execute("INSERT INTO checks (teller_id, started, minutes, pass_mark) VALUES (1, '2026-11-01T08:00:00+00:00', 10, 80)")
    library = Path(__file__).parent.parent / "fixtures" / "store" / "library"
    app = CoachApp(catalog.build([library], bundled=False, user=False), store=StoreLink(conn, "Li"), seed=3)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        await pilot.pause(0.3)
    ended, verdict = conn.execute("SELECT ended, verdict FROM checks").fetchone()
    assert ended is not None and verdict is None
    from coach.store.queries import checks

    assert checks(conn, 1)[0]["verdict"] == "abandoned"


async def test_a_new_teller_chosen_while_the_database_is_locked_does_not_wait_for_the_lock(tmp_path):
    """The name screen, then the library at once (not after the 15 s busy timeout); the teller's
    row and first answer are written by the Outbox once the lock is gone."""
    pytest.importorskip("textual")
    import time

    from coach.store import connect
    from coach.tui import catalog
    from coach.tui.app import CoachApp
    from coach.tui.controllers.link import StoreLink

    path = tmp_path / "h.sqlite3"
    conn = connect(path)
    library = Path(__file__).parent.parent / "fixtures" / "store" / "library"
    app = CoachApp(catalog.build([library], bundled=False, user=False), store=StoreLink(conn, None), seed=3)
    locker = _hold_write_lock(path)
    try:
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            assert type(app.screen).__name__ == "TellerScreen"
            started = time.monotonic()
            await pilot.press(*"Zhou", "enter")
            await pilot.pause()
            assert type(app.screen).__name__ == "LibraryScreen" and app.store.teller == "Zhou"
            assert time.monotonic() - started < 5  # the busy timeout is 15 s
            await pilot.press("enter")  # the first scenario's briefing
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("1")
            await pilot.pause()
            assert conn.execute("SELECT count(*) FROM tellers WHERE name = 'Zhou'").fetchone()[0] == 0
            locker.execute("ROLLBACK")
            for _ in range(60):
                await pilot.pause(0.1)
                if conn.execute("SELECT count(*) FROM answers").fetchone()[0]:
                    break
            assert conn.execute("SELECT t.name, count(*) FROM answers AS n JOIN attempts AS a ON a.id = n.attempt_id"
                                " JOIN tellers AS t ON t.id = a.teller_id").fetchall() == [("Zhou", 1)]
    finally:
        locker.close()

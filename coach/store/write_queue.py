"""The Outbox: the Recorder for a terminal UI, which must never freeze or crash on the history.

Every call (start, answer, undo, finish, abandon, and a check's start and verdict) becomes an
operation in a queue and is written at once, in its own `BEGIN IMMEDIATE` transaction, with a short
busy timeout. When the database stays locked by another program, or the disk is full, or it fails,
the operation stays queued, in order, and a background thread retries every second until it is
written; the caller goes on at once (the teller keeps playing) and `status()` says what is wrong
for the screen to show. Nothing is lost and nothing is written twice: each answer is keyed by
(attempt, seq) with seq counted here, and every other operation is idempotent.

What an operation writes is coach/store/writes.py's, shared with the Recorder: the queue holds its
record (taken when the teller acted) and only decides when it is written.

An attempt started while the database cannot be written gets a provisional (negative) id; the
queue maps it to the real row id when the start is written. Headless: no textual import.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.store.db import StoreError, classify, now
from coach.store.tellers import clean_name, teller_id

if TYPE_CHECKING:
    from coach.engine import Scorecard, Turn
    from coach.scenario.model import Scenario

#: How long one write may wait for a lock before it is queued for the background (ms): short, so
#: the teller never notices; the queue retries every RETRY_SECONDS.
WRITE_WAIT_MS = 150
RETRY_SECONDS = 1.0

#: Outboxes not closed yet, for a process that must end now (close_all).
_open: "weakref.WeakSet[Outbox]" = weakref.WeakSet()


def _writes():
    """coach/store/writes.py, imported at the first write (after the first screen is up: its
    record classes cost start-up ~3 ms; the TUI warms it up in a thread)."""
    from coach.store import writes

    return writes


@dataclass
class Op:
    kind: str
    ref: int  # the attempt's (or check's) id or provisional id
    record: Any = None  # what coach/store/writes.py writes, fixed when the teller acted
    check: int | None = None  # a started attempt's check: its id or provisional id


class Outbox:
    """A Recorder (start/answer/undo/finish/abandon) whose writes never block the caller for long."""

    def __init__(self, path: str | Path, teller: str, *, check_id: int | None = None,
                 wait_ms: int = WRITE_WAIT_MS, retry_seconds: float = RETRY_SECONDS) -> None:
        self.path = Path(path)
        self.teller = clean_name(teller)
        self.check_id = check_id
        self.retry_seconds = retry_seconds
        self.conn = sqlite3.connect(self.path, timeout=wait_ms / 1000, isolation_level=None,
                                    check_same_thread=False)
        self.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self._queue: deque[Op] = deque()
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._ids: dict[int, int] = {}  # provisional id -> row id (set by the writing thread)
        self._refs: dict[int, int] = {}  # row id -> provisional id (dict.get is atomic: no lock needed)
        self._next_local = -1
        self._seqs: dict[int, list[int]] = {}  # attempt ref -> live answer seqs (for idempotent undo)
        self._last_seq: dict[int, int] = {}
        self._scenarios: dict[int, "Scenario"] = {}  # attempt ref -> scenario, for review cards
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._teller_id: int | None = None
        self.problem: StoreError | None = None
        self.written = 0  # operations written, for tests and the screen
        _open.add(self)

    @classmethod
    def for_connection(cls, conn: sqlite3.Connection, teller: str, **kw) -> "Outbox":
        """An Outbox on the same database file as `conn` (its own connection, its own short waits)."""
        path = next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
        return cls(path, teller, **kw)

    # ---- the Recorder interface ---------------------------------------------------------------

    def start(self, scenario: "Scenario", sha256: str, mode: str, lang: str) -> int:
        ref = self._local()
        self._seqs[ref], self._last_seq[ref] = [], 0
        self._scenarios[ref] = scenario
        self._put(Op("start", ref, _writes().NewAttempt.of(scenario, sha256, mode, lang), self.check_id))
        return self._ids.get(ref, ref)

    def answer(self, attempt_id: int, turn: "Turn", seconds: float | None = None) -> int:
        ref = self._ref(attempt_id)
        self._known_seqs(ref)
        seq = self._last_seq[ref] + 1
        self._last_seq[ref] = seq
        self._seqs[ref].append(seq)
        self._put(Op("answer", ref, _writes().NewAnswer.of(seq, turn, seconds, self._scenarios.get(ref))))
        return seq

    def undo(self, attempt_id: int) -> None:
        ref = self._ref(attempt_id)
        self._known_seqs(ref)
        if self._seqs[ref]:
            # the seq counted here, not "the last live one": a retry must not undo a second answer
            self._put(Op("undo", ref, (self._seqs[ref].pop(), now())))

    def finish(self, attempt_id: int, scorecard: "Scorecard") -> None:
        self._put(Op("end", self._ref(attempt_id), _writes().ending(scorecard)))

    def stop(self, attempt_id: int, scorecard: "Scorecard") -> None:
        """Ended before an ending: abandoned, with its partial scorecard, no overall, no outcome."""
        self._put(Op("end", self._ref(attempt_id), _writes().Stopped.of(scorecard)))

    def abandon(self, attempt_id: int) -> None:
        self._put(Op("end", self._ref(attempt_id), _writes().Abandoned.of()))

    def choices(self, attempt_id: int) -> list[int]:
        self.flush()
        return _writes().live_choices(self.conn, self._real(self._ref(attempt_id)))

    # ---- the pre-shift check -------------------------------------------------------------------

    def start_check(self, minutes: int, pass_mark: int) -> int:
        """A check row (its id, or a provisional one); the attempts started after it belong to it."""
        ref = self._local()
        self._put(Op("start_check", ref, _writes().NewCheck.of(minutes, pass_mark)))
        self.check_id = self._ids.get(ref, ref)
        return self.check_id

    def finish_check(self, check_id: int, verdict: Any) -> None:
        self._put(Op("finish_check", self._ref(check_id), _writes().CheckVerdict.of(verdict)))

    def abandon_check(self, check_id: int) -> None:
        """The teller ended the check early: it ended, with no verdict (not a "review")."""
        self._put(Op("abandon_check", self._ref(check_id), now()))

    def close_open_checks(self) -> None:
        """End the teller's checks that never got a verdict (closed terminal, full disk): they read
        as "abandoned" in history and reports."""
        self._put(Op("close_checks", 0, now()))

    # ---- state for the screen -------------------------------------------------------------------

    @property
    def pending(self) -> int:
        with self._queue_lock:
            return len(self._queue)

    def status(self) -> tuple[int, StoreError | None]:
        """(operations not yet written, why) — (0, None) when everything is stored."""
        return self.pending, self.problem

    # ---- writing --------------------------------------------------------------------------------

    def flush(self) -> bool:
        """Write what is queued, in order; True when the queue is empty. Never raises, never waits
        for another flush (the background thread may be writing)."""
        if not self._write_lock.acquire(blocking=False):
            return False
        try:
            while True:
                with self._queue_lock:
                    if not self._queue:
                        self.problem = None
                        return True
                    op = self._queue[0]
                try:
                    self._write(op)
                except sqlite3.Error as exc:
                    self.problem = classify(exc, self.path)
                    return False
                except StoreError as exc:
                    self.problem = exc
                    return False
                with self._queue_lock:
                    self._queue.popleft()
                self.written += 1
        finally:
            self._write_lock.release()

    def close(self, wait_seconds: float = 5.0) -> int:
        """Stop retrying after a last attempt of up to `wait_seconds`; returns what is still unwritten.
        Safe to call again, and from another thread while one close is under way (both wait for
        the queue; the Outbox stays in `close_all`'s reach until the queue is done with)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=wait_seconds + 1)
        deadline = wait_seconds
        import time

        end = time.monotonic() + deadline
        while not self.flush() and time.monotonic() < end:
            time.sleep(0.1)
        left = self.pending
        _open.discard(self)
        try:
            self.conn.close()
        except sqlite3.Error:
            pass
        return left

    def _put(self, op: Op) -> None:
        with self._queue_lock:
            self._queue.append(op)
            waiting = len(self._queue) > 1
        if not waiting:  # nothing queued before: write now (waits at most WRITE_WAIT_MS)
            if self.flush():
                return
        self._retry_in_background()

    def _retry_in_background(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._retry, name="coach-outbox", daemon=True)
        self._thread.start()

    def _retry(self) -> None:
        while not self._stop.wait(self.retry_seconds):
            if self.flush():
                return

    def _local(self) -> int:
        ref = self._next_local
        self._next_local -= 1
        return ref

    def _ref(self, attempt_id: int) -> int:
        """The queue's key for an id the caller holds (a real id, or a provisional one)."""
        return self._refs.get(attempt_id, attempt_id)

    def _known_seqs(self, ref: int) -> None:
        """A resumed attempt (started by an earlier run): its live answers, read once."""
        if ref in self._seqs:
            return
        rows = self.conn.execute("SELECT seq, undone FROM answers WHERE attempt_id = ? ORDER BY seq", (ref,)).fetchall()
        self._seqs[ref] = [s for s, undone in rows if undone is None]
        self._last_seq[ref] = max((s for s, _ in rows), default=0)

    def _teller(self, c: sqlite3.Connection) -> int:
        """The teller's row id, created in the operation's transaction (so never ahead of a failure)."""
        if self._teller_id is None:
            self._teller_id = teller_id(c, self.teller)
        return self._teller_id

    def _real(self, ref: int) -> int:
        return self._ids.get(ref, ref)

    def _write(self, op: Op) -> None:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        self._new_id = None
        teller_known = self._teller_id is not None
        try:
            self._apply(c, op)
            c.execute("COMMIT")
            if self._new_id is not None:  # only a committed row id is ever handed out
                self._ids[op.ref] = self._new_id
                self._refs[self._new_id] = op.ref
        except BaseException:
            try:
                c.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # a failed COMMIT may have rolled back already
            if not teller_known:
                self._teller_id = None  # the teller row may have been rolled back with it
            raise

    def _apply(self, c: sqlite3.Connection, op: Op) -> None:
        """Write one operation through coach/store/writes.py, with provisional ids made real."""
        rec, real = op.record, self._real(op.ref)
        if op.kind == "start":
            self._new_id = _writes().start_attempt(c, self._teller(c), rec,
                                                None if op.check is None else self._real(op.check))
        elif op.kind == "answer":  # a retry finds (attempt, seq) stored and writes nothing
            _writes().add_answer(c, self._teller(c), real, rec)
        elif op.kind == "undo":
            seq, at = rec
            _writes().undo_answer(c, real, at, seq)
        elif op.kind == "end":
            _writes().end_attempt(c, real, rec)
        elif op.kind == "start_check":
            self._new_id = _writes().start_check(c, self._teller(c), rec)
        elif op.kind == "finish_check":
            _writes().finish_check(c, real, rec)
        elif op.kind == "abandon_check":
            _writes().abandon_check(c, real, rec)
        elif op.kind == "close_checks":
            _writes().close_open_checks(c, self._teller(c), rec)
        else:  # pragma: no cover - every kind is above
            raise ValueError(op.kind)


def close_all(wait_seconds: float) -> tuple[int, str]:
    """Close every open Outbox (a last try at what is queued): (operations left unwritten, why).

    For a process that must end now (coach/tui/hangup.py's hard stop), when the usual close at
    exit may never come."""
    left, why = 0, []
    for box in list(_open):
        n = box.close(wait_seconds)
        if n:
            left += n
            why.append(str(box.problem))
    return left, "; ".join(why)


def message(problem: StoreError | None, pending: int, lang: str = "en") -> str:
    """One quiet line for the screen: what is not stored yet and why."""
    if not pending:
        return "所有答案都已保存。" if lang == "zh" else "All answers are saved."
    from coach.store.db import DatabaseBusy, DiskFull

    if lang == "zh":
        why = ("练习记录正被其他程序占用" if isinstance(problem, DatabaseBusy)
               else "磁盘已满" if isinstance(problem, DiskFull) else "练习记录暂时无法写入")
        return f"{why}：{pending} 项尚未保存，已保存在内存中，会自动重试。可以继续练习。"
    why = ("the history is locked by another program" if isinstance(problem, DatabaseBusy)
           else "the disk is full" if isinstance(problem, DiskFull) else "the history cannot be written just now")
    return f"Not saved yet ({pending}): {why}. Kept in memory and retried every second; keep playing."

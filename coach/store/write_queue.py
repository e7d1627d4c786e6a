"""The Outbox: the Recorder for a terminal UI, which must never freeze or crash on the history.

Every call (start, answer, undo, finish, abandon, and a check's start and verdict) becomes an
operation in a queue and is written at once, in its own `BEGIN IMMEDIATE` transaction, with a short
busy timeout. When the database stays locked by another program, or the disk is full, or it fails,
the operation stays queued, in order, and a background thread retries every second until it is
written; the caller goes on at once (the teller keeps playing) and `status()` says what is wrong
for the screen to show. Nothing is lost and nothing is written twice: each answer is keyed by
(attempt, seq) with seq counted here, and every other operation is idempotent.

An attempt started while the database cannot be written gets a provisional (negative) id; the
queue maps it to the real row id when the start is written. Headless: no textual import.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.store.db import StoreError, classify, now
from coach.store.review import note_answer
from coach.store.tellers import clean_name

if TYPE_CHECKING:
    from coach.engine import Scorecard, Turn
    from coach.scenario.model import Scenario

#: How long one write may wait for a lock before it is queued for the background (ms): short, so
#: the teller never notices; the queue retries every RETRY_SECONDS.
WRITE_WAIT_MS = 150
RETRY_SECONDS = 1.0


@dataclass
class Op:
    kind: str
    ref: int  # the attempt's (or check's) id or provisional id
    data: dict = field(default_factory=dict)


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
        # uid: the attempt's global id (the central store keys on it), chosen once so a retry keeps it
        self._put(Op("start", ref, {"scenario_id": scenario.id, "sha256": sha256 or "", "mode": mode,
                                    "lang": lang, "started": now(), "check_id": self.check_id,
                                    "uid": str(uuid.uuid4())}))
        return self._ids.get(ref, ref)

    def answer(self, attempt_id: int, turn: "Turn", seconds: float | None = None) -> int:
        ref = self._ref(attempt_id)
        self._known_seqs(ref)
        seq = self._last_seq[ref] + 1
        self._last_seq[ref] = seq
        self._seqs[ref].append(seq)
        points = {"choice": dict(turn.points), "best": dict(turn.best_points),
                  "rules": [ev.to_dict() for ev in turn.events]}
        self._put(Op("answer", ref, {
            "seq": seq, "step": turn.step, "choice": turn.index, "act": turn.act,
            "points": json.dumps(points, ensure_ascii=False, sort_keys=True), "mood_before": turn.mood_before,
            "mood_after": turn.mood_after, "seconds": None if seconds is None else round(float(seconds), 3),
            "at": now(), "turn": turn}))
        return seq

    def undo(self, attempt_id: int) -> None:
        ref = self._ref(attempt_id)
        self._known_seqs(ref)
        if self._seqs[ref]:
            self._put(Op("undo", ref, {"seq": self._seqs[ref].pop(), "at": now()}))

    def finish(self, attempt_id: int, scorecard: "Scorecard") -> None:
        if scorecard.outcome is None:  # no ending reached: kept, but never stored as finished
            self.stop(attempt_id, scorecard)
            return
        self._put(Op("finish", self._ref(attempt_id), {
            "ended": now(), "scorecard": json.dumps(scorecard.to_dict(), ensure_ascii=False),
            "overall": int(scorecard.overall), "outcome": scorecard.outcome,
            "principles": [(pid, int(t.score)) for pid, t in scorecard.principles.items()]}))

    def stop(self, attempt_id: int, scorecard: "Scorecard") -> None:
        """Ended before an ending: abandoned, with its partial scorecard, no overall, no outcome."""
        self._put(Op("stop", self._ref(attempt_id), {
            "ended": now(), "scorecard": json.dumps(scorecard.to_dict(), ensure_ascii=False)}))

    def abandon(self, attempt_id: int) -> None:
        self._put(Op("abandon", self._ref(attempt_id), {"ended": now()}))

    def choices(self, attempt_id: int) -> list[int]:
        self.flush()
        ref = self._ref(attempt_id)
        real = self._ids.get(ref, ref)
        return [r[0] for r in self.conn.execute(
            "SELECT choice FROM answers WHERE attempt_id = ? AND undone IS NULL ORDER BY seq", (real,))]

    # ---- the pre-shift check -------------------------------------------------------------------

    def start_check(self, minutes: int, pass_mark: int) -> int:
        """A check row (its id, or a provisional one); the attempts started after it belong to it."""
        ref = self._local()
        self._put(Op("start_check", ref, {"started": now(), "minutes": int(minutes), "pass_mark": int(pass_mark),
                                          "uid": str(uuid.uuid4())}))
        self.check_id = self._ids.get(ref, ref)
        return self.check_id

    def finish_check(self, check_id: int, verdict: Any) -> None:
        self._put(Op("finish_check", self._ref(check_id), {
            "ended": now(), "verdict": "ready" if verdict.ready else "review",
            "review": json.dumps(verdict.review), "numbers": json.dumps(verdict.numbers(), ensure_ascii=False)}))

    def abandon_check(self, check_id: int) -> None:
        """The teller ended the check early: it ended, with no verdict (not a "review")."""
        self._put(Op("abandon_check", self._ref(check_id), {"ended": now(),
                                                            "numbers": json.dumps({"abandoned": True})}))

    def close_open_checks(self) -> None:
        """End the teller's checks that never got a verdict (closed terminal, full disk): they read
        as "abandoned" in history and reports."""
        self._put(Op("close_checks", 0, {"ended": now()}))

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
        """Stop retrying after a last attempt of up to `wait_seconds`; returns what is still unwritten."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=wait_seconds + 1)
        deadline = wait_seconds
        import time

        end = time.monotonic() + deadline
        while not self.flush() and time.monotonic() < end:
            time.sleep(0.1)
        left = self.pending
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
        if self._teller_id is None:
            c.execute("INSERT OR IGNORE INTO tellers (name, created) VALUES (?, ?)", (self.teller, now()))
            self._teller_id = int(c.execute("SELECT id FROM tellers WHERE name = ?", (self.teller,)).fetchone()[0])
        return self._teller_id

    def _real(self, ref: int) -> int:
        return self._ids.get(ref, ref)

    def _write(self, op: Op) -> None:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        self._new_id = None
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
            if op.kind in ("start", "start_check"):
                self._teller_id = None  # the teller row may have been rolled back with it
            raise

    def _apply(self, c: sqlite3.Connection, op: Op) -> None:
        d, ref = op.data, op.ref
        if op.kind == "start":
            check = d["check_id"]
            cur = c.execute(
                "INSERT INTO attempts (teller_id, scenario_id, scenario_sha256, mode, lang, started, check_id, uid)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (self._teller(c), d["scenario_id"], d["sha256"], d["mode"], d["lang"], d["started"],
                 None if check is None else self._real(check), d["uid"]))
            self._new_id = int(cur.lastrowid)
        elif op.kind == "answer":
            aid = self._real(ref)
            cur = c.execute(
                "INSERT INTO answers (attempt_id, seq, step, choice, act, points, mood_before, mood_after,"
                " seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (attempt_id, seq) DO NOTHING",
                (aid, d["seq"], d["step"], d["choice"], d["act"], d["points"], d["mood_before"],
                 d["mood_after"], d["seconds"], d["at"]))
            if cur.rowcount:  # a missed decision becomes a review card in the same transaction
                scenario = self._scenarios.get(ref)
                step = scenario.steps.get(d["step"]) if scenario is not None else None
                note_answer(c, self._teller(c), aid, d["seq"], d["turn"], step.fingerprint() if step else None)
        elif op.kind == "undo":
            c.execute("UPDATE answers SET undone = ? WHERE attempt_id = ? AND seq = ? AND undone IS NULL",
                      (d["at"], self._real(ref), d["seq"]))
        elif op.kind == "finish":
            aid = self._real(ref)
            c.execute("UPDATE attempts SET status = 'finished', ended = ?, scorecard = ?, overall = ?,"
                      " outcome = ? WHERE id = ?", (d["ended"], d["scorecard"], d["overall"], d["outcome"], aid))
            c.execute("DELETE FROM attempt_principles WHERE attempt_id = ?", (aid,))
            c.executemany("INSERT INTO attempt_principles (attempt_id, principle, score) VALUES (?, ?, ?)",
                          [(aid, pid, score) for pid, score in d["principles"]])
        elif op.kind == "stop":
            c.execute("UPDATE attempts SET status = 'abandoned', ended = ?, scorecard = ? WHERE id = ? AND status = 'open'",
                      (d["ended"], d["scorecard"], self._real(ref)))
        elif op.kind == "abandon":
            c.execute("UPDATE attempts SET status = 'abandoned', ended = ? WHERE id = ? AND status = 'open'",
                      (d["ended"], self._real(ref)))
        elif op.kind == "start_check":
            cur = c.execute("INSERT INTO checks (teller_id, started, minutes, pass_mark, uid) VALUES (?, ?, ?, ?, ?)",
                            (self._teller(c), d["started"], d["minutes"], d["pass_mark"], d["uid"]))
            self._new_id = int(cur.lastrowid)
        elif op.kind == "finish_check":
            c.execute("UPDATE checks SET ended = ?, verdict = ?, review = ?, numbers = ? WHERE id = ?",
                      (d["ended"], d["verdict"], d["review"], d["numbers"], self._real(ref)))
        elif op.kind == "abandon_check":
            c.execute("UPDATE checks SET ended = ?, numbers = ? WHERE id = ? AND verdict IS NULL",
                      (d["ended"], d["numbers"], self._real(ref)))
        elif op.kind == "close_checks":
            c.execute("UPDATE checks SET ended = ? WHERE teller_id = ? AND ended IS NULL",
                      (d["ended"], self._teller(c)))
        else:  # pragma: no cover - every kind is above
            raise ValueError(op.kind)


def message(problem: StoreError | None, pending: int, lang: str = "en") -> str:
    """One quiet line for the screen: what is not stored yet and why."""
    if not pending:
        return "所有答案都已保存。" if lang == "zh" else "All answers are saved."
    from coach.store.db import DatabaseBusy, DiskFull

    if lang == "zh":
        why = ("练习记录正被其他程序占用" if isinstance(problem, DatabaseBusy)
               else "磁盘已满" if isinstance(problem, DiskFull) else "练习记录暂时无法写入")
        return f"{why}:{pending} 项尚未保存,已保存在内存中,会自动重试。可以继续练习。"
    why = ("the history is locked by another program" if isinstance(problem, DatabaseBusy)
           else "the disk is full" if isinstance(problem, DiskFull) else "the history cannot be written just now")
    return f"Not saved yet ({pending}): {why}. Kept in memory and retried every second; keep playing."

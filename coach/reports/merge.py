"""Read finished attempts from one or many history databases, read-only, into plain row dicts.

Each workstation keeps its own database; a trainer collects the files. Nothing is written to them:
a file without a `-wal` beside it is opened `immutable` (no lock, no `-shm`/`-wal` created); a file
with a `-wal` (a live database, or one copied with its log) is copied with its log to a temporary
folder first and read there. The same teller name in two files is one teller; the same attempt
found twice (a file collected twice, a copy of a copy) is counted once.

An attempt row is a dict:

    source, attempt (id in its file), key (its identity, the same in every copy), teller, scenario, sha256, mode,
    lang, started, ended, overall, outcome, principles {id: score},
    answers [{seq, step, choice (0-based), act, points (total of the choice's points),
              rule_points (what the rules added), mood_before, mood_after, seconds, at}]

The analysis modules (views, items, xapi) take lists of these and nothing else, so they can be
tested on hand-made rows.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from pathlib import Path

DB_SUFFIXES = (".sqlite3", ".db")
_HEADER = b"SQLite format 3\x00"


class ReportError(Exception):
    """A bad input, in plain words (str(exc)); the command prints it and exits non-zero."""


@dataclass
class Filters:
    since: str | None = None  # UTC ISO timestamp, compared as text with attempts.started
    teller: str | None = None
    scenario: str | None = None

    def to_dict(self) -> dict:
        return {"since": self.since, "teller": self.teller, "scenario": self.scenario}


@dataclass
class Dataset:
    attempts: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    duplicates: int = 0
    filters: Filters = field(default_factory=Filters)

    @property
    def tellers(self) -> list[str]:
        return sorted({a["teller"] for a in self.attempts})

    @property
    def answer_count(self) -> int:
        return sum(len(a["answers"]) for a in self.attempts)


def parse_since(raw: str) -> str:
    """`2026-11-01` (start of that day, local time) or an ISO date-time -> a UTC timestamp text."""
    text = raw.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ReportError(f"--since takes a date like 2026-11-01 (or 2026-11-01T08:30), not '{raw}'") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the trainer's local time
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def db_files(paths: list[str]) -> list[Path]:
    """The database files named: files as given, folders as their *.sqlite3 and *.db files."""
    if not paths:
        raise ReportError("give at least one history database (a .sqlite3 file) or a folder of them")
    files: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        try:
            p.exists()
        except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL byte
            raise ReportError(f"{raw}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix in DB_SUFFIXES and f.is_file())
            if not found:
                raise ReportError(f"{raw}: no history databases (*.sqlite3, *.db) in this folder")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        elif p.exists():
            raise ReportError(f"{raw}: not a file or a folder")
        else:
            raise ReportError(f"{raw}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique


def _clean_name(name: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(name).split()))


class _ReadOnly:
    """A read-only connection that leaves the file and its folder exactly as they were."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp: tempfile.TemporaryDirectory | None = None
        self.conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        path = self.path
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(_HEADER))
        except OSError as exc:
            raise ReportError(f"{path}: cannot read it ({exc.strerror or exc})") from None
        if head != _HEADER:
            what = "an empty file" if not head else "not a SQLite database"
            raise ReportError(f"{path}: not a coach history database ({what})")
        wal = path.with_name(path.name + "-wal")
        try:
            if wal.exists() and wal.stat().st_size > 0:
                self.tmp = tempfile.TemporaryDirectory(prefix="coach-report-")
                copy = Path(self.tmp.name) / path.name
                shutil.copyfile(path, copy)
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
                uri = copy.resolve().as_uri() + "?mode=ro"
            else:
                uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
            self.conn = sqlite3.connect(uri, uri=True)
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise ReportError(f"{path}: cannot open it ({exc})") from None
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.tmp is not None:
            self.tmp.cleanup()
            self.tmp = None

    def __exit__(self, *exc) -> None:
        self.close()


def _check_schema(conn: sqlite3.Connection, path: Path) -> bool:
    """True if the database has per-principle rows (v2); raises for anything not coach's."""
    from coach.store.db import SCHEMA_VERSION

    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version > SCHEMA_VERSION:
        raise ReportError(f"{path}: written by a newer coach (history format {version}; this coach reads up "
                          f"to {SCHEMA_VERSION}); update coach")
    if not {"tellers", "attempts", "answers"} <= tables:
        raise ReportError(f"{path}: a SQLite database, but not a coach history database")
    return "attempt_principles" in tables


def _point_sums(points: str) -> tuple[int, int]:
    """(the choice's points, the rules' points) of an answer's stored points JSON."""
    try:
        data = json.loads(points)
        got = sum(int(v) for v in data.get("choice", {}).values())
        rule = sum(int(v) for ev in data.get("rules", []) for v in ev.get("earned", {}).values())
    except (ValueError, TypeError, AttributeError):
        return 0, 0
    return got, rule


def read_database(path: Path, filters: Filters | None = None) -> list[dict]:
    """Finished attempts of one database, with their live answers, oldest first."""
    filters = filters or Filters()
    where = ["a.status = 'finished'"]
    params: list = []
    if filters.since:
        where.append("a.started >= ?")
        params.append(filters.since)
    if filters.teller:
        where.append("t.name = ?")
        params.append(filters.teller)
    if filters.scenario:
        where.append("a.scenario_id = ?")
        params.append(filters.scenario)
    cond = " AND ".join(where)
    source = str(path)
    with _ReadOnly(path) as conn:
        try:
            has_rows = _check_schema(conn, path)
            attempts: dict[int, dict] = {}
            # Critical mistakes are counted from the stored scorecard; rows older than the key count 0.
            for (aid, name, sid, sha, mode, lang, started, ended, overall, outcome, card, critical) in conn.execute(
                "SELECT a.id, t.name, a.scenario_id, a.scenario_sha256, a.mode, a.lang, a.started, a.ended,"
                " a.overall, a.outcome, " + ("NULL" if has_rows else "a.scorecard") + ","
                " CASE WHEN json_valid(a.scorecard)"
                " THEN coalesce(json_array_length(a.scorecard, '$.critical'), 0) ELSE 0 END"
                " FROM attempts AS a JOIN tellers AS t ON t.id = a.teller_id"
                f" WHERE {cond} ORDER BY a.started, a.id", params,
            ):
                principles: dict[str, int] = {}
                if card:
                    try:
                        principles = {k: int(v) for k, v in json.loads(card).get("principles", {}).items()}
                    except (ValueError, TypeError, AttributeError):
                        principles = {}
                teller = _clean_name(name)
                attempts[aid] = {
                    "source": source, "attempt": aid, "key": "",
                    "teller": teller, "scenario": sid, "sha256": sha or "", "mode": mode, "lang": lang,
                    "started": started, "ended": ended, "overall": overall, "outcome": outcome,
                    "principles": principles, "answers": [], "critical": int(critical or 0),
                }
            if not attempts:
                return []
            if has_rows:
                sql = "SELECT attempt_id, principle, score FROM attempt_principles"
                if len(where) > 1:
                    sql = ("SELECT p.attempt_id, p.principle, p.score FROM attempt_principles AS p"
                           " JOIN attempts AS a ON a.id = p.attempt_id JOIN tellers AS t ON t.id = a.teller_id"
                           f" WHERE {cond}")
                for aid, pid, score in conn.execute(sql, params if len(where) > 1 else []):
                    if aid in attempts:
                        attempts[aid]["principles"][pid] = int(score)
            # Answers of the attempts kept. Their points JSON repeats (one per step, choice and rules
            # fired), so each distinct text is parsed once.
            if len(where) == 1:
                answer_sql = ("SELECT attempt_id, seq, step, choice, act, points, mood_before, mood_after,"
                              " seconds, at FROM answers WHERE undone IS NULL")
                answer_params: list = []
            else:
                answer_sql = ("SELECT attempt_id, seq, step, choice, act, points, mood_before, mood_after,"
                              " seconds, at FROM answers WHERE undone IS NULL AND attempt_id IN ("
                              " SELECT a.id FROM attempts AS a JOIN tellers AS t ON t.id = a.teller_id"
                              f" WHERE {cond})")
                answer_params = params
            parsed: dict[str, tuple[int, int]] = {}
            for (aid, seq, step, choice, act, points, mb, ma, seconds, at) in conn.execute(answer_sql, answer_params):
                row = attempts.get(aid)
                if row is None:
                    continue
                sums = parsed.get(points)
                if sums is None:
                    sums = parsed[points] = _point_sums(points)
                row["answers"].append({
                    "seq": seq, "step": step, "choice": int(choice), "act": act, "points": sums[0],
                    "rule_points": sums[1], "mood_before": mb, "mood_after": ma, "seconds": seconds, "at": at,
                })
            for row in attempts.values():
                row["answers"].sort(key=lambda x: x["seq"])
                # The attempt's identity, the same in every copy of the file wherever it was moved:
                # duplicates are found by it and xAPI registrations derived from it.
                row["key"] = "\x1f".join(map(str, (
                    row["teller"], row["scenario"], row["sha256"], row["started"], row["ended"], row["overall"],
                    ",".join(str(x["choice"]) for x in row["answers"]))))
        except sqlite3.DatabaseError as exc:
            raise ReportError(f"{path}: not a readable coach history database ({exc})") from None
    return list(attempts.values())


def merge(paths: list[str], filters: Filters | None = None) -> Dataset:
    """All finished attempts of the databases named, the same teller name being one teller."""
    filters = filters or Filters()
    data = Dataset(filters=filters)
    seen: set[str] = set()
    for path in db_files(paths):
        rows = read_database(path, filters)
        kept = 0
        for row in rows:
            if row["key"] in seen:
                data.duplicates += 1
                continue
            seen.add(row["key"])
            data.attempts.append(row)
            kept += 1
        data.sources.append({
            "path": str(path), "attempts": kept, "answers": sum(len(r["answers"]) for r in rows),
            "tellers": len({r["teller"] for r in rows}),
        })
    data.attempts.sort(key=lambda a: (a["started"], a["teller"], a["source"], a["attempt"]))
    return data


def known_values(paths: list[str], column: str) -> list[str]:
    """Every teller name or scenario id in the databases (for 'did you mean' messages)."""
    out: set[str] = set()
    for path in db_files(paths):
        with _ReadOnly(path) as conn:
            try:
                _check_schema(conn, path)
                sql = ("SELECT name FROM tellers" if column == "teller"
                       else "SELECT DISTINCT scenario_id FROM attempts")
                out |= {_clean_name(r[0]) if column == "teller" else r[0] for r in conn.execute(sql)}
            except sqlite3.DatabaseError:
                continue
    return sorted(out)

"""Read finished attempts from one or many history databases, read-only, into plain row dicts.

Each workstation keeps its own database; a trainer collects the files. Nothing is written to them:
each is read through `coach.store.db.read_snapshot`, a consistent in-memory copy (a file without a
`-wal` is opened `immutable`, creating no `-shm`/`-wal`; a live one is copied by SQLite's backup API
in one read transaction). Every row is checked as it is read (`coach.store.rows`): a row coach could
not have written is skipped and listed in `Dataset.problems`. The same teller name in two files is one teller; the same attempt
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

import sqlite3
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from pathlib import Path

from coach.store import rows

DB_SUFFIXES = (".sqlite3", ".db")


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
    problems: list[str] = field(default_factory=list)  # rows skipped as not coach's, for stderr

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
        raise ReportError(f"--since takes a date like 2026-11-01 (or 2026-11-01T08:30; years 1 to 9999), "
                          f"not '{raw}'") from None
    try:
        if moment.tzinfo is None:
            moment = moment.astimezone()  # the trainer's local time
        utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError, OSError):
        # 0001-01-01 or 9999-12-31 shifted by a time zone leaves the calendar Python knows: it still
        # means "before every attempt" or "after every attempt"
        edge = datetime.min if moment.year < 5000 else datetime.max
        utc = edge.replace(tzinfo=timezone.utc)
    return utc.isoformat(timespec="microseconds")


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
    """A private, consistent snapshot of a database: the file and its folder are left as they were."""

    def __init__(self, path: Path, *, copy: bool = True, tolerant: bool = True) -> None:
        self.path, self.copy, self.tolerant = path, copy, tolerant
        self.conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        from coach.store.db import BrokenDatabase, NewerSchema, StoreError, read_snapshot, text_or_bytes

        path = self.path
        try:
            # the backup API copies a live database in one read transaction: never "malformed"
            # because a writer was busy (the old copy of file + -wal was not atomic)
            self.conn = read_snapshot(path, upgrade=False, copy=self.copy)
            if self.tolerant:
                self.conn.text_factory = text_or_bytes  # invalid UTF-8 stays bytes: its row is reported
        except NewerSchema as exc:
            raise ReportError(f"{path}: written by a newer coach (history format {exc.found}; this coach "
                              f"reads up to {_schema_version()}); update coach") from None
        except BrokenDatabase as exc:
            raise ReportError(f"{path}: not a coach history database ({exc.detail})") from None
        except StoreError as exc:
            raise ReportError(str(exc).rstrip(".")) from None
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __exit__(self, *exc) -> None:
        self.close()


def _schema_version() -> int:
    from coach.store.db import SCHEMA_VERSION

    return SCHEMA_VERSION


def _check_schema(conn: sqlite3.Connection, path: Path) -> bool:
    """True if the database has per-principle rows (v2); raises for anything not coach's."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version > _schema_version():
        raise ReportError(f"{path}: written by a newer coach (history format {version}; this coach reads up "
                          f"to {_schema_version()}); update coach")
    if not {"tellers", "attempts", "answers"} <= tables:
        if not tables and version == 0:
            raise ReportError(f"{path}: not a coach history database (an empty file)")
        raise ReportError(f"{path}: a SQLite database, but not a coach history database")
    return "attempt_principles" in tables


def _attempt(raw: tuple, source: str, card_scores: bool) -> dict:
    """An attempts row joined with its teller's name, checked (rows.BadRow if it is not coach's)."""
    aid, name, sid, sha, mode, lang, started, ended, overall, outcome, card, critical = raw
    principles: dict[str, int] = {}
    if card_scores and card is not None:
        principles = rows.scores(rows.json_object(card, "scorecard").get("principles", {}), "scorecard principles")
    return {
        "source": source, "attempt": aid, "key": "",
        "teller": _clean_name(rows.text(name, "the teller's name")),
        "scenario": rows.text(sid, "scenario_id"),
        "sha256": rows.text(sha, "scenario_sha256", optional=True, empty=True) or "",
        "mode": rows.text(mode, "mode"), "lang": rows.text(lang, "lang"),
        "started": rows.moment(started, "started"), "ended": rows.moment(ended, "ended", optional=True),
        "overall": rows.integer(overall, "overall", 0, 100),
        "outcome": rows.text(outcome, "outcome", optional=True),
        "principles": principles, "answers": [],
        "critical": rows.integer(critical or 0, "the critical mistakes in the scorecard", 0, 10_000),
    }


_LO, _HI = rows.MOOD


def _answer(raw: tuple, parsed: dict) -> dict:
    aid, seq, step, choice, act, points, mb, ma, seconds, at = raw
    # Fast path (every row coach wrote): the same checks as below, inline; anything else takes the
    # slow path, which says exactly what is wrong.
    sums = parsed.get(points) if type(points) is str else None
    if (sums is not None and type(seq) is int and 1 <= seq <= rows.MAX_SEQ and type(step) is str and step
            and type(choice) is int and 0 <= choice <= rows.MAX_CHOICE and type(act) is str
            and type(mb) is int and _LO <= mb <= _HI and type(ma) is int and _LO <= ma <= _HI
            and (seconds is None or (type(seconds) in (int, float) and 0 <= seconds <= rows.MAX_SECONDS))
            and (at is None or type(at) is str) and len(step) <= rows.MAX_TEXT and len(act) <= rows.MAX_TEXT):
        return {"seq": seq, "step": step, "choice": choice, "act": act, "points": sums[0], "rule_points": sums[1],
                "mood_before": mb, "mood_after": ma, "seconds": None if seconds is None else float(seconds),
                "at": at}
    # Points JSON repeats (one per step, choice and rules fired), so each distinct text is checked once.
    key = points if isinstance(points, str) else None
    sums = parsed.get(key) if key is not None else None
    if sums is None:
        sums = rows.point_sums(points)
        if key is not None:
            parsed[key] = sums
    return {
        "seq": rows.integer(seq, "seq", 1, rows.MAX_SEQ), "step": rows.text(step, "step"),
        "choice": rows.integer(choice, "choice", 0, rows.MAX_CHOICE), "act": rows.text(act, "act", empty=True),
        "points": sums[0], "rule_points": sums[1],
        "mood_before": rows.integer(mb, "mood_before", *rows.MOOD),
        "mood_after": rows.integer(ma, "mood_after", *rows.MOOD),
        "seconds": rows.seconds(seconds), "at": rows.text(at, "at", optional=True),  # xapi tolerates a bad time
    }


class _Undecodable(Exception):
    """A text column holds invalid UTF-8: read again with the tolerant text factory."""


def read_database(path: Path, filters: Filters | None = None, problems: rows.Problems | None = None) -> list[dict]:
    """Finished attempts of one database, with their live answers, oldest first.

    Every row is checked as it is read (coach.store.rows): a row that coach could not have written
    is skipped and named in `problems`, never a traceback. Fast path: a closed database is read in
    place (immutable) with SQLite's own text decoding; it is read again from a consistent copy if a
    writer started meanwhile, and with a tolerant decoder if some text is not UTF-8."""
    from coach.store.db import wal_in_use

    problems = problems if problems is not None else rows.Problems()
    copy, tolerant = wal_in_use(path), False
    while True:  # at most three reads: fast, tolerant of bad text, from a copy
        found_problems = rows.Problems(problems.source)
        try:
            found = _read(path, filters, found_problems, copy=copy, tolerant=tolerant)
        except _Undecodable:
            tolerant = True
            continue
        if copy or not wal_in_use(path):
            break
        copy = True  # a writer started while the file was read in place
    problems.lines.extend(found_problems.lines)
    return found


def _read(path: Path, filters: Filters | None, problems: rows.Problems, *, copy: bool, tolerant: bool) -> list[dict]:
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
    with _ReadOnly(path, copy=copy, tolerant=tolerant) as conn:
        try:
            has_rows = _check_schema(conn, path)
            attempts: dict[int, dict] = {}
            # Critical mistakes are counted from the stored scorecard; rows older than the key count 0.
            for raw in conn.execute(
                "SELECT a.id, t.name, a.scenario_id, a.scenario_sha256, a.mode, a.lang, a.started, a.ended,"
                " a.overall, a.outcome, " + ("NULL" if has_rows else "a.scorecard") + ","
                " CASE WHEN json_valid(a.scorecard)"
                " THEN coalesce(json_array_length(a.scorecard, '$.critical'), 0) ELSE 0 END"
                " FROM attempts AS a JOIN tellers AS t ON t.id = a.teller_id"
                f" WHERE {cond} ORDER BY a.started, a.id", params,
            ):
                try:
                    attempts[rows.integer(raw[0], "id")] = _attempt(raw, source, not has_rows)
                except rows.BadRow as exc:
                    problems.add("attempts", raw[0], str(exc))
            if not attempts:
                return []
            if has_rows:
                sql = "SELECT attempt_id, principle, score FROM attempt_principles"
                if len(where) > 1:
                    sql = ("SELECT p.attempt_id, p.principle, p.score FROM attempt_principles AS p"
                           " JOIN attempts AS a ON a.id = p.attempt_id JOIN tellers AS t ON t.id = a.teller_id"
                           f" WHERE {cond}")
                for aid, pid, score in conn.execute(sql, params if len(where) > 1 else []):
                    if aid not in attempts:
                        continue
                    try:
                        attempts[aid]["principles"][rows.text(pid, "principle")] = rows.integer(score, "score", 0, 100)
                    except rows.BadRow as exc:
                        problems.add("attempt_principles", (aid, pid), str(exc))
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
            for raw in conn.execute(answer_sql, answer_params):
                row = attempts.get(raw[0]) if isinstance(raw[0], int) else None
                if row is None:
                    continue
                try:
                    row["answers"].append(_answer(raw, parsed))
                except rows.BadRow as exc:
                    problems.add("answers", (raw[0], raw[1]), str(exc))
            for row in attempts.values():
                row["answers"].sort(key=lambda x: x["seq"])
                # The attempt's identity, the same in every copy of the file wherever it was moved:
                # duplicates are found by it and xAPI registrations derived from it.
                row["key"] = "\x1f".join(map(str, (
                    row["teller"], row["scenario"], row["sha256"], row["started"], row["ended"], row["overall"],
                    ",".join(str(x["choice"]) for x in row["answers"]))))
        except sqlite3.OperationalError as exc:
            if not tolerant and "decode" in str(exc):
                raise _Undecodable() from None
            raise ReportError(f"{path}: not a readable coach history database ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise ReportError(f"{path}: not a readable coach history database ({exc})") from None
    return list(attempts.values())


def merge(paths: list[str], filters: Filters | None = None) -> Dataset:
    """All finished attempts of the databases named, the same teller name being one teller."""
    filters = filters or Filters()
    data = Dataset(filters=filters)
    seen: set[str] = set()
    for path in db_files(paths):
        problems = rows.Problems(str(path))
        found = read_database(path, filters, problems)
        data.problems.extend(problems)
        kept = 0
        for row in found:
            if row["key"] in seen:
                data.duplicates += 1
                continue
            seen.add(row["key"])
            data.attempts.append(row)
            kept += 1
        data.sources.append({
            "path": str(path), "attempts": kept, "answers": sum(len(r["answers"]) for r in found),
            "tellers": len({r["teller"] for r in found}), "skipped_rows": len(problems),
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
                out |= {_clean_name(r[0]) if column == "teller" else r[0] for r in conn.execute(sql)
                        if isinstance(r[0], str)}
            except sqlite3.DatabaseError:
                continue
    return sorted(out)

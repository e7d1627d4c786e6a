"""The history database: where it lives, opening it safely, and its versioned schema.

Plain stdlib sqlite3. One file, owner-only (file 0600, a folder we create 0700), WAL journal,
`synchronous=FULL` and a busy timeout so two coach processes can share it. The schema version is
`PRAGMA user_version`; `MIGRATIONS[n]` takes a database from version n to n + 1 inside one
`BEGIN IMMEDIATE` transaction. A database from a newer coach is refused; a file that is not a
SQLite database, or is damaged, raises `BrokenDatabase` and is never touched until the teller
agrees to `move_aside` it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime, timezone
from pathlib import Path

ENV_VAR = "COACH_DB"
FILE_NAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 15_000
_HEADER = b"SQLite format 3\x00"


class StoreError(Exception):
    """A problem with the history database, in plain words for the teller (str(exc))."""


class DatabasePathError(StoreError):
    """The path cannot hold a database: a folder, an unwritable place, …"""


class NewerSchema(StoreError):
    """The database was written by a newer coach."""

    def __init__(self, path: Path, found: int) -> None:
        self.path, self.found = path, found
        super().__init__(
            f"{path} was written by a newer version of coach (history format {found}; this coach "
            f"knows up to {SCHEMA_VERSION}). Update coach, or use another file with --db."
        )


class BrokenDatabase(StoreError):
    """The file is not a SQLite database, or it is damaged."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path, self.detail = path, detail
        super().__init__(f"{path} is not a readable coach history database ({detail}).")


# --- the schema ---------------------------------------------------------------------------------

V1 = """
CREATE TABLE tellers (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE attempts (
    id              INTEGER PRIMARY KEY,
    teller_id       INTEGER NOT NULL REFERENCES tellers(id),
    scenario_id     TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL,
    mode            TEXT NOT NULL,
    lang            TEXT NOT NULL,
    started         TEXT NOT NULL,
    ended           TEXT,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished', 'abandoned')),
    scorecard       TEXT,
    overall         INTEGER,
    outcome         TEXT
);
CREATE INDEX attempts_by_teller ON attempts(teller_id, started);
CREATE TABLE answers (
    attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
    seq         INTEGER NOT NULL,
    step        TEXT NOT NULL,
    choice      INTEGER NOT NULL,
    act         TEXT NOT NULL,
    points      TEXT NOT NULL,
    mood_before INTEGER NOT NULL,
    mood_after  INTEGER NOT NULL,
    seconds     REAL,
    at          TEXT NOT NULL,
    undone      TEXT,
    PRIMARY KEY (attempt_id, seq)
) WITHOUT ROWID;
"""

# v2: the pre-shift check's verdicts, attempts tied to a check, per-principle scores of finished
# attempts as rows (so trends and weakest principles aggregate in SQL), backfilled from v1's JSON.
V2 = """
CREATE TABLE checks (
    id        INTEGER PRIMARY KEY,
    teller_id INTEGER NOT NULL REFERENCES tellers(id),
    started   TEXT NOT NULL,
    ended     TEXT,
    minutes   INTEGER NOT NULL,
    pass_mark INTEGER NOT NULL,
    verdict   TEXT CHECK (verdict IN ('ready', 'review')),
    review    TEXT,
    numbers   TEXT
);
CREATE INDEX checks_by_teller ON checks(teller_id, started);
ALTER TABLE attempts ADD COLUMN check_id INTEGER REFERENCES checks(id);
CREATE TABLE attempt_principles (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    principle  TEXT NOT NULL,
    score      INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, principle)
) WITHOUT ROWID;
INSERT INTO attempt_principles (attempt_id, principle, score)
    SELECT a.id, p.key, p.value FROM attempts AS a, json_each(a.scorecard, '$.principles') AS p
    WHERE a.status = 'finished' AND a.scorecard IS NOT NULL AND json_valid(a.scorecard);
CREATE INDEX attempts_by_scenario ON attempts(teller_id, scenario_id, ended);
CREATE INDEX attempts_open ON attempts(teller_id) WHERE status = 'open';
"""

# Review (issue 13): spaced review of missed moments (FSRS cards, one per teller and step), the
# review log, and replies typed in the teller's own words ("say it yourself"). Pure additions
# (CREATE TABLE / CREATE INDEX only), so it can be renumbered when merged with another migration.
REVIEW = """
CREATE TABLE review_cards (
    id              INTEGER PRIMARY KEY,
    teller_id       INTEGER NOT NULL REFERENCES tellers(id),
    scenario_id     TEXT NOT NULL,
    step            TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL,
    step_sha        TEXT,
    prev_step       TEXT,
    prev_choice     INTEGER,
    attempt_id      INTEGER REFERENCES attempts(id),
    choice          INTEGER,
    principles      TEXT NOT NULL DEFAULT '[]',
    card            TEXT NOT NULL,
    due             TEXT NOT NULL,
    stability       REAL,
    reps            INTEGER NOT NULL DEFAULT 0,
    lapses          INTEGER NOT NULL DEFAULT 0,
    created         TEXT NOT NULL,
    retired         TEXT,
    UNIQUE (teller_id, scenario_id, step)
);
CREATE INDEX review_cards_due ON review_cards(teller_id, due) WHERE retired IS NULL;
CREATE TABLE review_log (
    card_id   INTEGER NOT NULL REFERENCES review_cards(id),
    at        TEXT NOT NULL,
    rating    INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    how       TEXT NOT NULL CHECK (how IN ('choice', 'typed')),
    choice    INTEGER,
    seconds   REAL,
    due_after TEXT NOT NULL
);
CREATE INDEX review_log_by_card ON review_log(card_id, at);
CREATE TABLE replies (
    id          INTEGER PRIMARY KEY,
    teller_id   INTEGER NOT NULL REFERENCES tellers(id),
    attempt_id  INTEGER REFERENCES attempts(id),
    card_id     INTEGER REFERENCES review_cards(id),
    scenario_id TEXT NOT NULL,
    step        TEXT NOT NULL,
    lang        TEXT NOT NULL,
    text        TEXT NOT NULL,
    markers     TEXT NOT NULL,
    rating      INTEGER CHECK (rating BETWEEN 1 AND 4),
    at          TEXT NOT NULL
);
CREATE INDEX replies_by_step ON replies(scenario_id, step);
CREATE INDEX replies_by_attempt ON replies(attempt_id)
"""

# A random UUID (version 4) as text, for backfilling rows written before the central migration.
_UUID_SQL = ("lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)"
             " || '-' || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2) || '-'"
             " || hex(randomblob(6)))")

# v4 (central store, issue 12): a global id per attempt and per check, assigned once (at creation
# from now on, backfilled here), so a re-sync to the central PostgreSQL store adds nothing; an
# optional staff id per teller; the workstation's settings (its branch id); and the sync
# bookkeeping: what each central store (by its store id) already has, and how the last sync went.
# Pure additions, so it can be renumbered when merged after another branch's migration.
CENTRAL = f"""
ALTER TABLE attempts ADD COLUMN uid TEXT;
UPDATE attempts SET uid = {_UUID_SQL} WHERE uid IS NULL;
CREATE UNIQUE INDEX attempts_uid ON attempts(uid);
ALTER TABLE checks ADD COLUMN uid TEXT;
UPDATE checks SET uid = {_UUID_SQL} WHERE uid IS NULL;
CREATE UNIQUE INDEX checks_uid ON checks(uid);
ALTER TABLE tellers ADD COLUMN staff_id TEXT;
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE synced (
    store TEXT NOT NULL,
    kind  TEXT NOT NULL CHECK (kind IN ('attempt', 'check')),
    uid   TEXT NOT NULL,
    at    TEXT NOT NULL,
    PRIMARY KEY (store, kind, uid)
) WITHOUT ROWID;
CREATE TABLE sync_status (
    target   TEXT PRIMARY KEY,
    tried    TEXT NOT NULL,
    ok       TEXT,
    error    TEXT,
    waiting  INTEGER NOT NULL DEFAULT 0
);
"""

#: MIGRATIONS[n] takes version n to n + 1 (version 0 is an empty file).
MIGRATIONS: tuple[str, ...] = (V1, V2, REVIEW, CENTRAL)
SCHEMA_VERSION = len(MIGRATIONS)


# --- where it lives ------------------------------------------------------------------------------

def default_path(explicit: str | os.PathLike | None = None) -> Path:
    """`--db`, else `COACH_DB`, else the user's data folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("coach", appauthor=False) / FILE_NAME


def now() -> str:
    """A UTC timestamp that sorts as text: 2026-11-29T04:43:02.123456+00:00."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _prepare_file(path: Path) -> None:
    """Make the folder (0700) and the file (0600) if missing; refuse impossible paths."""
    if path.is_dir():
        raise DatabasePathError(f"{path} is a folder; give a file name for the history database.")
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
            os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask
        elif not folder.is_dir():
            raise DatabasePathError(f"{folder} is not a folder, so {path.name} cannot be created in it.")
        if not path.exists():
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            os.chmod(path, 0o600)
    except FileExistsError:
        pass  # another process created it a moment ago
    except NotADirectoryError:
        raise DatabasePathError(f"{path}: a part of this path is a file, not a folder.") from None
    except PermissionError:
        raise DatabasePathError(f"{path}: permission denied (cannot create the history database there).") from None
    except OSError as exc:
        raise DatabasePathError(f"{path}: {exc.strerror or exc}.") from None
    if not os.access(path, os.R_OK | os.W_OK):
        raise DatabasePathError(f"{path}: permission denied (coach needs to read and write it).")


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_HEADER))
    except OSError as exc:
        raise DatabasePathError(f"{path}: {exc.strerror or exc}.") from None
    if head and head != _HEADER[: len(head)] or 0 < len(head) < len(_HEADER):
        raise BrokenDatabase(path, "it is not a SQLite database")


def connect(path: str | os.PathLike, *, create: bool = True, verify: bool = False) -> sqlite3.Connection:
    """Open (and create or migrate) the history database at `path`.

    Raises DatabasePathError, NewerSchema or BrokenDatabase (all StoreError) with a plain message.
    The connection is in autocommit mode: writers use `transaction(conn)` (BEGIN IMMEDIATE).
    `verify` also runs `PRAGMA quick_check` (about 30 ms per 100,000 answers).
    """
    path = Path(path)
    if create:
        _prepare_file(path)
    elif not path.is_file():
        raise DatabasePathError(f"{path}: no history database there.")
    _check_header(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise DatabasePathError(f"{path}: cannot open ({exc}).") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if verify:
            problems = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
            if problems != ["ok"]:
                raise BrokenDatabase(path, "damaged: " + "; ".join(problems))
    except StoreError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise BrokenDatabase(path, str(exc)) from None
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if extra.exists() and stat.S_IMODE(extra.stat().st_mode) & 0o077:
                os.chmod(extra, 0o600)
        except OSError:
            pass
    return conn


class transaction:
    """`with transaction(conn):` — BEGIN IMMEDIATE … COMMIT, ROLLBACK on error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path | str = "the database") -> int:
    """Bring the schema up to SCHEMA_VERSION, one migration per transaction. Returns the version."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise NewerSchema(Path(path), version)
    while version < SCHEMA_VERSION:
        with transaction(conn):
            version = schema_version(conn)  # another process may have migrated meanwhile
            if version > SCHEMA_VERSION:
                raise NewerSchema(Path(path), version)
            if version == SCHEMA_VERSION:
                break
            if version == 0 and conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]:
                raise BrokenDatabase(Path(path), "it is a SQLite database, but not coach's history")
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")
    return version


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def move_aside(path: str | os.PathLike) -> Path:
    """Rename a broken database to `<name>.broken-<timestamp>` (never overwriting anything), with
    its -wal and -shm files beside it. Returns the new path of the main file."""
    path = Path(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    n = 0
    while True:
        suffix = f".broken-{stamp}" + (f"-{n}" if n else "")
        target = path.with_name(path.name + suffix)
        if not any(t.exists() for t in (target, Path(str(target) + "-wal"), Path(str(target) + "-shm"))):
            break
        n += 1
    try:
        os.link(path, target)  # fails rather than overwrite
        os.unlink(path)
    except OSError:
        if target.exists():
            raise StoreError(f"cannot move {path} aside: {target} exists") from None
        os.rename(path, target)
    for ext in ("-wal", "-shm"):
        side = path.with_name(path.name + ext)
        if side.exists():
            os.rename(side, path.with_name(target.name + ext))
    return target

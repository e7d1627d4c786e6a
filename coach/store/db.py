"""The history database: where it lives, opening it safely, and its versioned schema.

Plain stdlib sqlite3. One file, owner-only (file 0600, a folder we create 0700), WAL journal,
`synchronous=FULL` and a busy timeout so two coach processes can share it. The schema version is
`PRAGMA user_version`; `MIGRATIONS[n]` takes a database from version n to n + 1 inside one
`BEGIN IMMEDIATE` transaction. A database from a newer coach is refused; a file that is not a
SQLite database, or is damaged, raises `BrokenDatabase` and is never touched until the teller
agrees to `move_aside` it.
"""

from __future__ import annotations

import errno
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
    """The file is not a SQLite database, or it is damaged (bad header, failed quick_check).

    The only error after which coach offers to move the file aside."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path, self.detail = path, detail
        super().__init__(f"{path} is not a readable coach history database ({detail}).")


class ForeignDatabase(StoreError):
    """A healthy SQLite database, but another program's: never moved, never written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} is a SQLite database of another program, not coach's history. coach leaves "
                         "it alone; give coach its own file with --db.")


class NotARegularFile(DatabasePathError):
    """A FIFO, a device, a socket, …: checked before opening, so nothing blocks and nothing is renamed."""


class DatabaseBusy(StoreError):
    """Another process holds the write lock for longer than the busy timeout."""


class DiskFull(StoreError):
    """The disk (or quota) holding the database is full."""


class ReadOnlyDatabase(StoreError):
    """The file, its folder or the medium cannot be written."""


class DatabaseIOError(StoreError):
    """The operating system failed to read or write the file."""


def file_kind(path: Path) -> str | None:
    """None for a regular file (or a link to one) or a missing path, else what it is, in words."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            return "a symbolic link to a missing file"
        return None
    except OSError:
        return None  # the open that follows reports it
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def require_regular(path: Path) -> None:
    """Refuse anything but a regular file before it is opened (a FIFO would block the open)."""
    kind = file_kind(path)
    if kind == "a folder":
        raise DatabasePathError(f"{path} is a folder; give a file name for the history database.")
    if kind is not None:
        raise NotARegularFile(f"{path} is {kind}, not a regular file; give a file for the history "
                              "database with --db. Nothing was changed.")


#: SQLite's primary result codes (sqlite3.h) that say what went wrong.
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _PERM, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 3, 26


def classify(exc: BaseException, path: str | os.PathLike) -> StoreError:
    """An sqlite3 error met while opening, reading or writing `path`, as the StoreError that says
    what it was and what to do. Only a bad header or damage is a BrokenDatabase."""
    if isinstance(exc, StoreError):
        return exc
    path = Path(path)
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    low = text.lower()
    if primary in (_BUSY, _LOCKED) or "locked" in low or "busy" in low:
        return DatabaseBusy(
            f"{path} is in use: another coach (or another program) has held it locked for over "
            f"{BUSY_TIMEOUT_MS // 1000} s. Nothing was changed and the file is fine. Close the other "
            "program or wait for it to finish, then try again.")
    if primary == _FULL or "disk is full" in low or "database or disk is full" in low:
        return DiskFull(
            f"the disk holding {path} is full. What was stored before is safe; nothing more could be "
            "written. Free some space, then try again.")
    if primary == _READONLY or "readonly" in low or "read-only" in low:
        return ReadOnlyDatabase(
            f"{path} cannot be written here (read-only file, folder or medium). The file was not changed. "
            "Make it writable, or give a writable file with --db.")
    if primary == _IOERR or "i/o error" in low:
        return DatabaseIOError(
            f"the system failed to read or write {path} (disk I/O error). The file was not moved or "
            "changed. Check the disk or network share, then try again.")
    if primary in (_CANTOPEN, _PERM) or "unable to open" in low:
        return DatabasePathError(f"{path}: cannot open it ({text}). Check that it exists and that you may "
                                 "read and write it and its folder.")
    if primary == _NOTADB or "not a database" in low:
        return BrokenDatabase(path, "it is not a SQLite database")
    if primary == _CORRUPT or "malformed" in low or "corrupt" in low:
        return BrokenDatabase(path, f"damaged: {text}")
    return StoreError(f"{path}: SQLite said: {text}. Nothing was moved.")


def tolerant_text(raw: bytes) -> str:
    """Text columns as str even when a tampered row holds invalid UTF-8 (shown with U+FFFD)."""
    return raw.decode("utf-8", "replace")


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
    require_regular(path)
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
        if exc.errno == errno.ENOSPC:
            raise DiskFull(f"the disk holding {path} is full; free some space, then try again.") from None
        if exc.errno == errno.EROFS:
            raise ReadOnlyDatabase(f"{path} is on a read-only medium; give a writable file with --db.") from None
        raise DatabasePathError(f"{path}: {exc.strerror or exc}.") from None
    require_regular(path)  # created a moment ago by another process as something else
    if not os.access(path, os.R_OK | os.W_OK):
        raise DatabasePathError(f"{path}: permission denied (coach needs to read and write it).")


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_HEADER))
    except OSError as exc:
        if exc.errno == errno.EIO:
            raise DatabaseIOError(f"the system failed to read {path} (disk I/O error); it was not moved or "
                                  "changed. Check the disk, then try again.") from None
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
    else:
        require_regular(path)
        if not path.is_file():
            raise DatabasePathError(f"{path}: no history database there.")
    _check_header(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise classify(exc, path) from None
    conn.text_factory = tolerant_text
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
    except sqlite3.Error as exc:
        conn.close()
        raise classify(exc, path) from None
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if extra.exists() and stat.S_IMODE(extra.stat().st_mode) & 0o077:
                os.chmod(extra, 0o600)
        except OSError:
            pass
    return conn


class transaction:
    """`with transaction(conn):` — BEGIN IMMEDIATE … COMMIT, ROLLBACK on error.

    Inside another `transaction` it joins the outer one (so a whole scripted check is all or nothing)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        self.outer = not self.conn.in_transaction
        if self.outer:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind, exc, tb) -> None:
        if not self.outer:
            return
        if kind is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:  # a failed COMMIT or a full disk may have rolled back already
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
                raise ForeignDatabase(Path(path))
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")
    return version


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def move_aside(path: str | os.PathLike) -> Path:
    """Rename a broken database to `<name>.broken-<timestamp>` (never overwriting anything), with
    its -wal and -shm files beside it. Returns the new path of the main file.

    Only a regular file is moved: never a symbolic link (its target would be left in place while the
    link is renamed, or the wrong file moved), a FIFO, a device, a socket or a folder."""
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        raise StoreError(f"cannot move {path} aside: {exc.strerror or exc}") from None
    if stat.S_ISLNK(mode):
        raise StoreError(f"{path} is a symbolic link; coach does not move links or their targets. Remove the "
                         "link or point --db at another file.")
    if not stat.S_ISREG(mode):
        raise NotARegularFile(f"{path} is {file_kind(path) or 'not a regular file'}; coach moves aside only "
                              "a regular file. Give another file with --db.")
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


# --- reading without writing ---------------------------------------------------------------------

def text_or_bytes(raw: bytes) -> str | bytes:
    """Text columns for validated reads: invalid UTF-8 stays bytes, so the row check reports it."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return bytes(raw)


def wal_in_use(path: Path) -> bool:
    """A `-wal` with content beside `path`: a coach may be writing it now."""
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def read_snapshot(path: str | os.PathLike, *, upgrade: bool = True, copy: bool = True) -> sqlite3.Connection:
    """A consistent, private, in-memory copy of the database at `path`, for read-only commands.

    The file is never written, locked for writing or migrated: a file without a live `-wal` is read
    `immutable` (no `-shm`/`-wal` created, works on read-only media); a live one is read through a
    read-only connection, and SQLite's backup API copies it in one read transaction, so a writer
    working meanwhile cannot make the copy inconsistent. An older schema is migrated in the copy
    only (`upgrade`). Raises the same StoreErrors as `connect`.

    `copy=False` (reports, for speed): a file with no live `-wal` is read in place through its
    immutable connection instead of copied; the caller checks `wal_in_use` afterwards and reads
    again with a copy if a writer started meanwhile. Text columns come back as str; a caller that
    must survive invalid UTF-8 sets `text_factory = text_or_bytes` (or retries with it).
    """
    path = Path(path)
    require_regular(path)
    if not path.exists():
        raise DatabasePathError(f"{path}: no history database there.")
    _check_header(path)
    if not copy and not wal_in_use(path):
        try:
            direct = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True,
                                     check_same_thread=False)
            version = schema_version(direct)
        except sqlite3.Error as exc:
            raise classify(exc, path) from None
        if version > SCHEMA_VERSION:
            direct.close()
            raise NewerSchema(path, version)
        if not (upgrade and version < SCHEMA_VERSION):
            return direct
        direct.close()
    memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    for _ in range(3):
        live = wal_in_use(path)
        uri = path.resolve().as_uri() + ("?mode=ro" if live else "?mode=ro&immutable=1")
        src = None
        try:
            src = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            src.backup(memory)
        except sqlite3.Error as exc:
            memory.close()
            raise classify(exc, path) from None
        finally:
            if src is not None:
                src.close()
        if live or not wal_in_use(path):
            break  # an immutable read is only safe if no writer started during it; else read again
    try:
        version = schema_version(memory)
        if version > SCHEMA_VERSION:
            raise NewerSchema(path, version)
        if upgrade and version < SCHEMA_VERSION:
            migrate(memory, path)
        memory.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except StoreError:
        memory.close()
        raise
    except sqlite3.Error as exc:
        memory.close()
        raise classify(exc, path) from None
    return memory

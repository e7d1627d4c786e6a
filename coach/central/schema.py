"""The central store's schema (PostgreSQL schema `coach`), its migrations and its two roles.

`coach.schema_version` holds the version; `MIGRATIONS[n]` takes version n to n + 1, each in one
transaction under an advisory lock, so two `coach central init` at once are safe.

Least privilege, enforced by the server (docs/central.md):

- `coach_workstation` (NOLOGIN group): INSERT on the results tables and nothing else — no SELECT,
  UPDATE or DELETE, so it cannot read any branch's results. Row-level security lets a login insert
  rows only for the branch it is mapped to in `coach.workstations` (`coach central add-workstation`).
- `coach_reporting` (NOLOGIN group): SELECT only.

Answers carry precomputed item-analysis columns (first answer at its step, the step's position on
the path, the rest of the attempt's points): an attempt is pushed only once it is closed, so they
never change, and the report's item analysis is one GROUP BY.
"""

from __future__ import annotations

WORKSTATION = "coach_workstation"
REPORTING = "coach_reporting"
RESULTS = ("tellers", "attempts", "attempt_principles", "answers", "checks")
_LOCK = 7_012_026_120  # pg_advisory_xact_lock key for migrations

M1 = """
CREATE TABLE coach.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO coach.meta (key, value) VALUES ('store_id', gen_random_uuid()::text);
CREATE TABLE coach.workstations (
    login  name PRIMARY KEY,
    branch text NOT NULL
);
CREATE TABLE coach.tellers (
    branch   text NOT NULL,
    name     text NOT NULL,
    staff_id text,
    created  text NOT NULL,
    PRIMARY KEY (branch, name)
);
CREATE TABLE coach.attempts (
    uid       uuid PRIMARY KEY,
    branch    text NOT NULL,
    teller    text NOT NULL,
    staff_id  text,
    scenario_id text NOT NULL,
    sha256    text NOT NULL,
    mode      text NOT NULL,
    lang      text NOT NULL,
    started   text NOT NULL,
    ended     text,
    status    text NOT NULL CHECK (status IN ('finished', 'abandoned')),
    overall   integer,
    outcome   text,
    critical  integer NOT NULL DEFAULT 0,
    answers_n integer NOT NULL DEFAULT 0,
    scorecard text,
    check_uid uuid,
    synced    timestamptz NOT NULL DEFAULT now(),
    -- who the teller is for reports: the staff id when known, else (branch, name)
    tk        text GENERATED ALWAYS AS (CASE WHEN staff_id IS NOT NULL THEN 's' || staff_id
                                        ELSE 'b' || branch || chr(31) || teller END) STORED,
    UNIQUE (uid, branch),
    FOREIGN KEY (branch, teller) REFERENCES coach.tellers (branch, name)
);
CREATE INDEX attempts_finished ON coach.attempts (scenario_id, started) WHERE status = 'finished';
CREATE INDEX attempts_branch ON coach.attempts (branch, started);
CREATE TABLE coach.attempt_principles (
    attempt_uid uuid NOT NULL,
    branch      text NOT NULL,
    principle   text NOT NULL,
    score       integer NOT NULL,
    PRIMARY KEY (attempt_uid, principle),
    FOREIGN KEY (attempt_uid, branch) REFERENCES coach.attempts (uid, branch)
);
CREATE TABLE coach.answers (
    attempt_uid   uuid NOT NULL,
    branch        text NOT NULL,
    seq           integer NOT NULL,
    step          text NOT NULL,
    choice        integer NOT NULL,
    act           text NOT NULL,
    points_json   text NOT NULL,
    points        integer NOT NULL,
    rule_points   integer NOT NULL,
    mood_before   integer,
    mood_after    integer,
    seconds       double precision,
    at            text NOT NULL,
    undone        text,
    first_at_step boolean NOT NULL DEFAULT false,
    pos           integer,
    rest          integer,
    PRIMARY KEY (attempt_uid, seq),
    FOREIGN KEY (attempt_uid, branch) REFERENCES coach.attempts (uid, branch)
);
CREATE TABLE coach.checks (
    uid       uuid PRIMARY KEY,
    branch    text NOT NULL,
    teller    text NOT NULL,
    staff_id  text,
    started   text NOT NULL,
    ended     text,
    minutes   integer NOT NULL,
    pass_mark integer NOT NULL,
    verdict   text,
    review    text,
    numbers   text,
    FOREIGN KEY (branch, teller) REFERENCES coach.tellers (branch, name)
);
CREATE FUNCTION coach.my_branch() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, coach
    AS 'SELECT branch FROM coach.workstations WHERE login = session_user';
REVOKE ALL ON FUNCTION coach.my_branch() FROM PUBLIC;
"""

#: MIGRATIONS[n] takes the central schema from version n to n + 1.
MIGRATIONS: tuple[str, ...] = (M1,)
SCHEMA_VERSION = len(MIGRATIONS)


def _roles_sql() -> list[str]:
    """Create the two group roles if missing, and (re)grant exactly their privileges."""
    out = []
    for role in (WORKSTATION, REPORTING):
        out.append(
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN "
            "CREATE ROLE %s NOLOGIN; END IF; END$$" % (role, role)
        )
    out += [
        f"GRANT USAGE ON SCHEMA coach TO {WORKSTATION}, {REPORTING}",
        f"GRANT SELECT ON coach.schema_version, coach.meta TO {WORKSTATION}, {REPORTING}",
        f"GRANT EXECUTE ON FUNCTION coach.my_branch() TO {WORKSTATION}",
    ]
    for table in RESULTS:
        out += [
            f"ALTER TABLE coach.{table} ENABLE ROW LEVEL SECURITY",
            f"REVOKE ALL ON coach.{table} FROM {WORKSTATION}, {REPORTING}",
            f"GRANT INSERT ON coach.{table} TO {WORKSTATION}",
            f"GRANT SELECT ON coach.{table} TO {REPORTING}",
            f"DROP POLICY IF EXISTS workstation_own_branch ON coach.{table}",
            f"CREATE POLICY workstation_own_branch ON coach.{table} FOR INSERT TO {WORKSTATION}"
            " WITH CHECK (branch = coach.my_branch())",
            f"DROP POLICY IF EXISTS reporting_reads_all ON coach.{table}",
            f"CREATE POLICY reporting_reads_all ON coach.{table} FOR SELECT TO {REPORTING} USING (true)",
        ]
    return out


def _split(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]


def current_version(conn) -> int | None:
    """The central schema's version, or None when `coach central init` never ran there."""
    row = conn.execute("SELECT to_regclass('coach.schema_version')").fetchone()
    if row[0] is None:
        return None
    row = conn.execute("SELECT max(version) FROM coach.schema_version").fetchone()
    return int(row[0] or 0)


def init(conn) -> tuple[int, int]:
    """Create or migrate the schema and (re)apply the roles. Returns (version before, after)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        conn.execute("CREATE SCHEMA IF NOT EXISTS coach")
        conn.execute("CREATE TABLE IF NOT EXISTS coach.schema_version (version integer NOT NULL)")
        before = current_version(conn) or 0
        if before > SCHEMA_VERSION:
            raise NewerCentral(before)
        for version in range(before, SCHEMA_VERSION):
            for statement in _split(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute("DELETE FROM coach.schema_version")
            conn.execute("INSERT INTO coach.schema_version (version) VALUES (%s)", (version + 1,))
        for statement in _roles_sql():
            conn.execute(statement)
    return before, SCHEMA_VERSION


class NewerCentral(Exception):
    def __init__(self, found: int) -> None:
        self.found = found
        super().__init__(f"the central database was set up by a newer coach (central format {found}; this "
                         f"coach knows up to {SCHEMA_VERSION}); update coach")


def require(conn) -> str:
    """Check the schema is there and not newer; returns the store id."""
    version = current_version(conn)
    if version is None or version == 0:
        raise NotInitialised()
    if version > SCHEMA_VERSION:
        raise NewerCentral(version)
    return str(conn.execute("SELECT value FROM coach.meta WHERE key = 'store_id'").fetchone()[0])


class NotInitialised(Exception):
    def __init__(self) -> None:
        super().__init__("this PostgreSQL database has no coach central store yet; an administrator runs "
                         "`coach central init URL` first")


def add_workstation(conn, login: str, branch: str, password: str | None = None) -> bool:
    """Map a login to its branch (creating the login role if missing, in the workstation group).
    Returns True if the role was created."""
    from psycopg import sql

    with conn.transaction():
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone() is not None
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
        if password is not None:
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(login), sql.Literal(password)))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(WORKSTATION), sql.Identifier(login)))
        conn.execute("INSERT INTO coach.workstations (login, branch) VALUES (%s, %s)"
                     " ON CONFLICT (login) DO UPDATE SET branch = excluded.branch", (login, branch))
    return not exists


def add_reporter(conn, login: str, password: str | None = None) -> bool:
    from psycopg import sql

    with conn.transaction():
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone() is not None
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
        if password is not None:
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(login), sql.Literal(password)))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(REPORTING), sql.Identifier(login)))
    return not exists

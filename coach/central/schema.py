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
never change, and the report's item analysis is one GROUP BY. Version 2 adds roll-ups that
`coach.fold` keeps in the sync's own transaction (M2 below), so an unfiltered report reads a few
thousand summed rows instead of a million answers.
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

# Version 2: roll-ups kept at sync time, so an unfiltered report reads a few thousand summed rows
# instead of every answer and principle score. `coach.fold(uids)` is called by `coach sync` in the
# transaction that inserted the attempts (and by this migration for the rows already there). It
# folds each finished attempt exactly once (`coach.folded` is its ledger: a concurrent or repeated
# fold of the same attempt waits on, then skips, the ledger row), takes its row locks in key order
# (tellers' firsts, then items, then principles) so concurrent syncs queue instead of deadlocking,
# and keeps the first-attempt item sums right when an earlier attempt of a (teller, scenario)
# arrives later: the old first's answers are taken out and the group's max/min recomputed.
M2 = (
    """CREATE TABLE coach.folded (uid uuid PRIMARY KEY)""",
    """CREATE TABLE coach.teller_principles (
    tk        text NOT NULL,
    principle text NOT NULL,
    total     bigint NOT NULL,
    n         bigint NOT NULL,
    PRIMARY KEY (tk, principle)
)""",
    """CREATE TABLE coach.first_attempts (
    tk          text NOT NULL,
    scenario_id text NOT NULL,
    started     text NOT NULL,
    uid         uuid NOT NULL,
    PRIMARY KEY (tk, scenario_id)
)""",
    """CREATE INDEX first_attempts_scenario ON coach.first_attempts (scenario_id)""",
    # per teller: the teller view's numbers; trend (overall scores by start time) and passable (the
    # scores of attempts without a critical mistake, ascending, for `passed` at any pass mark) are recomputed
    # from the teller's attempts when one is folded, so they stay in order however late one arrives
    """CREATE INDEX attempts_tk ON coach.attempts (tk, started) WHERE status = 'finished'""",
    """CREATE TABLE coach.teller_sums (
    tk        text PRIMARY KEY,
    teller    text,
    branch    text,
    staff_id  text,
    attempts  bigint NOT NULL DEFAULT 0,
    scenarios bigint NOT NULL DEFAULT 0,
    trend     integer[] NOT NULL DEFAULT '{}',
    passable  integer[] NOT NULL DEFAULT '{}',
    critical  bigint NOT NULL DEFAULT 0,
    last_started text,
    answers   bigint NOT NULL DEFAULT 0
)""",
    # first_only: over each teller's first finished attempt at each scenario, else every finished
    # attempt; rows: live answers in the group (0 = the group is gone); picks and the sums: first
    # answers at their step, as coach.reports.items needs them
    """CREATE TABLE coach.item_sums (
    first_only  boolean NOT NULL,
    scenario_id text NOT NULL,
    sha256      text NOT NULL,
    step        text NOT NULL,
    choice      integer NOT NULL,
    pos         integer NOT NULL,
    rows        bigint NOT NULL,
    picks       bigint NOT NULL,
    observed    integer,
    sx          bigint NOT NULL,
    sy          bigint NOT NULL,
    sxy         bigint NOT NULL,
    sxx         bigint NOT NULL,
    syy         bigint NOT NULL,
    min_started text,
    PRIMARY KEY (first_only, scenario_id, sha256, step, choice, pos)
)""",
    """CREATE FUNCTION coach.fold(uids uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, coach, pg_temp
AS $fold$
DECLARE
    fresh uuid[];
    cand uuid[];
    new_firsts uuid[];
    old_firsts uuid[];
BEGIN
    WITH ins AS (
        INSERT INTO coach.folded (uid)
        SELECT a.uid FROM coach.attempts AS a WHERE a.uid = ANY(uids) AND a.status = 'finished' ORDER BY a.uid
        ON CONFLICT DO NOTHING RETURNING uid)
    SELECT coalesce(array_agg(uid), '{}') INTO fresh FROM ins;
    IF cardinality(fresh) = 0 THEN
        RETURN 0;
    END IF;

    -- each (teller, scenario)'s earliest finished attempt among these (no temporary table: this
    -- function runs as its owner, and a caller could plant one of the same name)
    SELECT coalesce(array_agg(uid), '{}') INTO cand FROM (
        SELECT DISTINCT ON (a.tk, a.scenario_id) a.uid FROM coach.attempts AS a
        WHERE a.uid = ANY(fresh) ORDER BY a.tk, a.scenario_id, a.started, a.uid) AS d;
    INSERT INTO coach.first_attempts AS f (tk, scenario_id, started, uid)
        SELECT c.tk, c.scenario_id, c.started, c.uid FROM coach.attempts AS c WHERE c.uid = ANY(cand)
        ORDER BY c.tk, c.scenario_id
        ON CONFLICT DO NOTHING;
    PERFORM 1 FROM coach.first_attempts AS f JOIN coach.attempts AS c USING (tk, scenario_id)
        WHERE c.uid = ANY(cand) ORDER BY f.tk, f.scenario_id FOR UPDATE OF f;
    SELECT coalesce(array_agg(f.uid), '{}') INTO old_firsts
        FROM coach.first_attempts AS f JOIN coach.attempts AS c USING (tk, scenario_id)
        WHERE c.uid = ANY(cand) AND (c.started, c.uid) < (f.started, f.uid);
    UPDATE coach.first_attempts AS f SET started = c.started, uid = c.uid FROM coach.attempts AS c
        WHERE c.uid = ANY(cand) AND f.tk = c.tk AND f.scenario_id = c.scenario_id
          AND (c.started, c.uid) < (f.started, f.uid);
    SELECT coalesce(array_agg(c.uid), '{}') INTO new_firsts
        FROM coach.first_attempts AS f JOIN coach.attempts AS c USING (tk, scenario_id)
        WHERE c.uid = ANY(cand) AND f.uid = c.uid;

    INSERT INTO coach.item_sums AS s (first_only, scenario_id, sha256, step, choice, pos, rows, picks, observed,
                                      sx, sy, sxy, sxx, syy, min_started)
        SELECT m.first_only, a.scenario_id, a.sha256, x.step, x.choice, coalesce(x.pos, -1), sum(m.sign),
               coalesce(sum(m.sign) FILTER (WHERE x.first_at_step), 0),
               max(x.points) FILTER (WHERE m.sign > 0),
               coalesce(sum(m.sign * x.points) FILTER (WHERE x.first_at_step), 0),
               coalesce(sum(m.sign * x.rest) FILTER (WHERE x.first_at_step), 0),
               coalesce(sum(m.sign * x.points::bigint * x.rest) FILTER (WHERE x.first_at_step), 0),
               coalesce(sum(m.sign * x.points::bigint * x.points) FILTER (WHERE x.first_at_step), 0),
               coalesce(sum(m.sign * x.rest::bigint * x.rest) FILTER (WHERE x.first_at_step), 0),
               min(a.started) FILTER (WHERE x.first_at_step AND m.sign > 0)
        FROM (SELECT false, 1, u FROM unnest(fresh) AS u
              UNION ALL SELECT true, 1, u FROM unnest(new_firsts) AS u
              UNION ALL SELECT true, -1, u FROM unnest(old_firsts) AS u) AS m (first_only, sign, uid)
        JOIN coach.attempts AS a ON a.uid = m.uid
        JOIN coach.answers AS x ON x.attempt_uid = a.uid
        WHERE x.undone IS NULL AND a.answers_n > 0
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (first_only, scenario_id, sha256, step, choice, pos) DO UPDATE SET
            rows = s.rows + excluded.rows, picks = s.picks + excluded.picks,
            observed = greatest(s.observed, excluded.observed),
            sx = s.sx + excluded.sx, sy = s.sy + excluded.sy, sxy = s.sxy + excluded.sxy,
            sxx = s.sxx + excluded.sxx, syy = s.syy + excluded.syy,
            min_started = least(s.min_started, excluded.min_started);

    IF cardinality(old_firsts) > 0 THEN
        -- a max or min cannot be taken back: recompute them for the scenarios whose first changed
        UPDATE coach.item_sums AS s SET observed = r.observed, min_started = r.min_started
        FROM (SELECT k.scenario_id, k.sha256, k.step, k.choice, k.pos, r.observed, r.min_started
              FROM coach.item_sums AS k
              LEFT JOIN (SELECT a.scenario_id, a.sha256, x.step, x.choice, coalesce(x.pos, -1) AS pos,
                                max(x.points) AS observed, min(a.started) FILTER (WHERE x.first_at_step) AS min_started
                         FROM coach.first_attempts AS f JOIN coach.attempts AS a ON a.uid = f.uid
                         JOIN coach.answers AS x ON x.attempt_uid = a.uid
                         WHERE x.undone IS NULL AND a.answers_n > 0 AND f.scenario_id IN (
                             SELECT o.scenario_id FROM coach.attempts AS o WHERE o.uid = ANY(old_firsts))
                         GROUP BY 1, 2, 3, 4, 5) AS r USING (scenario_id, sha256, step, choice, pos)
              WHERE k.first_only AND k.scenario_id IN (
                  SELECT o.scenario_id FROM coach.attempts AS o WHERE o.uid = ANY(old_firsts))) AS r
        WHERE s.first_only AND (s.scenario_id, s.sha256, s.step, s.choice, s.pos)
              = (r.scenario_id, r.sha256, r.step, r.choice, r.pos);
    END IF;

    INSERT INTO coach.teller_sums (tk)
        SELECT DISTINCT a.tk FROM coach.attempts AS a WHERE a.uid = ANY(fresh) ORDER BY a.tk
        ON CONFLICT DO NOTHING;
    PERFORM 1 FROM coach.teller_sums AS t
        WHERE t.tk IN (SELECT a.tk FROM coach.attempts AS a WHERE a.uid = ANY(fresh)) ORDER BY t.tk FOR UPDATE;
    -- a new statement, after the locks: it sees every attempt a concurrent fold committed
    UPDATE coach.teller_sums AS t SET teller = r.teller, branch = r.branch, staff_id = r.staff_id,
            attempts = r.attempts, scenarios = r.scenarios, trend = r.trend, passable = r.passable,
            critical = r.critical, last_started = r.last_started, answers = r.answers
        FROM (SELECT a.tk, min(a.teller) AS teller, min(a.branch) AS branch, min(a.staff_id) AS staff_id,
                     count(*) AS attempts, count(DISTINCT a.scenario_id) AS scenarios,
                     coalesce(array_agg(a.overall ORDER BY a.started, a.uid) FILTER (WHERE a.overall IS NOT NULL),
                              '{}') AS trend,
                     coalesce(array_agg(a.overall ORDER BY a.overall) FILTER (WHERE a.overall IS NOT NULL AND a.critical = 0),
                              '{}') AS passable,
                     coalesce(sum(a.critical), 0) AS critical, max(a.started) AS last_started,
                     coalesce(sum(a.answers_n), 0) AS answers
              FROM coach.attempts AS a JOIN coach.folded AS f ON f.uid = a.uid
              WHERE a.status = 'finished'
                AND a.tk IN (SELECT b.tk FROM coach.attempts AS b WHERE b.uid = ANY(fresh))
              GROUP BY a.tk) AS r
        WHERE t.tk = r.tk;
    INSERT INTO coach.teller_principles AS t (tk, principle, total, n)
        SELECT a.tk, p.principle, sum(p.score), count(*)
        FROM coach.attempts AS a JOIN coach.attempt_principles AS p ON p.attempt_uid = a.uid
        WHERE a.uid = ANY(fresh) GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (tk, principle) DO UPDATE SET total = t.total + excluded.total, n = t.n + excluded.n;
    RETURN cardinality(fresh);
END
$fold$""",
    """REVOKE ALL ON FUNCTION coach.fold(uuid[]) FROM PUBLIC""",
    # the attempts already in the store
    """SELECT coach.fold(coalesce(array_agg(uid), '{}')) FROM coach.attempts WHERE status = 'finished'""",
)

#: MIGRATIONS[n] takes the central schema from version n to n + 1 (a script, or its statements).
MIGRATIONS: tuple[str | tuple[str, ...], ...] = (M1, M2)
ROLLUPS = ("folded", "teller_sums", "teller_principles", "first_attempts", "item_sums")
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
        # the roll-ups are written only through coach.fold (SECURITY DEFINER), read by reporting
        f"GRANT EXECUTE ON FUNCTION coach.fold(uuid[]) TO {WORKSTATION}",
        *(f"GRANT SELECT ON coach.{table} TO {REPORTING}" for table in ROLLUPS),
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


def _split(script: str | tuple[str, ...]) -> list[str]:
    if isinstance(script, tuple):
        return list(script)
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

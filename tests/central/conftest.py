"""A throwaway PostgreSQL 15 cluster (scripts/pg_cluster.py) for the central-store tests.

One cluster for the session, a fresh database per test. In CI (CI set) missing binaries are a
failure, not a skip: scripts/test installs them.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from pg_cluster import Cluster, ClusterUnavailable  # noqa: E402

if os.environ.get("CI"):
    import psycopg  # noqa: E402 - in CI the central tests must run: a missing driver is an error
else:
    psycopg = pytest.importorskip("psycopg", reason="the central extra (psycopg) is not installed")


@pytest.fixture(scope="session")
def cluster():
    try:
        pg = Cluster.start()
    except ClusterUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"central tests must run in CI: {exc}")
        pytest.skip(f"outside CI, no PostgreSQL server here: {exc}")
    yield pg
    pg.stop()


@pytest.fixture
def central(cluster):
    """A fresh database with the central schema: its administrator URL."""
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = cluster.url(name)
    from coach.central import schema
    from coach.central.target import connect

    pg = connect(url)
    try:
        schema.init(pg)
    finally:
        pg.close()
    yield url
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(url: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def workstation_url(cluster, central: str, login: str, branch: str) -> str:
    """A login for one branch's workstations, made with coach central add-workstation."""
    from coach.central import schema
    from coach.central.target import connect

    password = "pw-" + uuid.uuid4().hex[:10]
    pg = connect(central)
    try:
        schema.add_workstation(pg, login, branch, password)
    finally:
        pg.close()
    return cluster.url(central.rsplit("/", 1)[1], user=login, password=password)


ORDER = ROOT / "tests" / "fixtures" / "engine" / "order.yaml"


def make_history(path: Path, plays: list[tuple[str, list[int]]], scenario: Path = ORDER) -> Path:
    """A workstation history written by the store itself: each play is (teller, 0-based choices);
    a play that does not reach an ending stays open (never pushed)."""
    from tests.reports.conftest import make_db

    return make_db(path, list(plays), scenario)


def coach(*args, env: dict | None = None, input: str | None = None):
    import subprocess

    full = dict(os.environ)
    for var in ("COACH_DB", "COACH_CENTRAL", "COACH_BRANCH", "PGPASSWORD"):
        full.pop(var, None)
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "coach", *map(str, args)], capture_output=True, text=True,
                          env=full, input=input, timeout=120, cwd=ROOT)

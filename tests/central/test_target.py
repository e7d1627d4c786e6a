"""Connection strings: the password is masked in every form, and psycopg is imported only by the
commands that need the central store."""

from __future__ import annotations

import subprocess
import sys

import pytest

from coach.central.target import CentralError, classify, is_url, mask, scrub

from .conftest import ROOT


@pytest.mark.parametrize("url, shown", [
    ("postgresql://ws42:s3cr%40t@db.bank:5433/coach", "postgresql://ws42:***@db.bank:5433/coach"),
    ("postgres://ws42@db/coach?password=s3cr%40t&sslmode=require", "postgres://ws42@db/coach?password=***&sslmode=require"),
    ("host=db user=ws42 password=s3cr@t dbname=coach", "host=db user=ws42 password=*** dbname=coach"),
    ("host=db password='s3cr@t x' dbname=coach", "host=db password=*** dbname=coach"),
    ("postgresql://ws42@db/coach", "postgresql://ws42@db/coach"),
])
def test_mask_hides_the_password_in_every_form(url, shown):
    assert mask(url) == shown


def test_scrub_removes_the_password_from_any_text(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "env-Pw-77")
    url = "postgresql://ws42:url-Pw-55@db/coach"
    text = f"failed for {url}: password url-Pw-55 or env-Pw-77"
    cleaned = scrub(text, url)
    assert "url-Pw-55" not in cleaned and "env-Pw-77" not in cleaned and "***" in cleaned


def test_a_driver_error_quoting_the_password_is_scrubbed():
    url = "postgresql://ws42:Leak-9@127.0.0.1:1/coach"
    message = classify(Exception(f'connection to server failed: could not connect ("{url}")'), url)
    assert "Leak-9" not in message and "cannot reach" in message


def test_urls_and_files_are_told_apart(tmp_path):
    assert is_url("postgresql://x@h/db") and is_url("host=h dbname=db")
    assert not is_url(str(tmp_path / "history.sqlite3")) and not is_url("collected/")


def test_without_the_driver_the_message_says_how_to_install_it(monkeypatch):
    from coach.central import target

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(CentralError, match=r"pip install 'coach\[central\]'"):
        target.connect("postgresql://x@127.0.0.1/db")


def test_commands_on_history_files_never_import_the_driver(tmp_path):
    from .conftest import make_history

    db = make_history(tmp_path / "h.sqlite3", [("Ann", [0, 0, 0, 0])])
    code = ("import sys; from coach.cli import main; rc = main(['report', sys.argv[1], '--format', 'json']);"
            "rc |= main(['export', '--xapi', sys.argv[1]]); rc |= main(['history', '--db', sys.argv[1]]);"
            "sys.exit(3 if 'psycopg' in sys.modules else rc)")
    out = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr

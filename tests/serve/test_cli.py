"""`coach serve` refuses bad input plainly, warns when opened to the network, and stops cleanly."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from coach.cli import main
from coach.commands.serve import is_loopback

from .harness import ROOT, ServeProcess, free_port


@pytest.mark.parametrize("port", ["0", "65536", "-1"])
def test_a_port_out_of_range_is_refused(port, capsys) -> None:
    assert main(["serve", "--port", port]) == 2
    assert "--port must be between 1 and 65535" in capsys.readouterr().err


def test_a_port_that_is_not_a_number_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "eighty"])
    assert exit_.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


def test_a_scenario_folder_that_is_missing_is_refused(tmp_path, capsys) -> None:
    assert main(["serve", "--scenarios", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_without_the_serve_extra_it_says_how_to_install_it(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if not installed
    assert main(["serve"]) == 2
    assert "pip install 'coach[serve]'" in capsys.readouterr().err


@pytest.mark.parametrize("host,loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.8.9.10", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("trainer-pc", False),
])
def test_loopback_is_recognised(host, loopback) -> None:
    assert is_loopback(host) is loopback


def test_a_port_in_use_is_a_message_not_a_traceback(tmp_path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "coach", "serve", "--port", str(port), "--db", str(tmp_path / "h.db")],
            cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )
    assert proc.returncode == 1
    assert "cannot listen on 127.0.0.1:" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_listening_beyond_this_pc_prints_a_warning(tmp_path, monkeypatch, capsys) -> None:
    # The server is not started: tests never listen beyond loopback.
    from coach.serve import server

    monkeypatch.setattr(server.CoachServer, "serve", lambda self: None)
    assert main(["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "h.db")]) == 0
    assert "warning: listening on 0.0.0.0: anyone who can reach this PC" in capsys.readouterr().err


def test_loopback_prints_no_warning(tmp_path, monkeypatch, capsys) -> None:
    from coach.serve import server

    monkeypatch.setattr(server.CoachServer, "serve", lambda self: None)
    assert main(["serve", "--db", str(tmp_path / "h.db")]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_damaged_history_is_reported_before_any_tab_opens(tmp_path) -> None:
    db = tmp_path / "h.db"
    db.write_bytes(b"this is not a database" * 100)
    proc = subprocess.run(
        [sys.executable, "-m", "coach", "serve", "--port", str(free_port()), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert db.read_bytes().startswith(b"this is not a database")  # left alone without consent


def test_ctrl_c_with_no_tab_open_stops_at_once(tmp_path) -> None:
    server = ServeProcess(db=tmp_path / "h.db").start()
    assert server.interrupt(timeout=15) == 0
    assert "0 session(s) served" in server.output


@pytest.mark.parametrize("value", ["0", "-3", "1001"])
def test_a_session_cap_out_of_range_is_refused(value, capsys) -> None:
    assert main(["serve", "--max-sessions", value]) == 2
    assert "--max-sessions must be between 1 and 1000" in capsys.readouterr().err


def test_a_session_cap_that_is_not_a_number_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--max-sessions", "forty"])
    assert exit_.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


def test_an_unknown_launch_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--launch", "thread"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_fork_where_the_os_cannot_is_refused(monkeypatch, tmp_path, capsys) -> None:
    from coach.serve import sessions

    monkeypatch.setattr(sessions, "fork_supported", lambda: False)
    assert main(["serve", "--launch", "fork", "--db", str(tmp_path / "h.db")]) == 2
    assert "--launch fork needs Linux" in capsys.readouterr().err


def test_the_trainer_is_told_the_cap(tmp_path) -> None:
    server = ServeProcess(db=tmp_path / "h.db", args=["--max-sessions", "25"]).start()
    assert server.interrupt(timeout=15) == 0
    assert "one tab per teller, up to 25" in server.output

"""`coach validate --watch`: re-validates on each save, re-plays the best path, Ctrl+C exits 0."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import coach.watch
from coach.cli import main
from coach.watch import watch

ORDER = Path(__file__).parent / "fixtures" / "engine" / "order.yaml"


def save(path: Path, text: str, bump: int) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000_000))


def test_each_save_is_checked_and_the_best_path_replayed(tmp_path):
    target = tmp_path / "order.yaml"
    good = ORDER.read_text(encoding="utf-8")
    target.write_text(good, encoding="utf-8")
    edits = iter([
        lambda: save(target, good.replace("next: kept", "next: kep"), 1),  # a typo in a step id
        lambda: None,  # nothing changed: no new round
        lambda: save(target, good, 2),  # fixed again
    ])
    out = io.StringIO()
    code = watch([str(target)], out=out, max_iterations=3, sleep=lambda s: next(edits)())
    text = out.getvalue()
    assert code == 0
    rounds = text.split("── ")[1:]
    assert len(rounds) == 3
    assert "1 file: 1 valid" in rounds[0]
    assert "order: best path 100/100, Customer retained (prepare → first → second → wrap → kept)" in rounds[0]
    assert "error: 'next' names a step that does not exist: 'kep' [unknown-step]" in rounds[1]
    assert "best path" not in rounds[1]
    assert "best path 100/100" in rounds[2]


def test_a_new_file_in_a_watched_folder_is_picked_up(tmp_path):
    (tmp_path / "order.yaml").write_text(ORDER.read_text(encoding="utf-8"), encoding="utf-8")
    second = ORDER.read_text(encoding="utf-8").replace("id: order", "id: order-two")
    actions = iter([lambda: (tmp_path / "two.yaml").write_text(second, encoding="utf-8")])
    out = io.StringIO()
    watch([str(tmp_path)], out=out, max_iterations=1, sleep=lambda s: next(actions)())
    last = out.getvalue().split("── ")[-1]
    assert "2 files: 2 valid" in last and "order-two: best path" in last


def test_ctrl_c_stops_cleanly(tmp_path):
    def interrupt(_):
        raise KeyboardInterrupt

    out = io.StringIO()
    assert watch([str(ORDER)], out=out, sleep=interrupt) == 0
    assert out.getvalue().endswith("Stopped watching.\n")


def test_cli_watch_and_ctrl_c(monkeypatch, capsys):
    def interrupt(_):
        raise KeyboardInterrupt

    monkeypatch.setattr(coach.watch.time, "sleep", interrupt)
    assert main(["validate", "--watch", str(ORDER)]) == 0
    out = capsys.readouterr().out
    assert "best path 100/100" in out and "Stopped watching." in out


def test_cli_watch_bad_input(tmp_path, capsys):
    assert main(["validate", "--watch", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["validate", "--watch", "--format", "json", str(ORDER)]) == 2
    assert "--watch prints text" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
def test_a_real_process_exits_0_on_ctrl_c():
    proc = subprocess.Popen([sys.executable, "-m", "coach", "validate", "--watch", str(ORDER)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        line = ""
        while "Watching" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Stopped watching." in out

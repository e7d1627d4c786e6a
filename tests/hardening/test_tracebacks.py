"""Promises that no traceback and no hang reaches a user (issue 10, "Tracebacks and hangs").

Huge numbers in a scenario are file:line:col errors; the linter and the engine agree on what can be
played (a best path that loops or is longer than the engine's move cap is a lint error, and the
engine's refusal is a message, never a traceback); malformed --answers are messages; standard
output on a full disk or a closed pipe, and file names that are not UTF-8 under a strict UTF-8
stdout, are handled.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coach.cli import main
from coach.scenario.loader import load_scenario, load_scenario_text

ROOT = Path(__file__).parent.parent.parent
ORDER = ROOT / "tests" / "fixtures" / "engine" / "order.yaml"
ORDER_TEXT = ORDER.read_text(encoding="utf-8")


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("COACH_DB", str(tmp_path / "history.sqlite3"))


def best_loop() -> str:
    """The best choice at 'wrap' leads back to 'prepare' (a way out exists, so it is no trap)."""
    return (ORDER_TEXT.replace("id: order", "id: best-loop")
            .replace("act: follow_up, scores: {proactive: 1}, feedback: {zh: 好, en: Good}, next: kept",
                     "act: follow_up, scores: {proactive: 1}, feedback: {zh: 好, en: Good}, next: prepare"))


def worst_loop() -> str:
    """The worst choice at 'wrap' leads back to 'prepare'; the best path is fine."""
    return (ORDER_TEXT.replace("id: order", "id: worst-loop")
            .replace("scores: {understanding: 1}, feedback: {zh: 止于解决, en: Stops at the fix}, next: risky",
                     "scores: {understanding: -1}, feedback: {zh: 止于解决, en: Stops at the fix}, next: prepare"))


def long_chain(n: int) -> str:
    """A valid-looking scenario whose only path takes n choices."""
    lines = ["id: long-chain", "title: Long", "languages: [en]", "difficulty: 1", "customer:",
             "  name: Ms Li", "  type: confused", "  mood: 50", "start: s0", "steps:"]
    for i in range(n):
        nxt = f"s{i + 1}" if i + 1 < n else "end"
        lines += [f"  s{i}:", "    phase: explanation", "    customer: Well?", "    choices:",
                  f"      - {{text: Explain, act: explain, scores: {{understanding: 2}}, feedback: Good, next: {nxt}}}",
                  f"      - {{text: Skip, act: deflect, scores: {{understanding: {i % 3 - 1}}}, feedback: Poor, next: {nxt}}}"]
    lines += ["  end:", "    ending: retained", "    text: Done"]
    return "\n".join(lines) + "\n"


def codes(text: str) -> set[str]:
    return {d.code for d in load_scenario_text(text.encode(), "x.yaml").errors}


# ---- huge numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["0x" + "f" * 5000, "9" * 5000, "-" + "9" * 5000, "0o" + "7" * 5000,
                                    "9" * 400 + ".5", "!!int " + "9" * 5000],
                         ids=["hex", "decimal", "negative", "octal", "float", "tagged"])
def test_a_5000_digit_number_is_a_located_error(number):
    text = ORDER_TEXT.replace("difficulty: 1", f"difficulty: {number}")
    result = load_scenario_text(text.encode(), "big.yaml")
    assert [d.code for d in result.errors] == ["number-too-large"]
    assert (result.errors[0].line, result.errors[0].col) == (6, 13)


def test_coach_check_survives_a_huge_number_in_the_users_folder(tmp_path, capsys):
    folder = tmp_path / "xdg" / "coach" / "scenarios"
    folder.mkdir(parents=True)
    (folder / "big.yaml").write_text(ORDER_TEXT.replace("difficulty: 1", "difficulty: 0x" + "f" * 5000))
    (folder / "order.yaml").write_text(ORDER_TEXT)
    code, out, err = run(capsys, ["check", "--auto", "best", "--teller", "Li", "--dir", str(folder)])
    assert code in (0, 3), err
    code, out, err = run(capsys, ["validate", str(folder / "big.yaml")])
    assert code == 1 and "big.yaml:6:13: error" in out


def test_a_mapping_where_a_languages_text_belongs_is_an_error_not_silence():
    """Found by the fuzz suite: `title: {zh: {}, en: …}` gave no scenario and no error, so
    `validate` called the file valid."""
    text = ORDER_TEXT.replace("title: {zh: 顺序, en: Order}", "title: {zh: {}, en: Order}")
    result = load_scenario_text(text.encode(), "x.yaml")
    assert result.scenario is None and [d.code for d in result.errors] == ["text_type"]
    assert result.errors[0].line == 4


# ---- the linter and the engine agree ---------------------------------------------------------


def test_a_best_path_that_loops_is_a_lint_error():
    assert "best-loop" in codes(best_loop())
    assert "best-loop" not in codes(ORDER_TEXT)


def test_a_best_path_longer_than_the_move_cap_is_a_lint_error():
    from coach.scenario.model import MAX_MOVES

    assert "too-long" in codes(long_chain(MAX_MOVES + 1))
    assert not load_scenario_text(long_chain(MAX_MOVES).encode()).errors  # exactly at the cap: playable


def test_a_worst_path_that_loops_is_allowed_by_the_linter():
    assert not load_scenario_text(worst_loop().encode()).errors


@pytest.mark.parametrize("text", [best_loop(), long_chain(501), ORDER_TEXT.replace("start: prepare", "start: nowhere")],
                         ids=["best-loop", "too-long", "missing-start"])
def test_play_best_and_validate_agree(tmp_path, capsys, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    v_code, v_out, _ = run(capsys, ["validate", str(path)])
    p_code, p_out, p_err = run(capsys, ["play", str(path), "--best"])
    assert v_code == 1  # validate calls it broken ...
    assert p_code == 1 and "Traceback" not in p_err and p_err.strip()  # ... and play refuses with a message


def test_play_on_a_scenario_whose_start_step_is_missing(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(ORDER_TEXT.replace("start: prepare", "start: nowhere"), encoding="utf-8")
    for how in (["--best"], ["--worst"], ["--choose", "1,1"]):
        code, _, err = run(capsys, ["play", str(path), *how])
        assert code == 1 and "nowhere" in err


def test_check_auto_best_refuses_a_looping_best_path_with_a_message(tmp_path, capsys):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "loop.yaml").write_text(best_loop(), encoding="utf-8")
    (folder / "long.yaml").write_text(long_chain(501), encoding="utf-8")
    (folder / "order.yaml").write_text(ORDER_TEXT, encoding="utf-8")
    for sid in ("best-loop", "long-chain"):
        code, _, err = run(capsys, ["check", "--auto", "best", "--teller", "Li", "--dir", str(folder),
                                    "--scenarios", sid])
        assert code == 2 and f"no valid scenario '{sid}'" in err


def test_check_auto_worst_round_a_loop_is_a_message(tmp_path, capsys):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "loop.yaml").write_text(worst_loop(), encoding="utf-8")
    code, _, err = run(capsys, ["check", "--auto", "worst", "--teller", "Li", "--dir", str(folder),
                                "--scenarios", "worst-loop"])
    assert code == 2 and "cannot be played to an ending" in err


# ---- --answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("payload, words", [
    ("[" * 100_000, "nests too deeply"),
    ('{"order": [' + "1" * 5000 + "]}", "too long"),
    ('{"order": [1e999]}', "list of 1-based choices"),
    ('{"order": [' * 50_000, "nests too deeply"),
], ids=["100000-brackets", "5000-digits", "huge-float", "nested-objects"])
def test_malformed_answers_are_messages(tmp_path, capsys, payload, words):
    answers = tmp_path / "a.json"
    answers.write_text(payload)
    code, _, err = run(capsys, ["check", "--answers", str(answers), "--teller", "Li",
                                "--dir", str(ORDER.parent)])
    assert code == 2 and words in err


def test_deeply_nested_answers_on_stdin(tmp_path, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("[" * 100_000))
    code, _, err = run(capsys, ["check", "--answers", "-", "--teller", "Li", "--dir", str(ORDER.parent)])
    assert code == 2 and "nests too deeply" in err


def test_answers_from_a_closed_stdin(capsys, monkeypatch):
    import io

    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stdin", closed)
    code, _, err = run(capsys, ["check", "--answers", "-", "--teller", "Li", "--dir", str(ORDER.parent)])
    assert code == 2 and "closed" in err


# ---- standard output that cannot be written -------------------------------------------------


class _Full:
    """A standard output on a full disk."""

    encoding = "utf-8"

    def write(self, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    def isatty(self):
        return False


def _every_command(tmp_path) -> list[list[str]]:
    from tests.reports.conftest import make_db

    db = make_db(tmp_path / "h.sqlite3", [("Ann", [0, 0, 0, 0])])
    return [
        ["validate", str(ORDER)], ["schema"], ["play", str(ORDER), "--best"], ["graph", str(ORDER)],
        ["history", "--db", str(db)], ["history", "--db", str(db), "--format", "csv"],
        ["report", str(db)], ["report", str(db), "--format", "json"], ["export", "--xapi", str(db)],
        ["check", "--plan", "--teller", "Ann", "--db", str(db), "--dir", str(ORDER.parent)],
        ["check", "--auto", "best", "--teller", "Ann", "--db", str(db), "--dir", str(ORDER.parent)],
        ["new", "fresh-one", "--out", str(tmp_path / "new")], ["--help"], ["--version"], ["validate", "--help"],
    ]


def test_every_command_on_a_full_disk_says_so_and_exits_1(tmp_path, monkeypatch, capsys):
    for argv in _every_command(tmp_path):
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdout", _Full())
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
        finally:
            monkeypatch.undo()
        err = capsys.readouterr().err
        assert code == 1, (argv, code, err)
        assert "No space left on device" in err, argv


def _python_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("COACH_DB",)}
    env.update(extra)
    return env


@pytest.mark.parametrize("argv", [["validate", str(ORDER)], ["schema"], ["--help"]])
def test_real_dev_full(argv, tmp_path):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "coach", *argv], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT, env=_python_env(), timeout=60)
    assert proc.returncode == 1
    assert "No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


def test_a_closed_pipe_is_quiet(tmp_path):
    """`coach schema | head -1`: the reader stopped; no traceback, no message."""
    proc = subprocess.Popen([sys.executable, "-m", "coach", "schema"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT, env=_python_env(PYTHONUNBUFFERED="1"))
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err


# ---- file names that are not UTF-8 -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_non_utf8_file_name_under_a_strict_utf8_stdout(tmp_path, fmt):
    folder = tmp_path / "lib"
    folder.mkdir()
    name = os.fsencode(folder) + b"/bad\xff\xfe.yaml"
    with open(name, "wb") as fh:
        fh.write(b"id: [broken\n")
    env = _python_env(PYTHONIOENCODING="utf-8:strict", LC_ALL="C")
    proc = subprocess.run([sys.executable, "-m", "coach", "validate", "--format", fmt, str(folder)],
                          capture_output=True, cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert b"Traceback" not in proc.stderr
    out = proc.stdout.decode("utf-8")  # strictly valid UTF-8
    assert "bad\\udcff\\udcfe.yaml" in out
    if fmt == "json":  # still JSON, naming the very same file
        path = json.loads(out)["files"][0]["path"]
        assert os.fsencode(path) == name
    proc = subprocess.run([sys.executable, "-m", "coach", "play", os.fsdecode(name), "--best"],
                          capture_output=True, cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr and b"bad\\udcff" in proc.stderr

"""Promises about untrusted text on its way to a terminal (issue 10, "Escapes and injection").

Teller names and scenario ids from a database, file names from a folder and arguments reach the
terminal only through coach.untrusted: an escape sequence (OSC 52 clipboard writes, ESC[2J, 8-bit
CSI), a bidi control or a newline that would forge a line is shown as a visible escape, in every
command and in the TUI; markup in database text is shown literally; a CSV cell never runs as a
formula; a scenario id from a database is never used as a path.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from coach.cli import main
from tests.hardening.hostile_inputs import (
    BAD,
    OSC52,
    SCENARIO_IDS,
    TELLERS,
    assert_clean,
    hostile_db,
    hostile_folder,
)

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A hostile database as the default history, an empty user folder, hostile file names."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    db = hostile_db(tmp_path / "hostile.sqlite3")
    monkeypatch.setenv("COACH_DB", str(db))
    broken = tmp_path / "broken"
    files = hostile_folder(broken)
    return {"db": str(db), "broken": str(broken), "file": str(files[0]), "files": [str(f) for f in files],
            "tmp": tmp_path}


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


# Every subcommand that prints text from a database, a file name or an argument.
COMMANDS = {
    "history text": lambda e: ["history"],
    "history json": lambda e: ["history", "--format", "json"],
    "history csv": lambda e: ["history", "--format", "csv"],
    "history unknown teller lists the known": lambda e: ["history", "--teller", "nobody"],
    "history hostile teller argument": lambda e: ["history", "--teller", TELLERS[1]],
    "report table": lambda e: ["report", e["db"]],
    "report items": lambda e: ["report", e["db"], "--view", "items"],
    "report csv": lambda e: ["report", e["db"], "--format", "csv"],
    "report json": lambda e: ["report", e["db"], "--format", "json"],
    "report unknown teller lists the known": lambda e: ["report", e["db"], "--teller", "nobody"],
    "report unknown scenario lists the known": lambda e: ["report", e["db"], "--scenario", "nobody"],
    "report hostile --since": lambda e: ["report", e["db"], "--since", OSC52],
    "export messages": lambda e: ["export", "--xapi", e["db"]],
    "validate folder of hostile file names": lambda e: ["validate", e["broken"]],
    "validate json": lambda e: ["validate", "--format", "json", e["broken"]],
    "validate missing hostile path": lambda e: ["validate", e["broken"] + "/" + OSC52],
    "run hostile file": lambda e: ["run", e["file"]],
    "run unknown hostile id": lambda e: ["run", "nope" + OSC52],
    "play hostile file": lambda e: ["play", e["file"], "--best"],
    "graph hostile file": lambda e: ["graph", e["file"]],
    "check hostile --dir": lambda e: ["check", "--plan", "--teller", "Li", "--dir", e["broken"]],
    "check hostile --scenarios": lambda e: ["check", "--auto", "best", "--teller", "Li",
                                            "--dir", str(ROOT / "tests" / "fixtures" / "engine"),
                                            "--scenarios", OSC52],
    "new hostile id": lambda e: ["new", OSC52, "--out", str(e["tmp"])],
    "new into a hostile folder name": lambda e: ["new", "fresh-one", "--out", str(e["tmp"] / f"dir{OSC52}")],
    "schema to a hostile file name": lambda e: ["schema", "--output", str(e["tmp"] / f"s{OSC52}.json")],
    "usage error with hostile value": lambda e: ["history", "--limit", OSC52],
    "audit hostile file": lambda e: ["audit", e["file"]],
    "audit folder of hostile file names": lambda e: ["audit", e["broken"]],
    "audit json": lambda e: ["audit", "--format", "json", e["broken"]],
    "serve hostile --scenarios": lambda e: ["serve", "--scenarios", e["broken"] + "/" + OSC52],
    "review list for a hostile teller": lambda e: ["review", "--db", e["db"], "--teller", TELLERS[1], "--list"],
    "review auto for an unknown teller": lambda e: ["review", "--db", e["db"], "--teller", "nobody", "--auto", "best"],
    "report replies": lambda e: ["report", e["db"], "--replies"],
    # No server is reached: the URLs name a closed loopback port, as a workstation offline would.
    "sync to a store that is down": lambda e: ["sync", "--db", e["db"], "--branch", "b1",
                                               "--to", "postgresql://u:pw@127.0.0.1:9/coach" + OSC52],
    "central init on a store that is down": lambda e: ["central", "init", "postgresql://127.0.0.1:9/c" + OSC52],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_escape_sequence_reaches_the_terminal(env, capsys, name):
    code, out, err = run(capsys, COMMANDS[name](env))
    assert code in (0, 1, 2, 3), (code, err)
    assert "Traceback" not in err
    assert_clean(out, f"on stdout of {name}")
    assert_clean(err, f"on stderr of {name}")


def test_every_subcommand_is_run_against_hostile_input():
    """A new subcommand must join COMMANDS above, and so the test before this one."""
    from coach.cli import COMMANDS as SUBCOMMANDS

    dummy = {"db": "d", "broken": "b", "file": "f", "files": [], "tmp": Path("t")}
    assert set(SUBCOMMANDS) <= {make(dummy)[0] for make in COMMANDS.values()}


def test_hostile_text_is_shown_visibly_not_dropped(env, capsys):
    code, out, _ = run(capsys, ["history"])
    assert code == 0
    assert "\\x1b]52;c;cHduZWQ=\\x07" in out  # the teller named Mallory<OSC 52> is visible as such
    assert "\\u202e" in out


def test_validate_names_a_hostile_file_visibly_on_one_line(env, capsys):
    code, out, _ = run(capsys, ["validate", env["broken"]])
    assert code == 1
    lines = [line for line in out.splitlines() if ": error: " in line]
    assert len(lines) == 5  # one per file: the newline in a name forged no extra line
    assert any("forged\\x0acoach validate" in line for line in lines)


def test_json_output_stays_valid_and_keeps_the_exact_text(env, capsys):
    code, out, _ = run(capsys, ["history", "--format", "json"])
    assert code == 0
    assert TELLERS[0] in {a["teller"] for a in json.loads(out)["attempts"]}  # "Mallory<OSC 52>", exactly
    code, out, _ = run(capsys, ["report", env["db"], "--format", "json"])
    assert code == 0
    assert TELLERS[0] in {t["teller"] for t in json.loads(out)["tellers"]}


def test_history_csv_neutralises_formulas_like_the_report(env, capsys):
    code, out, _ = run(capsys, ["history", "--format", "csv"])
    assert code == 0
    tellers = {row["teller"] for row in csv.DictReader(io.StringIO(out))}
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in tellers
    assert not any(t.startswith(("=", "+", "@")) for t in tellers)
    code, out, _ = run(capsys, ["report", env["db"], "--format", "csv", "--view", "tellers"])
    assert code == 0
    cells = {row[0] for row in csv.reader(io.StringIO(out.lstrip("\ufeff")))}
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in cells


def test_one_csv_writer_for_every_csv():
    """A new CSV output must use coach.csvout.SafeWriter, not csv.writer (which neutralises nothing)."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "coach").rglob("*.py")
                 if p.name != "csvout.py" and re.search(r"csv\.(writer|DictWriter)\(", p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("command", ["report", "export"])
def test_scenario_ids_from_the_database_are_never_paths(env, capsys, monkeypatch, command):
    import coach.scenario.loader as loader

    opened: list[str] = []
    real = loader.load_scenario
    monkeypatch.setattr(loader, "load_scenario", lambda p, **kw: (opened.append(str(p)), real(p, **kw))[1])
    scenarios = env["tmp"] / "scenarios"
    scenarios.mkdir()
    argv = [command, env["db"], "--scenarios", str(scenarios)] + (["--xapi"] if command == "export" else [])
    code, out, err = run(capsys, argv)
    assert code == 0, err  # a 5,000-character id, '/', '..' and NUL: no traceback
    assert not any("passwd" in p for p in opened), opened


def test_a_long_id_given_on_the_command_line_is_no_traceback(capsys):
    code, _, err = run(capsys, ["play", "x" * 5000, "--best"])
    assert code == 2 and "no scenario file" in err
    code, _, err = run(capsys, ["graph", "bad\x00name"])
    assert code == 2 and "NUL character" in err


def test_the_sanitiser_rule():
    from coach.untrusted import is_visible, one_line, visible

    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("\x9b31m") == "\\u009b31m"
    assert visible("ab\u202ec") == "ab\\u202ec"
    assert visible("bad\udcffname") == "bad\\udcffname"  # an undecodable byte of a file name
    assert visible("two\nlines\tand\r\nCRLF") == "two\nlines\tand\r\nCRLF"
    assert visible("over\rwrite") == "over\\x0dwrite"
    assert one_line("two\nlines\t") == "two\\x0alines\\x09"
    assert is_visible("中文 [bold] =1+1") and not is_visible("\x07")
    # JSON written through it stays JSON with the same value
    text = json.dumps({"k": "\x1b\x9b\u202e\x7f"}, ensure_ascii=False)
    assert json.loads(visible(text)) == {"k": "\x1b\x9b\u202e\x7f"}


def test_nothing_bypasses_the_safe_stream():
    """Commands print through sys.stdout/sys.stderr (which coach.cli wraps), never around them."""
    pattern = re.compile(r"sys\.__std(out|err)__|os\.write\(\s*[12]\s*,|/dev/tty|print\(.*file=sys\.__")
    offenders = []
    for p in (ROOT / "coach").rglob("*.py"):
        if "tui" in p.parts:
            continue  # the TUI draws through Textual; its screens show database text via one_line
        if pattern.search(p.read_text(encoding="utf-8")):
            offenders.append(str(p.relative_to(ROOT)))
    assert offenders == []


# ---- the TUI ---------------------------------------------------------------------------------


def _screen_plain(app) -> str:
    from textual.widgets import DataTable, OptionList, Static

    parts = [str(w.visual) if w.visual is not None else "" for w in app.screen.query(Static)]
    for table in app.screen.query(DataTable):
        for r in range(table.row_count):
            parts += [str(c) for c in table.get_row_at(r)]
    for ol in app.screen.query(OptionList):
        parts += [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)]
    return "\n".join(parts)


@pytest.mark.parametrize("teller", [TELLERS[0], "[/]", "[@click=app.quit]x", "[bold]x", TELLERS[3]])
async def test_history_screen_shows_database_text_literally(tmp_path, teller):
    from coach.store import connect
    from coach.tui.store_apps import HistoryApp

    conn = connect(hostile_db(tmp_path / "h.sqlite3"))
    app = HistoryApp(conn, teller, "en", {})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.is_running and type(app.screen).__name__ == "HistoryScreen"
        text = _screen_plain(app)
        from coach.untrusted import one_line

        assert one_line(teller) in text
        svg = app.export_screenshot()
        for ch in BAD:
            assert ch not in text and ch not in svg
        await pilot.click("#attempts", offset=(20, 1))
        await pilot.pause()
        assert app.is_running  # a [@click=app.quit] cell is text, not an action
    conn.close()


async def test_history_screen_scenario_ids_as_markup_are_literal(tmp_path):
    import sqlite3

    from coach.store import connect
    from coach.tui.store_apps import HistoryApp

    db = hostile_db(tmp_path / "h.sqlite3")
    raw = sqlite3.connect(db)
    with raw:  # every attempt of one teller gets a markup id
        tid = raw.execute("SELECT id FROM tellers WHERE name = ?", (TELLERS[0],)).fetchone()[0]
        ids = [r[0] for r in raw.execute("SELECT id FROM attempts WHERE teller_id = ?", (tid,))]
        for aid, sid in zip(ids, ("[/]", "[@click=app.quit]x[/]")):
            raw.execute("UPDATE attempts SET scenario_id = ? WHERE id = ?", (sid, aid))
    raw.close()
    conn = connect(db)
    app = HistoryApp(conn, TELLERS[0], "en", {})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = _screen_plain(app)
        assert "[/]" in text and "[@click=app.quit]x[/]" in text
        assert "Mallory\\x1b]52" in text
    conn.close()


async def test_teller_picker_shows_database_names_visibly(tmp_path):
    from textual.app import App

    from coach.tui.screens.teller import TellerScreen

    class Host(App):
        def on_mount(self):
            self.push_screen(TellerScreen(TELLERS, "en"))

    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        text = _screen_plain(app)
        assert "[@click=app.quit]x" in text and "Mallory\\x1b]52" in text
        for ch in BAD:
            assert ch not in text


async def test_library_lists_broken_files_with_hostile_names_visibly(tmp_path):
    from coach.tui.app import CoachApp
    from coach.tui.catalog import build

    folder = tmp_path / "lib"
    hostile_folder(folder)
    app = CoachApp(build([folder], bundled=False, user=False), lang="en", bundled=False, user=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = _screen_plain(app)
        assert "osc\\x1b]52" in text
        for ch in BAD:
            assert ch not in text
        assert "forged\\x0acoach validate" in text

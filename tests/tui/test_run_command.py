"""`coach run`: bad SCENARIO or DIR is a plain message and exit 2; the TUI import stays lazy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coach import cli
from coach.commands import run as run_cmd
from coach.tui.i18n import default_lang

TUI = Path(__file__).parent.parent / "fixtures" / "tui"


@pytest.mark.parametrize("argv,message", [
    (["run", "no-such-scenario"], "no scenario file or bundled id 'no-such-scenario'"),
    (["run", "missing.yaml"], "no scenario file or bundled id 'missing.yaml'"),
    (["run", str(TUI / "broken.yaml")], "broken.yaml:4:21: error"),
    (["run", "--scenarios", "/nonexistent/dir"], "--scenarios /nonexistent/dir does not exist"),
    (["run", "--scenarios", str(TUI / "order.yaml")], "is not a folder"),
    (["run", "--lang", "fr"], "invalid choice"),
])
def test_bad_input_exits_2_without_traceback(argv, message, capsys):
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_prepare_resolves_path_and_id_in_extra_dir():
    ns = cli.build_parser({"run": run_cmd}).parse_args(["run", "rates", "--scenarios", str(TUI), "--lang", "zh"])
    kw = run_cmd.prepare(ns)
    assert kw["start"].scenario.id == "rates" and kw["lang"] == "zh" and kw["assess"] is False
    ns = cli.build_parser({"run": run_cmd}).parse_args(["run", str(TUI / "order.yaml"), "--assess"])
    kw = run_cmd.prepare(ns)
    assert kw["start"].scenario.id == "order" and kw["assess"] is True


@pytest.mark.parametrize("env,lang", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "zh_TW.UTF-8"}, "zh"), ({}, "en"), ({"LANG": "C.UTF-8"}, "en"),
])
def test_default_language_from_locale(env, lang):
    assert default_lang(env) == lang


def test_run_command_imports_textual_lazily():
    code = ("import sys, argparse; from coach import cli; from coach.commands import run; "
            "cli.build_parser({'run': run}); assert 'textual' not in sys.modules, 'textual imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_catalog_controller_and_strings_are_headless():
    """The TUI's session logic, library loading and strings import neither textual nor rich."""
    code = ("import sys; import coach.tui.catalog, coach.tui.controllers.session, coach.tui.i18n; "
            "bad = [m for m in ('textual', 'rich') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_controller_maps_shown_positions_to_file_indices():
    from coach.tui.catalog import load_entry
    from coach.tui.controllers.session import SessionController

    scenario = load_entry(TUI / "rates.yaml").scenario
    c = SessionController(scenario, mode="assessment", seed=5)
    order = list(c.order())
    turn = c.choose(0)
    assert turn.index == order[0]
    assert not c.can_undo and c.undo() is None
    again = SessionController(scenario, mode="assessment", seed=5)
    assert again.order() == order  # the same seed gives the same order (tests); None is random

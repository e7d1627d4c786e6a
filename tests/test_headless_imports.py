"""The headless modules start without Textual: a fresh interpreter imports them and checks."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HEADLESS = ["coach.cli", "coach.scenario.loader", "coach.scenario.lint", "coach.commands.validate", "coach.engine",
            "coach.audit", "coach.commands.audit"]


def test_headless_modules_do_not_import_textual():
    code = textwrap.dedent(
        f"""
        import importlib, sys
        for name in {HEADLESS!r}:
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:  # the module exists but a dependency is missing: a real failure
                    raise
        bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        assert not bad, bad
        print("ok")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


FIRST_SCREEN = ["coach.cli", "coach.commands.run", "coach.tui.app", "coach.tui.catalog", "coach.tui.controllers.link",
                "coach.tui.screens.library", "coach.tui.screens.briefing", "coach.scenario.cache"]


def test_the_first_screen_does_not_import_pydantic_or_the_loader():
    """pydantic and the scenario model cost ~130 ms: they load after the first paint (issue 11)."""
    code = textwrap.dedent(
        f"""
        import importlib, sys
        for name in {FIRST_SCREEN!r}:
            importlib.import_module(name)
        bad = sorted(m for m in sys.modules if m.split(".")[0] == "pydantic" or m in ("coach.scenario.loader", "coach.scenario.model", "yaml"))
        assert not bad, bad
        print("ok")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"

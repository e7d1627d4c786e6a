"""The trainer tools start without Textual."""

from __future__ import annotations

import subprocess
import sys

MODULES = ["coach.graph", "coach.skeleton", "coach.reports", "coach.reports.merge", "coach.reports.views",
           "coach.reports.items", "coach.reports.render", "coach.reports.html", "coach.commands.report",
           "coach.commands.graph", "coach.commands.new",
           "coach.reports.xapi", "coach.commands.export"]


def test_trainer_tools_do_not_import_textual():
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "import coach.reports.render as r\n"
        "r.to_table({'sources': [], 'attempts': 0, 'answers': 0, 'item_analysis_on': 'first attempts',"
        " 'tellers': [], 'principles': [], 'scenarios': [], 'items': []})\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"

"""Start-up does not pay for jieba (about a second to import and load its dictionary) nor fsrs:
loading and linting the library, markers included, imports neither."""

import subprocess
import sys

CODE = """
import sys
from coach.tui.catalog import build
from coach.tui.app import CoachApp
entries = build()
assert any(st.markers for e in entries if e.scenario for st in e.scenario.steps.values())
CoachApp(entries)
import coach.tui.controllers.review, coach.store.review  # the r key and the due count on the library
print('jieba' in sys.modules, 'fsrs' in sys.modules)
"""


def test_loading_the_library_with_markers_imports_neither_jieba_nor_fsrs():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_matching_a_chinese_reply_imports_jieba():
    code = ("import sys\nfrom coach.scenario.markers import zh_words\n"
            "assert 'jieba' not in sys.modules\nzh_words('您先坐')\nprint('jieba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_review_modules_are_headless():
    code = ("import sys\nimport coach.review, coach.store.review, coach.commands.review, coach.scenario.markers\n"
            "import coach.reports.replies\n"
            "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"

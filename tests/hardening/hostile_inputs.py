"""Hostile inputs shared by the hardening tests: a history database whose teller names and
scenario ids carry terminal escapes, markup and formulas, and scenario files with such names."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures"
ORDER = FIXTURES / "engine" / "order.yaml"

OSC52 = "\x1b]52;c;cHduZWQ=\x07"  # writes the clipboard
CLEAR = "\x1b[2J"  # clears the screen
CSI_C1 = "\x9b31m"  # an 8-bit CSI
BIDI = "\u202egnp.exe"  # right-to-left override
FORGED = "x\ncoach: all attempts passed"  # a newline forging a line

#: Characters that must never reach a terminal from untrusted text.
BAD = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u2069", "\x00")

TELLERS = [
    f"Mallory{OSC52}",
    f"Eve{CLEAR}",
    f"C1{CSI_C1}",
    f"Bidi{BIDI}",
    FORGED,
    "[/]",
    "[@click=app.quit]x",
    "[bold]x",
    '=HYPERLINK("http://evil.example","click")',
]
SCENARIO_IDS = [
    f"id{OSC52}",
    "[/]",
    "[@click=app.quit]",
    "[bold]x",
    f"bidi{BIDI}",
    "../../../etc/passwd",
    "/etc/passwd",
    "x" * 5000,
    "nul\x00byte",
    "line\nbreak",
]


def hostile_db(path: Path) -> Path:
    """A real history database (written by the store), then edited by hand as an attacker would."""
    from coach.engine import Session
    from coach.scenario.loader import load_scenario
    from coach.store import Recorder, connect

    loaded = load_scenario(ORDER)
    conn = connect(path)
    try:
        for n in range(len(TELLERS)):
            rec = Recorder(conn, f"teller{n}")
            for m in range(2):
                aid = rec.start(loaded.scenario, loaded.sha256, "practice", "en")
                session = Session(loaded.scenario)
                for p in ([0, 0, 0, 0] if m == 0 else [1, 0]):
                    rec.answer(aid, session.choose(p), 2.0)
                if session.finished:
                    rec.finish(aid, session.scorecard())
    finally:
        conn.close()
    raw = sqlite3.connect(path)
    with raw:
        for n, name in enumerate(TELLERS):
            raw.execute("UPDATE tellers SET name = ? WHERE name = ?", (name, f"teller{n}"))
        ids = [r[0] for r in raw.execute("SELECT id FROM attempts ORDER BY id")]
        for aid, sid in zip(ids, SCENARIO_IDS * 3):
            raw.execute("UPDATE attempts SET scenario_id = ? WHERE id = ?", (sid, aid))
    raw.close()
    return path


HOSTILE_FILE_NAMES = [
    f"osc{OSC52}.yaml",
    f"clear{CLEAR}.yaml",
    f"c1{CSI_C1}.yaml",
    f"bidi{BIDI}.yaml",
    "forged\ncoach validate: 0 errors.yaml",
]


def hostile_folder(folder: Path, *, broken: bool = True) -> list[Path]:
    """Scenario files with hostile names: broken ones (so their names are printed in errors)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name in HOSTILE_FILE_NAMES:
        target = folder / name
        if broken:
            target.write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
        else:
            shutil.copy(ORDER, target)
        made.append(target)
    return made


def assert_clean(text: str, where: str = "") -> None:
    for ch in BAD:
        assert ch not in text, f"{ch!r} reached the terminal {where}: {text[:400]!r}"
    for forged in ("\ncoach: all attempts passed", "\ncoach validate: 0 errors"):
        assert forged not in text, f"a forged line {where}"
    # a lone CR (not a CRLF line end) returns the cursor and overwrites the line
    assert "\r" not in text.replace("\r\n", ""), f"a lone CR {where}"

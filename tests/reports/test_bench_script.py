"""scripts/bench_report.py keeps working (a small run: 2 databases, 600 answers)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_report_small_run(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_report.py"), "--answers", "600", "--dbs", "2",
         "--repeat", "1", "--keep", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "built 2 databases" in proc.stdout and "ratio to baseline" in proc.stdout
    assert "target < 2.0 s: OK" in proc.stdout
    assert len(list(tmp_path.glob("branch-*.sqlite3"))) == 2

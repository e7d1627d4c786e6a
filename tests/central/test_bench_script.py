"""scripts/bench_central.py keeps working (a small run: 3 branches, 20 tellers, 2,000 answers)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_bench_central_small_run(cluster):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_central.py"), "--answers", "2000", "--tellers", "20",
         "--branches", "3", "--repeat", "1"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "loaded 3 branches, 20 tellers, 250 attempts, 2000 answers" in proc.stdout
    assert "ratio to baseline" in proc.stdout and "target <= 3.0 s: OK" in proc.stdout
    assert "***@127.0.0.1" in proc.stdout  # the throwaway cluster's password is masked

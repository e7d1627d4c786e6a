"""Issue 23: the tests that drop root's privileges pass from a checkout in a private folder.

Containers and CI runners clone as root into root's home or a `mktemp -d` folder (mode 0700), where
uid 65534 cannot even reach the project. This runs every test marked `unprivileged` (the read-only
media promises, …) from such a clone, with a venv inside it that imports coach from there, as
`scripts/test` would make it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from .conftest import SETPRIV

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or SETPRIV is None or shutil.which("git") is None,
    reason="only root drops privileges (with setpriv); as another user, permissions apply to the tests themselves",
)


@pytest.fixture
def private_clone():
    """The working tree's tracked files (committed or not: what is under test) in a 0700 folder,
    with a venv that imports coach from the clone and its dependencies from this venv."""
    private = Path(tempfile.mkdtemp(prefix="coach-private-"))
    try:
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        clone = private / "coach"
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        for name in filter(None, listed.decode().split("\0")):
            source = ROOT / name
            if source.is_file():
                (clone / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, clone / name)
        venv = clone / ".venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip())
        # The clone first; this venv's packages second (a path listed in a .pth is not scanned for
        # .pth files itself, so this venv's editable install of the original checkout stays out).
        (site / "coach-private-clone.pth").write_text(f"{clone}\n{sysconfig.get_paths()['purelib']}\n")
        yield clone
    finally:
        shutil.rmtree(private, ignore_errors=True)


def test_the_clone_imports_coach_from_the_private_folder(private_clone):
    out = subprocess.run([str(private_clone / ".venv" / "bin" / "python"), "-c", "import coach; print(coach.__file__)"],
                         capture_output=True, text=True, cwd="/", timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(private_clone / "coach" / "__init__.py")


def test_privilege_dropping_tests_pass_from_a_clone_in_a_private_folder(private_clone):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COACH_"))}
    out = subprocess.run(
        [str(private_clone / ".venv" / "bin" / "python"), "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
         "-m", "unprivileged", "tests"],
        cwd=private_clone, env=env, capture_output=True, text=True, timeout=600,
    )
    summary = out.stdout.strip().splitlines()[-1:] or [out.stderr]
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in summary[0] and "failed" not in summary[0] and "skipped" not in summary[0], summary

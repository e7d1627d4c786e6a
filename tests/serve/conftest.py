"""Fixtures for the browser tests: one Chromium for the module, one `coach serve` per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .harness import CHROMIUM_ARGS, ServeProcess, browser_path

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "serve"


def _must_run() -> bool:
    return bool(os.environ.get("CI"))


@pytest.fixture(scope="module")
def browser():
    path = browser_path()
    if path is None:
        message = "no Chromium: scripts/test installs chromium-headless-shell (apt-get)"
        if _must_run():
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extras install it
        pytest.fail("playwright is missing: scripts/test installs the test extras")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def serve(tmp_path):
    """Start `coach serve` with these extra arguments; every server is stopped at the end."""
    started: list[ServeProcess] = []

    def start(*args: str) -> ServeProcess:
        env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
        server = ServeProcess(db=tmp_path / "history.sqlite3", args=list(args), env=env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        if server.proc and server.proc.poll() is None:
            server.interrupt()


@pytest.fixture
def output_dir() -> Path:
    """Screenshots are kept here (beside the checkout) for a person to look at."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT

"""Ending a session never depends on the session: asked to quit, then its process group gets SIGTERM,
then SIGKILL, each after a bounded wait (the graces are shortened here; test_room.py runs the real ones)."""

from __future__ import annotations

import asyncio

import pytest

from coach.serve import sessions


class Stubborn:
    """A session process that ends only at the signal number `dies_at` (0: when asked to quit)."""

    def __init__(self, dies_at: int) -> None:
        self.pid = 4242
        self.dies_at = dies_at
        self.signals: list[str] = []
        self.ended = asyncio.Event()
        if dies_at == 0:
            self.ended.set()

    @property
    def returncode(self):
        return 0 if self.ended.is_set() else None

    async def wait(self) -> int:
        await self.ended.wait()
        return 0

    def end_group(self, force: bool) -> None:
        self.signals.append("KILL" if force else "TERM")
        if len(self.signals) >= self.dies_at:
            self.ended.set()


@pytest.fixture(autouse=True)
def short_graces(monkeypatch):
    monkeypatch.setattr(sessions, "QUIT_GRACE_S", 0.05)
    monkeypatch.setattr(sessions, "TERM_GRACE_S", 0.05)


@pytest.mark.parametrize("dies_at,sent", [(0, []), (1, ["TERM"]), (2, ["TERM", "KILL"])])
async def test_a_session_is_asked_then_terminated_then_killed(dies_at, sent) -> None:
    process = Stubborn(dies_at)
    await asyncio.wait_for(sessions.end_process(process, asked_to_quit=True), 2)
    assert process.signals == sent
    assert process.returncode is not None


async def test_one_that_could_not_be_asked_is_terminated_at_once() -> None:
    process = Stubborn(1)
    started = asyncio.get_running_loop().time()
    await sessions.end_process(process, asked_to_quit=False)
    assert process.signals == ["TERM"]
    assert asyncio.get_running_loop().time() - started < sessions.QUIT_GRACE_S


async def test_ending_a_session_that_has_ended_sends_nothing() -> None:
    process = Stubborn(0)
    await sessions.end_process(process, asked_to_quit=False)
    assert process.signals == []

"""A training room on `coach serve`: sessions end with their tab and with the server, whatever they do,
no answer is lost, a crash stays in its tab, and a tab beyond the cap is told the room is full.

The tabs here speak the page's own WebSocket protocol (scripts/room_client.py) rather than run a
browser: lighter, and the protocol is what the server sees either way (tests/serve/test_browser.py
drives the real page).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from coach.engine import Session
from coach.library import bundled_dir
from coach.scenario.loader import load_scenario
from coach.scenario.model import localize
from coach.serve.sessions import QUIT_GRACE_S, TERM_GRACE_S

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from room_client import Tab, log_in, open_scenario  # noqa: E402

SCENARIO_FILE = sorted(bundled_dir().glob("*.yaml"))[0]
ENDED_S = 5.0  # a session asked to quit, or whose server is gone, ends within this


def _scenario():
    result = load_scenario(SCENARIO_FILE)
    assert result.scenario is not None
    return result.scenario


async def _until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"{what}: not after {timeout} s"
        await asyncio.sleep(0.1)
    return value


def _answers(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT t.name, count(x.attempt_id) FROM tellers t JOIN attempts a ON a.teller_id = t.id"
                            " JOIN answers x ON x.attempt_id = a.id GROUP BY t.name ORDER BY t.name").fetchall()


async def _teller(server, name: str) -> Tab:
    tab = await Tab(server.url, width=100, height=30).open()
    await log_in(tab, name, known_prefix="Teller ")
    return tab


async def _first_answer(tab: Tab) -> None:
    """Open the scenario and give its first best answer (stored the moment it is given)."""
    scenario = _scenario()
    await open_scenario(tab, scenario.id, localize(scenario.customer.name, "en"))
    session = Session(scenario)
    session.play_best()
    first = session.choices_made[0]
    await tab.wait_for(localize(Session(scenario).step.choices[first].text, "en")[:12])
    await tab.quiet(0.2)
    await tab.press(str(first + 1))


@pytest.mark.parametrize("launch", ["fork", "spawn"])
async def test_a_closed_tab_ends_its_session_within_seconds(serve, launch) -> None:
    server = serve("--lang", "en", "--launch", launch)
    tab = await _teller(server, "Teller Ann")
    sessions = server.sessions()
    assert len(sessions) == 1
    await tab.close()
    await _until(lambda: not set(sessions) & set(server.children()), ENDED_S, "the closed tab's session ended")
    assert server.interrupt() == 0


async def test_sigterm_ends_every_session_and_the_fork_server_and_keeps_every_answer(serve) -> None:
    server = serve("--lang", "en")
    tabs = [await _teller(server, f"Teller {n}") for n in ("Bo", "Cy")]
    for tab in tabs:
        await _first_answer(tab)
    await _until(lambda: _answers(server.db) == [("Teller Bo", 1), ("Teller Cy", 1)], 15, "both answers stored")
    assert len(server.sessions()) == 2 and server.fork_server() is not None
    assert server.terminate() == 0
    assert server.children() == []  # no session, no fork server: nothing left behind
    assert _answers(server.db) == [("Teller Bo", 1), ("Teller Cy", 1)]
    with sqlite3.connect(server.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert "2 session(s) served" in server.output
    for tab in tabs:
        await tab.close()


async def test_a_server_killed_outright_leaves_no_session_behind(serve) -> None:
    """SIGKILL gives the server no chance to stop anything: the fork server dies with it (the kernel's
    parent-death signal) and each session ends when its input ends."""
    server = serve("--lang", "en")
    tab = await _teller(server, "Teller Dee")
    await _first_answer(tab)
    await _until(lambda: _answers(server.db) == [("Teller Dee", 1)], 15, "the answer stored")
    assert server.children()
    server.proc.kill()
    server.proc.wait()
    await _until(lambda: server.children() == [], ENDED_S + 3, "every process of the killed server ended")
    assert _answers(server.db) == [("Teller Dee", 1)]
    await tab.close()


async def test_a_session_that_ignores_quit_is_ended_by_the_server(serve) -> None:
    server = serve("--lang", "en")
    tab = await _teller(server, "Teller Eve")
    [session] = server.sessions()
    os.kill(session, signal.SIGSTOP)  # it can answer nothing now, as a hung session
    try:
        await tab.close()
        await _until(lambda: session not in server.children(), QUIT_GRACE_S + 2 * TERM_GRACE_S + 3,
                     "the hung session was ended")
    finally:
        if session in server.children():
            os.kill(session, signal.SIGKILL)
    assert server.interrupt() == 0


async def test_a_crashed_session_leaves_the_other_tabs_playing(serve) -> None:
    server = serve("--lang", "en")
    crashed, other = [await _teller(server, f"Teller {n}") for n in ("Fay", "Gus")]
    victim = (set(server.sessions()) - {server.fork_server()}).pop()
    os.kill(victim, signal.SIGSEGV)
    await _until(lambda: crashed.closed.is_set() or other.closed.is_set(), 5, "the crashed tab told")
    await asyncio.sleep(0.5)
    closed = [tab for tab in (crashed, other) if tab.closed.is_set()]
    assert len(closed) == 1, "exactly the crashed tab's socket closes"
    alive = other if closed[0] is crashed else crashed
    assert await alive.press("/") < 10  # still answers keys
    newcomer = await _teller(server, "Teller Hal")  # and the room still takes tabs
    for tab in (crashed, other, newcomer):
        await tab.close()
    assert server.interrupt() == 0
    assert server.children() == []


async def test_a_fork_server_that_died_is_started_again_for_the_next_tab(serve) -> None:
    server = serve("--lang", "en")
    first = await _teller(server, "Teller Ida")
    zygote = server.fork_server()
    os.kill(zygote, signal.SIGKILL)
    await _until(lambda: server.fork_server() != zygote, 5, "the dead fork server gone")
    assert await first.press("/") < 10  # its sessions play on
    second = await _teller(server, "Teller Jo")
    assert server.fork_server() not in (None, zygote)
    for tab in (first, second):
        await tab.close()
    assert server.terminate() == 0
    assert server.children() == []


async def test_a_session_holds_no_descriptor_of_the_fork_server(serve) -> None:
    server = serve("--lang", "en")
    tab = await _teller(server, "Teller Kim")
    [session] = server.sessions()

    def sockets(pid: int) -> set[str]:
        found = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:"):
                found.add(target)
        return found

    assert sockets(server.fork_server()), "the fork server's control socket"
    assert not sockets(session) & sockets(server.fork_server())
    await tab.close()
    assert server.interrupt() == 0


# -- the cap ---------------------------------------------------------------------------------------


async def test_a_tab_beyond_the_cap_is_told_the_room_is_full(serve) -> None:
    server = serve("--lang", "en", "--max-sessions", "1")
    first = await _teller(server, "Teller Lou")
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url) as response:
            page = await response.text()
            assert response.status == 503
            assert response.headers["Retry-After"] == "30"
    assert "The training room is full" in page and "Places taken: 1 of 1." in page
    # A page loaded just before the room filled is sent to the notice by its socket.
    late = await Tab(server.url).open(page=False)
    await asyncio.wait_for(late.closed.wait(), 5)
    assert ["open_url", {"url": "/full", "new_tab": False}] in late.messages
    assert late.close_code == 1013  # try again later
    await late.close()
    assert len(server.sessions()) == 1  # no session was started for it
    # When a teller leaves, the next one gets in.
    await first.close()
    await _until(lambda: not server.sessions(), ENDED_S, "the first session ended")
    deadline = time.monotonic() + ENDED_S
    while await _status(server.url) == 503:  # its place is free once the server has seen it end
        assert time.monotonic() < deadline, "the room stayed full after the teller left"
        await asyncio.sleep(0.1)
    second = await _teller(server, "Teller May")
    await second.close()
    assert server.interrupt() == 0


async def _status(url: str) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            return response.status


async def test_the_room_full_page_speaks_the_rooms_language(serve) -> None:
    server = serve("--lang", "zh", "--max-sessions", "1")
    first = await Tab(server.url).open()
    await first.wait_for("你是哪位柜员")
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "full") as response:
            page = await response.text()
    assert response.status == 503 and "练习室已满" in page and 'lang="zh"' in page
    await first.close()
    assert server.interrupt() == 0

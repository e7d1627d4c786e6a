"""The fork server answers every request, forks only when it is safe, and ends with the server's socket.

These drive `Zygote.handle_request` in this process over a socket pair; nothing here forks (the
requests that would are refused or malformed). Forking for real is tested through `coach serve`
in test_room.py.
"""

from __future__ import annotations

import json
import os
import socket

import pytest

from coach.serve import zygote


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    yield ours, zygote.Zygote(theirs, ["run", "--ask-teller"], lambda argv: 0)
    ours.close()
    theirs.close()


def _pipes(n: int) -> tuple[list[int], list[int]]:
    ends = [os.pipe() for _ in range(n)]
    return [r for r, _ in ends], [w for _, w in ends]


def _reply(sock: socket.socket) -> dict:
    data, fds, _, _ = socket.recv_fds(sock, 4096, 1)
    for fd in fds:
        os.close(fd)
    return json.loads(data)


def _no_fork():
    raise AssertionError("forked")


@pytest.mark.parametrize("threads,descriptors,error", [
    (2, 3, "2 threads alive in the fork server; not forking"),  # a thread's held locks would deadlock a child
    (1, 1, "expected 3 file descriptors, got 1"),
])
def test_a_request_it_cannot_serve_is_answered_with_an_error_and_it_serves_on(
        pair, monkeypatch, threads, descriptors, error) -> None:
    ours, z = pair
    monkeypatch.setattr(zygote, "threads_alive", lambda: threads)
    monkeypatch.setattr(os, "fork", _no_fork)
    reads, writes = _pipes(descriptors)
    socket.send_fds(ours, [b'{"width": 80, "height": 24}'], reads)
    assert z.handle_request() is True
    assert _reply(ours)["error"] == error
    for fd in reads + writes:
        os.close(fd)


def test_a_request_that_is_not_json_is_answered_with_an_error(pair, monkeypatch) -> None:
    ours, z = pair
    monkeypatch.setattr(os, "fork", _no_fork)
    ours.send(b"not json")
    assert z.handle_request() is True
    assert "error" in _reply(ours)


def test_the_descriptors_of_a_refused_request_are_closed(pair, monkeypatch) -> None:
    """Else the session's pipes would stay open in the fork server and their ends never see EOF."""
    ours, z = pair
    monkeypatch.setattr(zygote, "threads_alive", lambda: 3)
    reads, writes = _pipes(3)
    before = set(os.listdir("/proc/self/fd"))
    socket.send_fds(ours, [b"{}"], reads)
    for fd in reads:
        os.close(fd)  # the fork server now holds the only read ends
    z.handle_request()
    _reply(ours)
    for w in writes:
        with pytest.raises(BrokenPipeError):
            os.write(w, b"x")  # no reader left anywhere
        os.close(w)
    assert set(os.listdir("/proc/self/fd")) <= before


def test_it_ends_when_the_server_closes_its_socket(pair) -> None:
    ours, z = pair
    ours.close()
    assert z.handle_request() is False


def test_threads_are_counted_by_the_kernel() -> None:
    import threading

    event = threading.Event()
    thread = threading.Thread(target=event.wait)
    alone = zygote.threads_alive()
    thread.start()
    try:
        assert zygote.threads_alive() == alone + 1
    finally:
        event.set()
        thread.join()


def test_every_module_it_preloads_exists() -> None:
    """A module renamed in a refactor would be skipped quietly and every session would import it again:
    the list is kept true here instead."""
    import importlib

    from coach.commands import _fork_server

    missing = []
    for name in _fork_server.preload_names():
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    assert missing == []
    assert "coach.tui.screens.conversation" in _fork_server.preload_names()  # the app's warm-up list is in it

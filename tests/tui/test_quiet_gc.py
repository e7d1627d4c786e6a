"""Full garbage collections wait for the teller to pause (coach/tui/quiet_gc.py)."""

from __future__ import annotations

import gc

import pytest

from coach.tui.quiet_gc import BACKSTOP, IDLE_S, QuietCollector

from .conftest import library_app


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector():
    clock = Clock()
    c = QuietCollector(clock)
    saved = gc.get_threshold()
    c.start()
    yield c, clock
    c.stop()
    assert gc.get_threshold() == saved


def test_no_full_collection_while_keys_keep_coming(collector):
    c, clock = collector
    for _ in range(20):
        clock.now += IDLE_S / 2
        c.input()
        assert not c.idle_tick()
    assert c.collections == 0


def test_one_full_collection_once_the_teller_pauses(collector):
    c, clock = collector
    c.input()
    clock.now += IDLE_S
    assert c.idle_tick()
    clock.now += 60
    assert not c.idle_tick()  # nothing happened since: nothing to collect
    c.input()
    clock.now += IDLE_S
    assert c.idle_tick() and c.collections == 2


def test_what_survived_start_up_is_frozen_at_the_first_pause_and_unfrozen_at_the_end():
    clock = Clock()
    c = QuietCollector(clock)
    before = gc.get_freeze_count()
    c.start()
    clock.now += IDLE_S
    c.idle_tick()
    assert gc.get_freeze_count() > before
    c.stop()
    assert gc.get_freeze_count() == before


def test_automatic_full_collections_are_rarer_not_off():
    young, middle, old = gc.get_threshold()
    c = QuietCollector()
    c.start()
    try:
        assert gc.get_threshold() == (young, middle, max(old, 1) * BACKSTOP)
    finally:
        c.stop()


def test_nothing_collects_before_start_or_after_stop():
    clock = Clock()
    c = QuietCollector(clock)
    clock.now += 10
    assert not c.idle_tick()
    c.start()
    c.stop()
    clock.now += 10
    assert not c.idle_tick() and not c.running


async def test_the_app_counts_key_presses_as_input_and_restores_the_collector_on_exit():
    saved = gc.get_threshold()
    app = library_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.collector.running and gc.get_threshold() != saved
        before = app.collector._last_input
        await pilot.press("down")
        assert app.collector._last_input > before
    assert gc.get_threshold() == saved and not app.collector.running


def test_hold_pauses_the_collector_until_release():
    from coach.tui import quiet_gc

    assert gc.isenabled()
    quiet_gc.hold()
    try:
        assert not gc.isenabled()
    finally:
        quiet_gc.release()
    assert gc.isenabled()


def test_release_leaves_a_collector_someone_else_disabled_alone():
    from coach.tui import quiet_gc

    gc.disable()
    try:
        quiet_gc.hold()
        quiet_gc.release()
        assert not gc.isenabled()
    finally:
        gc.enable()


async def test_the_app_releases_a_held_collector_once_its_first_screen_is_up():
    from coach.tui import quiet_gc

    quiet_gc.hold()
    app = library_app("en")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        quiet_gc.release()


def test_coach_run_that_cannot_start_releases_the_collector(tmp_path, capsys):
    from coach.cli import main

    code = main(["run", str(tmp_path / "missing.yaml"), "--db", str(tmp_path / "h.db"), "--teller", "t"])
    assert code == 2 and gc.isenabled()
    assert "no scenario file" in capsys.readouterr().err


def test_pauses_nest_and_the_collector_returns_after_the_last():
    from coach.tui import quiet_gc

    quiet_gc.hold()
    with quiet_gc.Pause():
        quiet_gc.release()
        assert not gc.isenabled()  # the pause still runs
    assert gc.isenabled()


def test_a_pause_ended_early_turns_collection_back_on():
    from coach.tui import quiet_gc

    with quiet_gc.Pause() as pause:
        assert not gc.isenabled()
        pause.end()
        assert gc.isenabled()
    assert gc.isenabled()


async def test_the_library_checked_in_a_worker_leaves_the_collector_on(tmp_path):
    import shutil

    from coach.tui.app import CoachApp

    from .conftest import TUI

    shutil.copy(TUI / "rates.yaml", tmp_path / "rates.yaml")
    app = CoachApp(None, lang="en", extra_dirs=[tmp_path], bundled=False, user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.entries is None:
            await pilot.pause(0.05)
        await pilot.pause()
        assert [e.id for e in app.entries] == ["rates"] and gc.isenabled()

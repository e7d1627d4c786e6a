"""The library with many scenarios: checked after the first paint with progress, searched through an
index, opened by keys; a file broken after it was listed is not played."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from coach.scenario.cache import ScenarioCache
from coach.tui.app import CoachApp
from tests.tui.conftest import TUI, name, screen_text


def make_library(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (TUI / "rates.yaml").read_text(encoding="utf-8")
    for i in range(n):
        body = text.replace("id: rates", f"id: rates-{i:04d}", 1)
        if i == n // 2:
            body = body.replace("Comparing deposit rates", "Needle in the haystack")
        (folder / f"s{i:04d}.yaml").write_text(body, encoding="utf-8")
    return folder


@pytest.fixture
def cold_cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("COACH_CACHE_DIR", str(folder))
    return folder


async def until_listed(pilot, app, timeout: float = 60) -> list[str]:
    """Wait for the library's rows, noting every status line shown meanwhile."""
    seen = []
    end = time.monotonic() + timeout
    while app.entries is None or getattr(app.screen, "pending", True):
        assert time.monotonic() < end, "the library never finished loading"
        if name(app) == "LibraryScreen":
            seen.append(str(app.screen.query_one("#lib-filter").visual))
        await pilot.pause(0.02)
    await pilot.pause()
    return seen


def library(folder: Path) -> CoachApp:
    return CoachApp(None, lang="en", extra_dirs=[folder], bundled=False, user=False)


async def test_the_first_start_shows_progress_then_every_scenario(tmp_path, cold_cache):
    # Enough files that checking them takes well over the 0.4 s below which no bar is drawn.
    folder = make_library(tmp_path / "lib", 1200)
    app = library(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = await until_listed(pilot, app)
        assert name(app) == "LibraryScreen"  # the screen was up while the files were checked
        assert any(s.startswith("Checking scenarios ") and s.endswith("/1200…") for s in seen), seen
        assert app.screen.query_one("#lib-table").row_count == 1200
        assert not any(bar.display for bar in app.screen.query("#lib-progress"))  # gone once listed
    assert ScenarioCache(cold_cache).load()._results  # and the next start is warm


async def test_a_warm_library_is_listed_without_flashing_a_progress_bar(tmp_path, cold_cache):
    folder = make_library(tmp_path / "lib", 300)
    library_entries = library(folder).all_entries()  # checks every file: the cache is warm now
    assert len(library_entries) == 300
    app = library(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = await until_listed(pilot, app)
        assert not any(s.startswith("Checking scenarios") for s in seen), seen
        assert not app.screen.query("#lib-progress")


async def test_search_filters_many_scenarios_and_opens_the_match(tmp_path, cold_cache):
    folder = make_library(tmp_path / "lib", 400)
    app = library(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_listed(pilot, app)
        table = app.screen.query_one("#lib-table")
        assert table.row_count == 400
        await pilot.press("slash", *"needle hay")
        await pilot.pause()
        assert table.row_count == 1
        assert str(table.get_row_at(0)[0]) == "Needle in the haystack"
        assert "1 scenarios" in screen_text(app) or "1 scenario" in screen_text(app)
        await pilot.press("backspace", *"zz")
        await pilot.pause()
        assert table.row_count == 0 and "No scenario matches." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 400
        await pilot.press("slash", *"rates-0399", "enter", "enter")
        await pilot.pause()
        assert name(app) == "BriefingScreen" and app.screen.entry.id == "rates-0399"


async def test_keys_move_the_cursor_through_a_long_list(tmp_path, cold_cache):
    folder = make_library(tmp_path / "lib", 120)
    app = library(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_listed(pilot, app)
        table = app.screen.query_one("#lib-table")
        await pilot.press("end")
        assert table.cursor_row == 119 and table.scroll_offset.y > 0
        await pilot.press("home", "down", "down", "pagedown", "up")
        assert 2 < table.cursor_row < 119
        row = table.cursor_row
        await pilot.press("enter")
        await pilot.pause()
        assert name(app) == "BriefingScreen" and app.screen.entry.id == f"rates-{row:04d}"


async def test_a_file_broken_after_it_was_listed_is_not_played(tmp_path, cold_cache):
    folder = make_library(tmp_path / "lib", 3)
    app = library(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_listed(pilot, app)
        path = folder / "s0000.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("type: requesting", "type: grumpy"),
                        encoding="utf-8")
        await pilot.press("enter")  # the briefing, from the listing
        await pilot.pause(0.3)
        assert name(app) == "BriefingScreen"
        await pilot.press("enter")
        await pilot.pause()
        assert name(app) == "LibraryScreen" and app.controller is None
        assert app.is_running


async def test_a_file_edited_while_its_briefing_shows_is_played_as_it_is_now(tmp_path, cold_cache):
    folder = make_library(tmp_path / "lib", 3)
    app = library(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_listed(pilot, app)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert name(app) == "BriefingScreen"
        path = folder / "s0000.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Comparing deposit rates", "Edited title"),
                        encoding="utf-8")
        await pilot.press("enter")
        await pilot.pause()
        assert name(app) == "ConversationScreen"
        assert app.controller.scenario.title["en"] == "Edited title"
        import hashlib

        assert app.controller.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


async def test_quitting_during_the_first_check_stops_it(tmp_path, cold_cache):
    folder = make_library(tmp_path / "lib", 1000)  # seconds of checking
    app = library(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert app.entries is None  # still checking
        await pilot.press("ctrl+q")
        await pilot.pause()
    worker = app._catalog_worker
    end = time.monotonic() + 1.0
    while not worker.is_finished and time.monotonic() < end:
        time.sleep(0.01)
    assert worker.is_finished  # stopped at the next file, not after the whole library
    kept = ScenarioCache(cold_cache).load()._results
    assert 0 < len(kept) < 1000  # what was checked is kept for the next start


async def test_the_search_index_is_built_after_the_list_is_shown(tmp_path, cold_cache):
    folder = make_library(tmp_path / "lib", 300)
    library(folder).all_entries()  # warm
    app = library(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_listed(pilot, app)
        end = time.monotonic() + 30
        while app.screen._hay is None:  # the warm-up thread hands it over
            assert time.monotonic() < end, "the search index never arrived"
            await pilot.pause(0.05)
        assert len(app.screen._hay) == 300 and "needle in the haystack" in app.screen._hay[150]

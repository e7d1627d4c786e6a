"""`coach serve` in a real browser (headless Chromium driven by Playwright): a training room's PC.

What a trainer and a teller rely on: the page needs nothing from the internet, a teller plays a
bundled scenario to its debrief with the keyboard or the mouse and every answer is in the history,
two tabs are two tellers, what the page shows is what the terminal shows, and Ctrl+C on the server
ends every session without losing an answer.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from coach.engine import Session
from coach.library import bundled_dir
from coach.scenario.loader import load_scenario
from coach.scenario.model import localize

from .harness import Tab

SCENARIO_FILE = sorted(bundled_dir().glob("*.yaml"))[0]


def _scenario():
    result = load_scenario(SCENARIO_FILE)
    assert result.scenario is not None
    return result.scenario


def _best_path() -> list[int]:
    session = Session(_scenario())
    session.play_best()
    return session.choices_made


def _rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def _open_tab(browser, server, teller: str, lang: str = "en") -> Tab:
    tab = Tab(browser.new_page(viewport={"width": 1100, "height": 700}), server.url)
    prompt = "你是哪位柜员" if lang == "zh" else "Who is practising?"
    tab.wait_for(prompt)
    if _known_tellers(server.db):
        tab.press("Tab")  # from the list of known names to "a new name"
    tab.type(teller)
    tab.press("Enter")
    tab.wait_gone(prompt)  # keys typed before the dialog closes would go to it
    tab.wait_for("场景库" if lang == "zh" else "Scenario library")
    tab.wait_quiet()
    return tab


def _known_tellers(db: Path) -> list[str]:
    return [name for (name,) in _rows(db, "SELECT name FROM tellers")] if db.exists() else []


def _open_scenario(tab: Tab, lang: str = "en") -> None:
    """Search the library for the scenario and open its briefing, then start."""
    scenario = _scenario()
    tab.press("/")
    tab.type(scenario.id)
    tab.press("Enter")
    tab.wait_for("1 个场景" if lang == "zh" else "1 scenarios")
    tab.press("Enter")
    tab.wait_for(localize(scenario.customer.name, lang))
    tab.press("Enter")


def _play_by_keys(tab: Tab, lang: str = "en") -> None:
    scenario = _scenario()
    session = Session(scenario)
    for index in _best_path():
        tab.wait_for(localize(session.step.choices[index].text, lang)[:12])
        tab.press(str(index + 1))
        session.choose(index)
        # Practice mode: the feedback card, then on.
        tab.page.wait_for_timeout(300)
        tab.press("Enter")
    tab.wait_for("复盘" if lang == "zh" else "Debrief")


def _wait_for_answers(db: Path, n: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while _rows(db, "SELECT count(*) FROM answers")[0][0] < n:
        assert time.monotonic() < deadline, f"fewer than {n} answers stored after {timeout} s"
        time.sleep(0.1)


def _finished_attempts(db: Path) -> list[tuple]:
    return _rows(db, "SELECT a.id, t.name, a.scenario_id, a.status FROM attempts a "
                     "JOIN tellers t ON t.id = a.teller_id WHERE a.status = 'finished'")


def _answers(db: Path, attempt_id: int) -> int:
    return _rows(db, "SELECT count(*) FROM answers WHERE attempt_id = ? AND undone IS NULL", attempt_id)[0][0]


def test_the_page_asks_nothing_of_any_other_host(browser, serve) -> None:
    server = serve("--lang", "en")
    tab = _open_tab(browser, server, "Offline")
    assert tab.requests, "the page made no request at all"
    outside = [u for u in tab.requests if not u.startswith(f"http://127.0.0.1:{server.port}/")
               and not u.startswith(f"ws://127.0.0.1:{server.port}/")]
    assert outside == []


def test_a_teller_plays_a_bundled_scenario_to_its_debrief_with_keys(browser, serve) -> None:
    server = serve("--lang", "en")
    tab = _open_tab(browser, server, "Ana Keys")
    _open_scenario(tab)
    _play_by_keys(tab)
    attempts = _finished_attempts(server.db)
    assert [(name, sid) for _, name, sid, _ in attempts] == [("Ana Keys", _scenario().id)]
    assert _answers(server.db, attempts[0][0]) == len(_best_path())


def test_a_teller_plays_by_mouse_in_assessment_mode(browser, serve) -> None:
    """Assessment shuffles the choices, so each click is aimed at the choice's text on screen."""
    server = serve("--lang", "en", "--assess")
    tab = _open_tab(browser, server, "Bo Mouse")
    scenario = _scenario()
    tab.press("/")
    tab.type(scenario.id)
    tab.press("Enter")
    tab.wait_for("1 scenarios")
    tab.wait_quiet()
    tab.click_text(localize(scenario.title, "en")[:20])  # a click on the row opens its briefing
    tab.wait_for(localize(scenario.customer.name, "en"))
    tab.press("Enter")
    session = Session(scenario)
    for index in _best_path():
        start = localize(session.step.choices[index].text, "en")[:24]
        tab.wait_for(start)
        tab.wait_quiet()
        tab.click_text(start)
        session.choose(index)
        tab.page.wait_for_timeout(200)
    tab.wait_for("Debrief")
    attempts = _finished_attempts(server.db)
    assert len(attempts) == 1 and attempts[0][1] == "Bo Mouse"
    picked = [c for (c,) in _rows(server.db, "SELECT choice FROM answers WHERE attempt_id = ? ORDER BY seq",
                                  attempts[0][0])]
    assert picked == _best_path()  # stored as file positions, whatever the shuffle showed


def test_two_tabs_are_two_tellers_and_both_are_stored(browser, serve) -> None:
    server = serve("--lang", "en")
    first = _open_tab(browser, server, "Chen One")
    second = _open_tab(browser, server, "Dai Two")
    for tab in (first, second):
        _open_scenario(tab)
    for tab in (first, second):
        _play_by_keys(tab)
    names = sorted(name for _, name, _, _ in _finished_attempts(server.db))
    assert names == ["Chen One", "Dai Two"]


def test_ctrl_c_ends_every_session_and_keeps_their_answers(browser, serve) -> None:
    server = serve("--lang", "en")
    tab = _open_tab(browser, server, "Eve Stop")
    _open_scenario(tab)
    first = _best_path()[0]
    tab.wait_for(localize(Session(_scenario()).step.choices[first].text, "en")[:12])
    tab.press(str(first + 1))
    _wait_for_answers(server.db, 1)
    assert server.children(), "the tab's coach process is not running"
    assert server.interrupt() == 0
    assert server.children() == []
    assert _rows(server.db, "SELECT count(*) FROM answers")[0][0] == 1
    assert "1 session(s) served" in server.output


# -- what the page shows is what the terminal shows ------------------------------------------------


def _terminal_text(app) -> str:
    """The app's screen as plain text, drawn the way `export_screenshot` (the snapshots) draws it."""
    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


async def _headless_text(tmp_path: Path, lang: str, size: tuple[int, int], teller: str, play: bool) -> str:
    from coach.commands.run import build_app

    args = argparse.Namespace(scenario=None, scenarios=[], lang=lang, assess=False, teller=teller,
                              db=str(tmp_path / "headless.sqlite3"), yes=False)
    app = build_app(args)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if play:
            from coach.tui.catalog import load_entry

            app.practice.show_briefing(load_entry(SCENARIO_FILE))
            await pilot.pause()
            await pilot.press("enter")
            for index in _best_path():
                await pilot.press(str(index + 1))
                await pilot.pause()
                await pilot.press("enter")
                await pilot.pause()
        await pilot.pause(0.5)
        return _terminal_text(app)


def _headless(*args, **kwargs) -> str:
    """Run the headless app in a thread of its own: Playwright's sync API owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _headless_text(*args, **kwargs)).result()


def _same_screen(browser_text: str, terminal_text: str) -> None:
    page = [line for line in browser_text.splitlines()]
    term = [line for line in terminal_text.splitlines()]
    differ = [(i, a, b) for i, (a, b) in enumerate(zip(page, term)) if a != b]
    assert len(differ) <= 1, "\n".join(f"{i}: page {a!r}\n{i}: term {b!r}" for i, a, b in differ)


#: Drawn by xterm.js itself (its custom glyphs), not by a font: box drawing and block elements.
_DRAWN_BY_XTERM = range(0x2500, 0x25A0)


def _glyphs_fit_their_cells(tab: Tab, text: str) -> None:
    """Every character on screen, drawn in the page's fonts (Roboto Mono, and for Chinese the PC's
    CJK font: fonts-wqy-zenhei here), fits the cells the app wrapped it into: a Chinese character
    or full-width mark in two cells (more than one), anything else in one. Else lines that coach
    wrapped to fit would overlap or run past the edge in the browser."""
    from wcwidth import wcwidth

    chars = sorted({c for c in text if not c.isspace() and ord(c) not in _DRAWN_BY_XTERM})
    size = float(tab.page.locator("#terminal").get_attribute("data-font-size") or 16)
    cell, widths = tab.page.evaluate(
        """async ([chars, size]) => {
            const font = `${size}px 'Roboto Mono', Monaco, 'Courier New', monospace`;
            await document.fonts.load(font, chars.join(""));
            const ctx = document.createElement("canvas").getContext("2d");
            ctx.font = font;
            return [ctx.measureText("W").width, chars.map(c => ctx.measureText(c).width)];
        }""", [chars, size])
    bad = [(c, round(w / cell, 2), wcwidth(c)) for c, w in zip(chars, widths)
           if w > wcwidth(c) * cell + 0.5 or (wcwidth(c) == 2 and w <= cell)]
    assert not bad, f"glyphs that do not fit their cells (char, cells drawn, cells given): {bad}"
    assert any(wcwidth(c) == 2 for c in chars)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_library_and_debrief_in_the_browser_match_the_terminal(browser, serve, output_dir, tmp_path,
                                                                     monkeypatch, lang) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    server = serve("--lang", lang)
    teller = "Fan" if lang == "en" else "范柜员"
    tab = _open_tab(browser, server, teller, lang)
    library = tab.wait_quiet(800)
    tab.page.screenshot(path=str(output_dir / f"library-{lang}.png"))
    _same_screen(library, _headless(tmp_path, lang, tab.size, teller, play=False))

    _open_scenario(tab, lang)
    _play_by_keys(tab, lang)
    debrief = tab.wait_quiet(800)
    tab.page.screenshot(path=str(output_dir / f"debrief-{lang}.png"))
    _same_screen(debrief, _headless(tmp_path, lang, tab.size, teller, play=True))
    if lang == "zh":  # coach wrapped Chinese by its cell widths: the page's fonts keep to them
        _glyphs_fit_their_cells(tab, library + debrief)

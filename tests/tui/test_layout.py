"""Chinese layout in the terminal UI (issue 21): every widget wraps by the Chinese rules, no screen
cuts off what a teller needs at 60x20, 80x24 or 120x40, and below 60x20 every screen asks for a
larger window instead."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.app import App
from textual.containers import ScrollableContainer
from textual.scroll_view import ScrollView
from textual.widget import Widget
from textual.widgets import Static

from coach.tui.layout import MIN_HEIGHT, MIN_WIDTH, FittedApp, Hanging, Items, TooSmall
from tests.test_linebreak import CLOSING, OPENING, SAYS
from tests.tui.conftest import library_app, name, scenario_app

SIZES = [(60, 20), (80, 24), (120, 40)]
LANGS = pytest.mark.parametrize("lang", ["zh", "en"])


def screen_lines(app) -> list[str]:
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


def cut_off(app) -> list[str]:
    """What the current screen draws only in part: a text taller than its box with nothing to scroll
    it, a table wider than its box, a widget past its parent's right edge or off the screen."""
    found = []
    screen = app.screen
    for w in screen.walk_children(Widget):
        if not w.display or not w.visible:
            continue
        ancestors = [a for a in w.ancestors_with_self[1:] if isinstance(a, Widget)]
        scrolls = any(isinstance(a, ScrollableContainer) or (a.allow_vertical_scroll and a.max_scroll_y > 0)
                      for a in ancestors)
        box = w.content_region
        if isinstance(w, Static) and box.width and not scrolls and not w.allow_vertical_scroll:
            need = w.get_content_height(box.size, box.size, box.width)
            if need > box.height:
                found.append(f"{w!r} needs {need} lines, has {box.height}")
        if isinstance(w, ScrollView) and w.virtual_size.width > w.scrollable_content_region.width:
            found.append(f"{w!r} scrolls sideways: {w.virtual_size.width} > {w.scrollable_content_region.width}")
        parent = w.parent
        if isinstance(parent, Widget) and w.region.area and parent.region.area and not parent.allow_horizontal_scroll:
            if w.region.right > parent.region.right:
                found.append(f"{w!r} reaches past the right edge of {parent!r}")
        if not scrolls and w.region.area and not screen.region.contains_region(w.region):
            found.append(f"{w!r} is partly off the screen")
    return found


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


# ---- the line breaker inside Textual ----------------------------------------------------------

class _Narrow(FittedApp):
    CSS = FittedApp.CSS + "Static { width: 14; }"

    def compose(self):
        yield Static(SAYS, id="plain")
        yield Static(Hanging(_quote()), id="hanging")


def _quote():
    from rich.text import Text

    return Text("  「" + SAYS + "」")


async def test_every_textual_widget_wraps_chinese_by_the_rules():
    app = _Narrow()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        for wid in ("#plain", "#hanging"):
            widget = app.screen.query_one(wid)
            lines = [strip.text.rstrip() for strip in widget.render_lines(widget.content_region.reset_offset)]
            lines = [line for line in lines if line.strip()]
            assert len(lines) > 2
            assert "".join(line.strip() for line in lines).replace("「", "").replace("」", "") == SAYS
            for n, line in enumerate(lines):
                assert cell_len(line) <= 14
                assert n == 0 or line.strip()[0] not in CLOSING, lines
                assert line.rstrip()[-1] not in OPENING or n == len(lines) - 1, lines


def test_a_hanging_paragraph_continues_under_its_text():
    from rich.text import Text

    text = Text("✗ 3. [解释] 具体原因是保密的，我这边不能说。\n  「一定要先安抚用户的情绪，再进行解释」")
    assert Hanging(text).laid_out(28).plain.split("\n") == [
        "✗ 3. [解释] 具体原因是保密", "            的，我这边不能", "            说。",
        "  「一定要先安抚用户的情绪，", "    再进行解释」"]  # the opening quotation mark hangs out
    assert Hanging(text).laid_out(20).plain.split("\n")[1] == "是保密的，我这边不能"  # no room to hang


def test_a_key_line_wraps_between_keys_only():
    laid = Items("↑↓ 选择 · 回车 打开 · / 搜索 · t 按类型筛选 · Esc 清除").laid_out(24)
    assert laid.plain.split("\n") == ["↑↓ 选择 · 回车 打开", "/ 搜索 · t 按类型筛选", "Esc 清除"]


def test_facts_wrap_between_items_and_an_item_wider_than_the_line_by_the_rules():
    from rich.text import Text

    facts = Text()
    facts.append("“凭什么偷偷扣我钱？”——一笔没想到的账户管理费", style="bold")
    facts.append("\n激动型 · 开户与账户 · ★★☆ · 本场重点：不止于解决、给出选择、尊重与自尊")
    assert Items(facts).laid_out(56).plain.split("\n") == [
        "“凭什么偷偷扣我钱？”——一笔没想到的账户管理费", "激动型 · 开户与账户 · ★★☆",
        "本场重点：不止于解决、给出选择、尊重与自尊"]
    assert Items("aaaa · bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb cc · dd").laid_out(10).plain.split("\n") == [
        "aaaa", "bbbbbbbbbb", "bbbbbbbbbb", "bbbbbbbbbb", "bb cc · dd"]


# ---- the smallest window ----------------------------------------------------------------------

FLOWS = {
    "library": (lambda lang: library_app(lang), ()),
    "library-filtered": (lambda lang: library_app(lang), ("b",)),
    "conversation": (lambda lang: scenario_app("order", lang), ("enter",)),
    "feedback": (lambda lang: scenario_app("order", lang), ("enter", "1")),
    "debrief": (lambda lang: scenario_app("order", lang), ("enter", "2", "enter", "2", "enter", "1", "enter", "2",
                                                        "enter")),
    "help": (lambda lang: scenario_app("order", lang), ("enter", "question_mark")),
    "quit": (lambda lang: scenario_app("order", lang), ("enter", "q")),
    "say": (lambda lang: scenario_app("order", lang), ("enter", "s")),
    "briefing": (lambda lang: scenario_app("rates", lang), ()),
    "assessment": (lambda lang: scenario_app("rates", lang, assess=True, seed=11), ("enter", "1")),
}


@pytest.mark.parametrize("size", [(MIN_WIDTH - 1, 30), (100, MIN_HEIGHT - 1)])
@pytest.mark.parametrize("flow", ["conversation", "feedback", "debrief"])
async def test_below_the_smallest_size_every_screen_asks_for_a_larger_window_and_ignores_keys(flow, size):
    make, keys = FLOWS[flow]
    app = make("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)
        before = (name(app), len(app.controller.session.turns) if app.controller else None)
        await pilot.resize_terminal(*size)
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        assert "请把窗口放大" in text and f"{MIN_WIDTH}×{MIN_HEIGHT}" in text
        assert [w for w in app.screen.children if w.display] == list(app.screen.query_children(TooSmall))
        for key in ("1", "enter", "escape", "u", "2"):  # nothing is chosen, taken back or left blind
            await pilot.press(key)
            await pilot.pause()
        assert (name(app), len(app.controller.session.turns) if app.controller else None) == before
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "请把窗口放大" not in "\n".join(screen_lines(app))


async def test_the_message_speaks_english_and_ctrl_q_still_quits():
    app = scenario_app("order", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # in a session: Ctrl+Q asks first, a second Ctrl+Q leaves
        await pilot.resize_terminal(40, 10)
        await settle(pilot)
        assert "Please make the window larger" in "\n".join(screen_lines(app))
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert name(app) == "ConfirmQuitScreen"
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code == 0


async def test_a_screen_shown_while_the_window_is_too_small_shows_the_message_too():
    app = scenario_app("order", "zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(50, 15)
        await settle(pilot)
        app.practice.show_library()  # as a worker or a timer might
        await settle(pilot)
        assert "请把窗口放大" in "\n".join(screen_lines(app))


async def test_the_store_apps_ask_for_a_larger_window_too(tmp_path):
    from coach.store import connect
    from coach.tui.store_apps import HistoryApp

    app = HistoryApp(connect(tmp_path / "h.sqlite3"), "Li", "zh")
    async with app.run_test(size=(50, 12)) as pilot:
        await settle(pilot)
        assert "请把窗口放大" in "\n".join(screen_lines(app))
    assert issubclass(HistoryApp, FittedApp) and not issubclass(App, FittedApp)


# ---- nothing cut off at the sizes coach supports ----------------------------------------------

@LANGS
@pytest.mark.parametrize("flow", sorted(FLOWS))
async def test_nothing_a_teller_needs_is_cut_off_at_60x20_80x24_and_120x40(flow, lang):
    make, keys = FLOWS[flow]
    app = make(lang)
    async with app.run_test(size=SIZES[1]) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert cut_off(app) == [], (flow, size)


@LANGS
async def test_the_library_shows_the_highlighted_title_and_focus_whole_at_every_size(lang):
    from coach.principles import PRINCIPLES
    from coach.scenario.text import localize

    app = library_app(lang)
    async with app.run_test(size=SIZES[1]) as pilot:
        await settle(pilot)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            for _ in range(3):
                screen = app.screen
                entry = screen.entries[screen.query_one("#lib-table").selected_row]
                detail = str(screen.query_one("#lib-detail").render())
                assert localize(entry.summary.title, lang) in detail
                for pid in entry.summary.focus:
                    assert PRINCIPLES[pid].name(lang) in detail
                shown = "".join(line.strip() for line in screen_lines(app))
                assert localize(entry.summary.title, lang).replace(" ", "") in shown.replace(" ", "")
                await pilot.press("down")
                await pilot.pause()
            assert cut_off(app) == []


def test_focus_names_are_shown_whole_or_counted():
    from coach.tui.screens.library import focus_cell

    names = ["心态平和", "预设期望值", "尊重与自尊"]
    assert focus_cell(names, 40, "zh") == "心态平和、预设期望值、尊重与自尊"
    assert focus_cell(names, 24, "zh") == "心态平和、预设期望值 +1"
    assert focus_cell(names, 12, "zh") == "心态平和 +2"


@pytest.mark.parametrize("window", [60, 80, 100, 120, 200])
@LANGS
def test_the_library_columns_fill_the_window_and_no_more(window, lang):
    from coach.tui.screens.library import library_columns
    from coach.tui.widgets.scenario_table import PADDING

    columns, focus = library_columns(window - 2, lang, 36)  # the screen's content: inside its padding
    assert sum(w + 2 * PADDING for _, w, _ in columns) == window - 2 - 2  # and the table's scrollbar
    assert all(cell_len(label) <= w for label, w, _ in columns)
    assert (focus > 0) == (window >= 80)

"""A hostile scenario: markup, action links, a stray closing tag, escape sequences and bidi
controls. The text is shown literally and no action fires, wherever it appears."""

from __future__ import annotations

from tests.tui.conftest import library_app, name, scenario_app, screen_text

LINK = "[@click=app.quit]x[/]"
BAD = ("\x1b", "\u202e", "\u2066", "\u2069", "\x07")


def assert_literal(app, *needles: str) -> None:
    text = screen_text(app)
    for needle in needles:
        assert needle in text, (needle, text)
    for ch in BAD:
        assert ch not in text
    svg = app.export_screenshot()
    for ch in BAD:
        assert ch not in svg


async def click_everything(app, pilot) -> None:
    """Click every line of every text widget on the screen: a live [@click] would quit or bell."""
    from textual.pilot import OutOfBounds
    from textual.widgets import Static

    screen = app.screen
    for widget in list(screen.query(Static)):
        region = widget.region
        for dy in range(min(region.height, 6)):
            for dx in (0, 2, 4, 8, 12):
                if dx < region.width and app.screen is screen:
                    try:
                        await pilot.click(offset=(region.x + dx, region.y + dy))
                    except OutOfBounds:
                        pass
        if not app.is_running:
            break
    await pilot.pause()


async def test_hostile_text_is_literal_and_inert():
    app = scenario_app("hostile", "en")
    bells = []
    app.bell = lambda: bells.append(1)  # [@click=app.bell] must not ring either
    async with app.run_test(size=(80, 24)) as pilot:
        assert_literal(app, "[red]Mallory[/red] [/]", "[@click=app.quit]click me[/]", "[31mred[0m",
                       "[link=https://evil.example]link[/link]")
        await click_everything(app, pilot)
        assert app.is_running and name(app) == "BriefingScreen"
        await pilot.press("enter")
        await pilot.pause()
        assert_literal(app, LINK + " situation [/]", "[bold]bold?[/bold]", LINK + " choose me", "[/] stray")
        await click_everything(app, pilot)
        assert app.is_running
        if name(app) == "ConversationScreen":
            await pilot.press("1")
            await pilot.pause()
        assert name(app) == "FeedbackScreen"
        assert_literal(app, LINK + " feedback [b]")
        await click_everything(app, pilot)
        assert app.is_running and name(app) == "FeedbackScreen"
        await pilot.press("enter")
        await pilot.pause()
        assert_literal(app, "right-to-left [@click=app.bell]ring[/]", "[@click=screen.dismiss]dismiss[/]")
        await click_everything(app, pilot)
        assert app.is_running
        if name(app) == "ConversationScreen":
            await pilot.press("1")
            await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert name(app) == "DebriefScreen"
        assert_literal(app, "[@click=app.quit]bye[/] [bold]", "[@click=screen.dismiss]dismiss[/]")
        await click_everything(app, pilot)
        assert app.is_running and name(app) == "DebriefScreen"
    assert bells == []


async def test_hostile_title_in_library_and_palette():
    app = library_app("en")
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.screen.query_one("#lib-table")
        titles = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert any(t.startswith(LINK + " [bold]Hostile[/] ]52;c;SGVsbG8=eman") for t in titles)
        await click_everything(app, pilot)
        assert app.is_running
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Hostile")
        await pilot.pause(0.3)
        shown = str(app.screen.query_one("CommandList").get_option_at_index(0).prompt)
        assert LINK in shown
        await click_everything(app, pilot)
        assert app.is_running

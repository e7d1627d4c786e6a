"""Showing a main screen (library, briefing, conversation, debrief, check, review) on Textual's stack."""

from __future__ import annotations


def show_main(app, screen) -> None:
    """Show `screen` as the main screen, closing any dialog over it.

    The first screen shown is the bottom of the stack (CoachApp.get_default_screen) and stays there:
    showing it again uncovers it. Other main screens sit on top of it and replace each other.
    (Textual cannot switch away the bottom screen: it has no result callback to pop.)"""
    stack = app.screen_stack
    if screen is stack[0]:
        while len(app.screen_stack) > 1:
            app.pop_screen()
        return
    while len(app.screen_stack) > 2 and app.screen.is_modal:
        app.pop_screen()
    if len(app.screen_stack) > 1:
        app.switch_screen(screen)
    else:
        app.push_screen(screen)

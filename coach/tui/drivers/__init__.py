"""Textual's terminal drivers, made safe for a terminal that goes away (docs/reliability.md).

`coach_driver(cls)` is the driver an app runs with instead of Textual's `cls`: the Linux terminal
driver (`coach run`, `check`, `review`, ...) and the web driver (each browser tab's `coach run`
under `coach serve`). Any other driver (Windows) is returned unchanged.
"""

from __future__ import annotations


def coach_driver(cls: type) -> type:
    try:
        from textual.drivers.linux_driver import LinuxDriver
    except ImportError:  # no termios: Windows keeps Textual's own driver
        return cls
    if cls is LinuxDriver:
        from coach.tui.drivers.linux import CoachLinuxDriver

        return CoachLinuxDriver
    if cls.__name__ == "WebDriver" and cls.__module__ == "textual.drivers.web_driver":
        from coach.tui.drivers.web import CoachWebDriver

        return CoachWebDriver
    return cls

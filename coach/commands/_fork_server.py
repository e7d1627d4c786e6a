"""`python -m coach.commands._fork_server FD -- ARGS...`: the fork server of `coach serve`.

Not a command a person types (it is not in `coach --help`): the server starts it. The mechanism is
`coach/serve/zygote.py`; this module says what it preloads (what `coach run` imports before and right
after its first screen) and what each child runs (`coach ARGS...`, i.e. `coach run --ask-teller ...`).
It lives with the commands because it starts the TUI, which only the commands may do.
"""

from __future__ import annotations

import importlib
import sys

#: Besides the app's own warm-up list (`CoachApp.WARM`, imported too). tests/serve/test_zygote.py
#: checks that each one exists, so a module renamed in a refactor is not skipped quietly.
PRELOAD = (
    "coach.cli", "coach.commands.run", "coach.tui.drivers.web", "coach.tui.launch", "coach.tui.hangup",
    "coach.tui.outlet", "coach.linebreak", "coach.tui.layout", "icu4py.breakers", "coach.tui.app", "coach.tui.catalog",
    "coach.tui.screens.teller", "coach.tui.screens.library", "coach.tui.screens.resume",
    "coach.tui.widgets.scenario_table", "coach.tui.quiet_gc", "coach.tui.signals",
    "coach.scenario.cache", "coach.scenario.lint", "coach.scenario.cues", "coach.scenario.markers",
    "textual.drivers.web_driver", "textual.widgets._input", "textual.widgets._option_list",
    "textual.layouts.factory", "textual.layouts.horizontal", "textual.layouts.stream", "textual.scrollbar",
    "concurrent.futures.thread", "queue",
)


def preload_names() -> list[str]:
    """PRELOAD, then the modules the app warms up after its first screen."""
    names = list(PRELOAD)
    try:
        from coach.tui.app import CoachApp

        names += [name for name in getattr(CoachApp, "WARM", ()) if name not in names]
    except Exception:  # noqa: BLE001 - see preload()
        pass
    return names


def preload() -> None:
    """Import what a session needs. A module that fails to import costs speed, not correctness: the
    session imports what it needs and reports an error the trainer can act on."""
    for name in preload_names():
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001
            pass
    try:
        from rich.cells import cell_len

        cell_len("柜员 teller")  # loads Rich's table of character widths (a large module) once, here
    except Exception:  # noqa: BLE001
        pass
    try:
        from coach.linebreak import wrap

        wrap("柜员请稍等，我们马上为您办理。", 6)  # ICU's line breaker and its data, shared by every session
    except Exception:  # noqa: BLE001
        pass


def run(argv: list[str]) -> int:
    from coach.cli import main

    return main(argv)


if __name__ == "__main__":
    from coach.serve.zygote import serve

    raise SystemExit(serve(sys.argv[1:], preload, run))

"""Argument parsing and dispatch only. Each subcommand lives in coach/commands/<name>.py with
`add_arguments(parser)` and `run(args) -> int`; modules are imported only when their command runs,
so `coach validate` never pays for the TUI."""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> one-line help. Order is the order of `coach --help`.
COMMANDS: dict[str, str] = {
    "run": "Start the coach (the default): pick a customer and practise.",
    "validate": "Check scenario files and folders; report file:line:col problems.",
    "schema": "Print the JSON Schema of the scenario format.",
    "play": "Play a scenario without the terminal UI and print its scorecard.",
    "check": "Pre-shift self-assessment: a timed check ending in a verdict.",
    "review": "Review the moments you got wrong, spaced by FSRS (--list, --auto for scripts).",
    "history": "Show a teller's past attempts.",
    "report": "Results across tellers from one or more history databases.",
    "export": "Export attempts as xAPI statements for a learning management system.",
    "sync": "Push this workstation's results to the central PostgreSQL store.",
    "central": "Set up the central PostgreSQL results store and its logins.",
    "graph": "Draw a scenario's step graph (mermaid or dot).",
    "new": "Write a scenario skeleton to start from.",
    "audit": "Check whether the choices' form gives the answer away (cues, test-wise strategies).",
    "serve": "Serve the coach to browsers (a training room); needs coach[serve].",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with a short line, no traceback
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(available: dict[str, object]) -> argparse.ArgumentParser:
    parser = _Parser(prog="coach", description="Coaching for bank tellers: practise customer conversations.")
    from coach import __version__

    parser.add_argument("--version", action="version", version=f"coach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in available.items():
        p = sub.add_parser(name, help=COMMANDS[name], description=COMMANDS[name])
        module.add_arguments(p)
    return parser


def _available_commands(wanted: str | None) -> dict[str, object]:
    """Import command modules: only the one asked for, or all of them for --help."""
    names = [wanted] if wanted in COMMANDS else list(COMMANDS)
    found = {}
    for name in names:
        try:
            found[name] = importlib.import_module(f"coach.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"coach.commands.{name}":
                raise
    return found


def main(argv: list[str] | None = None) -> int:
    """Run one command. Everything it prints goes through coach.untrusted.SafeStream, so no escape
    sequence from a database, a file name or an argument reaches the terminal; a standard output
    that cannot be written (a full disk, a closed pipe) is a message and exit 1, not a traceback."""
    from coach.untrusted import OutputError, SafeStream

    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout = SafeStream(real_out, "standard output")
    sys.stderr = SafeStream(real_err, "standard error")
    try:
        try:
            code = _dispatch(argv)
        except SystemExit:
            sys.stdout.flush()  # --help or a usage error: what argparse printed must reach the disk
            raise
        sys.stdout.flush()
        return code
    except OutputError as exc:
        return _output_failed(exc, real_out, real_err)
    finally:
        sys.stdout, sys.stderr = real_out, real_err


def _output_failed(exc, real_out, real_err) -> int:
    import errno
    import os

    if exc.error.errno != errno.EPIPE:  # a closed pipe (`| head`) is the reader's choice: no message
        try:
            real_err.write(f"coach: {exc}; the output is incomplete.\n")
            real_err.flush()
        except (OSError, ValueError):
            pass
    # What is still buffered would fail again when Python exits ("Exception ignored ..."): the
    # rest goes nowhere instead.
    for stream in (real_out, real_err) if exc.stream == "standard error" else (real_out,):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
            pass
    return 1


def _dispatch(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if any("\x00" in a for a in argv):
        # No file name or value can hold one (the OS refuses it: a ValueError deep in a command);
        # a shell cannot pass one either, so this is a caller's mistake, said once for every command.
        print("coach: an argument holds a NUL character (\\x00); no file name or value can.", file=sys.stderr)
        return 2
    first = next((a for a in argv if not a.startswith("-")), None)
    starts_with_option = bool(argv) and argv[0].startswith("-") and first not in COMMANDS
    if (first is None or starts_with_option) and not any(a in ("-h", "--help", "--version") for a in argv):
        # `coach` alone, or `coach --lang zh` (whose "zh" is an option's value), starts the TUI
        argv.insert(0, "run")
        first = "run"
    parser = build_parser(_available_commands(first))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(f"coach.commands.{args.command}")
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130

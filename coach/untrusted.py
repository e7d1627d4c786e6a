"""Untrusted text on its way to a terminal: one rule, used by every command and by the TUI.

Teller names and scenario ids come from database files anyone can edit; file names come from
folders anyone can fill; scenario text comes from trainers. A terminal obeys escape sequences in
what it prints (OSC 52 writes the clipboard, `ESC[2J` clears the screen, bidi controls reorder a
line), so such characters are shown visibly instead, as backslash escapes:

- C0 controls (ESC, BEL, CR, …) as `\\x1b`; JSON never holds them raw, so JSON stays valid;
- DEL, C1 controls (CSI 0x9b, NEL, …), bidi controls, line/paragraph separators and undecodable
  bytes of a file name (lone surrogates) as `\\u009b`, which is also a JSON escape of the same
  character, so JSON output stays valid and decodes to the very same text.

`visible(text)` keeps newlines and tabs (a whole message); `one_line(text)` escapes them too, for
a piece of untrusted text inside a line (a table cell, a name in a message) where a newline would
forge a line. `SafeStream` applies `visible` to everything written to stdout and stderr: `coach.cli`
installs it around every command, so no command can skip the rule (tests/hardening/test_escapes.py
runs each one against hostile input). The TUI writes to the terminal itself, so its screens put
database and file text through `one_line`/`visible` and show it literally (never as markup).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TextIO

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_HIGH = f"\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff"
# In a block: every C0 control but tab and newline; a CR only when it is not the first half of
# a CRLF (a CSV's line end), since a lone CR returns the cursor and overwrites the line.
# Compiled at first use: the surrogate ranges make them ~2 ms to compile, and `coach run` prints
# nothing before its first screen.


@cache
def _block() -> re.Pattern:
    return re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_HIGH}]|\r(?!\n)")


@cache
def _line() -> re.Pattern:
    return re.compile(f"[\x00-\x1f{_HIGH}]")


def _escape(match: re.Match) -> str:
    code = ord(match.group()[0])
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every character a terminal would obey shown as an escape; newlines and tabs kept."""
    return _block().sub(_escape, text)


def one_line(text: object) -> str:
    """A piece of untrusted text for inside a line: as `visible`, and newlines and tabs escaped too."""
    return _line().sub(_escape, str(text))


def is_visible(text: str) -> bool:
    """True when `visible` would leave `text` as it is."""
    return _block().search(text) is None


class OutputError(Exception):
    """Standard output or error could not be written (disk full, I/O error, a closed pipe).

    Not an OSError, so a command's own `except OSError` around a file it writes cannot swallow it.
    """

    def __init__(self, stream: str, error: OSError) -> None:
        super().__init__(f"cannot write to {stream}: {error.strerror or error}")
        self.stream, self.error = stream, error


class _SafeBuffer:
    """`sys.stdout.buffer` of a SafeStream: bytes are decoded (UTF-8, bad bytes kept as surrogates),
    made visible and written through the text stream."""

    def __init__(self, text: "SafeStream") -> None:
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._text.write(bytes(data).decode("utf-8", "surrogateescape"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()


class SafeStream:
    """A text stream that writes `visible(text)` to the stream it wraps.

    Text the wrapped stream's encoding cannot hold is written as backslash escapes (an ASCII
    terminal, `PYTHONIOENCODING=...:strict`), never a UnicodeEncodeError. An OSError of the wrapped
    stream (ENOSPC on `> /dev/full`, EPIPE from `| head`) becomes OutputError.
    """

    def __init__(self, raw: TextIO, name: str) -> None:
        self.raw = raw
        self._name = name
        self._buffer = _SafeBuffer(self)

    @property
    def buffer(self):  # emit() writes bytes here
        return self._buffer

    @property
    def encoding(self) -> str:
        return getattr(self.raw, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:
        return getattr(self.raw, "errors", None)

    @property
    def name(self) -> str:
        return self._name

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        try:
            return bool(self.raw.isatty())
        except (AttributeError, ValueError, OSError):
            return False

    def fileno(self) -> int:
        return self.raw.fileno()

    def write(self, text: str) -> int:
        shown = visible(str(text))
        try:
            try:
                self.raw.write(shown)
            except UnicodeEncodeError:
                self.raw.write(shown.encode(self.encoding, "backslashreplace").decode(self.encoding))
        except OSError as exc:
            raise OutputError(self._name, exc) from None
        return len(text)

    def flush(self) -> None:
        try:
            self.raw.flush()
        except OSError as exc:
            raise OutputError(self._name, exc) from None
        except ValueError:  # flushed after the wrapped stream was closed
            pass

    def __getattr__(self, name: str):
        return getattr(self.raw, name)

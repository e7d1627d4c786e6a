"""A problem found in a scenario file, located at file:line:col."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int  # 1-based
    col: int  # 1-based
    severity: Severity
    message: str
    code: str

    def format(self) -> str:
        """`path:line:col: error: message [code]`, the form editors and CI understand."""
        from coach.untrusted import one_line  # a file name can hold an escape or a newline

        return f"{one_line(self.path)}:{self.line}:{self.col}: {self.severity}: {one_line(self.message)} [{self.code}]"

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

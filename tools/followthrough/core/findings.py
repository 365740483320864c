"""Lint findings as values: where, what, which rule, how bad."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from followthrough.core.logline import safe_line


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # a hint: shown, never fails lint or a build, whatever the strictness


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    code: str
    message: str
    level: Level = Level.ERROR

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    @property
    def is_info(self) -> bool:
        return self.level is Level.INFO

    def __str__(self) -> str:
        """One log line, whatever the file is called: the text format, the build log, errors."""
        tag = "" if self.is_error else f" ({self.level.value})"
        return f"{safe_line(self.path)}:{self.line}:{self.column}: {self.code} {safe_line(self.message)}{tag}"

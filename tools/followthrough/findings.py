"""Lint findings as values: where, what, which rule, how bad."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"


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

    def __str__(self) -> str:
        tag = "" if self.is_error else " (warning)"
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}{tag}"

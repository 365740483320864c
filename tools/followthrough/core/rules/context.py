"""What rules may look at besides the postmortem itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from followthrough.core.model import Directory
from followthrough.core.settings import Settings


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    directory: Directory
    today: date

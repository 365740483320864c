"""Verified fixes: of the done `prevent` items of the non-negotiable severities (SEV-0/1 by
default), the share whose fix was shown to work (`verified:`), overall and by the quarter (UTC)
their incident started in."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from followthrough.core import metrics as m
from followthrough.core.learning.recurrence import PREVENT
from followthrough.core.settings import Settings


@dataclass(frozen=True, slots=True)
class VerifiedShare:
    done: int  # done prevent items of the non-negotiable severities
    verified: int  # of those, carrying `verified:`

    @property
    def rate(self) -> float | None:
        return self.verified / self.done if self.done else None


@dataclass(frozen=True, slots=True)
class Verification:
    overall: VerifiedShare
    by_quarter: tuple[tuple[str, VerifiedShare], ...]  # quarters with done items, in time order
    unverified: tuple[m.ItemView, ...]  # done, not verified: newest incident first


def in_scope(view: m.ItemView, settings: Settings) -> bool:
    """A done prevent item of a non-draft incident of a non-negotiable severity."""
    severity = settings.severity(view.postmortem.severity)
    return (
        view.status == "done"
        and view.item.type == PREVENT
        and view.postmortem.is_incident
        and m.is_counted(view.postmortem)
        and severity is not None
        and severity.non_negotiable
    )


def verification(views: Iterable[m.ItemView], settings: Settings) -> Verification:
    done = [v for v in views if in_scope(v, settings)]
    quarters: dict[str, list[m.ItemView]] = defaultdict(list)
    for v in done:
        q = m.incident_quarter(v.postmortem)
        if q:
            quarters[q].append(v)

    def share(vs: list[m.ItemView]) -> VerifiedShare:
        return VerifiedShare(len(vs), sum(1 for v in vs if v.item.verified is not None))

    unverified = [v for v in done if v.item.verified is None]
    unverified.sort(key=lambda v: (-(v.postmortem.started.timestamp() if v.postmortem.started else 0.0), v.postmortem.id, v.item.index))
    return Verification(share(done), tuple((q, share(quarters[q])) for q in sorted(quarters)), tuple(unverified))

"""Links between postmortems: `related:` and `recurrence_of:` name postmortems of the repo.

A check across files: it runs on the small records `IdRecord` keeps of every file,
after each file's own rules, so an edit to one postmortem re-checks the links of the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from followthrough.core.dates import in_utc
from followthrough.core.fields import Collector, did_you_mean
from followthrough.core.findings import Finding
from followthrough.core.model import Postmortem

# Postmortem ids share date prefixes and common words, so an unrelated id is often 60% alike:
# only a near id (a typo, a transposition) is suggested.
ID_CUTOFF = 0.75
# A did-you-mean compares one id with every id of the repo; past this many unknown ids in one
# run (a repo imported with broken links) they are reported without one, so the check stays linear.
HINTS_AT_MOST = 100


@dataclass(frozen=True, slots=True)
class IdRecord:
    """What the checks across files need of a postmortem: small enough to send between processes."""

    path: str
    id: str
    line: int
    kind: str = "incident"
    started: datetime | None = None
    related: tuple[str, ...] = ()
    related_line: int = 0
    recurrence_of: str | None = None
    recurrence_line: int = 0

    @staticmethod
    def of(pm: Postmortem) -> IdRecord | None:
        if not pm.lines:
            return None
        return IdRecord(
            pm.path, pm.id, pm.line_of("id"), pm.kind, pm.started,
            pm.related, pm.line_of("related"), pm.recurrence_of, pm.line_of("recurrence_of"),
        )  # fmt: skip

    @property
    def links(self) -> tuple[str, ...]:
        """The ids of other postmortems this one names."""
        return self.related + ((self.recurrence_of,) if self.recurrence_of else ())



def check(records: list[IdRecord], others: Iterable[IdRecord] = ()) -> list[Finding]:
    """FT111 and FT112 on the records; `others` are link targets only."""
    by_id: dict[str, IdRecord] = {}
    for record in (*records, *others):
        by_id.setdefault(record.id, record)  # a duplicate id is FT106's: the first one is the target
    found: list[Finding] = []
    budget = [HINTS_AT_MOST]

    def hint(target: str) -> str:
        if budget[0] <= 0:
            return ""
        budget[0] -= 1
        return did_you_mean(target, by_id, ID_CUTOFF)

    for record in records:
        if not record.links:
            continue
        out = Collector(record.path)
        for target in dict.fromkeys(record.related):
            if target == record.id:
                out.add("FT111", record.related_line, f"related: {target!r} is this postmortem itself; list the others it is related to")
            elif target not in by_id:
                out.add("FT111", record.related_line, f"related: {target!r} is not the id of a postmortem of this repo{hint(target)}")
        if record.recurrence_of:
            _recurrence(record, by_id, out, hint)
        found.extend(out.findings)
    return found


def _recurrence(record: IdRecord, by_id: dict[str, IdRecord], out: Collector, hint: Callable[[str], str]) -> None:
    target_id = record.recurrence_of
    assert target_id is not None
    at = f"recurrence_of: {target_id!r}"
    target = by_id.get(target_id)
    if target_id == record.id:
        out.add("FT112", record.recurrence_line, f"{at} is this postmortem itself; name the earlier incident this one repeats")
    elif target is None:
        out.add("FT112", record.recurrence_line, f"{at} is not the id of a postmortem of this repo{hint(target_id)}")
    elif target.kind == "game-day":
        out.add("FT112", record.recurrence_line, f"{at} is a game day ({target.path}); a recurrence repeats a real failure: name the earlier incident")
    elif target.started is not None and record.started is not None and target.started >= record.started:
        out.add(
            "FT112", record.recurrence_line,
            f"{at} started {_when(target.started)}, not before this one ({_when(record.started)}); "
            f"a recurrence names the earlier incident (the later one may list this one under related:)",
        )  # fmt: skip


def _when(moment: datetime) -> str:
    return in_utc(moment).strftime("%Y-%m-%d %H:%M UTC")

"""Action items: one owner, a real date, a commitment rather than a wish, a well-formed ticket."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Iterable

from followthrough.core.findings import Finding
from followthrough.core.dates import utc_date
from followthrough.core.model import Postmortem
from followthrough.core.fields import Collector
from followthrough.core.rules.context import Context
from followthrough.core.rules.people import check_person
from followthrough.core.ticket_refs import is_ticket

# Wishes, not commitments: an action item says who will do what by when. "Investigate X" stays fine.
_WISH_START = re.compile(
    r"^\s*(?:we\s+(?:should|must|need\s+to|could|ought\s+to|will\s+try)|(?:should|could)\b|(?:try|attempt)\s+to\b|"
    r"remind\s+(?:the\s+)?(?:engineers?|everyone|people|team|teams|devs?|developers?|folks|staff|on-?call)\b|"
    r"consider\b|think\s+about\b|be\s+(?:more\s+)?(?:careful|vigilant|mindful|aware)\b|don'?t\s+forget\b|hopefully\b)",
    re.I,
)
_WISH_ANY = re.compile(r"\b(?:be\s+more\s+careful|more\s+carefully|pay\s+(?:more|closer)\s+attention|be\s+more\s+vigilant)\b", re.I)


def is_wish(title: str) -> bool:
    return bool(_WISH_START.search(title) or _WISH_ANY.search(title))


def check(pm: Postmortem, ctx: Context) -> Iterable[Finding]:
    out = Collector(pm.path)
    if pm.status == "published" and not pm.action_items:
        out.add("FT308", pm.line_of("action_items"), "a published postmortem lists its action items (each with an owner and a due date)")
    level = ctx.settings.severity(pm.severity)
    started_day = utc_date(pm.started) if pm.started else None
    seen: dict[str, int] = {}
    for item in pm.action_items:
        where = f"action_items[{item.index}]"
        if item.id in seen:
            out.add("FT106", item.line_of("id"), f"{where}.id: {item.id!r} is already used by the item on line {seen[item.id]}")
        else:
            seen[item.id] = item.line
        if item.owner:
            check_person(item.owner, item.line_of("owner"), f"{where}.owner", ctx, out)
        if item.title and is_wish(item.title):
            out.add("FT305", item.line_of("title"), f"{where}.title: {item.title!r} is a wish; write who will do what, e.g. 'Add a canary stage to the deploy pipeline'")
        if item.due and started_day:
            if item.due < started_day:
                out.add("FT304", item.line_of("due"), f"{where}.due: {item.due.isoformat()} is before the incident started ({started_day.isoformat()})")
            # The window holds the first commitment; a recorded re-date moves the date past it in
            # the open (its slip is shown everywhere), so the due date first committed to is judged.
            elif level and level.followup_days is not None and (first := item.original_due or item.due) > started_day + timedelta(days=level.followup_days):
                first_entry = item.redated[0] if item.redated else None
                label, line = (f"{where}.redated[0].from", first_entry.lines.get("from", first_entry.line)) if first_entry else (f"{where}.due", item.line_of("due"))
                out.add(
                    "FT306",
                    line,
                    f"{label}: {first.isoformat()} is {(first - started_day).days} days after the incident; "
                    f"{level.name} items are due within {level.followup_days} days",
                )
        if item.ticket and not is_ticket(item.ticket):
            out.add("FT307", item.line_of("ticket"), f"{where}.ticket: {item.ticket!r} is not a Jira key (OPS-123), a GitHub reference (owner/repo#45, or #45 in the routed repo) or a URL")
    return out.findings

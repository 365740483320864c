"""Reading an action item's follow-through fields: `redated:`, `decision:` and `done_on:`.

Like the rest of `parse`, this checks what each field says on its own (types, real dates,
known keys) and never raises; the rules that compare entries with each other, with `due`,
with today or with the severity live in `rules/followup.py`.
"""

from __future__ import annotations

from typing import Any

from followthrough.core.fields import Collector, Fields, type_name, unknown_keys
from followthrough.core.model import Decision, Redate, Verified
from followthrough.core.text.safeyaml import YList, YMap, is_invalid

REDATE_FIELDS = ("from", "to", "on", "reason", "approved_by")
DECISION_FIELDS = ("by", "on", "reason")
REDATE_EXAMPLE = "{from: 2026-06-01, to: 2026-06-15, on: 2026-05-28, reason: waiting on the vendor's fix}"
VERIFIED_FIELDS = ("on", "how")
VERIFIED_EXAMPLE = "{on: 2026-07-01, how: the game day of 2026-07-01 failed over in 40 s}"
DECISION_EXAMPLE = "{by: a.nguyen, on: 2026-06-02, reason: the service is retired in June}"


def redates(raw: YMap, where: str, out: Collector) -> tuple[Redate, ...]:
    """The `redated:` list of one item, oldest first; entries with an unreadable date are left out
    (their finding says why), so the chain rules only see entries they can judge."""
    value = raw.get("redated")
    if "redated" not in raw or value is None or is_invalid(value):
        return ()
    if not isinstance(value, YList):
        out.add_at("FT103", raw.value_pos_of("redated"), f"{where}redated: expected a list of re-dates such as [{REDATE_EXAMPLE}], got {type_name(value)}")
        return ()
    found = []
    for i, entry in enumerate(value):
        at = f"{where}redated[{i}]."
        if not isinstance(entry, YMap):
            if not is_invalid(entry):
                out.add_at("FT103", value.item_pos[i], f"{where}redated[{i}]: expected a mapping such as {REDATE_EXAMPLE}, got {type_name(entry)}")
            continue
        unknown_keys(entry, REDATE_FIELDS, out, f"{where}redated[{i}]: ")
        f = Fields(entry, out, at)
        days = {}
        for key in ("from", "to", "on"):
            if key not in entry:
                out.add("FT102", entry.line, f"{at}{key}: missing; a re-date says {{from, to, on, reason}}", entry.column)
            days[key] = f.day(key)
        reason = f.text("reason", required=True)  # an empty one is FT108; a thin one is the rules' (FT310)
        if "reason" not in entry:
            out.add("FT102", entry.line, f"{at}reason: missing; say why the date moved", entry.column)
        approved_by = f.text("approved_by")
        if days["from"] is None or days["to"] is None or days["on"] is None:
            continue
        found.append(Redate(days["from"], days["to"], days["on"], reason or "", approved_by or None, "file", entry.line, {k: entry.line_of(k) for k in entry}))
    return tuple(found)


def _entry(raw: YMap, key: str, keys: tuple[str, ...], example: str, noun: str, where: str, out: Collector) -> tuple[YMap, Fields] | None:
    """An item's one-mapping field (`decision:`, `verified:`) and typed reads of it; None when it
    is absent, empty or not a mapping (reported). Each of `keys` missing is reported too."""
    value = raw.get(key)
    if key not in raw or value is None or is_invalid(value):
        return None
    if not isinstance(value, YMap):
        out.add_at("FT103", raw.value_pos_of(key), f"{where}{key}: expected a mapping such as {example}, got {type_name(value)}")
        return None
    unknown_keys(value, keys, out, f"{where}{key}: ")
    at = f"{where}{key}."
    for name in keys:
        if name not in value:
            out.add("FT102", value.line, f"{at}{name}: missing; {noun} says {{{', '.join(keys)}}}", value.column)
    return value, Fields(value, out, at)


def decision(raw: YMap, where: str, out: Collector) -> Decision | None:
    found = _entry(raw, "decision", DECISION_FIELDS, DECISION_EXAMPLE, "a decision", where, out)
    if found is None:
        return None
    value, f = found
    return Decision(f.text("by") or "", f.day("on"), f.text("reason", required=True) or "", value.line, {k: value.line_of(k) for k in value})


def done_on(raw: YMap, where: str, out: Collector) -> Any:
    if "done_on" not in raw:
        return None
    return Fields(raw, out, where).day("done_on")


def verified(raw: YMap, where: str, out: Collector) -> Verified | None:
    """`verified: {on, how}`: both are needed, a date without a how proves nothing."""
    found = _entry(raw, "verified", VERIFIED_FIELDS, VERIFIED_EXAMPLE, "a verification", where, out)
    if found is None:
        return None
    value, f = found
    return Verified(f.day("on"), f.text("how", required=True) or "", value.line, {k: value.line_of(k) for k in value})

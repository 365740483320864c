"""Text of a postmortem file -> a typed Postmortem plus the findings about its form.

This module checks what a single field can tell on its own (presence, type, allowed
values, YAML traps); rules that compare fields, files or the people directory live in
`rules/`. It never raises on bad input: everything becomes a Finding.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from followthrough.core import followup_fields
from followthrough.core.text import body as md
from followthrough.core.text.blocks import scan
from followthrough.core.text import frontmatter, safeyaml
from followthrough.core.ids import SLUG as _ID_SLUG, SLUG_RULE, is_slug, suggest_slug
from followthrough.core.dates import is_day_shaped, utc_date
from followthrough.core.findings import Finding
from followthrough.core.model import ITEM_STATUSES, ITEM_TYPES, KINDS, ROLES, SINGLE_ROLES, STATUSES, TIMES, ActionItem, Postmortem, Roles, TimelineEntry
from followthrough.core.fields import LIST_LIMIT, Collector, Fields, type_name, unknown_keys
from followthrough.core.text.safeyaml import YList, YMap, is_invalid
from followthrough.core.settings import Settings

FIELDS = (
    "title", "id", "status", "kind", "severity", "services", "teams", "tags",
    *TIMES, "roles", "authors", "reviewed", "related", "recurrence_of", "factors", "action_items",
)  # fmt: skip
REQUIRED = ("title", "status", "severity", "services", "started", "roles")
ITEM_FIELDS = ("id", "title", "owner", "due", "priority", "type", "status", "tracker", "ticket", "redated", "decision", "done_on", "verified")
SLUG = re.compile(f"^{_ID_SLUG.pattern}$")  # anchored, for the JSON schema
# Words people write where a calendar date belongs; the finding says why they don't count.
_PERIOD_DUE = re.compile(r"^(q[1-4]|h[12]|next|this|end of|eo[qmy]|sprint|week|month|quarter)", re.I)
_VAGUE_DUE = re.compile(r"^(asap|soon|tbd|later)", re.I)  # no day at all, not even a period


def _roles(value: Any, pos: tuple[int, int], out: Collector) -> Roles:
    if value is None or is_invalid(value):
        return Roles()
    if not isinstance(value, YMap):
        out.add_at("FT103", pos, f"roles: expected a mapping such as {{commander: a.nguyen, sme: [b.okafor]}}, got {type_name(value)}")
        return Roles()
    unknown_keys(value, ROLES, out, "roles: ")
    f = Fields(value, out, "roles.")
    held: dict[str, Any] = {}
    for role in SINGLE_ROLES:
        if role in value and isinstance(value[role], YList):
            out.add_at("FT103", value.value_pos_of(role), f"roles.{role}: one person holds this role, not a list")
            continue
        held[role] = f.text(role) or None
    sme = f.texts("sme")
    if "sme" in value and isinstance(value["sme"], str) and value["sme"].strip():
        sme = (value["sme"].strip(),)  # a lone SME written without brackets; the finding above asks for a list
    lines = {k: value.line_of(k) for k in value}
    return Roles(sme=sme, lines=lines, **held)


def _items(value: Any, pos: tuple[int, int], settings: Settings, out: Collector) -> tuple[ActionItem, ...]:
    if value is None or is_invalid(value):
        return ()
    if not isinstance(value, YList):
        out.add_at("FT103", pos, f"action_items: expected a list of items, got {type_name(value)}")
        return ()
    items = []
    if len(value) > LIST_LIMIT:
        out.add_at("FT109", pos, f"action_items: {len(value):,} items, at most {LIST_LIMIT} are allowed; the site, sync and reports handle each, so a longer list makes them slow")
    for i, raw in enumerate(value[:LIST_LIMIT]):
        where = f"action_items[{i}]."
        item_line = value.item_pos[i][0]
        if not isinstance(raw, YMap):
            if not is_invalid(raw):
                out.add_at("FT103", value.item_pos[i], f"action_items[{i}]: expected a mapping with title, owner and due, got {type_name(raw)}")
            continue
        unknown_keys(raw, ITEM_FIELDS, out, f"action_items[{i}]: ")
        f = Fields(raw, out, where)
        title = f.text("title", required=True)
        if "title" not in raw:
            out.add("FT102", raw.line, f"{where}title: missing", raw.column)
        owner = ""
        if "owner" not in raw:
            out.add("FT301", raw.line, f"{where}owner: missing; name the one person who owns this item", raw.column)
        elif f.placeholder("owner"):
            pass
        elif isinstance(raw["owner"], YList):
            out.add_at("FT301", raw.value_pos_of("owner"), f"{where}owner: a list; one person owns an action item, not {len(raw['owner'])} people")
        else:
            owner = f.text("owner") or ""
        due = None
        if "due" not in raw:
            out.add("FT303", raw.line, f"{where}due: missing; give a calendar date as YYYY-MM-DD", raw.column)
        elif raw["due"] is None or (isinstance(raw["due"], str) and not raw["due"].strip()):
            # `due:`, `due: ~`, `due: null`: no date is no commitment, however it is spelled.
            out.add_at("FT303", raw.pos_of("due"), f"{where}due: empty; give a calendar date as YYYY-MM-DD")
        else:
            raw_due = raw["due"]
            if f.placeholder("due"):
                pass
            elif isinstance(raw_due, str) and not is_day_shaped(raw_due):
                vague = raw_due.strip()
                why = "a period, not a date" if _PERIOD_DUE.match(vague) else "no day at all" if _VAGUE_DUE.match(vague) else "not a date"
                out.add_at("FT303", raw.value_pos_of("due"), f"{where}due: {raw_due!r} is {why}; write the day it is due as YYYY-MM-DD")
            elif isinstance(raw_due, datetime):
                out.add_at("FT303", raw.value_pos_of("due"), f"{where}due: write a calendar date (YYYY-MM-DD) without a time")
            else:
                due = f.day("due")
        item_id = f.text("id")
        if item_id is not None and not is_slug(item_id):
            out.add_at("FT110", raw.value_pos_of("id"), f"{where}id: {item_id!r} is not a slug; use {SLUG_RULE}, e.g. id: {suggest_slug(item_id)}")
            item_id = None
        status = f.choice("status", ITEM_STATUSES) if "status" in raw else "open"
        items.append(
            ActionItem(
                index=i,
                line=item_line,
                title=title or "",
                owner=owner,
                due=due,
                priority=f.choice("priority", settings.priorities),
                type=f.choice("type", ITEM_TYPES),
                status=status or "open",
                id=item_id or f"item-{i + 1}",
                tracker=f.text("tracker"),
                ticket=f.text("ticket"),
                redated=followup_fields.redates(raw, where, out),
                decision=followup_fields.decision(raw, where, out),
                done_on=followup_fields.done_on(raw, where, out),
                verified=followup_fields.verified(raw, where, out),
                lines={k: raw.line_of(k) for k in raw},
            )
        )
    return tuple(items)


def _ids(f: Fields, key: str) -> tuple[str, ...]:
    """A list of postmortem ids; one that is not a slug is reported and left out."""
    found = []
    for value in f.texts(key):
        if is_slug(value):
            found.append(value)
        else:
            f.report("FT110", key, f"{key}: {value!r} is not a postmortem id ({SLUG_RULE}), e.g. {suggest_slug(value)}")
    return tuple(found)


def _id(f: Fields, key: str) -> str | None:
    value = f.text(key)
    if value and not is_slug(value):
        f.report("FT110", key, f"{key}: {value!r} is not a postmortem id ({SLUG_RULE}), e.g. {suggest_slug(value)}")
        return None
    return value or None


def parse_postmortem(text: str, path: str, settings: Settings) -> tuple[Postmortem, list[Finding]]:
    """Parse one file's text. `path` is used in findings and to default the id."""
    out = Collector(path)
    stem = PurePosixPath(path).stem
    parts = frontmatter.split(text)
    if parts.problem == "missing":
        out.add("FT001", 1, "no front-matter: the file must start with a '---' line, then the YAML fields, then '---'")
        return Postmortem(path=path, id=stem, body=parts.body), out.findings
    if parts.problem == "unterminated":
        out.add("FT002", 1, "the front-matter opened on line 1 is never closed with a '---' line")
        return Postmortem(path=path, id=stem), out.findings
    assert parts.yaml_text is not None
    data, problems = safeyaml.load(parts.yaml_text, line_offset=parts.yaml_line - 1)
    out.add_yaml(data, problems)
    if data is None and not problems:
        out.add("FT004", 1, "the front-matter is empty; it must hold the postmortem's fields")
    if not isinstance(data, YMap):
        if data is not None and not is_invalid(data):
            out.add("FT004", parts.yaml_line, f"the front-matter must be a mapping of fields, not {type_name(data)}")
        return Postmortem(path=path, id=stem, body=parts.body, body_line=parts.body_line), out.findings

    unknown_keys(data, FIELDS, out)
    for key in REQUIRED:
        if key not in data:
            out.add("FT102", 1, f"{key}: missing (required)")
        elif data[key] is None and key in TIMES:  # `started: ~` is as missing as no line at all
            out.add("FT102", data.line_of(key), f"{key}: empty (required)", data.pos_of(key)[1])
    f = Fields(data, out)
    kind = f.choice("kind", KINDS) if "kind" in data else "incident"
    times = {k: f.moment(k) for k in TIMES}
    pm_id = f.text("id", required=True) if "id" in data else stem
    if pm_id and not is_slug(pm_id):
        # The id names the page, every ticket's marker and the state entries: it must survive all of them.
        if "id" in data:
            out.add_at("FT110", data.value_pos_of("id"), f"id: {pm_id!r} is not a slug; use {SLUG_RULE}, e.g. id: {suggest_slug(pm_id)}")
        else:
            out.add("FT110", 1, f"the id defaults to the file name's stem {stem!r}, which is not a slug ({SLUG_RULE}); add id: {suggest_slug(stem)}")
    blocks = scan(parts.body, parts.body_line, settings.markdown)
    timeline = _timeline(md.section_lines(parts.body, parts.body_line, blocks, "Timeline"), times["started"])
    pm = Postmortem(
        path=path,
        id=pm_id or stem,
        title=f.text("title", required=True) or "",
        status=f.choice("status", STATUSES) or "",
        kind=kind or "incident",
        severity=f.choice("severity", settings.severity_names) or "",
        services=f.texts("services", required=True),
        teams=f.texts("teams"),
        tags=f.texts("tags"),
        started=times["started"],
        detected=times["detected"],
        mitigated=times["mitigated"],
        resolved=times["resolved"],
        roles=_roles(data.get("roles"), data.value_pos_of("roles"), out),
        authors=f.texts("authors"),
        reviewed=f.day("reviewed"),
        related=_ids(f, "related"),
        recurrence_of=_id(f, "recurrence_of"),
        factors=f.texts("factors"),
        action_items=_items(data.get("action_items"), data.value_pos_of("action_items"), settings, out),
        body=parts.body,
        body_line=parts.body_line,
        sections=blocks.headings,
        hidden_headings=blocks.hidden,
        code_lines=blocks.code,
        comment_lines=blocks.comments,
        false_fences=blocks.false_fences,
        too_complex=blocks.too_complex,
        timeline=timeline,
        # A field written empty (`detected: ~`) counts as not written, as if the line were deleted.
        lines={k: data.line_of(k) for k in data if data[k] is not None},
        front_matter_line=1,
    )
    return pm, out.findings


def _timeline(lines: list[md.Line], started: datetime | None) -> tuple[TimelineEntry, ...]:
    """Entries with times resolved: HH:MM takes the date of the last full-dated entry (UTC)."""
    current_day = utc_date(started) if started else None
    entries = []
    for mark in md.timeline_marks(lines):
        if mark.when is not None:
            current_day = utc_date(mark.when)
            entries.append(TimelineEntry(mark.when, mark.text, mark.line))
        elif mark.clock is not None and current_day is not None:
            entries.append(TimelineEntry(md.resolve_clock(current_day, mark.clock), mark.text, mark.line))
    return tuple(entries)

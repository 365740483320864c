"""Text of a postmortem file -> a typed Postmortem plus the findings about its form.

This module checks what a single field can tell on its own (presence, type, allowed
values, YAML traps); rules that compare fields, files or the people directory live in
`rules/`. It never raises on bad input: everything becomes a Finding.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

from followthrough.core.text import body as md
from followthrough.core.text.blocks import scan
from followthrough.core.text import frontmatter, safeyaml
from followthrough.core.ids import SLUG as _ID_SLUG, SLUG_RULE, is_slug, suggest_slug
from followthrough.core.findings import Finding, Level
from followthrough.core.dates import utc_date
from followthrough.core.model import ITEM_STATUSES, ITEM_TYPES, KINDS, ROLES, SINGLE_ROLES, STATUSES, TIMES, ActionItem, Postmortem, Roles, TimelineEntry
from followthrough.core.rules.catalog import RULES
from followthrough.core.text.safeyaml import YList, YMap, is_invalid
from followthrough.core.settings import Settings

FIELDS = (
    "title", "id", "status", "kind", "severity", "services", "teams", "tags",
    *TIMES, "roles", "authors", "reviewed", "action_items",
)  # fmt: skip
REQUIRED = ("title", "status", "severity", "services", "started", "roles")
ITEM_FIELDS = ("id", "title", "owner", "due", "priority", "type", "status", "tracker", "ticket")
# Entries in one front-matter list (services, teams, tags, authors, SMEs, action items): far
# beyond any real postmortem, and short enough that the site's pages per service stay quick.
LIST_LIMIT = 200
SLUG = re.compile(f"^{_ID_SLUG.pattern}$")  # anchored, for the JSON schema
_YAML_KIND = {"problem": "FT003", "syntax": "FT003", "tag": "FT005", "alias": "FT006", "duplicate": "FT007", "depth": "FT008", "key": "FT003", "value": "FT105"}
# Words people write where a calendar date belongs; the finding says why they don't count.
_VAGUE_DUE = re.compile(r"^(q[1-4]|h[12]|next|this|end of|eo[qmy]|asap|soon|tbd|later|sprint|week|month|quarter)", re.I)


class Collector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []

    def add(self, code: str, line: int, message: str, column: int = 1, level: Level | None = None) -> None:
        self.findings.append(Finding(self.path, line, column, code, message, level or RULES[code].level))

    def add_at(self, code: str, pos: tuple[int, int], message: str) -> None:
        self.add(code, pos[0], message, pos[1])


def did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, YList):
        return "a list"
    if isinstance(value, YMap):
        return "a mapping"
    if value is None:
        return "empty"
    return "text"


def _misread(label: str, value: Any, written: str | None, expected: str) -> tuple[str, str]:
    """(code, message) for a value of the wrong type; a YAML 1.1 trap says what YAML made of it."""
    shown = repr(written) if written is not None else "this unquoted value"
    quoted = f': "{written}"' if written is not None else ""
    if isinstance(value, bool):
        return "FT105", f"{label}: YAML reads the unquoted {shown} as a boolean ({str(value).lower()}); put it in quotes{quoted}"
    if isinstance(value, date) and expected.startswith("text"):
        return "FT105", f"{label}: YAML reads the unquoted {shown} as a date; put it in quotes{quoted}"
    return "FT103", f"{label}: expected {expected}, got {_type_name(value)}"


def _as_text(value: Any, written: str | None) -> str | None:
    """Text, or a number taken as the text it was written as (`id: 0042` is "0042", not octal 34)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return written if written is not None else str(value)
    return None


class _Fields:
    """Typed reads of one mapping's fields, each reporting its own problem at its value's position."""

    def __init__(self, mapping: YMap, out: Collector, where: str = "") -> None:
        self.m = mapping
        self.out = out
        self.where = where  # "action_items[2]." etc., for messages

    def line(self, key: str) -> int:
        return self.m.line_of(key)

    def report(self, code: str, key: str, message: str) -> None:
        """A finding about the value of `key`, at the value (at the key when the value is empty)."""
        self.out.add_at(code, self.m.value_pos_of(key), message)

    def _bad(self, key: str, expected: str, value: Any) -> None:
        code, message = _misread(f"{self.where}{key}", value, self.m.source.get(key), expected)
        self.report(code, key, message)

    def placeholder(self, key: str) -> bool:
        """A value the `new` template left for the author ("TODO: ..."): say what to fill in."""
        value = self.m.get(key)
        if isinstance(value, str) and value.lstrip().upper().startswith("TODO"):
            hint = value.strip()[4:].lstrip(" :-")
            self.report("FT505", key, f"{self.where}{key}: fill in {hint or 'this value'}")
            return True
        return False

    def text(self, key: str, required: bool = False) -> str | None:
        if key not in self.m:
            return None
        value = self.m[key]
        if is_invalid(value) or self.placeholder(key):
            return None
        text = _as_text(value, self.m.source.get(key))
        if text is None:
            self._bad(key, "text", value)
            return None
        if required and not text.strip():
            self.report("FT108", key, f"{self.where}{key}: is empty")
            return None
        return text.strip()

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        if value not in allowed:
            self.report("FT104", key, f"{self.where}{key}: {value!r} is not one of {', '.join(allowed)}{did_you_mean(value, allowed)}")
            return None
        return value

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        if key not in self.m:
            return ()
        value = self.m[key]
        if is_invalid(value):
            return ()
        if not isinstance(value, YList):
            if isinstance(value, str):
                self.report("FT103", key, f"{self.where}{key}: expected a list, e.g. [{value}]")
            else:
                self._bad(key, "a list of text", value)
            return ()
        result = []
        if len(value) > LIST_LIMIT:
            self.report("FT109", key, f"{self.where}{key}: {len(value):,} entries, at most {LIST_LIMIT} are allowed; the site makes a page or a link for each, so a longer list makes the build slow")
        for i, item in enumerate(value[:LIST_LIMIT]):
            text = _as_text(item, value.source.get(i))
            if text is not None and text.lstrip().upper().startswith("TODO"):
                self.out.add_at("FT505", value.item_pos[i], f"{self.where}{key}[{i}]: fill in {text.strip()[4:].lstrip(' :-') or 'this value'}")
            elif text is not None and text.strip():
                result.append(text.strip())
            elif not is_invalid(item):
                code, message = _misread(f"{self.where}{key}[{i}]", item, value.source.get(i), "text")
                self.out.add_at(code, value.item_pos[i], message)
        if required and not value:
            self.report("FT108", key, f"{self.where}{key}: list at least one")
        return tuple(result)

    def moment(self, key: str) -> datetime | None:
        if key not in self.m:
            return None
        value = self.m[key]
        if is_invalid(value) or value is None or self.placeholder(key):
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                self.report("FT103", key, f"{key}: {value!r} is not an ISO 8601 date-time like 2026-05-20T14:32:00Z")
                return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                self.report("FT201", key, f"{key}: {value.isoformat()} has no UTC offset; write it as {value.isoformat()}Z if it is UTC")
                return None
            return value
        if isinstance(value, date):
            self.report("FT201", key, f"{key}: {value.isoformat()} is a date without a time; write a date-time with an offset, e.g. {value.isoformat()}T14:32:00Z")
            return None
        self._bad(key, "a date-time such as 2026-05-20T14:32:00Z", value)
        return None

    def day(self, key: str) -> date | None:
        if key not in self.m:
            return None
        value = self.m[key]
        if is_invalid(value) or value is None or self.placeholder(key):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self._bad(key, "a date as YYYY-MM-DD", value)
        return None


def _unknown_keys(m: YMap, allowed: tuple[str, ...], out: Collector, where: str = "") -> None:
    for key in m:
        if key not in allowed:
            out.add("FT101", m.line_of(key), f"{where}unknown field {key!r}{did_you_mean(key, allowed)}", m.pos_of(key)[1])


def _roles(value: Any, pos: tuple[int, int], out: Collector) -> Roles:
    if value is None or is_invalid(value):
        return Roles()
    if not isinstance(value, YMap):
        out.add_at("FT103", pos, f"roles: expected a mapping such as {{commander: a.nguyen, sme: [b.okafor]}}, got {_type_name(value)}")
        return Roles()
    _unknown_keys(value, ROLES, out, "roles: ")
    f = _Fields(value, out, "roles.")
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
        out.add_at("FT103", pos, f"action_items: expected a list of items, got {_type_name(value)}")
        return ()
    items = []
    if len(value) > LIST_LIMIT:
        out.add_at("FT109", pos, f"action_items: {len(value):,} items, at most {LIST_LIMIT} are allowed; the site, sync and reports handle each, so a longer list makes them slow")
    for i, raw in enumerate(value[:LIST_LIMIT]):
        where = f"action_items[{i}]."
        item_line = value.item_pos[i][0]
        if not isinstance(raw, YMap):
            if not is_invalid(raw):
                out.add_at("FT103", value.item_pos[i], f"action_items[{i}]: expected a mapping with title, owner and due, got {_type_name(raw)}")
            continue
        _unknown_keys(raw, ITEM_FIELDS, out, where)
        f = _Fields(raw, out, where)
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
            elif isinstance(raw_due, str) and not re.match(r"^\d{4}-\d{2}-\d{2}$", raw_due.strip()):
                why = "a period, not a date" if _VAGUE_DUE.match(raw_due.strip()) else "not a date"
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
                lines={k: raw.line_of(k) for k in raw},
            )
        )
    return tuple(items)


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
    for p in problems:
        out.add(_YAML_KIND.get(p.kind, "FT003"), p.line, p.message, p.column)
    if data is None and not problems:
        out.add("FT004", 1, "the front-matter is empty; it must hold the postmortem's fields")
    if not isinstance(data, YMap):
        if data is not None and not is_invalid(data):
            out.add("FT004", parts.yaml_line, f"the front-matter must be a mapping of fields, not {_type_name(data)}")
        return Postmortem(path=path, id=stem, body=parts.body, body_line=parts.body_line), out.findings

    _unknown_keys(data, FIELDS, out)
    for key in REQUIRED:
        if key not in data:
            out.add("FT102", 1, f"{key}: missing (required)")
        elif data[key] is None and key in TIMES:  # `started: ~` is as missing as no line at all
            out.add("FT102", data.line_of(key), f"{key}: empty (required)", data.pos_of(key)[1])
    f = _Fields(data, out)
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

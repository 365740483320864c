"""Reading one YAML mapping's fields into typed values, every problem a finding at its position.

Shared by the postmortem parser and the people directory: a field of the wrong type, an
unknown key (with the nearest known one suggested), a YAML 1.1 trap, a "TODO" left by the
`new` template.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime
from typing import Any

from followthrough.core.catalog import RULES
from followthrough.core.dates import date_problem, is_day_shaped, parse_day
from followthrough.core.findings import Finding, Level
from followthrough.core.text.safeyaml import YamlProblem, YList, YMap, is_invalid, path_at

# Entries in one front-matter list (services, teams, tags, authors, SMEs, action items): far
# beyond any real postmortem, and short enough that the site's pages per service stay quick.
LIST_LIMIT = 200
# What kind of YAML problem each safeyaml problem kind is reported as.
YAML_KIND = {"problem": "FT003", "syntax": "FT003", "tag": "FT005", "alias": "FT006", "duplicate": "FT007", "depth": "FT008", "key": "FT003", "value": "FT105"}


class Collector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []

    def add(self, code: str, line: int, message: str, column: int = 1, level: Level | None = None) -> None:
        self.findings.append(Finding(self.path, line, column, code, message, level or RULES[code].level))

    def add_at(self, code: str, pos: tuple[int, int], message: str) -> None:
        self.add(code, pos[0], message, pos[1])

    def add_yaml(self, data: Any, problems: list[YamlProblem]) -> None:
        """The loader's problems; a value it could not read is named by its field, as every
        other finding about a value is (`started: '...' looks like a date ...`)."""
        for p in problems:
            message = p.message
            if p.kind == "value":
                path = path_at(data, (p.line, p.column))
                if path is not None:
                    message = f"{path}: {message}"
            self.add(YAML_KIND.get(p.kind, "FT003"), p.line, message, p.column)


def did_you_mean(word: str, choices: Any, cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def type_name(value: Any) -> str:
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
    return "FT103", f"{label}: expected {expected}, got {type_name(value)}"


def _as_text(value: Any, written: str | None) -> str | None:
    """Text, or a number taken as the text it was written as (`id: 0042` is "0042", not octal 34)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return written if written is not None else str(value)
    return None


class Fields:
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

    def given(self, key: str) -> Any:
        """The value of `key` when one was written: None for an absent, empty (`key: ~`) or
        unreadable value, or a "TODO" the `new` template left (reported here)."""
        if key not in self.m:
            return None
        value = self.m[key]
        if is_invalid(value) or value is None or self.placeholder(key):
            return None
        return value

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
        value = self.given(key)
        if value is None:
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
        value = self.given(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            # A date field holds a calendar day; which day a time falls on depends on the zone.
            self.report("FT103", key, f"{self.where}{key}: write a calendar date (YYYY-MM-DD) without a time")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return parse_day(value.strip())
            except ValueError:
                if is_day_shaped(value):
                    self.report("FT103", key, f"{self.where}{key}: {value.strip()!r} is {date_problem(value)}")
                    return None
        self._bad(key, "a date as YYYY-MM-DD", value)
        return None


def unknown_keys(m: YMap, allowed: tuple[str, ...], out: Collector, where: str = "") -> None:
    for key in m:
        if key not in allowed:
            out.add("FT101", m.line_of(key), f"{where}unknown field {key!r}{did_you_mean(key, allowed)}", m.pos_of(key)[1])

"""The JSON Schema (draft 2020-12) of a postmortem's front-matter, built from the parser's own
field lists and the repo's Settings, so editors check what `followthrough lint` checks.

The committed copy is `schema/postmortem.schema.json`; regenerate it with
`followthrough schema > schema/postmortem.schema.json` after changing the rubric.
Editors read YAML 1.2, where an unquoted date-time is text, so times are strings with a
pattern here. The schema covers one file's form; rules that need the other files or the
people directory (unique ids, known owners, role combinations) stay lint's.
"""

from __future__ import annotations

import json
from typing import Any

from followthrough.core.model import ITEM_STATUSES, ITEM_TYPES, KINDS, ROLES, SINGLE_ROLES, STATUSES, TIMES
from followthrough.core.parse import FIELDS, ITEM_FIELDS, REQUIRED, SLUG
from followthrough.core.settings import DEFAULT_SETTINGS, ROLE_TITLES, Settings

# What the parser accepts for a moment: ISO 8601 with a 'T' or a space, and an explicit offset.
DATE_TIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"
DATE = r"^\d{4}-\d{2}-\d{2}$"

_TIME_MEANING = {
    "started": "Customer or business impact begins. Required. The file name's date is this time's UTC date.",
    "detected": "First alert or report.",
    "mitigated": "Impact stops growing; users have a workaround or the service back.",
    "resolved": "Service fully restored.",
}


def _texts(description: str, min_items: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": description, "type": "array", "items": {"type": "string", "minLength": 1}}
    if min_items:
        schema["minItems"] = min_items
    return schema


def _roles() -> dict[str, Any]:
    props: dict[str, Any] = {r: {"description": f"{ROLE_TITLES[r]}: one person.", "type": "string", "minLength": 1} for r in SINGLE_ROLES}
    props["sme"] = _texts(f"{ROLE_TITLES['sme']}s: a list of people.")
    assert set(props) == set(ROLES)
    return {
        "description": "Who held which incident role. Roles not given were not held.",
        "type": "object",
        "properties": props,
        "required": ["commander"],
        "additionalProperties": False,
    }


def _item(settings: Settings) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": {"description": "A slug (lowercase letters, digits, '-', '_', '.'), stable across edits; defaults to item-<n>.", "type": "string", "pattern": SLUG.pattern},
        "title": {"description": "A commitment: who will do what (not 'we should ...').", "type": "string", "minLength": 1},
        "owner": {"description": "ONE person (a handle from the people directory), never a team or a list.", "type": "string", "minLength": 1},
        "due": {"description": "A calendar date, YYYY-MM-DD. 'Q3' or 'ASAP' is not a date.", "type": "string", "pattern": DATE},
        "priority": {"description": "Priority from the repo's rubric.", "enum": list(settings.priorities)},
        "type": {"description": "What the item does about the incident.", "enum": list(ITEM_TYPES)},
        "status": {"description": "open by default; the tracker's status wins once the item is mirrored.", "enum": list(ITEM_STATUSES)},
        "tracker": {"description": "Override of where the item is mirrored (a destination name from the config).", "type": "string", "minLength": 1},
        "ticket": {"description": "The tracker's key (OPS-123), owner/repo#45, or a URL. Written by `followthrough sync`.", "type": "string", "minLength": 1},
        "redated": {
            "description": "Every move of the due date, oldest first: the first entry's `from` is the original due date, each `from` the previous `to`, and `due` the last `to`.",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "from": {"description": "The due date before the move, YYYY-MM-DD.", "type": "string", "pattern": DATE},
                    "to": {"description": "The due date after it, YYYY-MM-DD.", "type": "string", "pattern": DATE},
                    "on": {"description": "When the move was decided, YYYY-MM-DD; not in the future.", "type": "string", "pattern": DATE},
                    "reason": {"description": "Why the date moved, in words.", "type": "string", "minLength": 1},
                    "approved_by": {"description": "Who approved the move (a handle), when someone other than the owner did.", "type": "string", "minLength": 1},
                },
                "required": ["from", "to", "on", "reason"],
                "additionalProperties": False,
            },
        },
        "decision": {
            "description": "Who decided the item will not be done, when and why; required for wont-do at a non-negotiable severity.",
            "type": "object",
            "properties": {
                "by": {"description": "Who decided (a handle).", "type": "string", "minLength": 1},
                "on": {"description": "When, YYYY-MM-DD.", "type": "string", "pattern": DATE},
                "reason": {"description": "Why the item will not be done.", "type": "string", "minLength": 1},
            },
            "required": ["by", "on", "reason"],
            "additionalProperties": False,
        },
        "done_on": {"description": "When a done item was finished, YYYY-MM-DD, for items closed outside a tracker; the tracker's date wins.", "type": "string", "pattern": DATE},
        "verified": {
            "description": "For a done item: when and how the fix was shown to work (a game day, a test, a metric).",
            "type": "object",
            "properties": {
                "on": {"description": "When it was shown to work, YYYY-MM-DD.", "type": "string", "pattern": DATE},
                "how": {"description": "How: the game day, test or metric that showed it.", "type": "string", "minLength": 1},
            },
            "required": ["on", "how"],
            "additionalProperties": False,
        },
    }
    assert tuple(props) == ITEM_FIELDS, "schema and parser disagree on action item fields"
    return {
        "type": "object",
        "properties": props,
        "required": ["title", "owner", "due"],
        "additionalProperties": False,
    }


def build_schema(settings: Settings = DEFAULT_SETTINGS) -> dict[str, Any]:
    severity_notes = [f"**{s.name}** {s.title}: {s.triggers}".strip() for s in settings.severities]
    props: dict[str, Any] = {
        "title": {"description": "One line.", "type": "string", "minLength": 1},
        "id": {"description": "A slug (lowercase letters, digits, '-', '_', '.'); defaults to the file name's stem; unique across the repo.", "type": "string", "pattern": SLUG.pattern},
        "status": {"description": "draft, in-review or published.", "enum": list(STATUSES)},
        "kind": {"description": "incident (default), game-day (a rehearsal) or near-miss (an event that almost became an incident); only incidents count in the incident figures.", "enum": list(KINDS)},
        "severity": {
            "description": "A level of the repo's severity rubric.",
            "enum": list(settings.severity_names),
            # VS Code's YAML extension shows these beside each choice.
            "markdownEnumDescriptions": severity_notes,
        },
        "services": _texts("Services affected; at least one.", min_items=1),
        "teams": _texts("Teams involved."),
        "tags": _texts("Free-form tags."),
        **{
            t: {"description": _TIME_MEANING[t] + " ISO 8601 with an offset, e.g. 2026-05-20T14:32:00Z.", "type": "string", "pattern": DATE_TIME}
            for t in TIMES
        },
        "roles": _roles(),
        "authors": _texts("Who wrote the postmortem."),
        "reviewed": {"description": "Date of the postmortem review meeting, YYYY-MM-DD.", "type": "string", "pattern": DATE},
        "related": {"description": "Ids of other postmortems this one is related to.", "type": "array", "items": {"type": "string", "pattern": SLUG.pattern}},
        "recurrence_of": {"description": "The id of an earlier incident this one repeats.", "type": "string", "pattern": SLUG.pattern},
        "factors": {
            "description": "Contributing factors, from the repo's vocabulary.",
            "type": "array",
            "items": {"enum": list(settings.factor_names), "markdownEnumDescriptions": [f.definition for f in settings.factors]},
        },
        "action_items": {
            "description": "Each with one owner and a due date. Required once published.",
            "type": "array",
            "items": {"$ref": "#/$defs/action_item"},
        },
    }
    assert tuple(props) == FIELDS, "schema and parser disagree on front-matter fields"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Followthrough postmortem front-matter",
        "description": "The YAML between the '---' lines at the top of a postmortem. Generated by `followthrough schema`; do not edit.",
        "type": "object",
        "properties": props,
        "required": list(REQUIRED),
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"status": {"const": "published"}}, "required": ["status"]},
                "then": {"required": ["action_items"], "properties": {"action_items": {"minItems": 1}}},
            }
        ],
        "$defs": {"action_item": _item(settings)},
    }


def render_schema(settings: Settings = DEFAULT_SETTINGS) -> str:
    return json.dumps(build_schema(settings), indent=2, ensure_ascii=False) + "\n"

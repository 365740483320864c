"""What a change did to the follow-through, against the postmortems at a base revision.

`lint --base REF` hands in the postmortems at REF and the current ones; postmortems are matched
by id, their items by id. Re-dates are history (added, never edited), a moved due date carries
the re-date that moved it, reviewed items never disappear, and a new owner is seen. Findings
are at the current file's lines (a removed file's at its old path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from followthrough.core.findings import Finding, Level
from followthrough.core.model import ActionItem, Postmortem, Redate
from followthrough.core.parse import parse_postmortem
from followthrough.core.settings import Settings

# Past draft, a postmortem's items are commitments made in review: closed, never deleted.
REVIEWED = ("in-review", "published")
NEVER_DISAPPEAR = "close it as wont-do with a decision instead: items never disappear"


@dataclass(frozen=True, slots=True)
class Base:
    """The postmortems read at the base revision, and the files there that were not compared."""

    postmortems: tuple[Postmortem, ...]
    notes: tuple[str, ...] = ()


def read_base(files: Iterable[tuple[str, str]], settings: Settings, ref: str) -> Base:
    """Parse the base revision's (path, text) pairs; one whose front-matter cannot be read there
    is left out with a note (it cannot be compared, and it is not this change's to fix)."""
    postmortems, notes = [], []
    for path, text in files:
        try:
            pm, findings = parse_postmortem(text, path, settings)
        except Exception as exc:  # noqa: BLE001 - a bug on an old file must not stop the lint of the new ones
            notes.append(f"{path} at {ref}: not compared, reading it there met a bug ({type(exc).__name__}: {exc})"[:300])
            continue
        if not pm.lines:
            first = next((f for f in findings if f.is_error), None)
            why = f"{first.code} {first.message}" if first else "no front-matter"
            notes.append(f"{path} at {ref}: not compared, its front-matter cannot be read there ({why})")
            continue
        postmortems.append(pm)
    return Base(tuple(postmortems), tuple(notes))


def compare(base: Sequence[Postmortem], current: Sequence[Postmortem], settings: Settings, ref: str, today: date) -> list[Finding]:
    """The findings FT315-FT318 of the current postmortems against the base's. `current` holds
    every current postmortem that may match (unreadable ones too: their own findings say why,
    and their base is not reported gone)."""
    # Two files may share an id (FT106 says so): a file still at its base path with its base id
    # is compared with its own base only; the others are matched by id (a renamed file).
    kept = {(pm.path, pm.id) for pm in base}
    by_id: dict[str, Postmortem] = {}
    by_path: dict[str, Postmortem] = {}
    for pm in current:
        by_path[pm.path] = pm
        if pm.lines and (pm.path, pm.id) not in kept:
            by_id.setdefault(pm.id, pm)
    found: list[Finding] = []
    for old in base:
        same = by_path.get(old.path)
        new = same if same is not None and same.lines and same.id == old.id else by_id.get(old.id)
        if new is not None:
            found.extend(_items(old, new, settings, ref, today))
            continue
        if old.status not in REVIEWED:
            continue
        there = by_path.get(old.path)
        if there is not None and not there.lines:
            continue  # the file is still there but unreadable now: its own errors say so
        title = f" ({old.title})" if old.title else ""
        if there is not None:
            found.append(Finding(
                there.path, there.line_of("id"), 1, "FT317",
                f"id: the postmortem {old.id!r}{title}, {old.status} at {ref}, is gone: this file is now {there.id!r}; "
                f"the id names its page, its tickets' markers and its tracker state, so keep id: {old.id}",
            ))  # fmt: skip
        else:
            found.append(Finding(
                old.path, 1, 1, "FT317",
                f"the postmortem {old.id!r}{title}, {old.status} at {ref}, is gone with its {len(old.action_items)} action item(s); "
                f"restore the file and {NEVER_DISAPPEAR} (a renamed file keeps its id: id: {old.id})",
            ))  # fmt: skip
    return found


def _items(old: Postmortem, new: Postmortem, settings: Settings, ref: str, today: date) -> list[Finding]:
    found: list[Finding] = []
    levels = [settings.severity(s) for s in (old.severity, new.severity)]
    # The stricter of the two: lowering the severity in the same change does not soften the rule.
    strict = any(level is not None and level.non_negotiable for level in levels)
    for before, after in _pairs(old.action_items, new.action_items):
        if after is None:
            if old.status in REVIEWED:
                title = f" ({before.title})" if before.title else ""
                found.append(Finding(
                    new.path, new.line_of("action_items"), 1, "FT317",
                    f"action_items: the item {before.id!r}{title}, in this postmortem when it was {old.status} at {ref}, is gone; {NEVER_DISAPPEAR}",
                ))  # fmt: skip
            continue
        found.extend(_item(before, after, new, strict, ref, today))
    return found


def _pairs(old: Sequence[ActionItem], new: Sequence[ActionItem]) -> list[tuple[ActionItem, ActionItem | None]]:
    """Each base item with its current one. An item with an `id` of its own is matched by it; one
    whose id is the default `item-<n>` (its position) by its title first, then by that id, then
    by its position: so an item inserted before it, or given its first `id` in this change, is
    not read as a change of it or its removal."""
    by_id: dict[str, ActionItem] = {}
    for item in new:
        by_id.setdefault(item.id, item)  # the first of a duplicated id, as FT106 reads it
    taken: set[int] = set()  # indexes of the current items already matched
    match: dict[int, ActionItem] = {}  # base index -> current item

    def take(base: ActionItem, found: ActionItem | None) -> None:
        if found is not None and found.index not in taken and base.index not in match:
            taken.add(found.index)
            match[base.index] = found

    own = [item for item in old if "id" in item.lines]
    default = [item for item in old if "id" not in item.lines]
    for item in own:
        take(item, by_id.get(item.id))
    for item in default:
        take(item, next((n for n in new if n.index not in taken and n.title and n.title == item.title), None))
    for item in default:
        take(item, by_id.get(item.id))
    for item in default:
        take(item, next((n for n in new if n.index not in taken and n.index == item.index), None))
    return [(item, match.get(item.index)) for item in old]


def _key(r: Redate) -> tuple[object, ...]:
    return (r.from_, r.to, r.on, r.reason, r.approved_by)


def _shown(r: Redate) -> str:
    approved = f", approved_by: {r.approved_by}" if r.approved_by else ""
    return f"{{from: {r.from_.isoformat()}, to: {r.to.isoformat()}, on: {r.on.isoformat()}, reason: {r.reason}{approved}}}"


def _item(before: ActionItem, after: ActionItem, pm: Postmortem, strict: bool, ref: str, today: date) -> list[Finding]:
    found: list[Finding] = []
    where = f"action_items[{after.index}]"

    def add(code: str, line: int, message: str, level: Level | None = None) -> None:
        found.append(Finding(pm.path, line, 1, code, message, level or Level.ERROR))

    old, now = before.redated, after.redated
    changed = next((i for i in range(len(old)) if i >= len(now) or _key(now[i]) != _key(old[i])), None)
    if changed is not None:
        if changed >= len(now):
            line, what = after.line_of("redated"), f"redated[{changed}] was removed"
        else:
            line, what = now[changed].lines.get("from", now[changed].line), f"redated[{changed}] was changed"
        add("FT316", line, f"{where}.{what}; re-dates are history: add new ones at the end, never edit or remove one; at {ref} it was: - {_shown(old[changed])}")
        return found  # the moves below are judged against a history that holds
    added = now[len(old) :]
    if added and before.due is not None and added[0].from_ != before.due:
        first = "the due date first committed to" if not old else "the due date"
        add(
            "FT316", added[0].lines.get("from", added[0].line),
            f"{where}.redated[{len(old)}].from: {added[0].from_.isoformat()} is not {first} ({before.due.isoformat()} at {ref}); "
            f"a new re-date starts from the date it moves: from: {before.due.isoformat()}",
        )  # fmt: skip
    elif not added and before.due is not None and after.due is not None and before.due != after.due:
        entry = f"{{from: {before.due.isoformat()}, to: {after.due.isoformat()}, on: {today.isoformat()}, reason: <why the date moved>}}"
        how = f"add to its redated: list - {entry}" if now else f"add under the item: redated: [{entry}]"
        level = Level.ERROR if strict else Level.WARNING
        add(
            "FT315", after.line_of("due"),
            f"{where}.due: moved from {before.due.isoformat()} to {after.due.isoformat()} since {ref} with no re-date recording it"
            f"{' (a non-negotiable severity)' if strict else ''}; {how}",
            level,
        )  # fmt: skip
    if before.owner and after.owner and before.owner != after.owner:
        add(
            "FT318", after.line_of("owner"),
            f"{where}.owner: changed from {before.owner} to {after.owner} since {ref}; {after.owner} should agree in this review (sync assigns the ticket to them once it is merged)",
            Level.WARNING,
        )  # fmt: skip
    return found

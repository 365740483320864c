"""Follow-up policies: which open items are due for a reminder, which have escalated and to whom,
and which closed items broke the rule that a non-negotiable severity's items never quietly die.

Each severity level of the rubric carries its policy (`remind_before_days`,
`escalate_after_days`, `escalate_to`, `non_negotiable`); these functions apply it to the item
views `metrics` builds, so the site, the reports and the review agenda judge alike.
"""

from __future__ import annotations

from followthrough.core.metrics import ItemView
from followthrough.core.model import Directory, Person
from followthrough.core.settings import SeverityLevel, Settings


def level_of(view: ItemView, settings: Settings) -> SeverityLevel | None:
    return settings.severity(view.postmortem.severity)


def is_escalated(view: ItemView, settings: Settings) -> bool:
    """Overdue by more than its severity's `escalate_after_days` (0: overdue at all). Only an
    incident's item escalates: a game day's, a near miss's or a draft's counts in no incident figure, and its
    manager is not called on for a drill."""
    level = level_of(view, settings)
    return bool(level and view.counts and level.escalate_after_days is not None and view.is_overdue and view.overdue_days > level.escalate_after_days)


def needs_reminder(view: ItemView, settings: Settings) -> bool:
    """Open or in progress, and due today or within its severity's `remind_before_days`."""
    level = level_of(view, settings)
    window = level.remind_before_days if level else 3
    return view.is_open and view.due_in_days is not None and 0 <= view.due_in_days <= window


def escalation_contact(view: ItemView, settings: Settings, directory: Directory) -> Person | None:
    """Whom an escalated item goes to: the manager of the owner's team, or the person the policy names."""
    level = level_of(view, settings)
    target = level.escalate_to if level else "manager"
    if target == "manager":
        return directory.manager_of(view.team)
    return directory.people.get(target) or Person(target, target)


def is_non_negotiable(view: ItemView, settings: Settings) -> bool:
    level = level_of(view, settings)
    return bool(level and level.non_negotiable)


def wont_do_without_decision(view: ItemView, settings: Settings) -> bool:
    """Closed as won't do (in the file or the tracker) at a non-negotiable severity with no `decision:`."""
    return view.status == "wont-do" and is_non_negotiable(view, settings) and view.item.decision is None


def unknown_contacts(settings: Settings, directory: Directory) -> list[str]:
    """The levels whose `escalate_to` names a handle the people directory does not hold, each as
    a message naming the setting: their escalations would name someone no report can mention,
    as a team's unknown manager would (FT604). Without a people directory, any handle goes."""
    if not directory.present:
        return []
    where = directory.path or "the people directory"
    return [
        f"plugins.followthrough.severities[{i}].escalate_to: {level.escalate_to!r} is not a person of {where}; "
        f"add them under 'people:' or escalate {level.name} items to manager"
        for i, level in enumerate(settings.severities)
        if level.escalate_to != "manager" and level.escalate_to not in directory.people
    ]

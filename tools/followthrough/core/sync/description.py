"""What a new ticket says: title, a description linking back to the postmortem, labels.

The description links to the postmortem's page on the published site (site_url plus the
page MkDocs makes of the file) and to the file itself (trackers.file_url plus its path),
says who owns the item and by when, and ends with the item's marker.
"""

from __future__ import annotations

from followthrough.core.dates import utc_date
from followthrough.core.model import ActionItem, Directory, Postmortem
from followthrough.core.sync.config import Destination, Trackers
from followthrough.core.sync.markers import marker_for, marker_line
from followthrough.core.sync.tickets import Link, NewTicket
from followthrough.core.urls import published_page


def file_link(file_url: str | None, repo_path: str) -> str | None:
    if not file_url:
        return None
    return (file_url if file_url.endswith("/") else file_url + "/") + repo_path


def new_ticket(
    pm: Postmortem,
    item: ActionItem,
    dest: Destination,
    trackers: Trackers,
    directory: Directory,
    *,
    site_url: str,
    docs_path: str,
    use_directory_urls: bool = True,
) -> tuple[NewTicket, list[str]]:
    """The ticket to create, and notes for the user (an owner without a tracker id, say)."""
    notes: list[str] = []
    person = directory.people.get(item.owner)
    owner_name = person.name if person else item.owner
    if dest.is_jira:
        assignee = person.jira if person else None
        id_key = "jira"
    else:
        assignee = person.github if person else None
        id_key = "github"
    if item.owner and not assignee:
        notes.append(f"owner {item.owner!r} has no `{id_key}` id in the people directory; the ticket is left unassigned")
    when = utc_date(pm.started).isoformat() if pm.started else ""
    facts = [f"Owner: {owner_name}" + (f" ({item.owner})" if owner_name != item.owner else "")]
    if item.due:
        facts.append(f"Due: {item.due.isoformat()}")
    if item.priority:
        facts.append(f"Priority: {item.priority}")
    if item.type:
        facts.append(f"Type: {item.type}")
    detail = ", ".join(x for x in (pm.severity, when) if x)
    paragraphs = (
        (Link("Action item from the postmortem "), Link(pm.title or pm.id, published_page(site_url, docs_path, use_directory_urls)), Link(f" ({detail})." if detail else ".")),
        (Link(" · ".join(facts)),),
        (Link("Postmortem file: "), Link(pm.path, file_link(trackers.file_url, pm.path))),
        (Link("Mirrored by followthrough sync: the postmortem defines this item (change its owner or due date there); its status is read back from here."),),
    )
    priority = dest.priorities.get(item.priority) if item.priority else None
    labels = [trackers.label, pm.id]
    if pm.severity:
        labels.append(pm.severity)
    labels.extend(dest.labels)
    if priority and not dest.is_jira:
        labels.append(priority)  # GitHub has no priority field: the mapped name is a label
    ticket = NewTicket(
        marker=marker_for(pm.id, item.id),
        marker_line=marker_line(pm.id, item.id),
        title=item.title,
        paragraphs=paragraphs,
        labels=tuple(dict.fromkeys(labels)),
        assignee=assignee,
        due=item.due,
        priority=priority if dest.is_jira else None,
    )
    return ticket, notes

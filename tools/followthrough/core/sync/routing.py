"""Which destination an action item goes to, and which destination owns a ticket already linked.

New items: the item's own `tracker:` names a destination; else the owner's team, then
the postmortem's teams, then its services (in the order written) are looked up in
`trackers.teams` / `trackers.services`; else `trackers.default`.
Linked items: the ticket's own form decides (PAY-12 -> the Jira destination for PAY,
acme/web#7 -> the GitHub destination for acme/web), so changing the routing later
never loses a ticket that already exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from followthrough.core.model import ActionItem, Directory, Postmortem
from followthrough.core.sync.config import Destination, Trackers
from followthrough.core.ticket_refs import github_number, jira_key



@dataclass(frozen=True)
class Route:
    destination: str | None
    reason: str  # why this destination, or why none


def route_new(pm: Postmortem, item: ActionItem, trackers: Trackers, directory: Directory) -> Route:
    if item.tracker:
        if item.tracker in trackers.destinations:
            return Route(item.tracker, f"the item's tracker: {item.tracker}")
        return Route(None, f"tracker: {item.tracker!r} is not one of the destinations {sorted(trackers.destinations)}")
    owner = directory.people.get(item.owner)
    teams = ([owner.team] if owner and owner.team else []) + list(pm.teams)
    for team in teams:
        if team in trackers.teams:
            return Route(trackers.teams[team], f"team {team}")
    for service in pm.services:
        if service in trackers.services:
            return Route(trackers.services[service], f"service {service}")
    if trackers.default:
        return Route(trackers.default, "the default destination")
    return Route(None, "no destination: set trackers.default, route a team or service, or give the item a tracker:")


def route_linked(ticket: str, pm: Postmortem, item: ActionItem, trackers: Trackers, directory: Directory) -> Route:
    """The destination that holds `ticket`; the routing for new items breaks ties."""
    preferred = route_new(pm, item, trackers, directory).destination
    jira = jira_key(ticket)
    if jira:
        owners = [d for d in trackers.destinations.values() if d.is_jira and d.project == jira.group("project")]
        return _pick(owners, preferred, ticket, f"no Jira destination has project {jira.group('project')}")
    gh = github_number(ticket)
    if gh:
        repo = gh[0]
        candidates = [d for d in trackers.destinations.values() if not d.is_jira]
        if repo:
            candidates = [d for d in candidates if (d.repo or "").lower() == repo.lower()]
            return _pick(candidates, preferred, ticket, f"no GitHub destination has repo {repo}")
        return _pick(candidates, preferred, ticket, "no GitHub destination is configured")
    return Route(None, f"ticket: {ticket!r} is neither a Jira key (PAY-12) nor a GitHub issue (owner/repo#12)")


def _pick(candidates: list[Destination], preferred: str | None, ticket: str, missing: str) -> Route:
    if not candidates:
        return Route(None, f"ticket {ticket}: {missing}")
    for d in candidates:
        if d.name == preferred:
            return Route(d.name, "the routing for this item")
    if len(candidates) > 1 and preferred is None:
        names = ", ".join(d.name for d in candidates)
        return Route(candidates[0].name, f"the first of {names}")
    return Route(candidates[0].name, "the ticket's project or repo")


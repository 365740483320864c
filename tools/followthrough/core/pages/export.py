"""postmortems.json and action-items.json: what a reader of the site may see, for BI tools.

Names from the people directory appear, never e-mail addresses or tracker account ids
(a state file's `assignee` may be a tracker login, so it is left out too).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from followthrough.core import metrics as m
from followthrough.core.model import Decision, Postmortem, Redate, Verified
from followthrough.core.pages import format as fmt
from followthrough.core.pages.data import SiteData
from followthrough.core.urls import published_url

EXPORT_VERSION = 1


def _minutes(delta: timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 60, 2)


def _url(data: SiteData, src: str) -> str:
    return published_url(data.settings.site_url, src, data.use_directory_urls)


def _person(data: SiteData, handle: str | None) -> dict[str, str] | None:
    if not handle:
        return None
    return {"handle": handle, "name": data.name(handle)}


def _redate(data: SiteData, r: Redate) -> dict[str, Any]:
    """One move of the due date; `source` is "file" or the tracker destination it was seen in."""
    return {
        "from": fmt.iso(r.from_),
        "to": fmt.iso(r.to),
        "on": fmt.iso(r.on),
        "reason": r.reason,
        "approved_by": _person(data, r.approved_by),
        "source": r.source,
    }


def _decision(data: SiteData, d: Decision | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"by": _person(data, d.by), "on": fmt.iso(d.on), "reason": d.reason}


def _verified(v: Verified | None, status: str) -> dict[str, Any] | None:
    # Only a done item's: verifying is shown on a change that was made (lint warns on the others).
    if v is None or status != "done":
        return None
    return {"on": fmt.iso(v.on), "how": v.how}


def export_postmortems(data: SiteData) -> dict[str, Any]:
    hours = data.options.review_target_hours
    rows = []
    for pm in sorted(data.postmortems, key=lambda p: (p.started.timestamp() if p.started else 0.0, p.id)):
        d = m.durations(pm)
        items = data.items_of(pm)
        done = m.completion(items, data.today)
        lat = m.review_latency(pm, data.today, hours)
        roles: dict[str, Any] = {role: _person(data, person) for role, person in pm.roles.holders() if role != "sme"}
        roles["sme"] = [_person(data, h) for h in pm.roles.sme]
        rows.append(
            {
                "id": pm.id,
                "title": pm.title,
                "url": _url(data, data.src(pm)),
                "status": pm.status,
                "kind": pm.kind,
                "severity": pm.severity,
                "counted_in_figures": m.is_counted(pm) and pm.is_incident,
                "quarter": m.incident_quarter(pm),
                "services": list(pm.services),
                "teams": [{"handle": t, "name": data.team_name(t)} for t in pm.teams],
                "tags": list(pm.tags),
                "started": fmt.iso(pm.started),
                "detected": fmt.iso(pm.detected),
                "mitigated": fmt.iso(pm.mitigated),
                "resolved": fmt.iso(pm.resolved),
                "minutes_to_detect": _minutes(d.detect),
                "minutes_to_mitigate": _minutes(d.mitigate),
                "minutes_to_resolve": _minutes(d.resolve),
                "reviewed": fmt.iso(pm.reviewed),
                "review_deadline": fmt.iso(lat.deadline) if lat else None,
                "review_days_after_resolved": lat.days if lat else None,
                "review_state": lat.state if lat else None,
                "roles": roles,
                "authors": [_person(data, a) for a in pm.authors],
                "related": list(pm.related),
                "recurrence_of": pm.recurrence_of,
                "factors": list(pm.factors),
                # earlier incidents (newest first) whose prevent items were open when this one started
                "open_prevent_items_from": data.recurrences.earlier_ids(pm),
                "action_items": {
                    "total": done.total,
                    "done": done.done,
                    "wont_do": done.wont_do,
                    "open": done.open,
                    "in_progress": done.in_progress,
                    "overdue": done.overdue,
                    "redated": sum(1 for v in items if v.redates),
                },
            }
        )
    return {"version": EXPORT_VERSION, "as_of": data.today.isoformat(), "review_target_hours": hours, "postmortems": rows}


def export_items(data: SiteData) -> dict[str, Any]:
    rows = []
    for v in data.views:
        pm: Postmortem = v.postmortem
        due_soon = v.is_due_soon(data.options.due_soon_days)
        rows.append(
            {
                "postmortem_id": pm.id,
                "postmortem_title": pm.title,
                "postmortem_url": _url(data, data.src(pm)),
                "postmortem_status": pm.status,
                "kind": pm.kind,
                "severity": pm.severity,
                "services": list(pm.services),
                "quarter": m.incident_quarter(pm),
                "counted_in_figures": v.counts,
                "id": v.item.id,
                "title": v.item.title,
                "owner": _person(data, v.item.owner),
                "team": {"handle": v.team, "name": data.team_name(v.team)} if v.team else None,
                "due": fmt.iso(v.due),
                "original_due": fmt.iso(v.original_due),
                "slip_days": v.slip_days,
                "redates": [_redate(data, r) for r in v.redates],
                "priority": v.item.priority,
                "type": v.item.type,
                "status": v.status,
                "status_source": "tracker" if v.mirrored else "front-matter",
                "ticket": v.ticket,
                "ticket_url": v.ticket_url,
                "done_on": fmt.iso(v.done_on),
                "days_to_close": m.days_to_close(v),
                "overdue_days": v.overdue_days,
                "due_in_days": v.due_in_days,
                "due_soon": due_soon,
                "on_time": v.on_time(),
                "on_time_original": v.on_time(original=True),
                "decision": _decision(data, v.item.decision),
                "verified": _verified(v.item.verified, v.status),
            }
        )
    return {"version": EXPORT_VERSION, "as_of": data.today.isoformat(), "due_soon_days": data.options.due_soon_days, "action_items": rows}

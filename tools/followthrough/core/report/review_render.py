"""The weekly review's agenda as Markdown (one GitHub issue per team), plain text and JSON.

Pure functions from `review.ReviewReport` to strings, escaped as the other reports are
(`render`): only owners' and managers' GitHub logins mention anyone. An empty section says
"none", so a reader knows it was looked at.
"""

from __future__ import annotations

import json
from typing import Any

from followthrough.core.report.build import ReportItem
from followthrough.core.report.render import (
    REPORT_VERSION,
    decision_line,
    item_json,
    md,
    md_item,
    md_link,
    md_owner,
    person_json,
    plural,
    redate_json,
    redate_line,
    terminal,
    text_item,
)
from followthrough.core.report.review import NO_TEAM, RedateEntry, ReviewReport, TeamAgenda

NONE = "none"


def manager_words(agenda: TeamAgenda, name_of=lambda p: p.name, escape=str) -> str:
    if agenda.team == NO_TEAM:
        return "none (the owners of these items have no team in the people directory)"
    if agenda.manager is None:
        return f"no manager named for team {escape(agenda.team)}"
    return name_of(agenda.manager)


def md_entry(entry: ReportItem | RedateEntry, mention: bool = True) -> str:
    if isinstance(entry, RedateEntry):
        item = entry.item
        page = md_link(md(item.postmortem_title or item.postmortem_id), item.postmortem_url)
        return f"- {md(item.title)} · {md_owner(item.owner, mention)} · {md(redate_line(entry.redate, item.name_of))} · from {page}"
    line = md_item(entry, show_owner=True, mention=mention)
    if entry.decision is not None and entry.status == "wont-do":
        line += " · " + md(decision_line(entry.decision, entry.name_of))
    return line


def team_markdown(agenda: TeamAgenda, report: ReviewReport, level: int = 1, mention: bool = True) -> str:
    """One team's agenda: the body of its review issue (level 1) or a part of the whole (level 2)."""
    head = "#" * level
    lines = [
        f"{head} Weekly review: {md(agenda.name)}",
        "",
        f"As of {report.today}, changes since {report.since}. Manager: {manager_words(agenda, lambda p: md_owner(p, mention), md)}.",
    ]
    for part in agenda.sections(report.since, report.due_within):
        lines += ["", f"{head}# {md(part.title)} ({len(part.entries)})", ""]
        lines += [md_entry(e, mention) for e in part.entries] or [NONE]
    if report.links.overdue_page:
        lines += ["", f"Every team's overdue items: the {md_link('overdue page', report.links.overdue_page)}."]
    return "\n".join(lines) + "\n"


def review_markdown(report: ReviewReport, mention: bool = True) -> str:
    lines = ["# Weekly review of postmortem action items", "", f"As of {report.today}, changes since {report.since}: {plural(len(report.teams), 'team')}."]
    text = "\n".join(lines) + "\n"
    for agenda in report.teams:
        text += "\n" + team_markdown(agenda, report, level=2, mention=mention)
    return text


def text_entry(entry: ReportItem | RedateEntry) -> str:
    if isinstance(entry, RedateEntry):
        item = entry.item
        return f"  {' '.join(item.title.split())} [{item.owner.name}] ({item.postmortem_id})\n      {redate_line(entry.redate, item.name_of)}"
    line = text_item(entry, show_owner=True)
    if entry.decision is not None and entry.status == "wont-do":
        line += f"\n      {decision_line(entry.decision, entry.name_of)}"
    return line


def review_text(report: ReviewReport) -> str:
    lines = [f"Weekly review as of {report.today}, changes since {report.since}"]
    for agenda in report.teams:
        lines += ["", f"== {agenda.name} (manager: {manager_words(agenda)})"]
        for part in agenda.sections(report.since, report.due_within):
            lines.append(f"{part.title}: {len(part.entries) or NONE}")
            lines += [text_entry(e) for e in part.entries]
    return terminal("\n".join(lines) + "\n")


def team_json(agenda: TeamAgenda, report: ReviewReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "team": agenda.team,
        "name": agenda.name,
        "manager": person_json(agenda.manager),
        "slack_channel": agenda.slack_channel,
    }
    for part in agenda.sections(report.since, report.due_within):
        if part.key == "redated":
            data[part.key] = [{"item": item_json(e.item), "redate": redate_json(e.redate)} for e in part.entries]  # type: ignore[union-attr]
        else:
            data[part.key] = [item_json(e) for e in part.entries]  # type: ignore[arg-type]
    data["empty"] = agenda.is_empty
    return data


def review_json(report: ReviewReport) -> str:
    data = {
        "version": REPORT_VERSION,
        "report": "review",
        "today": report.today.isoformat(),
        "since": report.since.isoformat(),
        "due_within_days": report.due_within,
        "teams": [team_json(a, report) for a in report.teams],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

"""Reports as Markdown (GitHub issues, job summaries), plain text (terminals, mail) and JSON (tools).

Pure functions from a report value to a string. Text from postmortems, the people
directory and trackers is escaped for the target (`escape.github`), so a title with `*`,
`<` or `@` shows as written, mentions no one and links nowhere; the only mentions are
owners' logins that are GitHub logins, and the only links http(s) URLs.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Callable, Mapping

from followthrough.core.escape import github
from followthrough.core.logline import safe_lines
from followthrough.core.metrics import Completion
from followthrough.core.model import KIND_LABELS, Decision, Person, Redate
from followthrough.core.report.build import CompletionReport, OverdueReport, RemindersReport, ReportItem

REPORT_VERSION = 1


def md(text: str) -> str:
    """Text from a postmortem as inert Markdown on one line (`escape.github.text`)."""
    return github.text(text)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.0f}%"


def when_due(item: ReportItem) -> str:
    if item.status == "done":
        return f"done {item.done_on} (due {item.due})" if item.done_on else f"done (due {item.due})"
    if item.status == "wont-do":
        return f"won't do (was due {item.due})"
    if item.days_overdue:
        return f"{plural(item.days_overdue, 'day')} overdue (due {item.due})"
    if item.due_in_days == 0:
        return f"due today ({item.due})"
    if item.due_in_days is not None and item.due_in_days > 0:
        return f"due in {plural(item.due_in_days, 'day')} ({item.due})"
    return f"due {item.due}" if item.due else "no due date"


def severity_label(item: ReportItem) -> str:
    return item.severity if item.kind == "incident" else f"{item.severity} {KIND_LABELS.get(item.kind, item.kind)}"


def redate_note(item: ReportItem) -> str | None:
    """'re-dated 2 times, 21 days later than first committed (2026-03-01); 1 in jira, no reason
    recorded': how far the commitment moved. Plain text; each format escapes it."""
    if not item.redates:
        return None
    note = f"re-dated {plural(len(item.redates), 'time')}"
    if item.slip_days and item.original_due:
        note += f", {plural(abs(item.slip_days), 'day')} {'later' if item.slip_days > 0 else 'earlier'} than first committed ({item.original_due})"
    unrecorded: dict[str, int] = {}
    for r in item.unrecorded_redates:
        unrecorded[r.source] = unrecorded.get(r.source, 0) + 1
    for source, n in unrecorded.items():
        note += f"; {n} in {source}, no reason recorded"
    return note


def redate_source(r: Redate) -> str:
    return "in the postmortem" if r.in_file else f"in {r.source}"


def redate_line(r: Redate, name_of: Callable[[str], str] = str) -> str:
    """'2026-06-01 → 2026-06-20 (+19 days) on 2026-06-10 in jira: no reason recorded'. Plain text;
    `name_of` names the approver (`ReportItem.name_of`)."""
    sign = "+" if r.slip_days >= 0 else "-"
    reason = r.reason.strip() or "no reason recorded"
    approved = f" (approved by {name_of(r.approved_by)})" if r.approved_by else ""
    return f"{r.from_} → {r.to} ({sign}{plural(abs(r.slip_days), 'day')}) on {r.on} {redate_source(r)}: {' '.join(reason.split())}{approved}"


def decision_line(d: Decision, name_of: Callable[[str], str] = str) -> str:
    when = f" on {d.on}" if d.on else ""
    return f"decided by {name_of(d.by)}{when}: {' '.join(d.reason.split())}"


def escalation_note(item: ReportItem, name_of: Callable[[Person], str] = lambda p: p.name, escape: Callable[[str], str] = str) -> str:
    """Whom an escalated item goes to; `name_of` writes the person (a mention where one is
    allowed), `escape` the team's handle, for the format the note goes into."""
    if item.escalate_to is None:
        return f"escalated: no manager named for team {escape(item.team or '(no team)')}"
    return f"escalated to {name_of(item.escalate_to)}"


# --- Markdown -------------------------------------------------------------------------------


def md_owner(owner: Person, mention: bool = True) -> str:
    at = github.mention(owner.github) if mention else None
    return f"{at} ({md(owner.name)})" if at else md(owner.name)


def md_link(text: str, url: str | None) -> str:
    """`text` (Markdown built here) linked to `url` when it is an http(s) URL."""
    return github.link(github.Md(text), url)


def md_item(item: ReportItem, show_owner: bool = False, mention: bool = True) -> str:
    ticket = md_link(github.code(item.ticket), item.ticket_url) if item.ticket else "no ticket yet"
    parts = [f"**{md(severity_label(item))}**", when_due(item), md(item.title), ticket]
    if show_owner:
        parts.append(md_owner(item.owner, mention))
    if item.escalated:
        parts.append("**" + escalation_note(item, lambda p: md_owner(p, mention), md) + "**")
    note = redate_note(item)
    if note:
        parts.append(md(note))
    parts.append("from " + md_link(md(item.postmortem_title or item.postmortem_id), item.postmortem_url))
    return "- " + " · ".join(parts)


def overdue_markdown(report: OverdueReport, title: str = "Overdue postmortem action items", mention: bool = True) -> str:
    lines = [f"# {md(title)}", ""]
    n = report.overdue_count
    summary = f"As of {report.today}: **{plural(n, 'overdue action item')}**"
    if n:
        summary += f" from {plural(report.postmortem_count, 'postmortem')}"
    summary += f", {plural(len(report.due_soon), 'item')} due within {plural(report.due_soon_days, 'day')}."
    lines.append(summary)
    if report.links.overdue_page:
        lines += ["", f"The {md_link('overdue page', report.links.overdue_page)} on the site has them by team too."]
    if not n:
        lines += ["", "Nothing is overdue."]
    if report.escalated:
        lines += ["", f"## Escalated: {plural(len(report.escalated), 'item')}", "", "Past their severity's escalation point; each names whom it goes to.", ""]
        lines += [md_item(item, show_owner=True, mention=mention) for item in report.escalated]
    for group in report.owners:
        lines += ["", f"## {md_owner(group.owner, mention)}: {plural(len(group.items), 'item')} overdue", ""]
        lines += [md_item(item, mention=mention) for item in group.items]
    if report.undecided:
        lines += ["", "## Closed as won't do without a decision", "", "A non-negotiable severity's item needs `decision:` (by, on, reason) in the postmortem.", ""]
        lines += [md_item(item, show_owner=True, mention=mention) for item in report.undecided]
    if report.due_soon:
        lines += ["", f"## Due soon (within {plural(report.due_soon_days, 'day')})", ""]
        lines += [md_item(item, show_owner=True) for item in report.due_soon]
    if report.game_days:
        lines += ["", "## Game-day items overdue", "", "Kept apart from incident figures, as on the site.", ""]
        lines += [md_item(item, show_owner=True) for item in report.game_days]
    if report.near_misses:
        lines += ["", "## Near-miss items overdue", "", "Kept apart from incident figures, as on the site.", ""]
        lines += [md_item(item, show_owner=True) for item in report.near_misses]
    return "\n".join(lines) + "\n"


def _completion_table(title: str, groups: Mapping[str, Completion]) -> list[str]:
    if not groups:
        return []
    lines = ["", f"## {title}", "", "| | items | done | won't do | open | overdue | completion | on time | on time (original due) | median days to close |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, c in groups.items():
        median = "n/a" if c.median_days_to_close is None else f"{c.median_days_to_close:g}"
        lines.append(f"| {md(name)} | {c.total} | {c.done} | {c.wont_do} | {c.still_open} | {c.overdue} | {percent(c.rate)} | {percent(c.on_time_rate)} | {percent(c.on_time_rate_original)} | {median} |")
    return lines


def completion_markdown(report: CompletionReport) -> str:
    c = report.overall
    lines = [
        "# Postmortem action item completion",
        "",
        f"As of {report.today}: **{percent(c.rate)} done** ({c.done} of {c.total} incident action items; "
        f"{c.wont_do} won't do), **{percent(c.on_time_rate)} on time** ({percent(c.on_time_rate_original)} against the original due dates), "
        f"{c.still_open} open of which {c.overdue} overdue.",
    ]
    if report.links.completion_page:
        lines += ["", f"Trends and definitions: the {md_link('completion page', report.links.completion_page)} on the site."]
    lines += _completion_table("By severity", report.by_severity)
    lines += _completion_table("By team", report.by_team)
    lines += _completion_table("By service", report.by_service)
    lines += _completion_table("By quarter of the incident", report.by_quarter)
    if report.game_days.total:
        lines += _completion_table("Game days (kept apart)", {"all game days": report.game_days})
    if report.near_misses.total:
        lines += _completion_table("Near misses (kept apart)", {"all near misses": report.near_misses})
    return "\n".join(lines) + "\n"


# --- plain text -----------------------------------------------------------------------------
# For a terminal or a log: every renderer's result goes through `terminal`, so a name or title
# holding an escape sequence (a colour, a window title, a clipboard write), a carriage return
# that hides the line, a bidirectional override or a `::` workflow command does nothing.


def terminal(text: str) -> str:
    return safe_lines(text)



def text_item(item: ReportItem, show_owner: bool = False) -> str:
    owner = f" [{item.owner.name}]" if show_owner else ""
    ticket = f" {item.ticket}" if item.ticket else ""
    notes = [escalation_note(item)] if item.escalated else []
    notes += [n for n in (redate_note(item),) if n]
    tail = "".join(f"\n      {n}" for n in notes)
    return f"  {severity_label(item):<8} {when_due(item)}: {' '.join(item.title.split())}{ticket}{owner} ({item.postmortem_id}){tail}"


def overdue_text(report: OverdueReport) -> str:
    n = report.overdue_count
    lines = [f"Overdue action items as of {report.today}: {n}" + (f" from {plural(report.postmortem_count, 'postmortem')}" if n else "")]
    if report.escalated:
        lines += ["", f"Escalated: {len(report.escalated)}"]
        lines += [text_item(item, show_owner=True) for item in report.escalated]
    for group in report.owners:
        lines += ["", f"{group.owner.name} ({plural(len(group.items), 'item')})"]
        lines += [text_item(item) for item in group.items]
    if report.undecided:
        lines += ["", f"Closed as won't do without a decision: {len(report.undecided)}"]
        lines += [text_item(item, show_owner=True) for item in report.undecided]
    lines += ["", f"Due within {plural(report.due_soon_days, 'day')}: {len(report.due_soon)}"]
    lines += [text_item(item, show_owner=True) for item in report.due_soon]
    if report.game_days:
        lines += ["", f"Game-day items overdue: {len(report.game_days)}"]
        lines += [text_item(item, show_owner=True) for item in report.game_days]
    if report.near_misses:
        lines += ["", f"Near-miss items overdue: {len(report.near_misses)}"]
        lines += [text_item(item, show_owner=True) for item in report.near_misses]
    if report.links.overdue_page:
        lines += ["", f"Site: {report.links.overdue_page}"]
    return terminal("\n".join(lines) + "\n")


def completion_text(report: CompletionReport) -> str:
    c = report.overall
    lines = [
        f"Action item completion as of {report.today}",
        f"  completion {percent(c.rate)} ({c.done}/{c.total}), won't do {c.wont_do}, on time {percent(c.on_time_rate)} "
        f"({percent(c.on_time_rate_original)} against the original due dates), open {c.still_open}, overdue {c.overdue}",
    ]
    for title, groups in (("severity", report.by_severity), ("team", report.by_team), ("service", report.by_service), ("quarter", report.by_quarter)):
        if groups:
            lines += ["", f"By {title}:"]
            width = max(len(name) for name in groups)
            lines += [f"  {name:<{width}}  {percent(g.rate):>4} done ({g.done}/{g.total}), {percent(g.on_time_rate):>4} on time ({percent(g.on_time_rate_original)} original), {g.overdue} overdue" for name, g in groups.items()]
    return terminal("\n".join(lines) + "\n")


# --- JSON -----------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def item_json(item: ReportItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "postmortem": {"id": item.postmortem_id, "title": item.postmortem_title, "severity": item.severity, "game_day": item.game_day, "kind": item.kind, "url": item.postmortem_url},
        "id": item.item_id,
        "title": item.title,
        "owner": {"handle": item.owner.handle, "name": item.owner.name, "github": item.owner.github},
        "team": item.team,
        "status": item.status,
        "due": _day(item.due),
        "days_overdue": item.days_overdue,
        "due_in_days": item.due_in_days,
        "ticket": item.ticket,
        "ticket_url": item.ticket_url,
        "original_due": _day(item.original_due),
        "slip_days": item.slip_days,
        "redates": [redate_json(r) for r in item.redates],
        "escalated": item.escalated,
        "escalated_to": person_json(item.escalate_to) if item.escalated else None,
        "done_on": _day(item.done_on),
        "decision": {"by": item.decision.by, "on": _day(item.decision.on), "reason": item.decision.reason} if item.decision else None,
    }


def person_json(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"handle": person.handle, "name": person.name, "github": person.github}


def redate_json(r: Redate) -> dict[str, Any]:
    return {"from": _day(r.from_), "to": _day(r.to), "on": _day(r.on), "reason": r.reason, "approved_by": r.approved_by, "source": r.source, "slip_days": r.slip_days}


def overdue_json(report: OverdueReport) -> str:
    data = {
        "version": REPORT_VERSION,
        "report": "overdue",
        "today": report.today.isoformat(),
        "overdue_count": report.overdue_count,
        "due_soon_count": len(report.due_soon),
        "due_soon_days": report.due_soon_days,
        "owners": [
            {"owner": {"handle": g.owner.handle, "name": g.owner.name, "github": g.owner.github}, "items": [item_json(i) for i in g.items]}
            for g in report.owners
        ],
        "due_soon": [item_json(i) for i in report.due_soon],
        "game_days": [item_json(i) for i in report.game_days],
        "near_misses": [item_json(i) for i in report.near_misses],
        "escalated": [item_json(i) for i in report.escalated],
        "wont_do_without_decision": [item_json(i) for i in report.undecided],
        "url": report.links.overdue_page,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- reminders ------------------------------------------------------------------------------


def reminders_markdown(report: RemindersReport, mention: bool = True) -> str:
    lines = ["# Action items due soon", "", f"As of {report.today}: **{plural(len(report.items), 'open action item')}** due within {'its' if len(report.items) == 1 else 'their'} severity's reminder window."]
    if not report.items:
        lines += ["", "Nothing is due soon."]
    lines += [""] + [md_item(item, show_owner=True, mention=mention) for item in report.items]
    return "\n".join(lines).rstrip("\n") + "\n"


def reminders_text(report: RemindersReport) -> str:
    lines = [f"Action items due soon as of {report.today}: {len(report.items)}"]
    lines += [text_item(item, show_owner=True) for item in report.items]
    return terminal("\n".join(lines) + "\n")


def reminders_json(report: RemindersReport) -> str:
    data = {"version": REPORT_VERSION, "report": "reminders", "today": report.today.isoformat(), "count": len(report.items), "items": [item_json(i) for i in report.items]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def completion_json_value(c: Completion) -> dict[str, Any]:
    return {
        "total": c.total,
        "done": c.done,
        "wont_do": c.wont_do,
        "open": c.open,
        "in_progress": c.in_progress,
        "overdue": c.overdue,
        "on_time": c.on_time,
        "late": c.late,
        "done_date_unknown": c.done_date_unknown,
        "completion_rate": c.rate,
        "wont_do_rate": c.wont_do_rate,
        "on_time_rate": c.on_time_rate,
        # The same against the date first committed to: re-dating does not make an item on time.
        "on_time_original": c.on_time_original,
        "late_original": c.late_original,
        "on_time_rate_original": c.on_time_rate_original,
        "median_days_to_close": c.median_days_to_close,
        "age_buckets": dict(c.age_buckets),
    }


def completion_json(report: CompletionReport) -> str:
    data = {
        "version": REPORT_VERSION,
        "report": "completion",
        "today": report.today.isoformat(),
        "overall": completion_json_value(report.overall),
        "by_severity": {k: completion_json_value(v) for k, v in report.by_severity.items()},
        "by_team": {k: completion_json_value(v) for k, v in report.by_team.items()},
        "by_service": {k: completion_json_value(v) for k, v in report.by_service.items()},
        "by_quarter": {k: completion_json_value(v) for k, v in report.by_quarter.items()},
        "game_days": completion_json_value(report.game_days),
        "near_misses": completion_json_value(report.near_misses),
        "url": report.links.completion_page,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

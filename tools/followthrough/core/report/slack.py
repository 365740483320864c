"""The overdue report as a Slack incoming-webhook message: Block Kit with a plain-text fallback.

Slack's limits shape the message: at most 50 blocks, 3,000 characters in a section's
text, 150 in a header. Owners beyond what fits are summed up in one line that links to
the site. `text` is what notifications and clients without Block Kit show.
"""

from __future__ import annotations

from typing import Any

from followthrough.core.escape import slack as mrkdwn
from followthrough.core.model import Person
from followthrough.core.report.build import CompletionReport, OverdueReport, RemindersReport, ReportItem
from followthrough.core.report.render import decision_line, escalation_note, percent, plural, redate_line, redate_note, severity_label, when_due
from followthrough.core.report.review import RedateEntry, ReviewReport, TeamAgenda
from followthrough.core.report.review_render import manager_words

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FALLBACK = 3000
# header, summary, divider, due soon, game days, "more owners", context: what owners leave room for
# (the escalated, won't-do and near-miss sections take one more each, when there are any)
_RESERVED_BLOCKS = 8


def esc(text: str) -> str:
    """Text from a postmortem, the people directory or a tracker as inert mrkdwn (`escape.slack`)."""
    return mrkdwn.text(text)


def link(url: str | None, text: str) -> str:
    return mrkdwn.link(url, text)


def who(owner: Person) -> str:
    # A Slack member id from the people directory notifies the owner; a name, or a value
    # that is not a member id (`U1><!channel`), does not.
    at = mrkdwn.mention(owner.slack)
    return f"{at} ({esc(owner.name)})" if at else f"*{esc(owner.name)}*"


def item_line(item: ReportItem, show_owner: bool = False) -> str:
    ticket = link(item.ticket_url, item.ticket) if item.ticket else "no ticket yet"
    parts = [f"*{esc(severity_label(item))}*", when_due(item), esc(item.title), ticket]
    if show_owner:
        parts.append(who(item.owner))
    if item.escalated:
        parts.append("*" + escalation_note(item, who, esc) + "*")
    note = redate_note(item)
    if note:
        parts.append(esc(note))
    parts.append("from " + link(item.postmortem_url, item.postmortem_title or item.postmortem_id))
    return "• " + " · ".join(parts)


def section(lines: list[str], more_url: str | None = None) -> dict[str, Any]:
    """A mrkdwn section of whole lines within Slack's limit; what does not fit is counted."""
    kept: list[str] = []
    size = 0
    for i, line in enumerate(lines):
        rest = len(lines) - i
        tail = f"\n…and {plural(rest, 'more line')}" + (f" on {link(more_url, 'the site')}" if more_url else "")
        if size + len(line) + 1 + len(tail) > MAX_SECTION and i > 0:
            kept.append(tail.lstrip("\n"))
            break
        kept.append(mrkdwn.cut(line, MAX_SECTION - len(tail) - 1))
        size += len(kept[-1]) + 1
    return {"type": "section", "text": mrkdwn.mrkdwn("\n".join(kept))}


def header(text: str) -> dict[str, Any]:
    text = " ".join(text.split())
    if len(text) > MAX_HEADER:
        text = text[: MAX_HEADER - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": False}}


def overdue_summary(report: OverdueReport) -> str:
    n = report.overdue_count
    text = f"{plural(n, 'overdue action item')}"
    if n:
        text += f" from {plural(report.postmortem_count, 'postmortem')}"
    return text + f", {len(report.due_soon)} due within {plural(report.due_soon_days, 'day')} (as of {report.today})"


def overdue_fallback(report: OverdueReport) -> str:
    lines = [f"Overdue postmortem action items: {overdue_summary(report)}."]
    size = len(lines[0])
    for i, group in enumerate(report.owners):
        worst = group.items[0]
        line = f"{esc(group.owner.name)}: {plural(len(group.items), 'item')}, worst {esc(worst.severity)} {plural(worst.days_overdue, 'day')} overdue"
        if size + len(line) > MAX_FALLBACK:  # notifications show the start; the blocks hold the rest
            lines.append(f"…and {plural(len(report.owners) - i, 'more owner')}")
            break
        lines.append(line)
        size += len(line) + 1
    site = mrkdwn.own_url(report.links.overdue_page)
    if site:
        lines.append(site)
    return "\n".join(lines)


def overdue_message(report: OverdueReport, title: str = "Overdue postmortem action items") -> dict[str, Any]:
    url = report.links.overdue_page
    blocks: list[dict[str, Any]] = [header(title), section([overdue_summary(report) + "."])]
    if not report.owners:
        blocks.append(section(["Nothing is overdue. :tada:"]))
    if report.escalated:
        blocks.append(section([f"*Escalated: {plural(len(report.escalated), 'item')}*"] + [item_line(i, show_owner=True) for i in report.escalated], url))
    room = MAX_BLOCKS - _RESERVED_BLOCKS - bool(report.escalated) - bool(report.undecided) - bool(report.near_misses)
    shown = report.owners[:room]
    if shown:
        blocks.append({"type": "divider"})
    for group in shown:
        lines = [f"{who(group.owner)}: {plural(len(group.items), 'item')} overdue"]
        lines += [item_line(item) for item in group.items]
        blocks.append(section(lines, url))
    hidden = report.owners[room:]
    if hidden:
        count = sum(len(g.items) for g in hidden)
        blocks.append(section([f"…and {plural(len(hidden), 'more owner')} with {plural(count, 'item')}: see {link(url, 'the overdue page')}."]))
    if report.due_soon:
        blocks.append(section([f"*Due within {plural(report.due_soon_days, 'day')}*"] + [item_line(i, show_owner=True) for i in report.due_soon], url))
    if report.game_days:
        blocks.append(section(["*Game-day items overdue* (kept apart from incident figures)"] + [item_line(i, show_owner=True) for i in report.game_days], url))
    if report.near_misses:
        blocks.append(section(["*Near-miss items overdue* (kept apart from incident figures)"] + [item_line(i, show_owner=True) for i in report.near_misses], url))
    if report.undecided:
        blocks.append(section(["*Closed as won't do without a decision*"] + [item_line(i, show_owner=True) for i in report.undecided], url))
    if url:
        blocks.append({"type": "context", "elements": [mrkdwn.mrkdwn(f"By team and by service: {link(url, 'the overdue page')}")]})
    assert len(blocks) <= MAX_BLOCKS
    return {"text": overdue_fallback(report), "blocks": blocks}


def completion_message(report: CompletionReport) -> dict[str, Any]:
    c = report.overall
    summary = (
        f"{percent(c.rate)} of {c.total} incident action items done ({c.wont_do} won't do), "
        f"{percent(c.on_time_rate)} on time ({percent(c.on_time_rate_original)} against the original due dates), "
        f"{c.still_open} open, {c.overdue} overdue (as of {report.today})"
    )
    lines = [f"{esc(name)}: {percent(g.rate)} done ({g.done}/{g.total}), {percent(g.on_time_rate)} on time, {g.overdue} overdue" for name, g in report.by_severity.items()]
    blocks: list[dict[str, Any]] = [header("Postmortem action item completion"), section([summary + "."])]
    if lines:
        blocks.append(section(["*By severity*"] + lines, report.links.completion_page))
    if report.links.completion_page:
        blocks.append({"type": "context", "elements": [mrkdwn.mrkdwn(f"Trends: {link(report.links.completion_page, 'the completion page')}")]})
    return {"text": "Postmortem action item completion: " + summary, "blocks": blocks}


def reminders_message(report: RemindersReport) -> dict[str, Any]:
    """The daily post: every open item due within its severity's reminder window, owner mentioned."""
    n = len(report.items)
    summary = f"{plural(n, 'open action item')} due soon (as of {report.today})"
    blocks: list[dict[str, Any]] = [header("Action items due soon"), section([summary + "."])]
    if report.items:
        blocks.append(section([item_line(i, show_owner=True) for i in report.items], report.links.site))
    else:
        blocks.append(section(["Nothing is due soon."]))
    fallback = f"Action items due soon: {summary}."
    return {"text": fallback, "blocks": blocks}


# The agenda's sections as the notification's one line counts them.
_WORDS = {
    "escalated": "escalated",
    "overdue": "overdue",
    "due_soon": "due soon",
    "redated": "re-dated",
    "closed": "closed",
    "decisions": "won't-do decision",
    "undecided": "won't do without a decision",
}


def review_entry_line(entry: ReportItem | RedateEntry) -> str:
    if isinstance(entry, RedateEntry):
        item = entry.item
        return f"• {esc(item.title)} · {who(item.owner)} · {esc(redate_line(entry.redate, item.name_of))} · from {link(item.postmortem_url, item.postmortem_title or item.postmortem_id)}"
    line = item_line(entry, show_owner=True)
    if entry.decision is not None and entry.status == "wont-do":
        line += " · " + esc(decision_line(entry.decision, entry.name_of))
    return line


def review_message(agenda: TeamAgenda, report: ReviewReport) -> dict[str, Any]:
    """One team's agenda for its own channel: the manager mentioned, every section, "none" when empty."""
    manager = manager_words(agenda, who, esc)
    intro = f"As of {report.today}, changes since {report.since}. Manager: {manager}."
    blocks: list[dict[str, Any]] = [header(f"Weekly review: {agenda.name}"), section([intro])]
    for part in agenda.sections(report.since, report.due_within):
        lines = [f"*{esc(part.title)}* ({len(part.entries)})"]
        lines += [review_entry_line(e) for e in part.entries] or ["none"]
        blocks.append(section(lines, report.links.overdue_page))
    # Only the one noun among the words takes a plural ("1 won't-do decision", "2 won't-do decisions").
    counts = ", ".join(plural(len(p.entries), _WORDS[p.key]) if p.key == "decisions" else f"{len(p.entries)} {_WORDS[p.key]}" for p in agenda.sections(report.since, report.due_within) if p.entries)
    fallback = f"Weekly review of {esc(agenda.name)} as of {report.today}: " + (counts or "nothing on the agenda")
    return {"text": fallback, "blocks": blocks}

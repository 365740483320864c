"""The channel's complete record of the incident window, as a page published beside the postmortem.

Every message (bots', joins and edits too), oldest first, with its author's name and its UTC
time; thread replies marked as such. All text goes through the same conversion as the
timeline, so the page shows what was written and nothing in it runs.
"""

from __future__ import annotations

from datetime import date

from followthrough.core.dates import in_utc
from followthrough.core.escape.html import md_escape, md_inline_escape
from followthrough.core.timeline import EVIDENCE_SUFFIX
from followthrough.core.timeline.messages import Message
from followthrough.core.timeline.mrkdwn import to_markdown
from followthrough.core.timeline.names import Names



def evidence_name(postmortem_name: str) -> str:
    return postmortem_name.removesuffix(".md") + EVIDENCE_SUFFIX


def evidence_page(messages: list[Message], names: Names, *, channel: str, source: str, postmortem: str, tilde: bool = False) -> str:
    """The page's Markdown: a title, where it came from, then the messages by UTC day."""
    out = [
        f"# Slack record of \\#{md_escape(channel)}",
        "",
        f"The complete record of the incident channel for [the postmortem]({postmortem}), "
        f"kept when its timeline was built from {md_escape(source)}. Times are UTC. Every message "
        "of the incident window is here, whoever wrote it; the Timeline holds the Scribe's record.",
    ]
    day: date | None = None
    for m in messages:
        when = in_utc(m.when)
        if when.date() != day:
            day = when.date()
            out += ["", f"## {day.isoformat()}", ""]
        who = md_inline_escape(m.bot_name or "a bot") + " (bot)" if m.bot else md_inline_escape(names.name(m.user, m.profile_name))
        text = to_markdown(m.text, names, tilde=tilde) or "(no text)"
        marks = [s for s in ("in a thread" if m.is_reply else "", "edited" if m.edited else "", m.subtype if m.subtype and m.subtype not in ("thread_broadcast",) else "") if s]
        files = f" (shared {', '.join(md_inline_escape(t) for t in m.files)})" if m.files else ""
        extra = f" *({md_inline_escape(', '.join(marks))})*" if marks else ""
        out.append(f"- **{when.strftime('%H:%M:%S')}** {who}: {text}{files}{extra}")
    return "\n".join(out) + "\n"

"""Follow-through of action items: the `redated:` chain, decisions on won't-do, `done_on`, `verified`.

A re-date is history: each entry starts where the last one ended and `due` is where the last
one ended, it was decided on a real day between the incident and today, and it says why. An
item of a non-negotiable severity is closed as won't do only by a recorded decision.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Iterable

from followthrough.core.dates import utc_date
from followthrough.core.fields import Collector
from followthrough.core.findings import Finding
from followthrough.core.metrics import item_view
from followthrough.core.model import ActionItem, Postmortem
from followthrough.core.policy import escalation_contact, wont_do_without_decision
from followthrough.core.rules.context import Context
from followthrough.core.rules.people import check_person

MIN_REASON_WORDS = 3
# Words that say the date moved, not why; named in the finding so the fix is obvious.
EMPTY_REASONS = frozenset({"tbd", "tba", "n/a", "na", "-", "--", "none", "delay", "delayed", "slipped", "slip", "moved", "todo", "later", "busy", "reprioritized", "reprioritised"})
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
# Scripts written without spaces between words: there a reason is counted in letters.
_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR")
MIN_UNSPACED_LETTERS = 6


def is_real_reason(text: str) -> bool:
    """At least three different words of letters (or six letters of a script without spaces),
    not counting the words that only say that something moved: `tbd tbd tbd` says nothing."""
    if text.strip().lower().rstrip(".!") in EMPTY_REASONS:
        return False
    words = {w.casefold() for w in _WORD.findall(text)} - EMPTY_REASONS
    if len(words) >= MIN_REASON_WORDS:
        return True
    unspaced = sum(1 for c in text if c.isalpha() and unicodedata.name(c, "").startswith(_UNSPACED))
    return unspaced >= MIN_UNSPACED_LETTERS


def check(pm: Postmortem, ctx: Context) -> Iterable[Finding]:
    out = Collector(pm.path)
    started = utc_date(pm.started) if pm.started else None
    for item in pm.action_items:
        where = f"action_items[{item.index}]"
        _chain(item, where, started, ctx, out)
        _decision(pm, item, where, started, ctx, out)
        _done_on(item, where, started, ctx, out)
        _verified(item, where, started, ctx, out)
    return out.findings


def _chain(item: ActionItem, where: str, started: date | None, ctx: Context, out: Collector) -> None:
    previous = None
    for i, entry in enumerate(item.redated):
        at = f"{where}.redated[{i}]"
        line_of = entry.lines.get
        if entry.from_ == entry.to:
            out.add("FT309", line_of("to", entry.line), f"{at}: from and to are both {entry.to.isoformat()}; a re-date moves the date (remove the entry if it did not)")
        if previous is not None:
            if entry.from_ != previous.to:
                out.add(
                    "FT309", line_of("from", entry.line),
                    f"{at}.from: {entry.from_.isoformat()} is not where the previous re-date ended ({previous.to.isoformat()}); "
                    f"each re-date starts from the previous one's to: from: {previous.to.isoformat()}",
                )  # fmt: skip
            if entry.on < previous.on:
                out.add("FT309", line_of("on", entry.line), f"{at}.on: {entry.on.isoformat()} is before the previous re-date's on ({previous.on.isoformat()}); list re-dates oldest first")
        _day(entry.on, f"{at}.on", line_of("on", entry.line), "re-dated", started, ctx, out)
        if entry.reason and not is_real_reason(entry.reason):
            out.add("FT310", line_of("reason", entry.line), f"{at}.reason: {entry.reason!r} {_thin(entry.reason)}; say why the date moved, e.g. reason: waiting on the vendor's fix for the pool leak")
        if entry.approved_by:
            check_person(entry.approved_by, line_of("approved_by", entry.line), f"{at}.approved_by", ctx, out)
        previous = entry
    if previous is not None and item.due is not None and item.due != previous.to:
        out.add(
            "FT309", item.line_of("due"),
            f"{where}.due: {item.due.isoformat()} is not where the last re-date ended ({previous.to.isoformat()}); "
            f"due is the current date: set due: {previous.to.isoformat()}, or add the re-date that moved it to {item.due.isoformat()}",
        )  # fmt: skip


def _decision(pm: Postmortem, item: ActionItem, where: str, started: date | None, ctx: Context, out: Collector) -> None:
    decision = item.decision
    # The item as the site, the reports and the review agenda judge it, from the file alone.
    view = item_view(pm, item, None, ctx.today, ctx.directory)
    if wont_do_without_decision(view, ctx.settings):
        contact = escalation_contact(view, ctx.settings, ctx.directory)
        decider = contact.handle if contact else "<the owner's engineering manager>"
        who = f"{contact.handle}, whom this item escalates to," if contact else "the owner's engineering manager"
        out.add(
            "FT313", item.line_of("status"),
            f"{where}: a {pm.severity} item is closed as wont-do without a decision; {pm.severity} items are non-negotiable, "
            f"so {who} or the review meeting decides, and the file records it: "
            f"decision: {{by: {decider}, on: {ctx.today.isoformat()}, reason: <why it will not be done and what covers the risk instead>}}",
        )  # fmt: skip
    if decision is None:
        return
    at = f"{where}.decision"
    if item.status != "wont-do":
        out.add("FT314", decision.line, f"{at}: the item is {item.status}, not wont-do; a decision records why an item will not be done (remove it, or set status: wont-do)")
    if decision.on is not None:
        _day(decision.on, f"{at}.on", decision.lines.get("on", decision.line), "decided", started, ctx, out)
    if decision.reason and not is_real_reason(decision.reason):
        out.add("FT310", decision.lines.get("reason", decision.line), f"{at}.reason: {decision.reason!r} {_thin(decision.reason)}; say why it will not be done")
    if decision.by:
        check_person(decision.by, decision.lines.get("by", decision.line), f"{at}.by", ctx, out)


def _done_on(item: ActionItem, where: str, started: date | None, ctx: Context, out: Collector) -> None:
    if item.done_on is None:
        return
    if item.status != "done":
        out.add("FT314", item.line_of("done_on"), f"{where}.done_on: the item is {item.status}, not done; done_on is the day a done item was finished (remove it, or set status: done)")
    _day(item.done_on, f"{where}.done_on", item.line_of("done_on"), "done", started, ctx, out)


def _verified(item: ActionItem, where: str, started: date | None, ctx: Context, out: Collector) -> None:
    verified = item.verified
    if verified is None:
        return
    at = f"{where}.verified"
    if item.status != "done":
        # Verifying comes after the change is made: an open item has nothing to verify yet.
        out.add("FT314", verified.line, f"{at}: the item is {item.status}, not done; verified records how a done item's fix was shown to work (remove it, or set status: done)")
    if verified.on is not None:
        _day(verified.on, f"{at}.on", verified.lines.get("on", verified.line), "verified", started, ctx, out)


def _day(day: date, label: str, line: int, what: str, started: date | None, ctx: Context, out: Collector) -> None:
    if day > ctx.today:
        out.add("FT311", line, f"{label}: {day.isoformat()} is after today ({ctx.today.isoformat()}); write the day it was {what}, not a plan")
    elif started is not None and day < started:
        out.add("FT312", line, f"{label}: {day.isoformat()} is before the incident started ({started.isoformat()})")


def _thin(reason: str) -> str:
    words = {w.casefold() for w in _WORD.findall(reason)}
    if reason.strip().lower().rstrip(".!") in EMPTY_REASONS or (words and words <= EMPTY_REASONS):
        return "says that it happened, not why"
    return f"is not a reason (at least {MIN_REASON_WORDS} different words)"

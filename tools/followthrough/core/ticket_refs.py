"""What a `ticket:` may say: a Jira key, a GitHub reference or a URL, and the issue a URL names.

Lint judges a ticket by these patterns and sync routes it by them, so an item lint accepts is
one sync can follow. Jira project keys are an upper-case letter then at least one more
upper-case letter, digit or '_' (Jira's own rule); issue numbers, Jira's and GitHub's, start
at 1. A GitHub reference names its repository (`acme/web#7`) or, written `#7`, the item's
routed GitHub destination.
"""

from __future__ import annotations

import re

JIRA_KEY = re.compile(r"(?P<project>[A-Z][A-Z0-9_]+)-(?P<number>[1-9][0-9]*)")
GITHUB_REF = re.compile(r"(?:(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+))?#(?P<number>[1-9][0-9]*)")
WEB_URL = re.compile(r"https?://\S+", re.I)
_GITHUB_URL = re.compile(r"https?://[^/]+/(?:api/v3/repos/)?(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/issues/(?P<number>[1-9][0-9]*)/?", re.I | re.ASCII)
_JIRA_URL = re.compile(r"https?://\S+/browse/(?P<key>[A-Z][A-Z0-9_]+-[1-9][0-9]*)/?", re.I | re.ASCII)  # ASCII: re.I alone lets "ſ" or the Kelvin sign stand for s or k


def jira_key(ticket: str) -> re.Match[str] | None:
    """The key's parts (`project`, `number`) when `ticket` is a Jira key like PAY-12."""
    return JIRA_KEY.fullmatch(ticket.strip())


def github_number(ticket: str) -> tuple[str | None, int] | None:
    """(repo or None, number) when `ticket` is a GitHub reference like acme/web#7 or #7."""
    m = GITHUB_REF.fullmatch(ticket.strip())
    return (m.group("repo"), int(m.group("number"))) if m else None


def is_url(ticket: str) -> bool:
    return WEB_URL.fullmatch(ticket.strip()) is not None


def is_ticket(ticket: str) -> bool:
    """A Jira key, a GitHub reference or an http(s) URL: what `ticket:` may hold."""
    return bool(jira_key(ticket) or github_number(ticket) or is_url(ticket))


def ticket_reference(ticket: str) -> str | None:
    """The Jira key or GitHub reference a `ticket` names; a URL of an issue is read as one.
    None for a URL of another tracker (lint accepts any URL; sync leaves those alone)."""
    ticket = ticket.strip()
    if jira_key(ticket) or github_number(ticket):
        return ticket
    if m := _JIRA_URL.fullmatch(ticket):
        return m.group("key").upper()  # Jira opens /browse/pay-12 as PAY-12
    if m := _GITHUB_URL.fullmatch(ticket):
        return f"{m.group('repo')}#{m.group('number')}"
    return None if is_url(ticket) else ticket

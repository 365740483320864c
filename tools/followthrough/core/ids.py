"""What counts as an id: postmortem and item slugs, GitHub logins, Slack member ids.

Ids travel where text from a postmortem must not: into tracker markers, labels, the state
file, @-mentions and Slack's `<@U...>`. Each is checked here once, by lint when the file is
read and again by whoever builds a mention from one, so a value that is not an id is never
used as one.
"""

from __future__ import annotations

import re

# Lowercase letters, digits, '-', '_' and '.', starting with a letter or digit: what the file
# names (FT107) and every item id written so far use; no spaces, slashes, '<', '>' or '!'.
SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
SLUG_RULE = "lowercase letters, digits, '-', '_' and '.', starting with a letter or digit"
# GitHub's rule for user names: 1-39 alphanumerics or single hyphens, no hyphen at either end.
GITHUB_LOGIN = re.compile(r"(?!.{40})[A-Za-z0-9](?:-?[A-Za-z0-9])*")
# Slack member ids: U... for members, W... for Enterprise Grid users; upper-case letters and digits.
SLACK_MEMBER = re.compile(r"[UW][A-Z0-9]{2,}")
SLACK_CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,}")  # public, private (older), direct
_NOT_SLUG = re.compile(r"[^a-z0-9._]+")


def is_slug(value: str) -> bool:
    return SLUG.fullmatch(value) is not None


def is_github_login(value: str | None) -> bool:
    return value is not None and GITHUB_LOGIN.fullmatch(value) is not None


def is_slack_member(value: str | None) -> bool:
    return value is not None and SLACK_MEMBER.fullmatch(value) is not None


def is_slack_channel(value: str | None) -> bool:
    return value is not None and SLACK_CHANNEL.fullmatch(value) is not None


def suggest_slug(value: str) -> str:
    """A slug close to `value`, for the finding's example ('Pool Alert!' -> 'pool-alert')."""
    return _NOT_SLUG.sub("-", value.strip().lower()).strip("-._") or "item"

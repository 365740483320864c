"""When a destination is refusing us, so that every further request would fail the same way.

Then the run sends it nothing more: one message says which refusal it was and what to do,
every item still to go there fails with it, and the other destinations go on. A rate limit
asking for a longer wait than `max_wait`, a refused token, a permission the token lacks,
and an answer that is not the API at all (a proxy's or an SSO login page) are refusals; a
5xx or a dropped connection is not (the next request may well work).
"""

from __future__ import annotations

from followthrough.core.sync.config import JIRA_CLOUD, JIRA_DC, Destination
from followthrough.core.sync.tickets import TrackerFailure

JIRA_CLOUD_TOKENS = "https://id.atlassian.com/manage-profile/security/api-tokens"


def tracker_name(dest: Destination) -> str:
    return f"Jira at {dest.url}" if dest.is_jira else ("GitHub" if dest.url == "https://api.github.com" else f"GitHub at {dest.url}")


def refusal(failure: TrackerFailure, dest: Destination, max_wait: float, *, one_ticket: bool = False) -> str | None:
    """Why `dest` refuses every request like the one that failed, or None when the next may work.

    `one_ticket`: the request was about one ticket (closing a duplicate), where a 403 is that
    ticket's permissions, not the destination's."""
    who = tracker_name(dest)
    if failure.not_api:
        return f"{who} answered with an HTML page, not the API: is a proxy or an SSO login in the way? Check the destination's url"
    if failure.status == 401:
        if dest.kind == JIRA_CLOUD:
            return (
                f"{who} refused the API token in {dest.token_env} for {dest.email} (HTTP 401): Jira Cloud API tokens expire "
                f"(within a year of being made); make a new one at {JIRA_CLOUD_TOKENS}, or check the e-mail"
            )
        if dest.kind == JIRA_DC:
            return f"{who} refused the personal access token in {dest.token_env} (HTTP 401): it may have expired or been revoked; make a new one under your Jira profile, Personal Access Tokens"
        return f"{who} refused the token in {dest.token_env} (HTTP 401): it may have expired or been revoked"
    limited = failure.retry and failure.status in (403, 429)
    if failure.status == 403 and not limited and not one_ticket:
        reply = f": {failure.reply}" if failure.reply else ""
        return f"{who} refused the request (HTTP 403{reply}): the token in {dest.token_env} lacks a permission sync needs in {dest.where}"
    if failure.retry and failure.retry_after is not None and failure.retry_after > max_wait:
        return f"{who} asked to wait {failure.retry_after:.0f} s, more than max_wait {max_wait:g}: try later or raise max_wait"
    if limited:
        return f"{who} is still rate-limiting requests after every retry: try later"
    return None

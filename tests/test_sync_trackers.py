"""The tracker adapters on their own, through the real clients against the fakes."""

from __future__ import annotations

from datetime import date

import pytest

from .fakes import FakeGitHub, FakeJira
from followthrough.config.trackers import load_trackers
from followthrough.trackers.counting import RequestCounter
from followthrough.trackers.github_tracker import GitHubTracker
from followthrough.trackers.jira_tracker import JiraTracker
from followthrough.core.sync.markers import hidden_marker, marker_for, marker_line
from followthrough.core.sync.refusal import refusal
from followthrough.trackers.retry import RetryPolicy
from followthrough.core.sync.tickets import Link, NewTicket, TrackerFailure


def jira_tracker(fake: FakeJira, **dest) -> tuple[JiraTracker, RequestCounter]:
    kind = "jira-cloud" if fake.cloud else "jira-dc"
    raw = {"type": kind, "url": fake.url, "project": "PAY", **({"email": fake.email} if fake.cloud else {}), **dest}
    trackers = load_trackers({"destinations": {"pay": raw}, "backoff": 0}, "mkdocs.yml", {"JIRA_API_TOKEN": fake.token})
    counter = RequestCounter()
    tracker = JiraTracker(trackers.destinations["pay"], trackers.token("pay"), RetryPolicy(retries=2, backoff=0), counter, timeout=2)
    return tracker, counter


def github_tracker(fake: FakeGitHub) -> GitHubTracker:
    raw = {"type": "github", "url": fake.api, "repo": "acme/web", "seconds_between_requests": 0, "seconds_between_writes": 0}
    trackers = load_trackers({"destinations": {"web": raw}}, "mkdocs.yml", {"GITHUB_TOKEN": "gh-test-token"})
    return GitHubTracker(trackers.destinations["web"], trackers.token("web"), RetryPolicy(retries=2, backoff=0), RequestCounter(), timeout=2, label="postmortem")


def ticket(item: str = "a", **kw) -> NewTicket:
    fields = {
        "marker": marker_for("pm", item),
        "marker_line": marker_line("pm", item),
        "title": f"Fix {item}",
        "paragraphs": ((Link("See "), Link("the postmortem", "https://pm.example.com/pm/")),),
        "labels": ("postmortem", "pm", "SEV 2"),
        "due": date(2026, 6, 5),
        **kw,
    }
    return NewTicket(**fields)


def test_jira_batch_with_an_unnamed_400_is_split_until_it_passes():
    with FakeJira("Cloud") as fake:
        tracker, _ = jira_tracker(fake)
        tracker.connect()
        for n in range(4):
            fake.add_issue("PAY", f"issue {n}")
        fake.inject("status", "GET", r"/search/jql$", status=400, body={"errorMessages": ["Something about the query"], "errors": {}})
        result = tracker.fetch(["PAY-1", "pay-2", "PAY-3", "PAY-4"])
        assert sorted(result.found) == ["PAY-1", "PAY-2", "PAY-3", "PAY-4"] and result.missing == []
        assert fake.count(path="search/jql") == 3  # the whole batch, then its two halves


def test_jira_labels_have_no_spaces_and_markers_match_exactly():
    with FakeJira("Server") as fake:
        tracker, counter = jira_tracker(fake)
        tracker.connect()
        with counter.attached(), counter.destination("pay"):
            created = tracker.create(ticket())
        assert created.ref == "PAY-1" and counter.of("pay") == {"write": 1}
        assert fake.issues["PAY-1"].labels == ["postmortem", "pm", "SEV-2", marker_for("pm", "a")]
        assert "[the postmortem|https://pm.example.com/pm/]" in fake.issues["PAY-1"].description
        fake.add_issue("PAY", "lookalike", labels=[marker_for("pm", "a") + "0"])
        found = tracker.find_markers([marker_for("pm", "a"), marker_for("pm", "b")])
        assert list(found) == [marker_for("pm", "a")] and [t.ref for t in found[marker_for("pm", "a")]] == ["PAY-1"]


def test_jira_create_is_one_post_even_when_answered_429():
    """Left to its own retries the jira client sends a create again after a 429, even one that took
    effect, and sleeps on its own; the adapter turns them off, so retrying is the engine's decision."""
    with FakeJira("Cloud") as fake:
        tracker, _ = jira_tracker(fake)
        tracker.connect()
        fake.reset_counts()
        fake.inject("status", "POST", r"/issue$", status=429, retry_after="0", after=True)
        with pytest.raises(TrackerFailure) as refused:
            tracker.create(ticket())
        assert (refused.value.status, refused.value.retry, refused.value.retry_after) == (429, True, 0.0)
        assert [(r.method, r.path) for r in fake.records] == [("POST", "/rest/api/3/issue")]  # not sent again
        assert list(fake.issues) == ["PAY-1"]  # the one it made before answering 429


def test_jira_refused_credentials_say_what_to_check():
    with FakeJira("Server") as fake:
        tracker, _ = jira_tracker(fake)
        fake.token = "another"
        with pytest.raises(TrackerFailure) as refused:
            tracker.connect()
        why = refusal(refused.value, tracker.dest, 300)
        assert refused.value.status == 401 and why is not None
        assert "refused the personal access token in JIRA_API_TOKEN (HTTP 401): it may have expired or been revoked" in why


def test_github_listing_skips_pull_requests_and_reads_due_and_assignee():
    with FakeGitHub(users=("sync-bot", "maxsme")) as fake:
        tracker = github_tracker(fake)
        tracker.connect()
        tracker.create(ticket(assignee="maxsme"))
        fake.add_issue("acme/web", "pr", labels=("postmortem",), pull=True, body=hidden_marker("pm", "b"))
        fake.add_issue("acme/web", "hand-made", body="no marker here")  # not labelled: fetched on its own
        fake.reset_counts()
        result = tracker.fetch(["acme/web#1", "acme/web#3", "acme/web#9"])
        one = result.found["acme/web#1"]
        assert (one.assignee, one.due, one.status) == ("maxsme", date(2026, 6, 5), "open")
        assert "acme/web#3" in result.found and result.missing == ["acme/web#9"]
        assert tracker.find_markers([marker_for("pm", "a"), marker_for("pm", "b")]).keys() == {marker_for("pm", "a")}
        assert fake.count() == 3  # one listing page, then #3 and #9 one GET each
        assert tracker.normalize_ref("#4") == "acme/web#4" and tracker.normalize_ref("PAY-1") is None


def test_github_secondary_rate_limit_is_retried_after_its_wait():
    with FakeGitHub() as fake:
        tracker = github_tracker(fake)
        tracker.connect()
        fake.inject("status", "GET", r"/issues$", status=403, retry_after="0", body={"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})
        assert tracker.fetch([]).found == {}
        assert tracker.find_markers(["ft-0000000000000000"]) == {}
        assert fake.count(path=r"/issues$") == 2 and tracker.policy.waits == [0.0]


def test_missing_token_names_the_variable():
    with FakeGitHub() as fake:
        tracker = github_tracker(fake)
        tracker._token = None  # noqa: SLF001 - our own adapter, as built without the variable
        with pytest.raises(TrackerFailure, match="no token: set GITHUB_TOKEN"):
            tracker.connect()

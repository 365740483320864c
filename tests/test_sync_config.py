"""The `trackers` settings: validation messages, environment overrides, secrets kept out of reprs."""

from __future__ import annotations

import pytest

from followthrough.core.errors import ConfigError
from followthrough.config.trackers import load_trackers
from followthrough.core.sync.config import DEFAULT_DUPLICATE_TRANSITIONS, DEFAULT_WONT_DO, GITHUB_DOT_COM_API
from followthrough.trackers.retry import Clock, RetryPolicy, retry_after_seconds
from followthrough.core.sync.tickets import TrackerFailure

WHERE = "mkdocs.yml"
JIRA = {"type": "jira-cloud", "url": "https://acme.atlassian.net/", "email": "bot@acme.com", "project": "PAY"}
DC = {"type": "jira-dc", "url": "https://jira.acme.internal", "project": "OPS", "token_env": "JIRA_DC_TOKEN"}
GH = {"type": "github", "repo": "acme/web"}


def load(raw, **env):
    return load_trackers(raw, WHERE, env)


def test_a_full_configuration():
    t = load(
        {"default": "pay", "teams": {"payments": "pay"}, "services": {"web": "web"}, "destinations": {"pay": JIRA, "ops": DC, "web": GH}},
        JIRA_API_TOKEN="j-token",
        JIRA_DC_TOKEN="dc-token",
        GITHUB_TOKEN="g-token",
    )
    pay, ops, web = t.destinations["pay"], t.destinations["ops"], t.destinations["web"]
    assert (pay.url, pay.project, pay.token_env, pay.wont_do) == ("https://acme.atlassian.net", "PAY", "JIRA_API_TOKEN", DEFAULT_WONT_DO)
    assert (ops.kind, ops.token_env) == ("jira-dc", "JIRA_DC_TOKEN")
    assert (web.url, web.repo, web.token_env) == (GITHUB_DOT_COM_API, "acme/web", "GITHUB_TOKEN")
    assert sorted(t.all_secrets()) == ["dc-token", "g-token", "j-token"]
    for value in ("j-token", "dc-token", "g-token"):
        assert value not in repr(t) and value not in str(t.token("pay")) and value not in f"{t.secrets}"


def test_duplicate_transitions_and_settle_minutes():
    t = load({"destinations": {"pay": {**JIRA, "duplicate_transitions": ["Resolve as duplicate"]}, "ops": DC}, "settle_minutes": 30})
    assert t.destinations["pay"].duplicate_transitions == ("Resolve as duplicate",) and t.settle_minutes == 30
    assert t.destinations["ops"].duplicate_transitions == DEFAULT_DUPLICATE_TRANSITIONS and load({"destinations": {"ops": DC}}).settle_minutes == 15
    assert load({"destinations": {"ops": {**DC, "duplicate_transitions": []}}}).destinations["ops"].duplicate_transitions == ()
    with pytest.raises(ConfigError) as refused:
        load({"destinations": {"web": {**GH, "duplicate_transitions": ["Close"]}}, "settle_minutes": -1})
    assert "destinations.web.duplicate_transitions: only Jira destinations take this setting" in str(refused.value)
    assert "trackers.settle_minutes: must not be negative" in str(refused.value)


def test_jira_variables_override_the_file():
    t = load({"destinations": {"pay": JIRA}}, JIRA_BASE_URL="https://other.atlassian.net", JIRA_USER_EMAIL="me@acme.com")
    assert (t.destinations["pay"].url, t.destinations["pay"].email) == ("https://other.atlassian.net", "me@acme.com")


def test_actions_variables_fill_in_but_do_not_override():
    env = {"GITHUB_API_URL": "https://ghe.acme.com/api/v3", "GITHUB_REPOSITORY": "acme/postmortems"}
    explicit = load({"destinations": {"web": GH}}, **env).destinations["web"]
    assert (explicit.url, explicit.repo) == ("https://ghe.acme.com/api/v3", "acme/web")
    filled = load({"destinations": {"web": {"type": "github"}}}, **env).destinations["web"]
    assert filled.repo == "acme/postmortems"
    pinned = load({"destinations": {"web": {**GH, "url": "https://api.github.com"}}}, **env).destinations["web"]
    assert pinned.url == "https://api.github.com"


def test_every_problem_is_reported_at_once_naming_the_setting():
    raw = {
        "default": "nope",
        "teams": {"payments": "gone"},
        "timeout": 0,
        "destinations": {
            "a": {"type": "jira-cloud", "url": "ftp://x", "project": "pay"},
            "b": {"type": "github", "repo": "not a repo", "project": "X"},
            "c": {"type": "jira-dc", "url": "https://user:pw@jira.example.com", "project": "OPS", "projet": "OPS"},
            "d": {"type": "linear"},
        },
    }
    with pytest.raises(ConfigError) as err:
        load(raw)
    lines = str(err.value).splitlines()
    p = "mkdocs.yml: plugins.followthrough.trackers."
    assert f"{p}destinations.a.project: 'pay' is not a Jira project key such as PAY" in lines
    assert f"{p}destinations.a.email: missing; Jira Cloud API tokens belong to an account (or set JIRA_USER_EMAIL)" in lines
    assert f"{p}destinations.a.url: expected an https:// URL (ftp://x)" in lines
    assert f"{p}destinations.b.repo: 'not a repo' is not a GitHub repository as owner/name (or set GITHUB_REPOSITORY)" in lines
    assert f"{p}destinations.b.project: only Jira destinations take this setting" in lines
    assert f"{p}destinations.c.projet: not a setting; did you mean 'project'?" in lines
    assert any(line.startswith(f"{p}destinations.d.type:") for line in lines)
    assert f"{p}default: 'nope' is not one of the destinations ['a', 'b', 'c', 'd']" in lines
    assert f"{p}teams.payments: 'gone' is not one of the destinations ['a', 'b', 'c', 'd']" in lines
    assert f"{p}timeout: must be more than 0 seconds" in lines


def test_credentials_in_a_url_are_refused():
    with pytest.raises(ConfigError, match="put credentials in the environment, not in the URL"):
        load({"destinations": {"c": {**DC, "url": "https://user:pw@jira.example.com"}}})


@pytest.mark.parametrize("env", [{}, {"JIRA_BASE_URL": "http://jira.example.com"}])
def test_plain_http_off_this_machine_is_refused_as_the_report_refuses_it(env):
    """The token would cross the network in clear; http to loopback (a local relay, tests) stays allowed."""
    raw = {"destinations": {"c": {**DC, "url": "http://jira.example.com"}}}
    where = r" \(from JIRA_BASE_URL\)" if env else ""  # the value came from there, not from the file
    with pytest.raises(ConfigError, match=rf"destinations\.c\.url{where}: expected an https:// URL \(http://jira\.example\.com\)"):
        load_trackers(raw, "mkdocs.yml", env)
    assert load({"destinations": {"c": {**DC, "url": "http://127.0.0.1:8080"}}}).destinations["c"].url == "http://127.0.0.1:8080"


def test_trackers_must_be_a_mapping():
    with pytest.raises(ConfigError, match="trackers must be a mapping"):
        load(["pay"])
    assert not load(None).configured


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "Thu, 01 Jan 1970 00:01:40 GMT"}, 60.0),
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "130"}, 90.0),
        ({"x-ratelimit-remaining": "10", "x-ratelimit-reset": "130"}, None),
        ({"Retry-After": "\u00b2"}, None),  # a digit to str.isdigit, not to float
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "\u00b2"}, None),
        ({}, None),
    ],
)
def test_retry_after_in_seconds_dates_and_rate_limit_resets(headers, seconds):
    assert retry_after_seconds(headers, now=40.0) == seconds


def test_retry_policy_backs_off_honours_retry_after_and_gives_up():
    waits = []
    policy = RetryPolicy(retries=3, backoff=0.5, max_wait=10, clock=Clock(sleep=waits.append))
    calls = iter([TrackerFailure("x", retry=True), TrackerFailure("x", retry=True, retry_after=4), TrackerFailure("x", retry=True), "ok"])

    def call():
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    assert policy.read(call) == "ok"
    assert waits == [0.5, 4, 2.0]
    with pytest.raises(TrackerFailure, match="^x$"):  # a Retry-After beyond max_wait: give up at once
        RetryPolicy(retries=3, max_wait=10, clock=Clock(sleep=waits.append)).read(lambda: (_ for _ in ()).throw(TrackerFailure("x", retry=True, retry_after=60)))
    with pytest.raises(TrackerFailure, match="^bad$"):
        policy.read(lambda: (_ for _ in ()).throw(TrackerFailure("bad", status=400)))

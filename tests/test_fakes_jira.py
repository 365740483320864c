"""The Jira fake, driven by the real `jira.JIRA` client: what sync relies on it to do like Jira."""

from __future__ import annotations

import pytest
import requests
from jira import JIRA, JIRAError

from .fakes import FakeJira
from .fakes.jira_server import adf, adf_text
from followthrough.trackers.jira_tracker import jql_in, jql_quote


def client(fake: FakeJira, **options) -> JIRA:
    if fake.cloud:
        return JIRA(server=fake.url, basic_auth=(fake.email, fake.token), options={"rest_api_version": "3"}, max_retries=0, timeout=5, logging=False, **options)
    return JIRA(server=fake.url, token_auth=fake.token, max_retries=0, timeout=5, logging=False, **options)


def task(summary: str = "Add an alert", **fields):
    return {"project": {"key": "PAY"}, "issuetype": {"name": "Task"}, "summary": summary, **fields}


def test_construction_reads_server_info_and_knows_the_deployment(jira, jira_dc):
    assert client(jira).deploymentType == "Cloud"
    assert client(jira_dc).deploymentType == "Server"
    assert [r.path for r in jira.records] == ["/rest/api/3/serverInfo"]


def test_create_by_key_and_name_is_one_post_and_get_returns_the_fields(jira):
    api = client(jira)
    jira.reset_counts()
    created = api.create_issue(fields=task(description=adf("line one\nline two"), labels=["postmortem", "ft-1"], assignee={"accountId": "acc-ana"}, duedate="2026-06-05", priority={"name": "High"}), prefetch=False)
    assert created.key == "PAY-1"
    assert [(r.method, r.path, r.status) for r in jira.records] == [("POST", "/rest/api/3/issue", 201)]
    issue = api.issue("PAY-1")
    assert issue.fields.summary == "Add an alert"
    assert issue.fields.status.statusCategory.key == "new"
    assert issue.fields.assignee.accountId == "acc-ana"
    assert issue.fields.priority.name == "High"
    assert issue.fields.duedate == "2026-06-05"
    assert adf_text(issue.raw["fields"]["description"]) == "line one\nline two"


def test_cloud_v3_wants_a_document_and_dc_wants_text(jira, jira_dc):
    with pytest.raises(JIRAError) as bad:
        client(jira).create_issue(fields=task(description="plain text"), prefetch=False)
    assert bad.value.status_code == 400 and "Atlassian Document" in bad.value.text
    client(jira_dc).create_issue(fields=task(description="plain *wiki* text", assignee={"name": "acc-ana"}), prefetch=False)
    assert jira_dc.issues["PAY-1"].description == "plain *wiki* text"


def test_validation_errors_name_the_field(jira):
    api = client(jira)
    cases = [
        (task(labels=["has space"]), "labels", "contains spaces"),
        (task(assignee={"accountId": "nobody"}), "assignee", "does not exist"),
        (task(priority={"name": "Urgent!!"}), "priority", "Priority"),
        ({**task(), "project": {"key": "NOPE"}}, "project", "valid project"),
        (task(customfield_1="x"), "customfield_1", "cannot be set"),
    ]
    for fields, name, words in cases:
        with pytest.raises(JIRAError) as bad:
            api.create_issue(fields=fields, prefetch=False)
        assert bad.value.status_code == 400
        assert words in bad.value.response.json()["errors"][name]
    assert jira.issues == {}


def test_cloud_search_jql_pages_by_token_and_returns_only_ids_unless_asked(jira):
    api = client(jira)
    for n in range(250):
        jira.add_issue("PAY", f"issue {n}", labels=["postmortem"])
    jira.reset_counts()
    found = api.enhanced_search_issues('labels = "postmortem"', maxResults=False, fields=["status", "labels"])
    assert len(found) == 250 and found[0].key == "PAY-1"
    searches = [r for r in jira.records if r.path.endswith("/search/jql")]
    assert len(searches) == 3 and "nextPageToken" in searches[1].query
    bare = requests.get(f"{jira.url}/rest/api/3/search/jql", params={"jql": "project = PAY", "maxResults": 2}, auth=(jira.email, jira.token), timeout=5).json()
    assert bare["issues"] == [{"id": "10001"}, {"id": "10002"}] and bare["isLast"] is False


def test_cloud_answers_410_on_the_removed_search(jira):
    for version in ("2", "3", "latest"):
        r = requests.get(f"{jira.url}/rest/api/{version}/search", params={"jql": "project = PAY"}, auth=(jira.email, jira.token), timeout=5)
        assert r.status_code == 410
        assert "migrate to the /rest/api/3/search/jql API" in r.json()["errorMessages"][0]


def test_cloud_refuses_unbounded_queries(jira):
    with pytest.raises(JIRAError) as bad:
        client(jira).enhanced_search_issues("order by key", maxResults=10)
    assert bad.value.status_code == 400 and "Unbounded" in bad.value.text


def test_dc_search_pages_by_start_at(jira_dc):
    api = client(jira_dc)
    for n in range(230):
        jira_dc.add_issue("PAY", f"issue {n}")
    jira_dc.reset_counts()
    found = api.search_issues("project = PAY", maxResults=False, fields=["status"])
    assert len(found) == 230
    starts = [r.query.get("startAt") for r in jira_dc.records if r.path.endswith("/search")]
    assert starts == [["0"], ["100"], ["200"]]
    assert api.search_issues("project = PAY", maxResults=10, fields=["status"]).total == 230


def test_dc_has_no_search_jql(jira_dc):
    r = requests.get(f"{jira_dc.url}/rest/api/2/search/jql", params={"jql": "project = PAY"}, headers={"Authorization": f"Bearer {jira_dc.token}"}, timeout=5)
    assert r.status_code == 404


def test_a_deleted_key_fails_the_whole_key_in_query(jira):
    api = client(jira)
    for n in range(3):
        jira.add_issue("PAY", f"issue {n}")
    jira.delete("PAY-2")
    with pytest.raises(JIRAError) as bad:
        api.enhanced_search_issues(jql_in("key", ["PAY-1", "PAY-2", "PAY-3"]), maxResults=False, fields=["status"])
    assert bad.value.status_code == 400
    assert "An issue with key 'PAY-2' does not exist for field 'key'." in bad.value.text
    assert [i.key for i in api.enhanced_search_issues(jql_in("key", ["PAY-1", "PAY-3"]), maxResults=False, fields=["status"])] == ["PAY-1", "PAY-3"]


def test_text_search_matches_words_and_labels_match_exactly(jira):
    api = client(jira)
    jira.add_issue("PAY", "marker ft-0011 inside", labels=["ft-0011"])
    jira.add_issue("PAY", "mentions ft-0011 too", labels=["ft-00112"])
    by_text = api.enhanced_search_issues('text ~ "ft-0011"', maxResults=False, fields=["labels"])
    by_label = api.enhanced_search_issues('labels = "ft-0011"', maxResults=False, fields=["labels"])
    assert len(by_text) == 2 and [i.key for i in by_label] == ["PAY-1"]


def test_status_category_tells_won_t_do_from_open(jira):
    api = client(jira)
    for n in range(3):
        jira.add_issue("PAY", f"issue {n}")
    jira.transition("PAY-1", "Won't Do", "Won't Do")  # a status of its own, in the done category
    jira.transition("PAY-2", "In Progress")
    not_done = api.enhanced_search_issues('project = PAY AND status != "Done"', maxResults=False, fields=["status"])
    open_ = api.enhanced_search_issues('project = PAY AND statusCategory != "Done"', maxResults=False, fields=["status"])
    assert {i.key for i in not_done} == {"PAY-1", "PAY-2", "PAY-3"}  # the trap: Won't Do is not "Done"
    assert {i.key for i in open_} == {"PAY-2", "PAY-3"}
    assert api.issue("PAY-1").fields.status.statusCategory.key == "done"


@pytest.mark.parametrize("value", ['plain', 'with "quotes"', "back\\slash", "new\nline", "tab\tand 'single'", "ünïcode — ok"])
def test_jql_quoting_round_trips_through_the_parser(jira, value):
    api = client(jira)
    jira.add_issue("PAY", "x", labels=[value.replace(" ", "_").replace("\n", "_").replace("\t", "_")])
    label = value.replace(" ", "_").replace("\n", "_").replace("\t", "_")
    assert [i.key for i in api.enhanced_search_issues(f"labels = {jql_quote(label)}", maxResults=False, fields=["labels"])] == ["PAY-1"]


def test_update_fields_and_labels(jira):
    api = client(jira)
    api.create_issue(fields=task(labels=["a"]), prefetch=False)
    issue = api.issue("PAY-1")
    issue.update(fields={"labels": ["a", "b"], "duedate": "2026-07-01"})
    assert jira.issues["PAY-1"].labels == ["a", "b"] and jira.issues["PAY-1"].duedate == "2026-07-01"


def test_wrong_credentials_are_refused_from_the_first_request(jira, jira_dc):
    with pytest.raises(JIRAError) as refused:
        JIRA(server=jira.url, basic_auth=(jira.email, "wrong"), max_retries=0, timeout=5, logging=False)
    assert refused.value.status_code == 401
    with pytest.raises(JIRAError):
        JIRA(server=jira_dc.url, token_auth="wrong", max_retries=0, timeout=5, logging=False)
    anonymous = JIRA(server=jira.url, max_retries=0, timeout=5, logging=False)  # serverInfo needs no login
    with pytest.raises(JIRAError) as refused:
        anonymous.issue("PAY-1")
    assert refused.value.status_code == 401


def test_faults_429_with_retry_after_500_drop_and_slow(jira):
    api = client(jira)
    jira.inject("status", "GET", r"/issue/", status=429, retry_after="7")
    with pytest.raises(JIRAError) as limited:
        api.issue("PAY-1")
    assert limited.value.status_code == 429 and limited.value.response.headers["Retry-After"] == "7"
    jira.inject("status", "POST", r"/issue$", status=500, after=True)
    with pytest.raises(JIRAError):
        api.create_issue(fields=task(), prefetch=False)
    assert list(jira.issues) == ["PAY-1"]  # the create happened all the same
    jira.inject("drop", "POST", r"/issue$", after=True)
    with pytest.raises(requests.ConnectionError):
        api.create_issue(fields=task(), prefetch=False)
    assert list(jira.issues) == ["PAY-1", "PAY-2"]
    slow = JIRA(server=jira.url, basic_auth=(jira.email, jira.token), max_retries=0, timeout=0.3, logging=False)
    jira.inject("slow", "GET", r"/issue/", delay=30)
    with pytest.raises(requests.Timeout):
        slow.issue("PAY-1")
    assert jira.count(route="issue_create") == 2 and jira.count("write") == 2

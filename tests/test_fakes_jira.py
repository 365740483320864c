"""The Jira fake, driven by the real `jira.JIRA` client: what sync relies on it to do like Jira."""

from __future__ import annotations

import pytest
import requests
from jira import JIRA, JIRAError

from .conftest import NOON
from .fakes import Fault, FakeJira
from .fakes.jira_server import DEFAULT_STATUSES, adf, adf_text
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


# ---------------------------------------------------------------- the lagging search index


class FakeClock:
    """Seconds that move only when the test says so (shared with the fake's index)."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def lagging():
    clock = FakeClock()
    with FakeJira(search_lag=3, clock=clock, users={"acc-ana": "Ana"}) as fake:
        fake.now = lambda: NOON
        yield fake, clock


def keys(found) -> list[str]:
    return [i.key for i in found]


def test_cloud_search_lags_behind_writes_but_get_and_key_validation_do_not(lagging):
    fake, clock = lagging
    api = client(fake)
    created = api.create_issue(fields=task(labels=["ft-1"]), prefetch=False)
    assert keys(api.enhanced_search_issues('labels = "ft-1"', maxResults=False, fields=["labels"])) == []
    # The key is valid (no "does not exist" 400) but not found: the index has not seen it yet.
    assert keys(api.enhanced_search_issues(jql_in("key", [created.key]), maxResults=False, fields=["labels"])) == []
    assert api.issue(created.key, fields="labels,status").fields.labels == ["ft-1"]
    clock.t += 2.9
    assert keys(api.enhanced_search_issues('labels = "ft-1"', maxResults=False, fields=["labels"])) == []
    clock.t += 0.1
    assert keys(api.enhanced_search_issues('labels = "ft-1"', maxResults=False, fields=["labels"])) == ["PAY-1"]
    # A label change: search keeps seeing the version before, fields and all, until the lag has passed.
    api.issue("PAY-1", fields="labels,status").update(update={"labels": [{"remove": "ft-1"}, {"add": "ft-2"}]})
    assert fake.issues["PAY-1"].labels == ["ft-2"]
    stale = api.enhanced_search_issues('labels = "ft-1"', maxResults=False, fields=["labels"])
    assert keys(stale) == ["PAY-1"] and stale[0].fields.labels == ["ft-1"]
    assert keys(api.enhanced_search_issues('labels = "ft-2"', maxResults=False, fields=["labels"])) == []
    clock.t += 3
    assert keys(api.enhanced_search_issues('labels = "ft-1"', maxResults=False, fields=["labels"])) == []
    assert keys(api.enhanced_search_issues('labels = "ft-2"', maxResults=False, fields=["labels"])) == ["PAY-1"]


def test_helpers_and_deletes_lag_too_and_settle_catches_up(lagging):
    fake, clock = lagging
    api = client(fake)
    fake.add_issue("PAY", "one", labels=["postmortem"])
    fake.add_issue("PAY", "two", labels=["postmortem"])
    assert keys(api.enhanced_search_issues("project = PAY", maxResults=False, fields=["status"])) == []
    fake.settle()
    assert keys(api.enhanced_search_issues("project = PAY", maxResults=False, fields=["status"])) == ["PAY-1", "PAY-2"]
    fake.delete("PAY-1")
    fake.set_fields("PAY-2", summary="renamed")
    found = api.enhanced_search_issues("project = PAY", maxResults=False, fields=["summary"])
    assert keys(found) == ["PAY-1", "PAY-2"] and found[1].fields.summary == "two"  # a deleted issue lingers
    clock.t += 3
    found = api.enhanced_search_issues("project = PAY", maxResults=False, fields=["summary"])
    assert keys(found) == ["PAY-2"] and found[0].fields.summary == "renamed"


def test_reconcile_issues_reads_those_ids_as_they_are_now(lagging):
    fake, _ = lagging
    api = client(fake)
    for n in range(3):
        api.create_issue(fields=task(f"item {n}", labels=["postmortem"]), prefetch=False)
    ids = {key: issue.id for key, issue in fake.issues.items()}
    query = 'labels = "postmortem"'
    found = api.enhanced_search_issues(query, maxResults=False, fields=["labels"], reconcileIssues=[ids["PAY-1"], ids["PAY-3"]])
    assert keys(found) == ["PAY-1", "PAY-3"]  # PAY-2 is fresh too, but nobody asked for it
    get = [r for r in fake.records if r.path.endswith("/search/jql")][-1]
    assert get.method == "GET" and get.query["reconcileIssues"] == [str(ids["PAY-1"]), str(ids["PAY-3"])]
    posted = api.enhanced_search_issues(query, maxResults=False, fields=["labels"], reconcileIssues=[ids["PAY-2"]], use_post=True)
    assert keys(posted) == ["PAY-2"] and fake.records[-1].method == "POST"
    auth = (fake.email, fake.token)
    comma = requests.get(f"{fake.url}/rest/api/3/search/jql", params={"jql": query, "reconcileIssues": f"{ids['PAY-2']},{ids['PAY-3']}"}, auth=auth, timeout=5)
    assert comma.status_code == 200 and [i["id"] for i in comma.json()["issues"]] == [str(ids["PAY-2"]), str(ids["PAY-3"])]
    # A reconciled id also sees a change the index has not: PAY-1 no longer matches.
    fake.settle()
    api.issue("PAY-1").update(fields={"labels": ["other"]})
    assert keys(api.enhanced_search_issues(query, maxResults=False, fields=["labels"])) == ["PAY-1", "PAY-2", "PAY-3"]
    assert keys(api.enhanced_search_issues(query, maxResults=False, fields=["labels"], reconcileIssues=[ids["PAY-1"]])) == ["PAY-2", "PAY-3"]


def test_reconcile_issues_takes_at_most_50_integers(lagging):
    fake, _ = lagging
    auth = (fake.email, fake.token)
    url = f"{fake.url}/rest/api/3/search/jql"
    fifty = list(range(10001, 10051))
    assert requests.get(url, params={"jql": "project = PAY", "reconcileIssues": fifty}, auth=auth, timeout=5).status_code == 200
    assert requests.post(url, json={"jql": "project = PAY", "reconcileIssues": fifty}, auth=auth, timeout=5).status_code == 200
    for answer in (
        requests.get(url, params={"jql": "project = PAY", "reconcileIssues": [*fifty, 10051]}, auth=auth, timeout=5),
        requests.post(url, json={"jql": "project = PAY", "reconcileIssues": [*fifty, 10051]}, auth=auth, timeout=5),
    ):
        assert answer.status_code == 400 and "must not exceed 50" in answer.json()["errorMessages"][0]
        assert answer.json()["errors"] == {}
    for bad in (
        requests.get(url, params={"jql": "project = PAY", "reconcileIssues": "10001,PAY-1"}, auth=auth, timeout=5),
        requests.post(url, json={"jql": "project = PAY", "reconcileIssues": ["10001"]}, auth=auth, timeout=5),
        requests.post(url, json={"jql": "project = PAY", "reconcileIssues": [1.5]}, auth=auth, timeout=5),
        requests.post(url, json={"jql": "project = PAY", "reconcileIssues": 10001}, auth=auth, timeout=5),
    ):
        assert bad.status_code == 400 and "reconcileIssues" in bad.json()["errorMessages"][0]


def test_writes_through_transitions_and_comments_lag_too(lagging):
    fake, clock = lagging
    api = client(fake)
    fake.add_issue("PAY", "an item")
    fake.settle()
    done = next(t["id"] for t in api.transitions("PAY-1") if t["name"] == "Done")
    api.transition_issue("PAY-1", done)
    api.add_comment("PAY-1", adf("closed as a duplicate of PAY-9"))
    assert keys(api.enhanced_search_issues("project = PAY AND statusCategory = Done", maxResults=False, fields=["status"])) == []
    assert keys(api.enhanced_search_issues('text ~ "PAY-9"', maxResults=False, fields=["status"])) == []
    clock.t += 3
    assert keys(api.enhanced_search_issues("project = PAY AND statusCategory = Done", maxResults=False, fields=["status"])) == ["PAY-1"]
    assert keys(api.enhanced_search_issues('text ~ "PAY-9"', maxResults=False, fields=["status"])) == ["PAY-1"]


def test_data_center_search_does_not_lag():
    clock = FakeClock()
    with FakeJira("Server", search_lag=3, clock=clock) as fake:
        api = client(fake)
        api.create_issue(fields=task(labels=["ft-1"]), prefetch=False)
        assert keys(api.search_issues('labels = "ft-1"', maxResults=False, fields=["labels"])) == ["PAY-1"]


# ---------------------------------------------------------------- transitions and comments


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_transitions_list_the_resolution_screen_and_set_the_resolution(deployment):
    with FakeJira(deployment) as fake:
        fake.now = lambda: NOON
        api = client(fake)
        fake.add_issue("PAY", "an item")
        listed = api.transitions("PAY-1", expand="transitions.fields")
        assert [t["name"] for t in listed] == ["In Progress", "In Review", "Done", "Won't Do"]  # not the status it is in
        by_name = {t["name"]: t for t in listed}
        assert by_name["In Progress"]["fields"] == {} and by_name["In Progress"]["to"]["statusCategory"]["key"] == "indeterminate"
        allowed = [r["name"] for r in by_name["Done"]["fields"]["resolution"]["allowedValues"]]
        assert "Duplicate" in allowed and by_name["Done"]["hasScreen"] is True
        assert "fields" not in api.transitions("PAY-1")[0]  # only when expanded
        api.transition_issue("PAY-1", by_name["Done"]["id"], fields={"resolution": {"name": "Duplicate"}})
        issue = api.issue("PAY-1", fields="status,resolution,resolutiondate")
        assert (issue.fields.status.name, issue.fields.resolution.name) == ("Done", "Duplicate")
        assert issue.raw["fields"]["resolutiondate"] == "2026-06-01T12:00:00.000+0000"
        api.transition_issue("PAY-1", "To Do")  # by name: the client looks the id up
        issue = api.issue("PAY-1", fields="status,resolution,resolutiondate")
        assert (issue.fields.status.name, issue.fields.resolution, issue.fields.resolutiondate) == ("To Do", None, None)
        api.transition_issue("PAY-1", by_name["Won't Do"]["id"])
        assert (fake.issues["PAY-1"].status, fake.issues["PAY-1"].resolution) == ("Won't Do", "Done")  # none given


def test_transitions_refuse_what_the_workflow_does_not_offer(jira):
    api = client(jira)
    jira.add_issue("PAY", "an item")
    ids = {t["name"]: t["id"] for t in api.transitions("PAY-1")}
    with pytest.raises(JIRAError) as unavailable:
        api.transition_issue("PAY-1", "11")  # "To Do", the status it is in
    assert unavailable.value.status_code == 400
    assert unavailable.value.response.json() == {"errorMessages": ["Transition id '11' is not valid for this issue."], "errors": {}}
    with pytest.raises(JIRAError) as unknown:
        api.transition_issue("PAY-1", "999")
    assert unknown.value.status_code == 400
    with pytest.raises(JIRAError) as resolution:
        api.transition_issue("PAY-1", ids["Done"], fields={"resolution": {"name": "Fixed Elsewhere"}})
    assert resolution.value.status_code == 400 and "Fixed Elsewhere" in resolution.value.response.json()["errors"]["resolution"]
    with pytest.raises(JIRAError) as off_screen:
        api.transition_issue("PAY-1", ids["In Progress"], fields={"resolution": {"name": "Done"}})
    assert off_screen.value.status_code == 400 and "resolution" in off_screen.value.response.json()["errors"]
    with pytest.raises(JIRAError) as no_such_name:
        api.transition_issue("PAY-1", "Duplicate")  # the default workflow has no duplicate transition
    assert "Invalid transition name" in str(no_such_name.value)
    assert jira.issues["PAY-1"].status == "To Do"
    bare = requests.post(f"{jira.url}/rest/api/3/issue/PAY-1/transitions", json={"fields": {}}, auth=(jira.email, jira.token), timeout=5)
    assert bare.status_code == 400 and bare.json()["errorMessages"]


def test_workflows_with_and_without_a_duplicate_transition():
    with FakeJira(statuses={**DEFAULT_STATUSES, "Duplicate": "done"}) as with_duplicate:
        api = client(with_duplicate)
        with_duplicate.add_issue("PAY", "an item")
        assert "Duplicate" in [t["name"] for t in api.transitions("PAY-1")]
        api.transition_issue("PAY-1", "Duplicate", fields={"resolution": {"name": "Duplicate"}})
        issue = api.issue("PAY-1", fields="status")
        assert (issue.fields.status.name, issue.fields.status.statusCategory.key) == ("Duplicate", "done")
    workflow = {"Start": "In Progress", "Finish": "Done", "Reopen": "To Do"}
    with FakeJira(transitions=workflow) as plain:
        api = client(plain)
        plain.add_issue("PAY", "an item")
        assert [t["name"] for t in api.transitions("PAY-1")] == ["Start", "Finish"]
        api.transition_issue("PAY-1", "Finish")
        assert [t["name"] for t in api.transitions("PAY-1")] == ["Start", "Reopen"]
    with pytest.raises(AssertionError):
        FakeJira(transitions={"Duplicate": "Duplicate"})  # no such status


def test_comments_v3_take_a_document_and_v2_text(jira, jira_dc):
    api = client(jira)
    jira.add_issue("PAY", "an item")
    document = adf("Duplicate of PAY-2.\nClosed by followthrough.")
    added = api.add_comment("PAY-1", document)
    assert jira.issues["PAY-1"].comments[0].body == document  # the library sends the document as it is
    assert added.raw["body"] == document and added.author.accountId == jira.email
    with pytest.raises(JIRAError) as plain:
        api.add_comment("PAY-1", "plain text")
    assert plain.value.status_code == 400 and plain.value.response.json()["errors"] == {"comment": "Comment body is not valid!"}
    assert [adf_text(c.raw["body"]) for c in api.comments("PAY-1")] == ["Duplicate of PAY-2.\nClosed by followthrough."]
    listing = requests.get(f"{jira.url}/rest/api/3/issue/PAY-1/comment", auth=(jira.email, jira.token), timeout=5).json()
    assert (listing["total"], listing["startAt"], len(listing["comments"])) == (1, 0, 1)
    assert jira.comments_of("PAY-1") == ["Duplicate of PAY-2.\nClosed by followthrough."]
    assert api.issue("PAY-1", fields="comment").raw["fields"]["comment"]["total"] == 1

    dc = client(jira_dc)
    jira_dc.add_issue("PAY", "an item")
    assert dc.add_comment("PAY-1", "Duplicate of PAY-2.").body == "Duplicate of PAY-2."
    with pytest.raises(JIRAError) as empty:
        dc.add_comment("PAY-1", "  ")
    assert empty.value.status_code == 400 and "empty" in empty.value.response.json()["errors"]["comment"]
    dc.issue("PAY-1").update(update={"comment": [{"add": {"body": "via an update"}}]})
    assert jira_dc.comments_of("PAY-1") == ["Duplicate of PAY-2.", "via an update"]


def test_label_updates_through_update_operations(jira):
    api = client(jira)
    jira.add_issue("PAY", "an item", labels=["postmortem", "ft-1"])
    issue = api.issue("PAY-1", fields="labels,status")
    assert issue.fields.labels == ["postmortem", "ft-1"] and issue.fields.status.name == "To Do"
    issue.update(update={"labels": [{"remove": "ft-1"}, {"add": "ft-duplicate"}]})
    assert jira.issues["PAY-1"].labels == ["postmortem", "ft-duplicate"]


# ---------------------------------------------------------------- faults: skip, HTML, defer


def test_a_proxy_login_page_after_five_writes(jira):
    api = client(jira)
    page = b"<!DOCTYPE html><html><body><form action='/login'>Sign in</form></body></html>"
    jira.inject("status", status=200, body=page, headers={"Content-Type": "text/html"}, times=10**6, skip=5, method="POST")
    for n in range(5):
        api.create_issue(fields=task(f"item {n}"), prefetch=False)
    answer = requests.post(f"{jira.url}/rest/api/3/issue", json={"fields": task()}, auth=(jira.email, jira.token), timeout=5)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/html" and answer.content == page
    assert api.issue("PAY-5").key == "PAY-5"  # reads pass: the fault is for POSTs
    assert len(jira.issues) == 5 and jira.count(method="POST") == 6


def test_a_deferred_create_takes_effect_only_when_applied(jira):
    api = client(jira)
    jira.inject("defer", "POST", r"/issue$")
    with pytest.raises(requests.ConnectionError):
        api.create_issue(fields=task(labels=["ft-1"]), prefetch=False)
    assert jira.issues == {} and jira.deferred == 1
    assert [(r.method, r.route, r.status, r.fault) for r in jira.records[-1:]] == [("POST", "issue_create", 0, "defer")]
    api.create_issue(fields=task("another"), prefetch=False)  # the fault was for one request
    assert jira.apply_deferred() == 1 and jira.apply_deferred() == 0
    assert [(i.key, i.summary) for i in jira.issues.values()] == [("PAY-1", "another"), ("PAY-2", "Add an alert")]
    assert jira.issues["PAY-2"].reporter == jira.email and jira.issues["PAY-2"].labels == ["ft-1"]
    assert jira.count(route="issue_create") == 2  # the deferred request is recorded once


def test_fault_kinds_are_checked():
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("dorp")
    with pytest.raises(ValueError, match="after=True"):
        Fault("defer", after=True)


def test_a_create_applied_late_is_then_indexed_late(lagging):
    fake, clock = lagging
    api = client(fake)
    fake.inject("defer", "POST", r"/issue$")
    with pytest.raises(requests.ConnectionError):
        api.create_issue(fields=task(labels=["ft-1"]), prefetch=False)
    clock.t += 10  # the client's timeout and backoff: nothing to find yet, in search or by key
    assert keys(api.enhanced_search_issues('labels = "ft-1"', maxResults=False, fields=["labels"])) == []
    with pytest.raises(JIRAError) as missing:
        api.issue("PAY-1")
    assert missing.value.status_code == 404
    assert fake.apply_deferred() == 1
    assert api.issue("PAY-1").fields.labels == ["ft-1"]
    assert keys(api.enhanced_search_issues('labels = "ft-1"', maxResults=False, fields=["labels"])) == []
    assert keys(api.enhanced_search_issues('labels = "ft-1"', maxResults=False, fields=["labels"], reconcileIssues=[fake.issues["PAY-1"].id])) == ["PAY-1"]
    clock.t += 3
    assert keys(api.enhanced_search_issues('labels = "ft-1"', maxResults=False, fields=["labels"])) == ["PAY-1"]


def test_a_skipping_fault_lets_other_faults_apply_to_the_skipped_requests(jira):
    api = client(jira)
    jira.inject("status", "GET", r"/issue/", status=503, skip=1)
    jira.inject("status", "GET", r"/issue/", status=429, retry_after="1")
    statuses = []
    for _ in range(3):
        with pytest.raises(JIRAError) as failed:
            api.issue("PAY-1")
        statuses.append(failed.value.status_code)
    assert statuses == [429, 503, 404]  # the first went on to the second fault; the third met none


def test_a_moved_issue_is_found_by_its_old_key(jira):
    issue = jira.add_issue("PAY", "Moved along", labels=["postmortem"])
    new = jira.move(issue.key, "OPS")
    assert new == "OPS-1" and jira.moved == {"PAY-1": "OPS-1"}
    jira_client = client(jira)
    assert jira_client.issue("PAY-1").key == "OPS-1"
    assert [i.key for i in jira_client.enhanced_search_issues('key in ("PAY-1")', maxResults=False)] == ["OPS-1"]

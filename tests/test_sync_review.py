"""Regressions found in review: URL tickets, a lost ticket line, stale state, a server that answers nonsense."""

from __future__ import annotations

import http.server
import threading

import pytest

from .fakes.postmortem_repo import Item, Pm, build_repo
from .sync_setup import FAST, env_for, gh_dest, jira_dest, state, sync, tickets_in, two_items


def test_ticket_urls_are_read_as_keys_or_left_alone(tmp_path, jira):
    issue = jira.add_issue("PAY", "Size the pool")
    pm = Pm("urls", [Item("jira-url", "Size the pool", ticket=f"{jira.url}/browse/{issue.key}"), Item("linear", "Rotate keys", ticket="https://linear.app/acme/issue/OPS-9")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    result = sync(root, env=env_for(jira))
    assert result.code == 0, result.out + result.err
    assert state(root)[f"{pm.id}/jira-url"]["ticket"] == issue.key
    assert "https://linear.app/acme/issue/OPS-9 is not in Jira or GitHub; not synced" in result.out
    assert jira.count("write") == 0


def test_an_item_that_lost_its_ticket_line_is_not_silently_relinked(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    assert sync(root, env=env_for(jira)).code == 0
    path = root / pm.path
    path.write_text(path.read_text().replace("    ticket: PAY-1\n", ""))
    before = path.read_bytes()
    writes = jira.count("write")
    again = sync(root, env=env_for(jira))
    assert again.code == 1
    assert "its marker belongs to PAY-1, linked to this item before" in again.out
    assert jira.count("write") == writes and path.read_bytes() == before


def test_a_state_entry_for_a_ticket_the_item_no_longer_names_is_dropped(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    assert sync(root, env=env_for(jira)).code == 0
    jira.transition("PAY-1", "Done", resolution="Done")
    assert sync(root, env=env_for(jira)).code == 0
    assert state(root)[f"{pm.id}/pool-alert"]["status"] == "done"
    path = root / pm.path
    path.write_text(path.read_text().replace("ticket: PAY-1", "ticket: PAY-77"))
    result = sync(root, env=env_for(jira))
    assert result.code == 1  # PAY-77 does not exist
    assert f"{pm.id}/pool-alert" not in state(root)  # no longer "done" on the strength of PAY-1


class _HtmlEverywhere(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = b"<html><body>Sign in</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def html_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HtmlEverywhere)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_destination_answering_html_fails_alone(tmp_path, jira, github, html_server):
    pay, web = two_items("pay"), two_items("web", teams=("web",), services=("web",))
    bogus = {**gh_dest(github), "url": html_server}
    root = build_repo(tmp_path, {"default": "pay", "services": {"web": "web"}, "destinations": {"pay": jira_dest(jira), "web": bogus}, **FAST}, [pay, web])
    result = sync(root, env=env_for(jira, github))
    assert result.code == 1
    assert "web: GitHub at " in result.out and "answered with an HTML page, not the API: is a proxy or an SSO login in the way?" in result.out
    assert tickets_in(root, pay) == ["PAY-1", "PAY-2"]
    assert f"{pay.id}/pool-alert" in state(root)  # the state file is still written


def test_a_url_with_a_bad_port_is_a_config_error(tmp_path, jira):
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": {**jira_dest(jira), "url": "http://127.0.0.1:1:2"}}}, [two_items()])
    result = sync(root, env=env_for(jira))
    assert result.code == 2 and "url: not a usable URL (http://127.0.0.1:1:2)" in result.err


def test_a_title_with_trailing_space_is_written_back(tmp_path, jira):
    pm = Pm("spaces", [Item("pool", "Size the pool ")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    text = (root / pm.path).read_text()
    assert '    title: "Size the pool "\n' in text  # the parser reads it stripped; write-back must agree
    result = sync(root, env=env_for(jira))
    assert result.code == 0, result.out + result.err
    assert tickets_in(root, pm) == ["PAY-1"]


def test_a_postmortem_whose_front_matter_does_not_parse_fails_the_run(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    path = root / pm.path
    path.write_text(path.read_text().replace("status: published", "status: [published"))
    result = sync(root, env=env_for(jira))
    assert result.code == 1 and "skipped: 1 lint error(s)" in result.out

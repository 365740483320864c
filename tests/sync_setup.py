"""What the sync tests share: tracker settings for the loopback fakes, the environment holding
their tokens, running `followthrough sync`, and reading a repo back. The fakes themselves are
fixtures in conftest.py (`jira`, `jira_dc`, `github`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contextlib import contextmanager
from typing import Iterator

from .conftest import NOON, assert_no_traceback, run_cli
from .fakes import FakeGitHub, FakeJira
from .fakes.postmortem_repo import JIRA_IDS, Item, Pm, build_repo

TODAY = "2026-06-01"  # the day the fakes' clock is at (conftest.NOON)
GH_TOKEN = "gh-test-token"
FAST = {"backoff": 0, "timeout": 2, "retries": 3}  # retries without waiting: the waits are tested on a recording clock


def jira_dest(fake: FakeJira, project: str = "PAY", **extra: Any) -> dict[str, Any]:
    if fake.cloud:
        return {"type": "jira-cloud", "url": fake.url, "email": fake.email, "project": project, **extra}
    return {"type": "jira-dc", "url": fake.url, "project": project, **extra}


def gh_dest(fake: FakeGitHub, repo: str = "acme/web", **extra: Any) -> dict[str, Any]:
    return {"type": "github", "url": fake.api, "repo": repo, "seconds_between_requests": 0, "seconds_between_writes": 0, **extra}


def env_for(jira: FakeJira | None = None, github: FakeGitHub | None = None, **extra: str) -> dict[str, str]:
    env = {"FOLLOWTHROUGH_TODAY": TODAY}
    if jira is not None:
        env["JIRA_API_TOKEN"] = jira.token
    if github is not None:
        env["GITHUB_TOKEN"] = GH_TOKEN
    env.update(extra)
    return env


def sync(root: Path, *args: str, env: dict[str, str]):
    result = run_cli("sync", *args, cwd=root, env=env)
    assert_no_traceback(result)
    return result


def tickets_in(root: Path, pm: Pm) -> list[str | None]:
    """The ticket of each item, read back through the parser."""
    from followthrough.core.parse import parse_postmortem
    from followthrough.core.settings import DEFAULT_SETTINGS

    parsed, _ = parse_postmortem((root / pm.path).read_text(encoding="utf-8"), pm.path, DEFAULT_SETTINGS)
    return [i.ticket for i in parsed.action_items]


def state(root: Path) -> dict[str, Any]:
    return json.loads((root / ".followthrough" / "state.json").read_text())["items"]


def two_items(slug: str = "payments", **pm: Any) -> Pm:
    return Pm(slug, [Item("pool-alert", "Alert when the payments pool is above 90% for five minutes"), Item("pool-size", "Size the pool from measured peak load", owner="nia.sme", due="2026-06-15", priority="P2")], **pm)


@contextmanager
def one_item_jira(root: Path, deployment: str = "Cloud", **fake_options: Any) -> Iterator[tuple[FakeJira, Pm, Path]]:
    """A Jira fake (with the people as users, on the fixtures' noon) and a repo of one postmortem
    with one item, `pool-alert`, routed to it: what the duplicate scenarios start from."""
    fake_options.setdefault("users", {v: k for k, v in JIRA_IDS.items()})
    with FakeJira(deployment, **fake_options) as fake:
        fake.now = lambda: NOON
        pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
        yield fake, pm, build_repo(root, {"default": "pay", "destinations": {"pay": jira_dest(fake)}, **FAST}, [pm])

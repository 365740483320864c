"""The repo's templates and the tracker state file are read without following a link, never
from a special file, never past the size limit; sync never writes the state file through a
link. Run for real: `mkdocs build`, `followthrough pages`, `new`, `report` and `sync`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from followthrough.core.errors import ConfigError
from followthrough.core.model import TicketState
from followthrough.files.state import read_state, write_state

from .conftest import assert_no_traceback, lint_repo, run_cli
from .site_builds import SITE_TODAY, build_site, copy_fixture, pages_out
from .fakes.postmortem_repo import Item, Pm, build_repo
from .sync_setup import FAST, env_for, jira_dest

SECRET = "TOPSECRET-build-machine-value"
LEAK_URL = "https://leak.example/LEAKED-STATE"


def outside_secret(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(f"{SECRET}\n")
    return secret


def nothing_leaked(root: Path, *outputs: str, marker: str = SECRET) -> None:
    for text in outputs:
        assert marker not in text
    for folder in (root / "site", root.parent / "out"):
        if folder.exists():
            for p in folder.rglob("*"):
                if p.is_file():
                    assert marker.encode() not in p.read_bytes(), p


# -- templates ---------------------------------------------------------------------------


def test_a_linked_site_template_fails_the_build_naming_it_and_publishes_nothing(tmp_path):
    root = copy_fixture(tmp_path)
    secret = outside_secret(tmp_path)
    (root / "templates" / "site").mkdir(parents=True)
    (root / "templates" / "site" / "home.md.j2").symlink_to(secret)
    result = build_site(root)
    assert result.returncode == 1
    assert f"templates/site/home.md.j2: a symbolic link (to {secret})" in result.stderr, result.stderr
    assert not (root / "site").exists()
    nothing_leaked(root, result.stdout, result.stderr)


@pytest.mark.parametrize("linked", ["templates", "templates/site"])
def test_a_linked_template_folder_fails_the_build_naming_the_folder(tmp_path, linked):
    root = copy_fixture(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "site").mkdir(parents=True)
    (elsewhere / "site" / "home.md.j2").write_text(SECRET)
    (elsewhere / "home.md.j2").write_text(SECRET)
    target = elsewhere if linked == "templates" else elsewhere / "site"
    (root / linked).parent.mkdir(parents=True, exist_ok=True)
    (root / linked).symlink_to(target)
    result = build_site(root)
    assert result.returncode == 1
    assert f"{linked}: a symbolic link (to {target})" in result.stderr, result.stderr
    nothing_leaked(root, result.stdout, result.stderr)


def test_a_template_included_by_a_regular_one_is_read_without_following_a_link(tmp_path):
    # The page template itself is fine; the macros it imports are a link.
    root = copy_fixture(tmp_path)
    secret = outside_secret(tmp_path)
    site = root / "templates" / "site"
    site.mkdir(parents=True)
    (site / "tags.md.j2").write_text('{% import "site/leak.md.j2" as leak %}\n# Tags\n')
    (site / "leak.md.j2").symlink_to(secret)
    result = build_site(root)
    assert result.returncode == 1
    assert f"templates/site/leak.md.j2: a symbolic link (to {secret})" in result.stderr, result.stderr
    nothing_leaked(root, result.stdout, result.stderr)


def test_a_template_cannot_include_a_file_outside_the_template_folders(tmp_path):
    root = copy_fixture(tmp_path)
    outside_secret(tmp_path)
    site = root / "templates" / "site"
    site.mkdir(parents=True)
    (site / "tags.md.j2").write_text('# Tags\n{% include "../../../outside/secret.txt" %}\n')
    result = build_site(root)
    assert result.returncode == 1
    assert "../../../outside/secret.txt" in result.stderr
    nothing_leaked(root, result.stdout, result.stderr)


def test_a_fifo_template_is_refused_without_waiting_for_a_writer(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "templates" / "site").mkdir(parents=True)
    os.mkfifo(root / "templates" / "site" / "home.md.j2")  # opened to read, it would wait for ever
    result = build_site(root)
    assert result.returncode == 1
    assert "templates/site/home.md.j2: a named pipe (FIFO), not a regular file" in result.stderr, result.stderr


def test_a_template_over_max_file_mb_is_refused_and_never_read(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "templates" / "site").mkdir(parents=True)
    with open(root / "templates" / "site" / "home.md.j2", "wb") as f:
        f.truncate(64 * 1024**3)  # sparse: 64 GB that reading whole would exhaust memory
    result = build_site(root)
    assert result.returncode == 1
    assert "templates/site/home.md.j2: 64.0 GB, over the 10.0 MB limit (max_file_mb)" in result.stderr, result.stderr


def test_a_regular_override_template_still_wins_over_the_packaged_one(tmp_path):
    root = copy_fixture(tmp_path)
    site = root / "templates" / "site"
    site.mkdir(parents=True)
    (site / "tags.md.j2").write_text('{% import "site/_macros.md.j2" as m %}\n# Our own tags page\n\nOVERRIDE-MARKER\n')
    result = build_site(root)
    assert result.returncode == 0, result.stderr
    assert "OVERRIDE-MARKER" in (root / "site" / "tags" / "index.html").read_text()
    assert "OVERRIDE-MARKER" not in (root / "site" / "index.html").read_text()  # the others are the package's


def test_pages_out_refuses_a_linked_template(tmp_path):
    root = copy_fixture(tmp_path)
    secret = outside_secret(tmp_path)
    (root / "templates" / "site").mkdir(parents=True)
    (root / "templates" / "site" / "home.md.j2").symlink_to(secret)
    result = pages_out(root, str(tmp_path / "out"))
    assert result.code == 2
    assert f"templates/site/home.md.j2: a symbolic link (to {secret})" in result.err, result.err
    nothing_leaked(root, result.out, result.err)


def test_new_refuses_a_linked_postmortem_template(tmp_path):
    root = lint_repo(tmp_path / "repo")
    secret = outside_secret(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "postmortem.md.j2").symlink_to(secret)
    result = run_cli("new", "checkout outage", "--date", "2027-01-05", cwd=root)
    assert_no_traceback(result)
    assert result.code == 2
    assert f"templates/postmortem.md.j2: a symbolic link (to {secret})" in result.err, result.err
    assert not (root / "postmortems" / "2027").exists()
    assert SECRET not in result.out + result.err


def test_new_still_uses_a_regular_template_of_the_repo(tmp_path):
    root = lint_repo(tmp_path / "repo")
    (root / "templates").mkdir()
    (root / "templates" / "postmortem.md.j2").write_text("---\ntitle: {{ title | yaml_str }}\n---\nOUR-SKELETON\n")
    result = run_cli("new", "checkout outage", "--date", "2027-01-05", cwd=root)
    assert result.code == 0, result.err
    assert "OUR-SKELETON" in (root / "postmortems" / "2027" / "2027-01-05-checkout-outage.md").read_text()


# -- the tracker state file: reading -----------------------------------------------------------


def leaky_state(tmp_path: Path) -> Path:
    """A valid state file outside the repo whose values would be published if it were read."""
    outside = tmp_path / "outside" / "state.json"
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_text(
        json.dumps(
            {"version": 1, "items": {"2024-03-05-checkout-outage/pool-alert": {"ticket": "LEAKED-1", "url": LEAK_URL, "status": "done", "done_on": "2024-03-14"}}}
        )
    )
    return outside


def link_state_file(root: Path, outside: Path) -> None:
    state = root / ".followthrough" / "state.json"
    state.unlink(missing_ok=True)
    state.parent.mkdir(exist_ok=True)
    state.symlink_to(outside)


def link_state_folder(root: Path, outside: Path) -> None:
    folder = root / ".followthrough"
    for p in folder.glob("*"):
        p.unlink()
    folder.rmdir()
    folder.symlink_to(outside.parent)


@pytest.mark.parametrize("how", ["file", "folder"])
def test_the_build_refuses_a_linked_state_file_and_publishes_none_of_it(tmp_path, how):
    root = copy_fixture(tmp_path)
    outside = leaky_state(tmp_path)
    (link_state_file if how == "file" else link_state_folder)(root, outside)
    result = build_site(root)
    assert result.returncode == 1
    where, target = (".followthrough/state.json", outside) if how == "file" else (".followthrough", outside.parent)
    assert f"{where}: a symbolic link (to {target})" in result.stderr, result.stderr
    assert "tracker state file" in result.stderr
    assert not (root / "site").exists()
    nothing_leaked(root, result.stdout, result.stderr, marker="LEAKED")


@pytest.mark.parametrize("how", ["file", "folder"])
def test_pages_out_refuses_a_linked_state_file(tmp_path, how):
    root = copy_fixture(tmp_path)
    outside = leaky_state(tmp_path)
    (link_state_file if how == "file" else link_state_folder)(root, outside)
    result = pages_out(root, str(tmp_path / "out"))
    assert result.code == 2
    assert ": a symbolic link (to " in result.err and "state" in result.err, result.err
    assert not (tmp_path / "out" / "index.md").exists()
    nothing_leaked(root, result.out, result.err, marker="LEAKED")


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_report_refuses_a_linked_state_file(tmp_path, fmt):
    root = copy_fixture(tmp_path)
    outside = leaky_state(tmp_path)
    link_state_file(root, outside)
    result = run_cli("report", "overdue", "--format", fmt, "--today", SITE_TODAY, cwd=root)
    assert_no_traceback(result)
    assert result.code == 2
    assert f".followthrough/state.json: a symbolic link (to {outside})" in result.err, result.err
    assert "LEAKED" not in result.out + result.err


def test_a_fifo_state_file_is_refused_not_taken_for_an_absent_one(tmp_path):
    root = copy_fixture(tmp_path)
    (root / ".followthrough" / "state.json").unlink()
    os.mkfifo(root / ".followthrough" / "state.json")
    result = run_cli("report", "overdue", "--format", "json", "--today", SITE_TODAY, cwd=root)
    assert_no_traceback(result)
    assert result.code == 2
    assert ".followthrough/state.json: a named pipe (FIFO), not a regular file" in result.err, result.err


def test_a_state_file_over_max_file_mb_is_refused_and_never_read(tmp_path):
    root = copy_fixture(tmp_path)
    with open(root / ".followthrough" / "state.json", "wb") as f:
        f.truncate(64 * 1024**3)
    result = run_cli("report", "overdue", "--format", "json", "--today", SITE_TODAY, cwd=root)
    assert_no_traceback(result)
    assert result.code == 2
    assert ".followthrough/state.json: 64.0 GB, over the 10.0 MB limit (max_file_mb)" in result.err, result.err


def test_a_regular_state_file_is_still_read(tmp_path):
    root = copy_fixture(tmp_path)
    result = run_cli("report", "completion", "--format", "json", "--today", SITE_TODAY, cwd=root)
    assert result.code == 0, result.err


# -- the tracker state file: writing -----------------------------------------------------------

STATES = {"pm/item": TicketState(ticket="PAY-1", status="done")}


def test_write_state_refuses_a_linked_folder_and_writes_nothing_outside(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".followthrough").symlink_to(elsewhere)
    with pytest.raises(ConfigError, match=r"\.followthrough: a symbolic link \(to .*elsewhere\)"):
        write_state(root / ".followthrough" / "state.json", STATES, root=root)
    assert list(elsewhere.iterdir()) == []


def test_write_state_refuses_a_linked_file_and_leaves_its_target_alone(tmp_path):
    root = tmp_path / "repo"
    (root / ".followthrough").mkdir(parents=True)
    victim = tmp_path / "victim.json"
    victim.write_text("precious")
    (root / ".followthrough" / "state.json").symlink_to(victim)
    for kwargs in ({"root": root}, {}):  # without the repo's root, the file itself is still checked
        with pytest.raises(ConfigError, match="state.json: a symbolic link"):
            write_state(root / ".followthrough" / "state.json", STATES, **kwargs)
    assert victim.read_text() == "precious"
    assert (root / ".followthrough" / "state.json").is_symlink()


def test_write_state_refuses_a_special_file(tmp_path):
    root = tmp_path / "repo"
    (root / ".followthrough").mkdir(parents=True)
    os.mkfifo(root / ".followthrough" / "state.json")
    with pytest.raises(ConfigError, match="a named pipe"):
        write_state(root / ".followthrough" / "state.json", STATES, root=root)


def test_read_state_names_the_linked_folder_even_when_the_file_is_absent(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (root / ".followthrough").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigError, match=r"\.followthrough: a symbolic link"):
        read_state(root / ".followthrough" / "state.json", root=root)


def test_sync_never_writes_the_state_file_through_a_linked_folder(tmp_path, jira):
    pm = Pm("payments", [Item("pool-alert", "Alert when the payments pool is above 90% for five minutes")])
    root = build_repo(tmp_path / "repo", {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".followthrough").symlink_to(elsewhere)
    before = (root / pm.path).read_text()
    result = run_cli("sync", cwd=root, env=env_for(jira))
    assert_no_traceback(result)
    assert result.code == 2
    assert f".followthrough: a symbolic link (to {elsewhere})" in result.err, result.err
    assert list(elsewhere.iterdir()) == []
    assert jira.count() == 0  # refused before any request: no ticket created, none read
    assert (root / pm.path).read_text() == before


@pytest.mark.parametrize("setting", ["state_file", "people"])
@pytest.mark.parametrize("how", ["parent", "absolute"])
def test_a_setting_cannot_name_a_state_file_or_people_directory_outside_the_repo(tmp_path, setting, how):
    # The links above are refused; the setting itself must not reach the same file by name.
    root = copy_fixture(tmp_path)
    outside = leaky_state(tmp_path)
    if setting == "people":
        outside = outside.with_name("people.yml")
        outside.write_text("people:\n  leaked: {name: LEAKED Person, email: leaked@example.com}\n")
    value = str(outside) if how == "absolute" else os.path.relpath(outside, root / ("docs" if setting == "people" else ""))
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - followthrough:\n", f"  - followthrough:\n      {setting}: {json.dumps(value)}\n", 1))
    said = f"mkdocs.yml: plugins.followthrough.{setting}: "
    for args in (("lint",), ("report", "overdue", "--format", "json")):
        result = run_cli(*args, "--today", SITE_TODAY, cwd=root)
        assert_no_traceback(result)
        assert result.code == 2 and said in result.err, result.err
        assert "LEAKED" not in result.out + result.err
    result = build_site(root)
    assert result.returncode == 1 and said in result.stderr, result.stderr
    assert not (root / "site").exists()

"""A damaged tracker state file says how to recover, wherever it is read (sync, report, the site
build), and `followthrough sync --rebuild-state` moves it aside and rebuilds it from the trackers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from followthrough.core.errors import ConfigError
from followthrough.core.model import TicketState
from followthrough.files.state import move_aside, read_state, write_state

from .conftest import assert_no_traceback, run_cli
from .fakes.postmortem_repo import build_repo, many
from .site_builds import SITE_TODAY, build_site, copy_fixture
from .sync_setup import FAST, TODAY, env_for, gh_dest, state, sync, tickets_in

ADVICE = "run `followthrough sync --rebuild-state` to move it aside and rebuild it from the trackers"
STATE = Path(".followthrough") / "state.json"

ENTRY_NOT_A_MAPPING = "entry 'x/y' must be a mapping with at least a 'ticket'"
DAMAGES = [
    (b"{not json", "not JSON: Expecting property name enclosed in double quotes, line 1 column 2"),
    (b"\xff\xfe{}", "not UTF-8 text: invalid start byte at byte 0"),
    (b"[1, 2]", "not a tracker state file: no 'items' mapping"),
    (b'{"version": 0, "items": {}}', "version 0, expected 1"),
    (b'{"items": {}}', "version null, expected 1"),
    (b'{"version": 1, "items": {"x/y": "oops"}}', ENTRY_NOT_A_MAPPING),
    (b'{"version": 1, "items": {"x/y": {"status": "done"}}}', "entry 'x/y' is malformed: "),
    (b'{"version": 1, "items": {}, "pending": {"x/y": {"marker": "ft-0"}}}', "pending entry 'x/y' is malformed: "),
    (b'{"version": 1, "items": {}, "pending": []}', "'pending' is not a mapping"),
]


def test_git_conflict_markers_are_named_with_their_line(tmp_path):
    (tmp_path / ".followthrough").mkdir()
    (tmp_path / STATE).write_text('{\n  "items": {\n<<<<<<< HEAD\n    "a/b": {"ticket": "PAY-1"}\n=======\n    "a/b": {"ticket": "PAY-2"}\n>>>>>>> other\n  },\n  "version": 1\n}\n')
    with pytest.raises(ConfigError) as caught:
        read_state(tmp_path / STATE, root=tmp_path)
    assert str(caught.value).startswith(f"{STATE.as_posix()}:3: the tracker state file holds git's merge conflict markers; resolve the conflict")
    assert ADVICE in str(caught.value)


def _damaged(what: str) -> str:
    return f"{STATE.as_posix()}: the tracker state file is damaged ({what}"


def _repo(tmp_path: Path, github):
    pms = many(2, 2)
    root = build_repo(tmp_path / "repo", {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, pms)
    return root, pms


@pytest.mark.parametrize(("data", "what"), DAMAGES)
def test_read_state_says_what_is_damaged_and_how_to_recover(tmp_path, data, what):
    (tmp_path / ".followthrough").mkdir()
    (tmp_path / STATE).write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        read_state(tmp_path / STATE, root=tmp_path)
    assert str(caught.value).startswith(_damaged(what))
    assert str(caught.value).endswith(f"); {ADVICE}")
    assert "re-run" not in str(caught.value)


def test_a_state_file_of_a_newer_version_asks_for_an_upgrade_first(tmp_path):
    (tmp_path / ".followthrough").mkdir()
    (tmp_path / STATE).write_text('{"version": 2, "items": {}}')
    with pytest.raises(ConfigError) as caught:
        read_state(tmp_path / STATE, root=tmp_path)
    assert str(caught.value) == (
        f"{STATE.as_posix()}: a version-2 tracker state file, written by a newer followthrough (this one reads version 1); "
        f"upgrade followthrough, or {ADVICE}"
    )


@pytest.mark.parametrize(("data", "what"), DAMAGES[:1] + DAMAGES[-1:])
def test_sync_on_a_damaged_state_file_exits_2_naming_the_file_and_the_way_out(tmp_path, github, data, what):
    root, pms = _repo(tmp_path, github)
    (root / ".followthrough").mkdir()
    (root / STATE).write_bytes(data)
    result = sync(root, env=env_for(github=github))
    assert result.code == 2
    assert result.err.startswith(f"followthrough: {_damaged(what)}")
    assert ADVICE in result.err
    assert github.counts() == {}  # stopped before any request
    assert (root / STATE).read_bytes() == data
    assert [t for pm in pms for t in tickets_in(root, pm)] == [None] * 4


def test_report_and_the_site_build_give_the_same_advice(tmp_path):
    root = copy_fixture(tmp_path)
    (root / STATE).write_text('{"version": 1, "items": {"x/y": "oops"}}')
    expected = f"{_damaged(ENTRY_NOT_A_MAPPING)}); {ADVICE}"
    report = run_cli("report", "overdue", "--format", "json", "--today", SITE_TODAY, cwd=root)
    assert_no_traceback(report)
    assert report.code == 2
    assert f"followthrough: {expected}" in report.err
    built = build_site(root)
    assert built.returncode == 1
    assert expected in built.stderr


def test_rebuild_state_moves_the_damaged_file_aside_and_rebuilds_it_from_the_trackers(tmp_path, github):
    root, pms = _repo(tmp_path, github)
    env = env_for(github=github)
    first = sync(root, env=env)
    assert first.code == 0, first.out + first.err
    good = state(root)
    github.close("acme/web", 2, reason="completed")  # changed in the tracker since
    damaged = b'{"version": 1, "items": {"2026-05-20-outage-0000/fix-0": {"ticket": 7}'
    (root / STATE).write_bytes(damaged)
    posts = github.count("write")

    result = sync(root, "--rebuild-state", env=env)
    assert result.code == 0, result.out + result.err
    moved = re.search(r"state file: moved \.followthrough/state\.json aside to (\.followthrough/tmp/state\.json\.damaged-\d{8}T\d{6}Z); it is rebuilt from the trackers\n", result.out)
    assert moved, result.out
    assert (root / moved.group(1)).read_bytes() == damaged  # kept as it was, never deleted
    assert github.count("write") == posts  # nothing created: every item is linked
    rebuilt = state(root)
    assert sorted(rebuilt) == sorted(good)
    closed = next(k for k, v in rebuilt.items() if v["ticket"] == "acme/web#2")
    assert rebuilt[closed]["status"] == "done" and rebuilt[closed]["done_on"] == TODAY
    assert {k: v for k, v in rebuilt.items() if k != closed} == {k: v for k, v in good.items() if k != closed}
    again = sync(root, env=env)  # the rebuilt file reads as any other
    assert again.code == 0, again.out + again.err
    assert "state file: unchanged (4 entries)" in again.out


def test_rebuild_state_of_a_sound_file_rebuilds_the_same_file(tmp_path, github):
    root, _ = _repo(tmp_path, github)
    env = env_for(github=github)
    assert sync(root, env=env).code == 0
    before = (root / STATE).read_bytes()
    result = sync(root, "--rebuild-state", env=env)
    assert result.code == 0, result.out + result.err
    assert (root / STATE).read_bytes() == before
    aside = [p for p in (root / ".followthrough" / "tmp").iterdir() if p.name.startswith("state.json.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == before


def test_rebuild_state_without_a_state_file_builds_one(tmp_path, github):
    root, _ = _repo(tmp_path, github)
    result = sync(root, "--rebuild-state", env=env_for(github=github))
    assert result.code == 0, result.out + result.err
    assert "state file: there is none at .followthrough/state.json; it is built from the trackers" in result.out
    assert len(state(root)) == 4


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dry-run"], "--rebuild-state moves the state file aside, --dry-run writes nothing"),
        (["--only", "create"], "--rebuild-state with --only create would move the state file aside and write none"),
        (["postmortems/2026"], "--rebuild-state rebuilds the state entries of every postmortem; run it without PATH arguments"),
    ],
)
def test_rebuild_state_refuses_runs_that_would_not_rebuild_it_whole(tmp_path, github, extra, message):
    root, _ = _repo(tmp_path, github)
    (root / ".followthrough").mkdir()
    (root / STATE).write_bytes(b"{not json")
    result = sync(root, "--rebuild-state", *extra, env=env_for(github=github))
    assert result.code == 2
    assert f"followthrough: sync: {message}" in result.err
    assert (root / STATE).read_bytes() == b"{not json"
    assert github.counts() == {}


def test_a_folder_at_the_state_file_is_not_moved(tmp_path, github):
    root, _ = _repo(tmp_path, github)
    (root / STATE).mkdir(parents=True)
    result = sync(root, "--rebuild-state", env=env_for(github=github))
    assert result.code == 2
    assert "followthrough: .followthrough/state.json: a folder, not the tracker state file (state_file); move it away yourself" in result.err
    assert (root / STATE).is_dir()


def test_move_aside_never_overwrites_an_earlier_copy(tmp_path):
    path = tmp_path / "state.json"
    copies = []
    for n in range(3):
        write_state(path, {"pm/item": TicketState(ticket=f"PAY-{n}")})
        copies.append(move_aside(path, "20261201T160211Z", root=tmp_path))
    assert [p.name for p in copies] == ["state.json.damaged-20261201T160211Z", "state.json.damaged-20261201T160211Z-2", "state.json.damaged-20261201T160211Z-3"]
    assert [json.loads(p.read_text())["items"]["pm/item"]["ticket"] for p in copies] == ["PAY-0", "PAY-1", "PAY-2"]
    assert not path.exists()
    assert move_aside(path, "20261201T160211Z", root=tmp_path) is None



def test_the_pending_creates_of_both_sides_of_a_conflicted_state_file_are_read_ours_first(tmp_path):
    from datetime import datetime, timezone

    from followthrough.core.model import PendingCreate
    from followthrough.files.state import pending_of_any_side, render_state

    sent = datetime(2026, 6, 1, tzinfo=timezone.utc)
    ours = render_state({}, {"a/x": PendingCreate("d", "ft-0000000000000001", sent, why="ours"), "a/y": PendingCreate("d", "ft-0000000000000002", sent)})
    theirs = render_state({}, {"a/x": PendingCreate("d", "ft-0000000000000001", sent, why="theirs"), "a/z": PendingCreate("d", "ft-0000000000000003", sent)})
    path = tmp_path / "state.json"
    path.write_text(f"<<<<<<< HEAD\n{ours}=======\n{theirs}>>>>>>> other\n")
    got = pending_of_any_side(path, root=tmp_path)
    assert sorted(got) == ["a/x", "a/y", "a/z"] and got["a/x"].why == "ours"
    path.write_text(f"<<<<<<< HEAD\n{ours}=======\n{{not json\n>>>>>>> other\n")  # a side damaged too
    assert sorted(pending_of_any_side(path, root=tmp_path)) == ["a/x", "a/y"]
    path.write_text("{not json")
    assert pending_of_any_side(path, root=tmp_path) == {}
    link = tmp_path / "link.json"
    link.symlink_to(path)
    path.write_text(f"<<<<<<< HEAD\n{ours}=======\n{theirs}>>>>>>> other\n")
    assert pending_of_any_side(link, root=tmp_path) == {}  # never through a link

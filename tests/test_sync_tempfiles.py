"""Nothing left behind: sync's temp files are made in the ignored .followthrough/tmp/, a crash
leaves none among the postmortems or beside the state file, and the next run removes what one left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from followthrough.files.atomic import write_atomic
from followthrough.files.scratch import remove_leftovers, scratch_folder

from .fakes.postmortem_repo import build_repo, many
from .sync_setup import FAST, env_for, gh_dest, sync, tickets_in

# A real `followthrough sync` that the kernel kills the moment it renames a temp file onto a
# name ending in argv[1]: the temp file is written and synced, the rename never happens.
CRASH_AT_RENAME = """
import os, signal, sys
target = sys.argv[1]
def crash(event, args):
    if event == "os.rename" and os.fspath(args[1]).endswith(target):
        os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(crash)
from followthrough.cli.main import main
sys.exit(main(["sync"]))
"""


def _temp_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp"))


def _crash_sync(root: Path, env: dict[str, str], target: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWTHROUGH_", "JIRA_", "GITHUB_"))}
    full.update(env)
    return subprocess.run([sys.executable, "-c", CRASH_AT_RENAME, target], cwd=root, env=full, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("target", [".md", "state.json"], ids=["write-back", "state-file"])
def test_a_sync_killed_mid_write_leaves_its_temp_file_only_in_the_scratch_folder_and_the_next_run_removes_it(tmp_path, github, target):
    pms = many(2, 2)
    root = build_repo(tmp_path / "repo", {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, pms)
    env = env_for(github=github)
    crashed = _crash_sync(root, env, target)
    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr
    scratch = root / ".followthrough" / "tmp"
    left = _temp_files(root)
    assert [p.parent for p in left] == [scratch]  # not in postmortems/, not beside the state file
    assert left[0].name.startswith(".state.json." if target == "state.json" else ".2026-05-20-outage-0000.md.")

    result = sync(root, env=env)
    assert result.code == 0, result.out + result.err
    assert "removed 1 temp file(s) an interrupted run left in .followthrough/tmp/" in result.out
    assert _temp_files(root) == []
    assert sorted(p.name for p in scratch.iterdir()) == [".gitignore", "sync.lock"]
    named = [t for pm in pms for t in tickets_in(root, pm)]
    assert len(set(named)) == 4 and None not in named
    assert len(github.issues("acme/web")) == 4


def test_a_write_that_fails_part_way_leaves_no_temp_file_anywhere(tmp_path):
    root = tmp_path / "repo"
    target = root / "postmortems" / "a.md"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old\n")

    class Breaks:
        def __init__(self) -> None:
            self.calls = 0

        def read(self, size: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 1:
                raise OSError("the source went away")
            return b"half of the new"

    with pytest.raises(OSError, match="went away"):
        write_atomic(target, Breaks(), temp_dir=scratch_folder(root), durable=True)  # type: ignore[arg-type]
    assert target.read_bytes() == b"old\n"
    assert _temp_files(root) == []


def test_a_rename_across_file_systems_writes_beside_the_target_instead(tmp_path):
    other = Path("/dev/shm")
    if not other.is_dir() or os.stat(other).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs a second file system (/dev/shm) for the temp folder")
    temp_dir = Path(os.path.realpath(other)) / f"followthrough-test-{os.getpid()}"
    temp_dir.mkdir()
    try:
        target = tmp_path / "state.json"
        target.write_bytes(b"old\n")
        target.chmod(0o640)
        write_atomic(target, b"new\n", temp_dir=temp_dir, durable=True)
        assert target.read_bytes() == b"new\n"
        assert oct(target.stat().st_mode & 0o777) == oct(0o640)
        assert list(temp_dir.iterdir()) == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    finally:
        for p in temp_dir.iterdir():
            p.unlink()
        temp_dir.rmdir()


def test_leftovers_are_temp_files_only_and_links_are_removed_not_followed(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    scratch = scratch_folder(root)
    outside = tmp_path / "outside.md"
    outside.write_text("keep me\n")
    (scratch / ".a.md.x1y2.tmp").write_text("half")
    (scratch / ".b.md.z3.tmp").symlink_to(outside)
    (scratch / "notes.txt").write_text("not ours")
    (scratch / ".dir.tmp").mkdir()
    (scratch / "sync.lock").write_text("")
    assert remove_leftovers(scratch) == [".a.md.x1y2.tmp", ".b.md.z3.tmp"]
    assert sorted(p.name for p in scratch.iterdir()) == [".dir.tmp", ".gitignore", "notes.txt", "sync.lock"]
    assert outside.read_text() == "keep me\n"

"""`followthrough lint --base REF` on real git repositories built in temp folders: the real CLI,
the real git, a commit as the base and an edit in the working tree."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import BASE, PEOPLE, assert_no_traceback, lint_repo, run_cli

TODAY = "2026-06-02"
NAME = "2026-05-20-payments.md"
ITEM = """  - id: pool-size
    title: Investigate sizing the connection pool from measured peak load
    owner: nia.sme
    due: 2026-06-15
"""
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]


def git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def committed(root: Path, text: str = BASE, plugin: str = "  - followthrough\n") -> Path:
    """A repo with one postmortem holding `text`, committed on main."""
    lint_repo(root, text, name=NAME, plugin=plugin)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root / "postmortems" / "2026" / NAME


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def lint(root: Path, *args: str, env: dict[str, str] | None = None):
    result = run_cli("lint", "--today", TODAY, *args, cwd=root, env=env)
    assert_no_traceback(result)
    return result


def codes(result) -> list[str]:
    return [line.split(" ")[1] for line in result.out.splitlines()]


@pytest.mark.parametrize(("severity", "code", "tag"), [("SEV-1", 1, ""), ("SEV-3", 0, " (warning)")])
def test_a_silent_move_is_caught_and_a_recorded_one_passes(tmp_path: Path, severity: str, code: int, tag: str) -> None:
    pm = committed(tmp_path, BASE.replace("severity: SEV-2", f"severity: {severity}", 1))
    edit(pm, "    due: 2026-06-15\n", "    due: 2026-06-22\n")
    result = lint(tmp_path, "--base", "main")
    assert result.code == code
    line = ITEM_LINE + 3
    assert f"postmortems/2026/{NAME}:{line}:1: FT315 action_items[1].due: moved from 2026-06-15 to 2026-06-22 since main with no re-date recording it" in result.out
    assert result.out.rstrip().endswith(f"reason: <why the date moved>}}]{tag}")
    assert "compared with main: 1 postmortem file(s) changed" in result.err
    # Without --base the same tree is clean of it: the check needs the history.
    assert "FT315" not in lint(tmp_path).out
    edit(pm, "    due: 2026-06-22\n", "    due: 2026-06-22\n    redated:\n      - {from: 2026-06-15, to: 2026-06-22, on: 2026-06-01, reason: waiting on the vendor's fix for the leak}\n")
    assert "FT315" not in lint(tmp_path, "--base", "main").out


ITEM_LINE = BASE[: BASE.index(ITEM)].count("\n") + 1


def test_an_edited_old_re_date(tmp_path: Path) -> None:
    recorded = ITEM.replace("    due: 2026-06-15\n", "    due: 2026-06-22\n    redated:\n      - {from: 2026-06-15, to: 2026-06-22, on: 2026-06-01, reason: waiting on the vendor's fix}\n")
    pm = committed(tmp_path, BASE.replace(ITEM, recorded))
    edit(pm, "from: 2026-06-15, to: 2026-06-22", "from: 2026-06-15, to: 2026-06-29")
    edit(pm, "    due: 2026-06-22\n", "    due: 2026-06-29\n")
    result = lint(tmp_path, "--base", "main")
    assert result.code == 1
    assert codes(result) == ["FT316"]
    assert "redated[0] was changed; re-dates are history" in result.out


def test_a_removed_item(tmp_path: Path) -> None:
    pm = committed(tmp_path)
    edit(pm, ITEM, "")
    result = lint(tmp_path, "--base", "main")
    assert result.code == 1
    assert codes(result) == ["FT317"]
    assert "the item 'pool-size' (Investigate sizing the connection pool from measured peak load)" in result.out
    assert "close it as wont-do with a decision instead: items never disappear" in result.out


def test_a_removed_published_file_and_a_renamed_one(tmp_path: Path) -> None:
    pm = committed(tmp_path)
    renamed = pm.with_name("2026-05-20-card-payments.md")
    pm.rename(renamed)
    result = lint(tmp_path, "--base", "main")
    assert result.code == 1
    assert result.out.startswith(f"postmortems/2026/{NAME}:1:1: FT317 the postmortem '2026-05-20-payments' (Card payments failed for EU customers), published at main, is gone")
    assert "a renamed file keeps its id: id: 2026-05-20-payments" in result.out
    edit(renamed, "title: Card", "id: 2026-05-20-payments\ntitle: Card")
    result = lint(tmp_path, "--base", "main")
    assert result.code == 0, result.out
    assert "compared with main: 2 postmortem file(s) changed" in result.err


def test_a_changed_owner(tmp_path: Path) -> None:
    pm = committed(tmp_path)
    edit(pm, "    owner: nia.sme\n", "    owner: max.sme\n")
    result = lint(tmp_path, "--base", "main", "--format", "json")
    assert result.code == 0
    [finding] = json.loads(result.out)
    assert finding == {
        "path": f"postmortems/2026/{NAME}",
        "line": ITEM_LINE + 2,
        "column": 1,
        "code": "FT318",
        "level": "warning",
        "message": "action_items[1].owner: changed from nia.sme to max.sme since main; max.sme should agree in this review (sync assigns the ticket to them once it is merged)",
    }
    assert lint(tmp_path, "--base", "main", "--strict").code == 1


def test_the_rule_levels_of_mkdocs_yml_apply(tmp_path: Path) -> None:
    pm = committed(tmp_path, BASE.replace("severity: SEV-2", "severity: SEV-1", 1), plugin="  - followthrough:\n      rules: {FT315: warning, FT318: off}\n")
    edit(pm, "    due: 2026-06-15\n", "    due: 2026-06-22\n")
    edit(pm, "    owner: nia.sme\n", "    owner: max.sme\n")
    result = lint(tmp_path, "--base", "main")
    [moved] = [line for line in result.out.splitlines() if " FT31" in line]  # SEV-1 staffing warnings aside
    assert " FT315 " in moved and moved.endswith("(warning)")
    assert result.code == 0


def test_only_the_named_files_are_compared(tmp_path: Path) -> None:
    pm = committed(tmp_path)
    other = pm.with_name("2026-05-20-other.md")
    other.write_text(BASE.replace("title: Card", "id: other\ntitle: Card", 1))
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "two")
    edit(pm, "    due: 2026-06-15\n", "    due: 2026-06-18\n")
    other.unlink()
    assert codes(lint(tmp_path, "--base", "main", str(pm))) == ["FT315"]  # the removed other file is not in scope
    assert sorted(codes(lint(tmp_path, "--base", "main"))) == ["FT315", "FT317"]


def test_an_unknown_ref(tmp_path: Path) -> None:
    committed(tmp_path)
    result = lint(tmp_path, "--base", "0123456789abcdef0123456789abcdef01234567")
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"followthrough: --base 0123456789abcdef0123456789abcdef01234567: no such commit in the repository at {tmp_path}; "
        "check the name, or fetch it first (in a shallow clone: git fetch --depth=1 origin 0123456789abcdef0123456789abcdef01234567)\n"
    )
    assert lint(tmp_path, "--base", "--all").code == 2  # never read as an option of git


def test_in_a_shallow_clone_the_message_says_how_to_fetch(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    pm = committed(origin)
    first = git(origin, "rev-parse", "HEAD")
    edit(pm, "    owner: nia.sme\n", "    owner: max.sme\n")
    git(origin, "commit", "-q", "-am", "hand over")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth=1", f"file://{origin}", str(clone)], check=True)
    result = lint(clone, "--base", first)
    assert result.code == 2
    assert f"this is a shallow clone, so fetch it first: git fetch --depth=1 origin {first}" in result.err
    git(clone, "fetch", "-q", "--depth=1", "origin", first)
    result = lint(clone, "--base", first)
    assert codes(result) == ["FT318"]
    assert f"since {first[:12]};" in result.out


def test_not_a_git_repository(tmp_path: Path) -> None:
    lint_repo(tmp_path, BASE, name=NAME)
    result = lint(tmp_path, "--base", "main", env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert result.code == 2
    assert result.err.startswith(f"followthrough: --base main: {tmp_path} is not in a git repository (")
    assert "--base compares with a git revision" in result.err


def test_a_base_file_with_broken_yaml_is_a_note(tmp_path: Path) -> None:
    pm = committed(tmp_path, BASE.replace("title: Card payments failed for EU customers", "title: [Card payments", 1))
    pm.write_text(BASE)  # fixed in this change: nothing to compare it with
    result = lint(tmp_path, "--base", "main")
    assert result.code == 0, result.out
    assert f"note: postmortems/2026/{NAME} at main: not compared, its front-matter cannot be read there (FT003 " in result.err


def test_one_ls_tree_and_one_cat_file_whatever_the_number_of_files(tmp_path: Path) -> None:
    """A `git` on PATH that logs its arguments, then runs the real one."""
    for i in range(12):
        lint_repo(tmp_path, BASE.replace("title: Card", f"id: pm-{i}\ntitle: Card", 1), name=f"2026-05-20-pm-{i}.md") if i == 0 else (
            (tmp_path / "postmortems" / "2026" / f"2026-05-20-pm-{i}.md").write_text(BASE.replace("title: Card", f"id: pm-{i}\ntitle: Card", 1))
        )
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    for i in range(10):
        edit(tmp_path / "postmortems" / "2026" / f"2026-05-20-pm-{i}.md", "    owner: nia.sme\n", "    owner: max.sme\n")
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "git.log"
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    (shim / "git").write_text(f"#!/bin/sh\necho \"$@\" >> '{log}'\nexec '{real}' \"$@\"\n")
    (shim / "git").chmod(stat.S_IRWXU)
    result = lint(tmp_path, "--base", "main", env={"PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"})
    assert codes(result) == ["FT318"] * 10
    calls = [line.split()[2] for line in log.read_text().splitlines()]  # after "-C <root>"
    assert calls == ["rev-parse", "ls-tree", "cat-file"]


def test_help_says_the_checks_need_base(tmp_path: Path) -> None:
    result = run_cli("lint", "--help", cwd=tmp_path)
    assert "--base REF" in result.out
    assert "without --base these checks are skipped" in " ".join(result.out.split())


@pytest.mark.parametrize("damage", ["not-utf8", "too-large"])
def test_a_file_still_there_but_unreadable_now_is_not_reported_gone(tmp_path: Path, damage: str) -> None:
    pm = committed(tmp_path)
    if damage == "not-utf8":
        pm.write_bytes(pm.read_bytes() + b"\xff\xfe")
        code = "FT009"
    else:
        pm.write_text(pm.read_text() + "x" * (10 * 1024 * 1024 + 1))
        code = "FT013"
    result = lint(tmp_path, "--base", "main")
    assert codes(result) == [code]  # its own finding, not "the postmortem ... is gone"
    assert "compared with main: 1 postmortem file(s) changed" in result.err


def test_a_moved_docs_dir_is_compared_with_the_old_one(tmp_path: Path) -> None:
    """A change that moves the folder in mkdocs.yml does not hide a removed item."""
    committed(tmp_path)
    git(tmp_path, "mv", "postmortems", "incidents")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\ndocs_dir: incidents\nplugins:\n  - followthrough\n")
    moved = tmp_path / "incidents" / "2026" / NAME
    assert lint(tmp_path, "--base", "main").code == 0  # the same postmortems, elsewhere
    edit(moved, ITEM, "")
    result = lint(tmp_path, "--base", "main")
    assert result.code == 1
    assert codes(result) == ["FT317"]
    assert result.out.startswith(f"incidents/2026/{NAME}:")
    assert "the item 'pool-size' (Investigate sizing the connection pool from measured peak load)" in result.out


def test_a_docs_dir_that_was_a_submodule_is_a_note(tmp_path: Path) -> None:
    """Its files are another repository's: nothing is compared, and lint says so."""
    inner = tmp_path / "inner"
    (inner / "2026").mkdir(parents=True)
    (inner / "people.yml").write_text(PEOPLE)
    (inner / "2026" / NAME).write_text(BASE)
    git(inner, "init", "-q")
    git(inner, "add", "-A")
    git(inner, "commit", "-q", "-m", "postmortems")
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    (outer / "mkdocs.yml").write_text("site_name: T\ndocs_dir: postmortems\nplugins:\n  - followthrough\n")
    git(outer, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "postmortems")
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "base")
    edit(outer / "postmortems" / "2026" / NAME, "    due: 2026-06-15\n", "    due: 2026-06-22\n")
    result = lint(outer, "--base", "main")
    assert "note: postmortems at main: not compared, it is a git submodule there; run lint --base inside it, with its own base commit" in result.err
    assert "FT315" not in result.out


def test_a_docs_dir_absent_at_the_base_is_a_note(tmp_path: Path) -> None:
    lint_repo(tmp_path, BASE, name=NAME)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "mkdocs.yml")
    git(tmp_path, "commit", "-q", "-m", "config first")
    result = lint(tmp_path, "--base", "main")
    assert result.code == 0, result.out
    assert "note: postmortems at main: no such folder there (or it is inside a submodule); nothing was compared with it" in result.err

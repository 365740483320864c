"""Nothing follows a link out of the repo, reads a special file, reads past the size limit, or
loses files: lint, the site build, `followthrough pages` and sync's write-back, run for real."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import BASE, LINT_TODAY, assert_no_traceback, lint_repo, run_cli
from .site_builds import build_site, copy_fixture, mkdocs, pages_out
from .fakes.postmortem_repo import Item, Pm, build_repo, render
from .sync_setup import FAST, env_for, jira_dest



def lint(root: Path, *args: str, env: dict[str, str] | None = None):
    result = run_cli("lint", "--today", LINT_TODAY, *args, cwd=root, env=env, timeout=60)
    assert_no_traceback(result)
    return result


def line_of(out: str, path: str) -> str:
    """The findings printed for `path` (one line each)."""
    lines = [line for line in out.splitlines() if line.startswith(path + ":")]
    assert lines, out
    return "\n".join(lines)


# -- lint ------------------------------------------------------------------------------


def test_lint_refuses_a_postmortem_linked_to_etc_passwd_and_names_where_it_points(tmp_path):
    root = lint_repo(tmp_path / "repo")
    (root / "postmortems" / "2026" / "2026-05-21-passwd.md").symlink_to("/etc/passwd")
    result = lint(root)
    assert result.code == 1
    line = line_of(result.out, "postmortems/2026/2026-05-21-passwd.md")
    assert ":1:1: FT012 a symbolic link (to /etc/passwd)" in line
    assert "root:" not in result.out + result.err  # the file was never read
    assert "postmortems/2026/2026-05-20-payments.md" not in result.out  # the clean one stays clean


def test_lint_never_reads_proc_self_environ_so_no_secret_is_printed(tmp_path):
    root = lint_repo(tmp_path / "repo")
    (root / "postmortems" / "2026" / "2026-05-21-environ.md").symlink_to("/proc/self/environ")
    (root / "postmortems" / "environ.md").symlink_to("/proc/self/environ")
    result = lint(root, env={"DEPLOY_TOKEN": "s3cr3t-deploy-token-value"})
    assert result.code == 1
    assert "FT012 a symbolic link (to /proc/self/environ)" in line_of(result.out, "postmortems/2026/2026-05-21-environ.md")
    assert "FT012" in line_of(result.out, "postmortems/environ.md")  # a page, not a postmortem: refused all the same
    assert "s3cr3t" not in result.out + result.err


def test_lint_never_reads_a_fifo_or_dev_zero_and_still_reports_the_other_files(tmp_path):
    root = lint_repo(tmp_path / "repo")
    docs = root / "postmortems" / "2026"
    os.mkfifo(docs / "2026-05-21-pipe.md")  # opening it to read would wait for a writer for ever
    (docs / "2026-05-22-zero.md").symlink_to("/dev/zero")  # reading it would never end
    (docs / "2026-05-20-broken.md").write_text(BASE.replace("severity: SEV-2", "severity: SEV-9"))
    result = lint(root)
    assert result.code == 1
    assert "FT012 a named pipe (FIFO), not a regular file" in line_of(result.out, "postmortems/2026/2026-05-21-pipe.md")
    assert "FT012 a symbolic link (to /dev/zero)" in line_of(result.out, "postmortems/2026/2026-05-22-zero.md")
    assert "FT104" in line_of(result.out, "postmortems/2026/2026-05-20-broken.md")


def test_a_linked_folder_is_refused_and_not_walked(tmp_path):
    root = lint_repo(tmp_path / "repo")
    docs = root / "postmortems"
    (docs / "2026" / "again").symlink_to("..")  # a loop: walked with links followed, it never ends
    (docs / "everything").symlink_to("/")
    result = lint(root)
    assert result.code == 1
    assert "FT012 a symbolic link (to ..)" in line_of(result.out, "postmortems/2026/again")
    assert "FT012 a symbolic link (to /)" in line_of(result.out, "postmortems/everything")


def test_a_link_to_the_people_directory_under_another_name_is_refused(tmp_path):
    root = lint_repo(tmp_path / "repo")
    (root / "postmortems" / "2026" / "2026-05-21-team.md").symlink_to("../people.yml")
    (root / "postmortems" / "contacts.yml").symlink_to("people.yml")
    result = lint(root)
    assert result.code == 1
    assert "(to ../people.yml)" in line_of(result.out, "postmortems/2026/2026-05-21-team.md")
    assert "(to people.yml)" in line_of(result.out, "postmortems/contacts.yml")
    assert "@" not in result.out  # no e-mail address read, let alone printed


def test_the_people_directory_itself_a_link_is_refused(tmp_path):
    root = lint_repo(tmp_path / "repo")
    people = root / "postmortems" / "people.yml"
    outside = tmp_path / "outside-people.yml"
    people.rename(outside)
    people.symlink_to(outside)
    result = lint(root)
    assert result.code == 1
    assert "FT012 a symbolic link" in line_of(result.out, "postmortems/people.yml")


def test_a_link_named_on_the_command_line_is_refused_as_in_a_full_lint(tmp_path):
    root = lint_repo(tmp_path / "repo")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "2026-05-21-x.md").write_text(BASE)
    link = root / "postmortems" / "2026" / "2026-05-21-x.md"
    link.symlink_to(outside / "2026-05-21-x.md")
    (root / "postmortems" / "2025").symlink_to(outside)
    result = lint(root, "postmortems/2026/2026-05-21-x.md", "postmortems/2025/2026-05-21-x.md")
    assert result.code == 1
    assert "FT012" in line_of(result.out, "postmortems/2026/2026-05-21-x.md")
    assert "FT012" in line_of(result.out, "postmortems/2025")  # the linked folder on the way is named


def test_docs_dir_that_is_itself_a_link_is_refused(tmp_path):
    root = lint_repo(tmp_path / "repo")
    real = tmp_path / "real-docs"
    (root / "postmortems").rename(real)
    (root / "postmortems").symlink_to(real)
    result = lint(root)
    assert result.code == 1
    assert "FT012 a symbolic link" in line_of(result.out, "postmortems")


def test_a_file_over_max_file_mb_is_a_finding_and_is_never_read_whole(tmp_path):
    root = lint_repo(tmp_path / "repo")
    docs = root / "postmortems" / "2026"
    huge = docs / "2026-05-21-huge.md"
    with huge.open("wb") as f:
        f.truncate(64 * 1024**3)  # 64 GB, sparse: reading it, as before, would never finish
    result = lint(root)
    assert result.code == 1
    line = line_of(result.out, "postmortems/2026/2026-05-21-huge.md")
    assert ":1:1: FT013 64.0 GB, over the 10.0 MB limit (max_file_mb)" in line


def test_the_limit_is_a_setting_and_a_two_megabyte_postmortem_is_normal(tmp_path):
    root = lint_repo(tmp_path / "repo")
    appendix = "\n## Appendix: raw log\n\n```text\n" + "2026-05-20T14:32:00Z payments-api pool=100/100 wait=30s rejected\n" * 32_000 + "```\n"
    (root / "postmortems" / "2026" / "2026-05-20-payments.md").write_text(BASE + appendix)
    assert 2_000_000 < (root / "postmortems" / "2026" / "2026-05-20-payments.md").stat().st_size < 10 * 1024**2
    result = lint(root)
    assert result.code == 0, result.out
    (root / "mkdocs.yml").write_text("site_name: T\ndocs_dir: postmortems\nplugins:\n  - followthrough:\n      max_file_mb: 1.5\n")
    result = lint(root)
    assert result.code == 1
    assert "FT013 2.0 MB, over the 1.5 MB limit (max_file_mb)" in line_of(result.out, "postmortems/2026/2026-05-20-payments.md")


@pytest.mark.parametrize("value", ["0", "-1", "true"])
def test_a_size_limit_that_is_not_a_size_is_a_config_error(tmp_path, value):
    root = lint_repo(tmp_path / "repo", plugin=f"  - followthrough:\n      max_file_mb: {value}\n")
    result = lint(root)
    assert result.code == 2
    assert "plugins.followthrough.max_file_mb: a size in megabytes above 0" in result.err


# -- the site build --------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_links_fail_the_build_naming_each_one_before_anything_is_published(tmp_path):
    root = copy_fixture(tmp_path)
    docs = root / "docs"
    (docs / "2024" / "2024-06-02-passwd.md").symlink_to("/etc/passwd")
    (docs / "environ.txt").symlink_to("/proc/self/environ")
    (docs / "logo.png").symlink_to("/etc/passwd")
    (docs / "contacts.md").symlink_to("people.yml")
    result = build_site(root)
    assert result.returncode == 1
    for name, target in [("2024/2024-06-02-passwd.md", "/etc/passwd"), ("environ.txt", "/proc/self/environ"), ("logo.png", "/etc/passwd"), ("contacts.md", "people.yml")]:
        assert f"docs/{name}:1:1: FT012 a symbolic link (to {target})" in result.stderr, result.stderr
    assert not (root / "site").exists()


def test_a_link_to_dev_zero_fails_the_build_at_once_and_writes_nothing(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "docs" / "attachment.png").symlink_to("/dev/zero")
    os.mkfifo(root / "docs" / "pipe.png")
    result = build_site(root)
    assert result.returncode == 1
    assert "docs/attachment.png:1:1: FT012 a symbolic link (to /dev/zero)" in result.stderr
    assert "docs/pipe.png:1:1: FT012 a named pipe (FIFO)" in result.stderr
    assert not (root / "site").exists()
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []


def test_a_linked_postmortem_outside_docs_dir_fails_the_build_with_a_message(tmp_path):
    root = copy_fixture(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    source = root / "docs" / "2024" / "2024-06-01-search-slow.md"
    shutil.move(source, outside / source.name)
    source.symlink_to(outside / source.name)
    assert lint(root).code == 1  # lint says so first...
    result = build_site(root)  # ...and the build, with the same finding instead of a traceback
    assert result.returncode == 1
    assert "docs/2024/2024-06-01-search-slow.md:1:1: FT012 a symbolic link" in result.stderr


def test_only_markdown_and_publish_files_are_published(tmp_path):
    root = copy_fixture(tmp_path)
    docs = root / "docs"
    (docs / "help.html").write_text("<script>document.title='pwned'</script>")
    (docs / "diagram.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (docs / "feed.xml").write_text("<x/>")
    (docs / "tool.js").write_text("alert(1)")
    (docs / "2024" / "graph.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (docs / "notes.md").write_text("# Notes\n\nSome notes.\n")
    result = build_site(root)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    for name in ("help.html", "diagram.svg", "feed.xml", "tool.js", "people.yml"):
        assert not (site / name).exists(), name
    assert (site / "2024" / "graph.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert (site / "notes" / "index.html").is_file()  # Markdown is rendered, not copied
    assert (site / "assets" / "followthrough.css").is_file() and (site / "postmortems.json").is_file()
    assert "not published (not Markdown, and not matched by publish_files): diagram.svg, feed.xml, help.html, tool.js" in result.stderr

    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("      site:\n", '      publish_files: ["*.png", "diagram.svg"]\n      site:\n'))
    assert build_site(root).returncode == 0
    assert (site / "diagram.svg").is_file() and (site / "2024" / "graph.png").is_file()
    assert not (site / "help.html").exists()


def test_a_failed_build_leaves_the_previous_site_and_the_users_files_untouched(tmp_path):
    root = copy_fixture(tmp_path)
    assert build_site(root).returncode == 0
    site = root / "site"
    (site / "notes-of-mine.txt").write_text("keep me")
    before = snapshot(site)
    bad = root / "docs" / "2024" / "2024-03-05-checkout-outage.md"
    good = bad.read_text()
    bad.write_text(good.replace("severity: SEV-1", "severity: SEV-9"))
    result = build_site(root)
    assert result.returncode == 1 and "FT104" in result.stderr
    assert snapshot(site) == before
    bad.write_text(good)
    (root / "docs" / "about.md").write_text("# About\n\n[broken](nowhere.md)\n")  # a warning: strict mode fails
    result = build_site(root, strict=True)
    assert result.returncode == 1 and "nowhere.md" in result.stderr
    assert snapshot(site) == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []  # no build folder left behind


def test_a_successful_build_replaces_the_site_and_keeps_its_hidden_entries(tmp_path):
    root = copy_fixture(tmp_path)
    site = root / "site"
    (site / ".git").mkdir(parents=True)
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (site / "stale.html").write_text("old page")
    result = build_site(root)
    assert result.returncode == 0, result.stderr
    assert (site / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"  # as MkDocs' own clean keeps it
    assert not (site / "stale.html").exists()
    assert (site / "index.html").is_file()
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []


def test_after_a_build_site_dir_is_the_configured_folder_again(tmp_path):
    """`mkdocs gh-deploy` pushes config.site_dir once build() returns: it must be the real site."""
    root = copy_fixture(tmp_path)
    result = build_site(root, command="gh-deploy")
    assert result.returncode == 0, result.stderr
    assert result.config is not None and result.config.site_dir == str(root / "site")
    assert (root / "site" / "index.html").is_file()


def test_a_dirty_build_writes_in_place_as_mkdocs_does(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "site").mkdir()
    (root / "site" / "extra.html").write_text("kept by --dirty")
    result = mkdocs("build", "-d", "site", "--dirty", cwd=root)  # a process of its own: see tests/site_builds.py
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "extra.html").read_text() == "kept by --dirty"
    assert (root / "site" / "index.html").is_file()


# -- followthrough pages --out -----------------------------------------------------------


def test_pages_out_dot_is_refused_and_the_readme_is_untouched(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "README.md").write_text("# Our postmortems\n")
    result = pages_out(root, ".")
    assert result.code == 2
    assert "--out .: the repo itself" in result.err
    assert (root / "README.md").read_text() == "# Our postmortems\n"
    assert not (root / "index.md").exists()


def test_pages_refuses_a_folder_holding_files_it_did_not_write(tmp_path):
    root = copy_fixture(tmp_path)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "index.md").write_text("my own index")
    result = pages_out(root, str(out))
    assert result.code == 2
    assert "did not write" in result.err and ".followthrough-pages" in result.err
    assert sorted(p.name for p in out.iterdir()) == ["index.md"]
    assert (out / "index.md").read_text() == "my own index"


def test_pages_updates_its_own_folder_and_removes_pages_it_no_longer_writes(tmp_path):
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    assert pages_out(root, str(out)).code == 0
    assert (out / ".followthrough-pages").is_file()
    assert (out / "2024" / "2024-06-01-search-slow.md").is_file()
    (root / "docs" / "2024" / "2024-06-01-search-slow.md").unlink()
    result = pages_out(root, str(out))
    assert result.code == 0, result.err
    assert not (out / "2024" / "2024-06-01-search-slow.md").exists()
    assert "stale file(s) of an earlier run removed" in result.err


@pytest.mark.parametrize("what", ["file", "folder"])
def test_pages_never_writes_through_a_link_in_its_folder(tmp_path, what):
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    assert pages_out(root, str(out)).code == 0
    victim = tmp_path / "victim"
    if what == "file":
        victim.write_text("precious")
        (out / "index.md").unlink()
        (out / "index.md").symlink_to(victim)
    else:
        victim.mkdir()
        (victim / "roles.md").write_text("precious")
        shutil.rmtree(out / "process")
        (out / "process").symlink_to(victim)
    result = pages_out(root, str(out))
    assert result.code == 1
    assert "is a symbolic link; nothing is written through it" in result.err
    if what == "file":
        assert victim.read_text() == "precious"
    else:
        assert sorted(p.name for p in victim.iterdir()) == ["roles.md"]
        assert (victim / "roles.md").read_text() == "precious"


def test_pages_out_that_is_a_link_is_refused(tmp_path):
    root = copy_fixture(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").symlink_to(elsewhere)
    result = pages_out(root, str(tmp_path / "out"))
    assert result.code == 2 and "a symbolic link" in result.err
    assert list(elsewhere.iterdir()) == []


def test_pages_copies_only_markdown_pages_and_publish_files(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "docs" / "help.html").write_text("<script>alert(1)</script>")
    (root / "docs" / "graph.png").write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    assert pages_out(root, str(out)).code == 0
    assert not (out / "help.html").exists() and not (out / "people.yml").exists()
    assert (out / "graph.png").read_bytes() == b"\x89PNG" and (out / "about.md").is_file()


def test_pages_refuses_a_repo_with_a_link(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "docs" / "secret.md").symlink_to("/etc/passwd")
    result = pages_out(root, str(tmp_path / "out"))
    assert result.code == 1
    assert "docs/secret.md:1:1: FT012" in result.err
    assert not (tmp_path / "out").exists()


# -- sync write-back -----------------------------------------------------------------------


def test_write_back_refuses_a_link_and_a_linked_folder(tmp_path):
    from followthrough.files.writeback import WritebackError, write_ticket

    root = tmp_path / "repo"
    (root / "postmortems" / "2026").mkdir(parents=True)
    outside = tmp_path / "outside.md"
    outside.write_text(BASE)
    link = root / "postmortems" / "2026" / "2026-05-20-payments.md"
    link.symlink_to(outside)
    with pytest.raises(WritebackError, match="symbolic link"):
        write_ticket(link, 0, "PAY-9", root=root)
    with pytest.raises(WritebackError, match="symbolic link"):
        write_ticket(link, 0, "PAY-9")  # without the repo's root too
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "2026-05-20-payments.md").write_text(BASE)
    (root / "postmortems" / "2025").symlink_to(tmp_path / "real")
    with pytest.raises(WritebackError, match="postmortems/2025 is a symbolic link"):
        write_ticket(root / "postmortems" / "2025" / "2026-05-20-payments.md", 0, "PAY-9", root=root)
    assert outside.read_text() == BASE
    assert (tmp_path / "real" / "2026-05-20-payments.md").read_text() == BASE


def test_sync_never_writes_a_ticket_through_a_link_out_of_the_repo(tmp_path, jira):
    pm = Pm("payments", [Item("pool-alert", "Alert when the payments pool is above 90% for five minutes")])
    root = build_repo(tmp_path / "repo", {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    outside = tmp_path / "elsewhere" / pm.path  # named as a postmortem: it lints clean
    outside.parent.mkdir(parents=True)
    outside.write_text(render(pm))
    (root / pm.path).unlink()
    (root / pm.path).symlink_to(outside)
    result = run_cli("sync", cwd=root, env=env_for(jira))
    assert_no_traceback(result)
    assert outside.read_text() == render(pm)
    assert "ticket:" not in outside.read_text()
    assert jira.count("write") == 0
    assert result.code == 1  # a file that was not read is a failure of the run, not silence
    assert "postmortems/2026/2026-05-20-payments.md: skipped: not read (FT012)" in result.out + result.err


def test_new_never_writes_a_postmortem_through_a_linked_year_folder(tmp_path):
    root = lint_repo(tmp_path / "repo")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "postmortems" / "2027").symlink_to(elsewhere)
    result = run_cli("new", "checkout outage", "--date", "2027-01-05", cwd=root)
    assert_no_traceback(result)
    assert result.code == 2
    assert "postmortems/2027: a symbolic link" in result.err
    assert list(elsewhere.iterdir()) == []


def test_a_folder_where_the_people_directory_should_be_is_a_finding_not_an_absent_file(tmp_path):
    # Absent, the people directory is optional and owners go unchecked; a folder in its place
    # is a mistake (a FIFO there is already refused), so lint must not pass quietly.
    root = lint_repo(tmp_path)
    people = root / "postmortems" / "people.yml"
    people.unlink()
    people.mkdir()
    result = lint(root)
    assert result.code == 1, result.out + result.err
    assert "postmortems/people.yml:1:1: FT009 a folder, not the people directory (people)" in result.out, result.out

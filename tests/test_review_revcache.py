"""Review of the build cache (site/store.py, site/incremental.py): a cache restored from
elsewhere or tampered with must never make a build delete, write or publish anything outside
the site and the cache folder."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import shipped_repo
from .test_preview import EDITED, OTHER, TODAY, Builds, postmortem

pytestmark = pytest.mark.slow


def _cache(root: Path) -> Path:
    return root / ".followthrough" / "cache" / "site"


def _manifest(root: Path) -> dict:
    return json.loads((_cache(root) / "manifest.json").read_text(encoding="utf-8"))


def _write_manifest(root: Path, data: dict) -> None:
    (_cache(root) / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def built(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> Builds:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "build")
    builds.build()
    return builds


def test_a_manifest_naming_a_path_outside_the_cache_deletes_nothing(built: Builds, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    data = _manifest(built.root)
    escape = os.path.relpath(victim, _cache(built.root) / "pages")
    data["pages"]["postmortems/gone.md"] = ["k", escape, "", {}]
    _write_manifest(built.root, data)
    built.build()
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_a_dirty_build_with_a_manifest_naming_a_path_outside_the_site_deletes_nothing(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "build", dirty=True)
    builds.build()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    data = _manifest(root)
    data["pages"]["postmortems/gone.md"] = ["k", os.path.relpath(victim, tmp_path / "site"), "", {}]
    _write_manifest(root, data)
    builds.build()
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_a_stored_page_replaced_by_a_link_is_not_published(built: Builds, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT", encoding="utf-8")
    stored = _cache(built.root) / "pages" / OTHER / "index.html"
    stored.unlink()
    stored.symlink_to(secret)
    built.build()
    page = built.site / OTHER / "index.html"
    assert not page.is_symlink()
    assert "SECRET-CONTENT" not in page.read_text(encoding="utf-8")


def test_a_folder_of_the_store_replaced_by_a_link_is_not_written_through(built: Builds, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    year = _cache(built.root) / "pages" / EDITED.split("/")[0]
    shutil.rmtree(year)
    year.symlink_to(outside)
    text = postmortem(built.root, EDITED).read_text(encoding="utf-8")
    postmortem(built.root, EDITED).write_text(text.replace("\n## ", "\nEDITED-BODY\n\n## ", 1), encoding="utf-8")
    built.build()
    assert list(outside.iterdir()) == []
    assert "EDITED-BODY" in built.page(f"{EDITED}/index.html")


@pytest.mark.parametrize("text", ["[]", '"a string"', '{"format": 1, "site_key": "x", "pages": []}', '{"format": 1, "site_key": "x", "pages": {"a.md": ["k", "a/index.html", "", {"tags": "not-a-list"}]}}'])
def test_a_manifest_of_another_shape_means_a_full_build_not_a_traceback(built: Builds, text: str) -> None:
    (_cache(built.root) / "manifest.json").write_text(text, encoding="utf-8")
    assert set(built.inodes()) == built.build()


def _add_to_body(path: Path, text: str) -> None:
    body = path.read_text(encoding="utf-8")
    path.write_text(body.replace("\n## ", f"\n{text}\n\n## ", 1), encoding="utf-8")


def _warnings(builds: Builds, caplog: pytest.LogCaptureFixture) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        builds.build()
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("link", ["See [the other one][other].\n\n[other]: ../2025/{name}.md", "![a graph](../2025/{name}.png)"])
def test_a_link_whose_target_went_away_warns_as_in_a_full_build(built: Builds, caplog: pytest.LogCaptureFixture, link: str) -> None:
    name = OTHER.split("/")[1]
    picture = built.root / "postmortems" / "2025" / f"{name}.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    _add_to_body(postmortem(built.root, EDITED), link.format(name=name))
    assert not [w for w in _warnings(built, caplog) if name in w]
    postmortem(built.root, OTHER).rename(postmortem(built.root, OTHER + "-moved"))
    picture.unlink()
    assert [w for w in _warnings(built, caplog) if name in w], "the page linking to it was kept and warned of nothing"


def _serve(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    run_env.update(FOLLOWTHROUGH_TODAY=TODAY, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "followthrough", "serve", *args], cwd=root, env=run_env, capture_output=True, text=True, timeout=120)


def test_serve_on_a_port_in_use_or_out_of_range_is_a_usage_error_not_a_bug(tmp_path: Path) -> None:
    root = shipped_repo(tmp_path / "repo")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = _serve(root, "--dev-addr", f"127.0.0.1:{port}")
    assert busy.returncode == 2, busy.stderr[-2000:]
    assert "BUG" not in busy.stderr and f"127.0.0.1:{port}" in busy.stderr
    huge = _serve(root, "--dev-addr", "127.0.0.1:99999")
    assert huge.returncode == 2, huge.stderr[-2000:]
    assert "BUG" not in huge.stderr and "99999" in huge.stderr


def test_a_setting_mkdocs_yml_takes_from_the_environment_rebuilds_the_pages(built: Builds, monkeypatch: pytest.MonkeyPatch) -> None:
    config = built.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + '\ncopyright: !ENV [FT_REVIEW_COPYRIGHT, "none"]\n', encoding="utf-8")
    monkeypatch.setenv("FT_REVIEW_COPYRIGHT", "COPYRIGHT-ONE")
    built.build()
    assert "COPYRIGHT-ONE" in built.page(f"{OTHER}/index.html")
    monkeypatch.setenv("FT_REVIEW_COPYRIGHT", "COPYRIGHT-TWO")
    built.build()
    assert "COPYRIGHT-TWO" in built.page(f"{OTHER}/index.html")


def test_a_build_while_another_holds_the_cache_builds_every_page_and_leaves_the_cache(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Two builds on one checkout: the second cannot take the cache's lock, so it builds every
    page and stores nothing (one build's keys never meet the other's pages); once the lock is free
    the next build uses the cache again."""
    from followthrough.site.store import CacheLock

    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "build")
    builds.build()
    first = {p: inode for p, inode in builds.inodes().items() if p[:4].isdigit()}
    cache = root / ".followthrough" / "cache" / "site"
    manifest = sorted(p for p in cache.iterdir() if p.is_file() and not p.name.startswith("."))
    assert manifest
    before = {p: p.read_bytes() for p in manifest}
    held = CacheLock.take(cache)
    assert held is not None
    try:
        assert CacheLock.take(cache) is None  # the same lock, another descriptor: refused
        with caplog.at_level(logging.INFO, logger="mkdocs"):
            rewritten = builds.build()
        assert "another build is using the build cache" in caplog.text
        assert {p for p in builds.inodes() if p[:4].isdigit()} <= rewritten  # every page built
        assert {p: p.read_bytes() for p in manifest} == before  # the cache left as it was
    finally:
        held.release()
    builds.build()
    # The cache is used again: each postmortem page is the first build's stored file, linked back in.
    assert {p: inode for p, inode in builds.inodes().items() if p[:4].isdigit()} == first

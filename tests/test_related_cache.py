"""`followthrough related` with the features it keeps between runs: the same suggestions as a run
that keeps nothing, after edits, deletions, a damaged cache, a cache of another version, and no
traceback when the cache folder cannot be written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from followthrough.core.learning.features import from_data, to_data
from followthrough.core.learning.similar import Index, features_of
from followthrough.core.parse import parse_postmortem
from followthrough.core.settings import DEFAULT_SETTINGS

from .conftest import assert_no_traceback, run_cli, shipped_repo

TODAY = "2026-11-23"
EXTRA = """---
title: {title}
status: draft
severity: SEV-3
services: [{service}]
teams: [platform]
factors: [capacity]
started: {started}T08:00:00Z
---
## Summary

{summary}

## Root cause

The runners' disks filled with build caches that nothing cleaned up.
"""
EXTRAS = {
    "2026-09-01-runners-full.md": dict(title="CI runners ran out of disk", service="ci-runners", started="2026-09-01", summary="Deploys queued as CI runners filled their disks."),
    "2026-10-01-cache-growth.md": dict(title="Build cache growth stalled deploys", service="ci-runners", started="2026-10-01", summary="Build caches grew until the runners stopped."),
    "2026-10-15-queue-backlog.md": dict(title="Deploy queue backlog", service="deploy-service", started="2026-10-15", summary="A backlog of deploys after the runners stalled."),
    "2026-11-20-runners-again.md": dict(title="The CI runners ran out of disk again", service="ci-runners", started="2026-11-20", summary="Runners filled their disks with build caches again."),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = shipped_repo(tmp_path / "repo")
    for name, values in EXTRAS.items():
        (root / "postmortems" / "2026" / name).write_text(EXTRA.format(**values), encoding="utf-8")
    return root


def postmortem_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "postmortems").rglob("*.md"))


def related(root: Path, cache: Path, *, keep: bool = True) -> dict:
    """Suggestions for every postmortem of the repo, as JSON, with or without the cache."""
    env = {"XDG_CACHE_HOME": str(cache)} if keep else {"XDG_CACHE_HOME": str(cache), "FOLLOWTHROUGH_NO_CACHE": "1"}
    result = run_cli("related", "--today", TODAY, "--format", "json", "--limit", "10", *postmortem_files(root), cwd=root, env=env)
    assert_no_traceback(result)
    assert result.code == 0, result.err
    return json.loads(result.out)


def cache_files(cache: Path) -> list[Path]:
    return sorted((cache / "followthrough").glob("related-*.json"))


def test_the_cache_gives_the_suggestions_a_run_without_it_gives(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = related(repo, tmp_path / "none", keep=False)
    assert sum(len(p["suggestions"]) for p in expected["postmortems"]) > 4  # the corpus has something to suggest
    assert related(repo, cache) == expected  # cold: written
    [kept] = cache_files(cache)
    assert len(json.loads(kept.read_text())["entries"]) == len(postmortem_files(repo))
    written = kept.stat().st_mtime_ns
    assert related(repo, cache) == expected  # warm: read back
    assert kept.stat().st_mtime_ns == written  # nothing parsed, so nothing written

    # An edit of one file, and a deleted file: the cache follows the files.
    edited = repo / "postmortems" / "2026" / "2026-10-15-queue-backlog.md"
    edited.write_text(EXTRA.format(title="Runners out of disk stalled the deploy queue", service="ci-runners", started="2026-10-15", summary="Runners filled their disks."), encoding="utf-8")
    (repo / "postmortems" / "2026" / "2026-10-01-cache-growth.md").unlink()
    after = related(repo, tmp_path / "none", keep=False)
    assert after != expected
    assert related(repo, cache) == after
    assert len(json.loads(kept.read_text())["entries"]) == len(postmortem_files(repo))  # the deleted file's entry went
    assert related(repo, cache) == after


def test_a_damaged_or_foreign_cache_is_only_a_miss(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = related(repo, tmp_path / "none", keep=False)
    related(repo, cache)
    [kept] = cache_files(cache)
    good = json.loads(kept.read_text())

    def poisoned() -> dict:
        data = json.loads(json.dumps(good))
        for entry in data["entries"].values():
            entry["title"] = "POISON"
            entry["services"] = ["everything"]
        return data

    # Another version of the code (or of mkdocs.yml) wrote it: its entries are not read.
    foreign = poisoned()
    foreign["stamp"] = "another version"
    kept.write_text(json.dumps(foreign))
    assert related(repo, cache) == expected
    # Damaged entries (wrong types, missing fields) and a damaged file.
    damaged = json.loads(json.dumps(good))
    first, second, *_ = damaged["entries"]
    damaged["entries"][first]["counts"] = {"disk": "many"}
    del damaged["entries"][second]["kind"]
    kept.write_text(json.dumps(damaged))
    assert related(repo, cache) == expected
    for garbage in ('{"format": "1", "entries": [', "\0\1\2", json.dumps([1, 2, 3])):
        kept.write_text(garbage)
        assert related(repo, cache) == expected
    # Written by someone else (others may write it): not read, and not written either.
    kept.write_text(json.dumps(poisoned()))
    os.chmod(kept, 0o666)
    assert related(repo, cache) == expected


def test_a_cache_folder_that_cannot_be_written_means_no_cache(repo: Path, tmp_path: Path) -> None:
    expected = related(repo, tmp_path / "none", keep=False)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert related(repo, blocked) == expected
    shared = tmp_path / "shared"
    (shared / "followthrough").mkdir(parents=True)
    os.chmod(shared / "followthrough", 0o777)  # anyone could plant entries: not used
    assert related(repo, shared) == expected
    assert cache_files(shared) == []


def test_features_go_through_json_data_unchanged_and_odd_data_is_refused() -> None:
    text = EXTRA.format(**EXTRAS["2026-09-01-runners-full.md"])
    pm = parse_postmortem(text, "postmortems/2026/x.md", DEFAULT_SETTINGS)[0]
    features = features_of(pm)
    assert from_data(json.loads(json.dumps(to_data(features)))) == features
    assert Index([pm]).vectors == Index([from_data(to_data(features))]).vectors
    for bad in (None, [], {**to_data(features), "extra": 1}, {**to_data(features), "started": "2026-09-01T08:00:00"}, {**to_data(features), "counts": {"disk": 0}}, {**to_data(features), "front_matter": "yes"}):
        with pytest.raises(ValueError):
            from_data(bad)

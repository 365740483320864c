"""A real `mkdocs build` honours `rules`, `rules_per_path` and inline suppression, as `followthrough lint` does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .site_builds import build_site, copy_fixture, mkdocs

pytestmark = pytest.mark.slow

LEGACY = """---
title: Legacy checkout outage
status: draft
severity: SEV-4
services: [checkout-api]
started: 2019-04-02T09:00:00Z
roles:
  commander: ana.ic
  sme: [nia.sme]
action_items:
  - id: retry
    title: We should retry payments more carefully
    owner: nia.sme
    due: 2019-04-10
---

## Summary

Checkout failed for an hour.

## Timeline

- 09:00 Checkout errors start.

## Impact

Orders failed.

## Root cause

<!-- followthrough: ignore FT503 "quoting the customer's complaint word for word" -->
The customer wrote: "this is human error on your side".

The retry loop had no limit; the report at the time called it human error.

## What went well

Quick rollback.

## What went poorly

No alert.

## Action items

See the front-matter.
"""
PLUGIN = "  - followthrough:\n      site:\n        latest: 3\n"


def repo_with(tmp_path: Path, rules: str, body: str = LEGACY) -> Path:
    root = copy_fixture(tmp_path)
    (root / "docs" / "2019").mkdir()
    (root / "docs" / "2019" / "2019-04-02-legacy-outage.md").write_text(body)
    config = root / "mkdocs.yml"
    text = config.read_text()
    assert PLUGIN in text
    config.write_text(text.replace(PLUGIN, PLUGIN + rules))
    return root


def test_without_rule_settings_the_wish_fails_the_build(tmp_path):
    result = build_site(repo_with(tmp_path, ""))
    assert result.returncode == 1
    assert "docs/2019/2019-04-02-legacy-outage.md:12:1: FT305" in result.stderr
    assert "Traceback" not in result.stderr


def test_rules_off_and_per_path_let_the_build_pass(tmp_path):
    rules = '      rules: {FT503: off}\n      rules_per_path:\n        "2019/**": {FT305: warning}\n'
    root = repo_with(tmp_path, rules)
    result = build_site(root, strict=True)
    assert result.returncode == 0, result.stderr
    assert not re.search(r":\d+:\d+: FT503 ", result.stderr)  # off: not even listed (the idle comment's FT011 names it)
    assert "FT011 ignore FT503: the rule is off for this file" in result.stderr
    assert "FT305" in result.stderr and "(warning)" in result.stderr
    assert (root / "site" / "2019" / "2019-04-02-legacy-outage" / "index.html").is_file()


def test_an_inline_suppression_holds_in_the_build_and_is_not_shown(tmp_path):
    body = LEGACY.replace("The retry loop had no limit; the report at the time called it human error.", "The retry loop had no limit.")
    rules = '      rules: {FT503: error}\n      rules_per_path:\n        "2019/**": {FT305: off}\n'
    root = repo_with(tmp_path, rules, body)
    result = build_site(root, strict=True)
    assert result.returncode == 0, result.stderr
    assert "FT503" not in result.stderr and "FT305" not in result.stderr
    page = (root / "site" / "2019" / "2019-04-02-legacy-outage" / "index.html").read_text()
    assert "this is human error on your side" in page
    assert "followthrough: ignore" not in page and "quoting the customer" not in page


def test_a_bad_rule_setting_is_a_clean_build_error(tmp_path):
    result = mkdocs("build", "-d", "site", cwd=repo_with(tmp_path, "      rules: {FT503: of}\n"))  # the command itself: a clean error, no traceback
    assert result.returncode == 1
    assert "plugins.followthrough.rules.FT503: 'of' is not a level; use off, info, warning or error; did you mean 'off'?" in result.stderr
    assert "Traceback" not in result.stderr

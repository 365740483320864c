"""The rules of the fields that tie postmortems together: `related:` and `recurrence_of:` across
files (wherever lint runs, and again when another file changes), `factors:` and the factor hint
at level info, which never fails a run."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from followthrough.core.lint import lint_texts
from followthrough.core.model import Directory
from followthrough.core.rules.context import Context
from followthrough.core.rules import links
from followthrough.core.rules.factors import MAX_HINTS
from followthrough.core.rules.links import HINTS_AT_MOST, IdRecord
from followthrough.core.settings import DEFAULT_SETTINGS, Factor
from followthrough.site.memo import LintMemo

from .conftest import BASE, assert_no_traceback, lint_repo, run_cli
from .site_builds import mkdocs

CTX = Context(DEFAULT_SETTINGS, Directory(), date(2026, 11, 23))
ROOT_CAUSE = "A retry loop held connections open; nothing alerted on pool saturation."
DEPLOY_CAUSE = "A deploy of the retry change held connections open; the deploy skipped the canary stage."


def postmortem(pm_id: str, *, started: str = "2026-05-20T14:32:00Z", extra: str = "", kind: str = "", cause: str = ROOT_CAUSE) -> str:
    text = BASE.replace("title: Card payments", f"id: {pm_id}\ntitle: Card payments", 1)
    text = text.replace("started: 2026-05-20T14:32:00Z", f"started: {started}", 1)
    text = text.replace("authors: [sam.scribe]\n", f"authors: [sam.scribe]\n{extra}", 1)
    if kind:
        text = text.replace("status: published\n", f"status: published\nkind: {kind}\n", 1)
    return text.replace(ROOT_CAUSE, cause)


def found(files: dict[str, str], ctx: Context = CTX) -> list[tuple[str, str, str]]:
    result = lint_texts(list(files.items()), ctx)
    # The files are named a.md, b.md for short: FT107 (the file-name rule) is left out.
    return [(Path(f.path).stem, f.code, f.message) for f in result.findings if f.code != "FT107"]


EARLIER = postmortem("pool-march", started="2026-05-19T09:00:00Z")
DRILL = postmortem("failover-drill", started="2026-04-01T10:00:00Z", kind="game-day")


def test_links_to_postmortems_that_exist_are_clean() -> None:
    files = {
        "a.md": postmortem("pool-may", extra="related: [pool-march, failover-drill]\nrecurrence_of: pool-march\n"),
        "b.md": EARLIER,
        "c.md": DRILL,
    }
    assert [f for f in found(files) if f[1] in ("FT111", "FT112")] == []


def test_a_related_id_must_exist_and_not_be_itself() -> None:
    files = {"a.md": postmortem("pool-may", extra="related: [pool-mrach, pool-may]\n"), "b.md": EARLIER}
    assert [f for f in found(files) if f[1] == "FT111"] == [
        ("a", "FT111", "related: 'pool-may' is this postmortem itself; list the others it is related to"),
        ("a", "FT111", "related: 'pool-mrach' is not the id of a postmortem of this repo; did you mean 'pool-march'?"),
    ]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("pool-mrach", "recurrence_of: 'pool-mrach' is not the id of a postmortem of this repo; did you mean 'pool-march'?"),
        ("pool-may", "recurrence_of: 'pool-may' is this postmortem itself; name the earlier incident this one repeats"),
        ("failover-drill", "recurrence_of: 'failover-drill' is a game day (c.md); a recurrence repeats a real failure: name the earlier incident"),
        ("pool-june", "recurrence_of: 'pool-june' started 2026-06-01 08:00 UTC, not before this one (2026-05-20 14:32 UTC); "
         "a recurrence names the earlier incident (the later one may list this one under related:)"),
    ],
)  # fmt: skip
def test_a_recurrence_names_an_earlier_incident(target: str, expected: str) -> None:
    files = {
        "a.md": postmortem("pool-may", extra=f"recurrence_of: {target}\n"),
        "b.md": EARLIER,
        "c.md": DRILL,
        "d.md": postmortem("pool-june", started="2026-06-01T10:00:00+02:00"),
    }
    assert [f for f in found(files) if f[1] == "FT112"] == [("a", "FT112", expected)]


def test_cross_file_findings_take_the_rule_levels() -> None:
    levels = replace(DEFAULT_SETTINGS.rule_levels, everywhere={"FT111": None})
    ctx = replace(CTX, settings=replace(DEFAULT_SETTINGS, rule_levels=levels))
    files = {"a.md": postmortem("pool-may", extra="related: [nowhere]\n")}
    assert [f for f in found(files, ctx) if f[1] == "FT111"] == []


def test_factors_are_names_of_the_vocabulary_listed_once() -> None:
    files = {"a.md": postmortem("pool-may", extra="factors: [capacty, capacity, monitoring-gap, capacity]\n")}
    assert [(code, message) for _, code, message in found(files)] == [
        ("FT113", "factors: 'capacty' is not a contributing factor of the vocabulary (change, configuration, capacity, dependency, data, "
         "monitoring-gap, alerting, process, access, third-party, hardware); did you mean 'capacity'?"),
        ("FT114", "factors: 'capacity' is listed twice; list each factor once"),
    ]  # fmt: skip


def test_the_hint_reads_the_root_cause_and_skips_listed_factors() -> None:
    hinted = found({"a.md": postmortem("pool-may", cause=DEPLOY_CAUSE)})
    assert [(code, message) for _, code, message in hinted] == [
        ("FT510", "the root cause mentions 'deploy', 'canary': consider factors: [change] (a hint; list the factor, or switch FT510 off)")
    ]
    assert found({"a.md": postmortem("pool-may", cause=DEPLOY_CAUSE, extra="factors: [change]\n")}) == []
    # The same words in the Timeline are how it was mitigated, not why it happened.
    timeline_only = postmortem("pool-may").replace("| 2026-05-20 15:10 | Pool size raised; errors stop |", "| 2026-05-20 15:10 | Deploy rolled back; the deploy is reverted |")
    assert found({"a.md": timeline_only}) == []
    # A hint is suppressed like any finding of the body, with its reason.
    quiet = '<!-- followthrough: ignore FT510 "Deploy is the name of our release tool" -->\n' + DEPLOY_CAUSE
    assert found({"a.md": postmortem("pool-may", cause=quiet)}) == []


def test_a_vocabulary_without_the_default_names_gets_no_hint() -> None:
    own = replace(DEFAULT_SETTINGS, factors=(Factor("vendor-sla", "A vendor missed its contract."),))
    assert found({"a.md": postmortem("pool-may", cause=DEPLOY_CAUSE)}, replace(CTX, settings=own)) == []


def test_at_most_a_few_hints_a_file() -> None:
    cause = ("A deploy and a rollback; the migration and the backfill; a runbook and a checklist; "
             "the vendor and the provider; a certificate and its credentials; a saturated, exhausted pool.")  # fmt: skip
    hints = [f for f in found({"a.md": postmortem("pool-may", cause=cause)}) if f[1] == "FT510"]
    assert len(hints) == MAX_HINTS


def test_an_edit_to_one_file_rechecks_the_links_of_the_others() -> None:
    """`mkdocs serve` remembers each file's lint; the links across files are checked every time."""
    memo = LintMemo()
    a = ("2026/a.md", postmortem("pool-may", extra="related: [pool-march]\n"))
    b = ("2026/b.md", EARLIER)
    assert [f.code for f in memo([a, b], CTX).findings if f.code != "FT107"] == []
    renamed = ("2026/b.md", EARLIER.replace("id: pool-march", "id: pool-march-2026"))
    again = memo([a, renamed], CTX)
    assert memo.hits == 1  # a's own lint came from memory
    linked = [f for f in again.findings if f.code != "FT107"]
    assert [(f.path, f.code) for f in linked] == [("2026/a.md", "FT111")]
    assert "did you mean 'pool-march-2026'?" in linked[0].message


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = lint_repo(tmp_path, postmortem("pool-may", extra="related: [pool-march]\n", cause=DEPLOY_CAUSE))
    (root / "postmortems" / "2026" / "2026-05-19-pool-march.md").write_text(EARLIER)
    return root


def test_lint_of_one_file_reads_the_others_for_its_links(repo: Path) -> None:
    one = run_cli("lint", "postmortems/2026/2026-05-20-payments.md", cwd=repo)
    assert_no_traceback(one)
    assert "FT111" not in one.out and "1 postmortem(s) checked" in one.err
    target = repo / "postmortems" / "2026" / "2026-05-20-payments.md"
    target.write_text(target.read_text().replace("related: [pool-march]", "related: [pool-mrach]"))
    typo = run_cli("lint", "postmortems/2026/2026-05-20-payments.md", cwd=repo)
    assert typo.code == 1 and "FT111 related: 'pool-mrach' is not the id of a postmortem of this repo; did you mean 'pool-march'?" in typo.out


def test_a_hint_is_shown_in_every_format_and_never_fails(repo: Path) -> None:
    text = run_cli("lint", "--strict", cwd=repo)
    assert text.code == 0, text.out + text.err
    assert text.out.endswith("FT510 the root cause mentions 'deploy', 'canary': consider factors: [change] (a hint; list the factor, or switch FT510 off) (info)\n")
    assert "2 postmortem(s) checked: 0 error(s), 0 warning(s), 1 hint(s)" in text.err
    github = run_cli("lint", "--format", "github", "--strict", cwd=repo)
    assert github.code == 0 and github.out.startswith("::notice file=postmortems/2026/2026-05-20-payments.md,line=")
    as_json = run_cli("lint", "--format", "json", cwd=repo)
    assert [(f["code"], f["level"]) for f in json.loads(as_json.out)] == [("FT510", "info")]


def test_the_hint_is_raised_or_switched_off_like_any_rule(repo: Path) -> None:
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - followthrough\n", "  - followthrough:\n      rules: {FT510: warning}\n"))
    raised = run_cli("lint", "--strict", cwd=repo)
    assert raised.code == 1 and raised.out.endswith("(warning)\n")
    config.write_text(config.read_text().replace("FT510: warning", "FT510: off"))
    off = run_cli("lint", "--strict", cwd=repo)
    assert (off.code, off.out) == (0, "")


def test_a_hint_does_not_fail_the_strict_site_build(repo: Path) -> None:
    built = mkdocs("build", "--strict", cwd=repo, today="2026-11-23")
    assert built.returncode == 0, built.stderr
    assert "FT510" in built.stderr


def test_unknown_ids_past_the_hint_budget_get_no_did_you_mean() -> None:
    """A did-you-mean compares with every id; a repo full of broken links stays linear."""
    records = [IdRecord(f"{i}.md", f"pm-{i:04d}", 1, related=(f"pm-{i:04d}x",), related_line=2) for i in range(HINTS_AT_MOST + 50)]
    messages = [f.message for f in links.check(records)]
    assert len(messages) == HINTS_AT_MOST + 50
    assert sum("did you mean" in m for m in messages) == HINTS_AT_MOST

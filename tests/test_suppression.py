"""Inline suppression: `<!-- followthrough: ignore CODE "reason" -->` in a postmortem's body."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from followthrough.config.load import validate_plugin_section
from followthrough.config.rubric import settings_from_plugin
from followthrough.core.findings import Level
from followthrough.core.lint import lint_texts
from followthrough.core.model import Directory
from followthrough.core.parse import parse_postmortem
from followthrough.core.rules.context import Context
from followthrough.core.text.blocks import scan
from followthrough.core.rules.suppression import apply_rule_settings, strip_directives
from followthrough.core.settings import DEFAULT_SETTINGS

from .conftest import BASE, assert_no_traceback, run_cli, lint_repo

PATH = "postmortems/2026/2026-05-20-payments.md"
ROOT_CAUSE = "A retry loop held connections open; nothing alerted on pool saturation.\n"  # line 53
TABLE = "| 14:32 | Error rate on payments-api rises to 38% |\n| 14:40 | Alert fires; Ana declares a SEV-2 |\n"  # lines 43-44


def lint(text: str, section: dict | None = None) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in lint_findings(text, section)]


def lint_findings(text: str, section: dict | None = None):
    settings = DEFAULT_SETTINGS
    if section is not None:
        settings = settings_from_plugin(validate_plugin_section(section, None, "mkdocs.yml"), "postmortems", "", "mkdocs.yml")
    return lint_texts([(PATH, text)], Context(settings, Directory(), date(2026, 11, 23))).findings


def with_root_cause(lines: str) -> str:
    assert ROOT_CAUSE in BASE
    return BASE.replace(ROOT_CAUSE, lines)


def test_the_base_file_is_clean():
    assert lint(BASE) == []


def test_a_comment_on_its_own_line_covers_the_next_block():
    text = with_root_cause(
        '<!-- followthrough: ignore FT503 "quoting the customer\'s words" -->\n'
        "The customer wrote: \"this was human error on your side\".\n"
        "Our reply said it was not careless.\n"
        "\n"
        "A retry loop held connections open; it was human error.\n"
    )
    assert lint(text) == [("FT503", 57)]  # the paragraph after the blank line is not covered


def test_a_comment_at_the_end_of_a_line_covers_that_line_only():
    text = with_root_cause(
        'The customer wrote "human error". <!-- followthrough: ignore FT503 "quoting the customer" -->\n'
        "We called it human error too.\n"
    )
    assert lint(text) == [("FT503", 54)]


def test_several_codes_with_or_without_spaces():
    out_of_order = TABLE.replace("| 14:40 | Alert fires", "| 14:20 | Human error, said the pager; alert fires")
    for codes in ("FT502,FT503", "FT502, FT503"):
        text = BASE.replace(TABLE, out_of_order).replace(
            "| Time (UTC) | Event |\n", f'<!-- followthrough: ignore {codes} "the pager\'s own words, order as recorded" -->\n| Time (UTC) | Event |\n'
        )
        assert lint(BASE.replace(TABLE, out_of_order)) == [("FT502", 44), ("FT503", 44)]
        assert lint(text) == [], codes


def test_a_reason_in_typographic_quotes_counts():
    text = with_root_cause("It was human error. <!-- followthrough: ignore FT503 \u201cquoting the customer\u201d -->\n")
    assert lint(text) == []


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("<!-- followthrough: ignore FT503 -->", "needs a reason in double quotes"),
        ('<!-- followthrough: ignore FT503 "  " -->', "needs a reason in double quotes"),
        ('<!-- followthrough: ignore "why" -->', "name the rules to ignore"),
        ('<!-- followthrough: ignroe FT503 "why" -->', "expected 'ignore CODE[,CODE...] \"reason\"'"),
        ('<!-- followthrough: ignore FT5O3 "why" -->', "'FT5O3' is not a rule code; did you mean 'FT503'?"),
        ('<!-- followthrough: ignore FT503,FT306 "why" -->', "FT306 is not reported in the body"),
        ('<!-- followthrough: ignore FT505 "why" -->', "FT505 cannot be suppressed"),
    ],
)
def test_a_broken_comment_is_an_error_and_suppresses_nothing(comment, message):
    text = with_root_cause(f"It was human error. {comment}\n")
    found = lint_findings(text)
    assert [(f.code, f.line, f.level) for f in found] == [("FT503", 53, Level.WARNING), ("FT010", 53, Level.ERROR)]
    assert message in found[1].message
    assert found[1].column == len("It was human error. ") + 1


def test_a_comment_that_suppressed_nothing_is_a_warning_per_code():
    text = with_root_cause('It was human error. <!-- followthrough: ignore FT503,FT502 "quoting" -->\n')
    found = lint_findings(text)
    assert [(f.code, f.line, f.level) for f in found] == [("FT011", 53, Level.WARNING)]
    assert found[0].message.startswith("ignore FT502: no FT502 finding on the lines this comment covers")


def test_a_comment_for_a_rule_switched_off_in_the_config_says_so():
    text = with_root_cause('It was human error. <!-- followthrough: ignore FT503 "quoting" -->\n')
    found = lint_findings(text, {"rules": {"FT503": "off"}})
    assert [f.code for f in found] == ["FT011"]
    assert found[0].message == "ignore FT503: the rule is off for this file in mkdocs.yml, so there is nothing to suppress; remove FT503 from the comment"


def test_the_unused_warning_follows_the_config_too():
    text = with_root_cause('Fine words. <!-- followthrough: ignore FT503 "quoting" -->\n')
    assert lint(text, {"rules": {"FT011": "off"}}) == []
    assert [(f.code, f.level) for f in lint_findings(text, {"rules": {"FT011": "error"}})] == [("FT011", Level.ERROR)]


def test_comments_in_code_are_text_not_directives():
    text = with_root_cause(
        "```\n<!-- followthrough: ignore FT503 -->\n```\n\n"
        "Write `<!-- followthrough: ignore FT503 -->` to ignore one.\n"
    )
    assert lint(text) == []


def test_front_matter_findings_are_out_of_reach_of_comments():
    late = BASE.replace("due: 2026-06-15", "due: 2026-09-30")
    text = late.replace("## Summary\n", '## Summary\n<!-- followthrough: ignore FT306 "planned for Q3" -->\n')
    assert [c for c, _ in lint(text)] == ["FT306", "FT010"]


def test_a_file_whose_front_matter_failed_reports_no_unused_comments():
    broken = "---\ntitle: [unclosed\n---\nIt was fine. <!-- followthrough: ignore FT503 \"quoting\" -->\n"
    assert [c for c, _ in lint(broken)] == ["FT003"]


def test_the_pure_function_takes_findings_and_postmortems():
    text = with_root_cause('It was human error. <!-- followthrough: ignore FT503 "quoting" -->\n')
    pm, _ = parse_postmortem(text, PATH, DEFAULT_SETTINGS)
    raw = lint_texts([(PATH, with_root_cause("It was human error.\n"))], Context(DEFAULT_SETTINGS, Directory(), date(2026, 11, 23))).findings
    assert [f.code for f in raw] == ["FT503"]
    assert apply_rule_settings(raw, [pm], DEFAULT_SETTINGS.rule_levels) == []


def test_strip_directives_leaves_what_the_site_should_show():
    body = (
        '<!-- followthrough: ignore FT503 "quoting" -->\n'
        "The customer wrote \"human error\".\n"
        'Second line. <!-- followthrough: ignore FT503 "quoting" -->\n'
        "```\n<!-- followthrough: ignore FT503 \"kept: it is code\" -->\n```\n"
        "<!-- an ordinary comment -->\n"
    )
    code = scan(body, 0).code  # the site's code lines, counted from 0 as the site's body is
    assert strip_directives(body, code) == (
        "The customer wrote \"human error\".\n"
        "Second line.\n"
        "```\n<!-- followthrough: ignore FT503 \"kept: it is code\" -->\n```\n"
        "<!-- an ordinary comment -->\n"
    )


# --- the real CLI ---------------------------------------------------------------------


def test_cli_honours_inline_suppression(tmp_path: Path):
    lint_repo(tmp_path, with_root_cause("It was human error.\n"), plugin="  - followthrough:\n      rules: {FT503: error}\n")
    target = tmp_path / "postmortems" / "2026" / "2026-05-20-payments.md"
    assert run_cli("lint", cwd=tmp_path).code == 1
    target.write_text(with_root_cause('It was human error. <!-- followthrough: ignore FT503 "the on-call\'s own words" -->\n'))
    result = run_cli("lint", cwd=tmp_path)
    assert_no_traceback(result)
    assert (result.code, result.out) == (0, "")
    target.write_text(with_root_cause("It was human error. <!-- followthrough: ignore FT503 -->\n"))
    result = run_cli("lint", cwd=tmp_path)
    assert result.code == 1
    assert "postmortems/2026/2026-05-20-payments.md:53:21: FT010 ignore FT503 needs a reason in double quotes" in result.out


def test_words_inside_the_comment_are_not_findings():
    # The site drops the comment, so a reason quoting a blaming phrase is not blame on the page.
    out_of_order = TABLE.replace("| 14:40 | Alert fires", "| 14:20 | Alert fires")
    text = BASE.replace(TABLE, out_of_order).replace(
        "| Time (UTC) | Event |\n", '<!-- followthrough: ignore FT502 "kept as the pager logged it, human error and all" -->\n| Time (UTC) | Event |\n'
    )
    assert lint(BASE.replace(TABLE, out_of_order)) == [("FT502", 44)]
    assert lint(text) == []


def test_spacing_inside_the_comment_is_free():
    text = with_root_cause('It was human error. <!--followthrough:ignore\tFT503   "the vendor\'s words"-->\n')
    assert lint(text) == []


@pytest.mark.parametrize(
    "written",
    [
        'The customer wrote "human error". <!-- followthrough ignore FT503 "quoting" -->',
        'The customer wrote "human error". <!-- Followthrough: ignore FT503 "quoting" -->',
        'The customer wrote "human error". <!-- followthrough: ignore FT503\n"quoting" -->',
    ],
)
def test_a_comment_meant_as_a_suppression_but_not_one_says_so(written):
    from followthrough.core.rules.suppression import directives

    (d,) = directives(written, 10)
    assert d.line == 10 and "not read as a suppression comment" in d.problem


def test_a_reason_in_single_quotes_is_named_as_such():
    from followthrough.core.rules.suppression import directives

    (d,) = directives("""Text. <!-- followthrough: ignore FT503 'quoting' -->""", 1)
    assert d.problem == 'put the reason in double quotes ("..."), not single ones'

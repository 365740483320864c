"""guide/rules.md is the catalog as a page: every rule, its level, whether it can be configured, how to fix it."""

from __future__ import annotations

import re
from pathlib import Path

from followthrough.core.catalog import RULES

GUIDE = Path(__file__).resolve().parents[1] / "guide"
DOC = (GUIDE / "rules.md").read_text()
ROW = re.compile(r"^\| \[`(FT\d{3})`\]\(#[a-z0-9-]+\) \| ([a-z0-9.-]+) \| (error|warning|info) \| (yes|no|comments and config|config) \| (.+) \|$", re.M)


def fix_sections() -> dict[str, str]:
    """'### FT001 front-matter-missing' -> its text, up to the next heading outside a code block."""
    sections: dict[str, str] = {}
    current: list[str] | None = None
    fenced = False
    for line in DOC.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"^(#{1,3}) (?:(FT\d{3}) [a-z0-9.-]+)?", line)
        if heading:
            current = sections.setdefault(heading.group(2), []) if heading.group(2) else None
        elif current is not None:
            current.append(line)
    return {code: "\n".join(lines) for code, lines in sections.items()}


def test_the_table_lists_exactly_the_catalog_in_order():
    rows = ROW.findall(DOC)
    assert [r[0] for r in rows] == list(RULES)
    for code, name, level, _configurable, summary in rows:
        rule = RULES[code]
        assert (name, level) == (rule.name, rule.level.value), code
        assert summary == rule.summary, code


def test_the_table_says_which_rules_can_be_configured_and_suppressed():
    for code, _name, _level, configurable, _summary in ROW.findall(DOC):
        rule = RULES[code]
        expected = "no" if rule.locked else ("comments and config" if rule.inline else "config")
        assert configurable == expected, code


def test_each_table_row_links_to_its_own_fix_section():
    for code in RULES:
        anchor = f"{code.lower()}-{RULES[code].name.replace('.', '')}"
        assert f"[`{code}`](#{anchor})" in DOC, code
        assert f"### {code} {RULES[code].name}\n" in DOC, code


def test_every_rule_has_real_fix_guidance_with_an_example():
    sections = fix_sections()
    assert list(sections) == list(RULES)
    for code, text in sections.items():
        prose = re.sub(r"```.*?```", "", text, flags=re.S).strip()
        assert len(prose) >= 80, f"{code}: the fix text is too thin: {prose!r}"
        assert "```" in text, f"{code}: no example"


def test_locked_rules_say_why_in_their_section():
    sections = fix_sections()
    for code, rule in RULES.items():
        if rule.locked:
            assert "Cannot be switched off" in sections[code], code


def test_configuration_and_suppression_are_documented_in_both_guides():
    config = (GUIDE / "configuration.md").read_text()
    for text in (DOC, config):
        assert "rules_per_path" in text and "FT503: off" in text
    assert '<!-- followthrough: ignore FT503 "' in DOC
    assert "FT010" in DOC and "FT011" in DOC
    assert "front-matter" in DOC and "only in mkdocs.yml" in DOC

"""Lint takes time linear in a file's size on any input, and the build stops with a finding
before the renderer meets what it is slow on (FT109, FT509).

Times are compared within one test, size n against 4n (tests/linearity.py says how).
"""

from __future__ import annotations


import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.core.text import blocks, complexity
from followthrough.core.lint import lint_texts

from .conftest import BASE
from .linearity import CTX, PATH, assert_linear
from .site_builds import build_site, copy_fixture

# The reproductions: each took seconds to minutes at a few kilobytes, growing with the square.
REPRODUCTIONS = {
    "blame: x's fault repeated": lambda n: "x's fault " * (n // 10),
    "suppression comments never closed": lambda n: "<!-- followthrough:" * (n // 19),
    "heading of spaces ending in a brace": lambda n: "## a" + " " * n + "x}",
    "headings each ending in an open brace": lambda n: "## x {" * (n // 6) + "}",
    "setext headings without blank lines": lambda n: "a\n=\n" * (n // 4),
    "headings under table rows": lambda n: "| a\n## x |\n" * (n // 11),
    "heading of spaces": lambda n: "## a" + " " * n + "x",
    "hidden headings in one block (ending in a backslash)": lambda n: "## x\\\n" * (n // 6),
    "hidden headings under one table row": lambda n: "| a |\n" + "## x\n" * (n // 5),
}


@pytest.mark.parametrize("name", list(REPRODUCTIONS))
def test_lint_time_of_each_reproduction_is_linear(name):
    assert_linear(REPRODUCTIONS[name], 8000)


def test_a_heading_of_a_quarter_million_spaces_is_read_in_linear_time():
    assert_linear(lambda n: "## a" + " " * n + "x", 64000)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="#\\ a}{", max_size=16))
def test_the_atx_reader_agrees_with_the_atx_grammar(line):
    m = blocks._ATX_RE.match(line)
    assert blocks._atx(line) == (None if m is None else (m.group(1), m.group(2)))


_ATOMS = ["    ", " ", "#", "##", "`", "```", "|", ">", "> ", "-", "- ", "*", "* ", "_", "[", "](", "<", "<!--", "-->", "1. ",
          "12:30", "2026-05-20 ", "0", "{", "}", "{: ", "=", "!!! note", "\n", "\n\n", "x's fault ", "human error ", "to blame ",
          "careless ", "<!-- followthrough: ignore FT503 ", "\u00a0", "\t", "\r", "a", "Title"]  # fmt: skip


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=8))
def test_lint_time_is_proportional_to_size_for_adversarial_repetitions(unit):
    """A body made of one short adversarial unit repeated: 6 KB against 24 KB."""
    piece = "".join(unit)
    assert_linear(lambda n: piece * (n // len(piece) + 1), 6000)


def test_nesting_is_counted_from_indentation_and_markers():
    assert complexity.nesting("- - > 1. x") == 4
    assert complexity.nesting("        - x") == 3
    assert complexity.nesting("        plain text, code or a continuation") == 0
    assert complexity.nesting("!!! note") == 1


@pytest.mark.parametrize(
    "body, construct, line",
    [
        ("- " * 1000 + "x", "nested 1,000 levels deep", 0),
        ("\n".join("    " * i + "- x" for i in range(30)), "nested 21 levels deep", 20),  # the first line past the limit
        ("> " * 1000 + "x", "nested 1,000 levels deep", 0),
        ("`" * 3000, "a run of 3,000 backticks", 0),
        ("*a " * 300 + "x" + " b*" * 300, "600 '*' and '_'", 0),
        ("[" * 2000, "2,000 backtick runs, '[' and '<'", 0),
        ("a\n=\n" * 20000, "re-reads the rest of a block", 0),
        ("text\n\n" + "x<b\n\n" * 4000, "do not close", 2),  # the costliest: the first
        ("<![CDATA[" * 2000, "do not close", 0),
    ],
)
def test_what_the_renderer_is_slow_on_is_an_ft509_at_its_line(body, construct, line):
    result = lint_texts([(PATH, BASE + "\n" + body + "\n")], CTX)
    ft509 = [f for f in result.findings if f.code == "FT509" and construct in f.message]
    assert len(ft509) == 1, result.findings
    assert ft509[0].line == BASE.count("\n") + 2 + line and ft509[0].is_error


def test_real_writing_is_far_from_the_limits():
    prose = "The `pool` filled after [the deploy](https://example.test/d/1) of `api` v2; *retries* held connections.\n"
    body = ("## Timeline\n\n| Time | Event |\n|---|---|\n" + "| 14:32 | [PAY-1](https://x.test/1) `retry` <b>up</b> |\n" * 500
            + "\n" + (prose * 8 + "\n") * 200 + "- a\n    - b\n        - c\n            - d\n")  # fmt: skip
    result = lint_texts([(PATH, BASE + "\n" + body)], CTX)
    assert not [f for f in result.findings if f.code == "FT509"]


def test_a_list_of_10000_services_is_one_ft109_and_only_200_are_read():
    services = "services:\n" + "".join(f"  - svc-{i}\n" for i in range(10000))
    result = lint_texts([(PATH, BASE.replace("services: [payments-api]\n", services, 1))], CTX)
    assert [(f.code, f.line) for f in result.findings] == [("FT109", 6)]
    assert "10,000 entries, at most 200" in result.findings[0].message
    assert len(result.postmortems[0].services) == 200


def test_two_hundred_action_items_are_fine_and_one_more_is_ft109():
    item = "  - title: Alert on pool saturation\n    owner: max.sme\n    due: 2026-06-05\n"
    start = BASE.index("action_items:\n") + len("action_items:\n")
    end = BASE.index("---\n", start)
    for count, expected in ((200, []), (201, ["FT109"])):
        text = BASE[:start] + item * count + BASE[end:]
        result = lint_texts([(PATH, text)], CTX)
        assert [f.code for f in result.findings if f.code in ("FT109", "FT106")] == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "body, front, code",
    [
        ("- " * 1000 + "x", "", "FT509 lists, quotes or admonitions nested 1,000 levels deep"),
        ("`" * 3000, "", "FT509 a run of 3,000 backticks"),
        ("", "".join(f"  - svc-{i}\n" for i in range(10000)), "FT109 services: 10,000 entries"),
    ],
    ids=["nested-list", "backticks", "10000-services"],
)
def test_the_build_stops_at_the_finding_before_the_renderer(tmp_path, body, front, code):
    root = copy_fixture(tmp_path)
    text = BASE.replace("services: [payments-api]\n", "services:\n" + front, 1) if front else BASE
    (root / "docs" / "2026").mkdir()
    (root / "docs" / "2026" / "2026-05-20-x.md").write_text(text + "\n" + body + "\n")
    result = build_site(root)
    assert result.returncode == 1
    assert "docs/2026/2026-05-20-x.md:" in result.stderr and code in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert not (root / "site" / "index.html").exists()

"""The renderer's bounds (FT509) hold for every Markdown page the site renders, not only for
postmortems: an `about.md` is repo content too. And two constructs the first bounds missed:
many headings on one page (quadratic in the table of contents and the search index) and
`md_in_html` elements nested inside each other (one call per level, then a RecursionError).
"""

from __future__ import annotations

import pytest

from followthrough.core.text import complexity
from followthrough.core.text.frontmatter import split
from followthrough.core.lint import lint_page, lint_texts

from .conftest import assert_no_traceback, run_cli
from .conftest import BASE
from .linearity import CTX, PATH, assert_linear
from .site_builds import build_site, copy_fixture

ABOUT = "docs/about.md"
HEAD = "# About\n\nText.\n\n"  # the hostile part starts on line 5

# The reproductions on a page that is not a postmortem: each crashed the build or kept it busy
# for minutes, and nothing checked it.
PAGE_REPRODUCTIONS = {
    "nested-list-300": ("\n".join("    " * i + "- x" for i in range(300)), "nested 21 levels deep", 20),
    "md-in-html-400": ("<div markdown>\n" * 400 + "x\n" + "</div>\n" * 400, "'markdown' attribute nested 21 deep", 20),
    "brackets-100000": ("[" * 100000, "backtick runs, '[' and '<'", 0),
    "open-tags-100000": ("<a " * 100000, "do not close", 0),
    "headings-20000": ("".join(f"## a{i}\n\n" for i in range(20000)), "20,001 headings", 1998),  # with the title
}


@pytest.mark.parametrize("name", list(PAGE_REPRODUCTIONS))
def test_another_page_past_a_bound_is_an_ft509_naming_its_line(name):
    body, construct, line = PAGE_REPRODUCTIONS[name]
    found = lint_page(ABOUT, HEAD + body + "\n")
    assert [(f.code, f.line) for f in found if construct in f.message] == [("FT509", 5 + line)], found
    assert all(f.is_error for f in found)


def test_an_ordinary_page_is_far_from_the_bounds():
    page = "# About\n\n" + "".join(f"## Section {i}\n\nSome *text* with [a link](x.md) and `code`.\n\n" for i in range(300))
    page += '<div markdown="1">\n<div markdown>\n\n- a\n    - b\n\n</div>\n</div>\n\n```\n' + "# not a heading\n" * 5000 + "```\n"
    assert lint_page(ABOUT, page) == []


def test_a_thousand_headings_are_fine_and_one_more_is_ft509():
    assert lint_page(ABOUT, "## a\n" * 1000) == []
    found = lint_page(ABOUT, "## a\n" * 1001)
    assert [(f.code, f.line) for f in found] == [("FT509", 1001)]
    assert "1,001 headings (at most 1,000" in found[0].message


def test_setext_headings_and_headings_in_lists_and_quotes_count():
    assert complexity.heading_lines("a\n===\nb\n---\n> # c\n- # d\n1. # e\n\n---\n")[0] == 5  # the last `---` is a rule


def test_markdown_html_depth_counts_only_elements_with_a_markdown_attribute():
    assert complexity.markdown_html_depth("<div>\n" * 400 + "x\n" + "</div>\n" * 400)[0] == 0
    assert complexity.markdown_html_depth('<div markdown="1"><p markdown>x</p></div>' * 50)[0] == 2
    assert complexity.markdown_html_depth("<section markdown>\n<div markdown>\n</section>\n" * 50)[0] == 2  # a closer ends what it closes
    assert complexity.markdown_html_depth("<div markdown/>" * 50)[0] == 0
    assert complexity.markdown_html_depth("<DIV MarkDown>\n" * 50)[0] == 21  # HTML names know no case; counted one past the limit


BASE_HEADINGS = complexity.heading_lines(split(BASE).body)[0]  # the sections of the base postmortem


@pytest.mark.parametrize(
    "body, construct, line",
    [
        ("".join(f"### a{i}\n\n" for i in range(2000)), f"{2000 + BASE_HEADINGS:,} headings", 2 * (1000 - BASE_HEADINGS)),
        ("### a\n\n" * 2000, f"{2000 + BASE_HEADINGS:,} headings", 2 * (1000 - BASE_HEADINGS)),
        ("<div markdown>\n" * 400 + "x\n" + "</div>\n" * 400, "'markdown' attribute nested 21 deep", 20),
        ('<div markdown="1">' * 400 + "x" + "</div>" * 400, "'markdown' attribute nested 21 deep", 0),
    ],
    ids=["distinct-headings", "same-headings", "md-in-html-lines", "md-in-html-one-line"],
)
def test_a_postmortem_past_the_new_bounds_is_an_ft509_not_an_internal_error(body, construct, line):
    result = lint_texts([(PATH, BASE + "\n" + body + "\n")], CTX)
    assert "FT000" not in [f.code for f in result.findings], result.findings
    ft509 = [f for f in result.findings if f.code == "FT509" and construct in f.message]
    assert len(ft509) == 1, result.findings
    assert ft509[0].line == BASE.count("\n") + 2 + line and ft509[0].is_error


LINEAR = {
    "headings": lambda n: "## a\n\n" * (n // 6),
    "markdown elements never closed": lambda n: "<div markdown>\n" * (n // 15),
    "markdown elements closed by another name": lambda n: "<div markdown>" * 20 + "</p>" * (n // 4),
}


@pytest.mark.parametrize("name", list(LINEAR))
def test_lint_time_of_the_new_counts_is_linear(name):
    assert_linear(LINEAR[name], 8000)


def test_lint_reports_another_page_of_docs_dir(tmp_path):
    root = copy_fixture(tmp_path)
    (root / ABOUT).write_text(HEAD + "<div markdown>\n" * 400 + "x\n" + "</div>\n" * 400)
    result = run_cli("lint", cwd=root)
    assert_no_traceback(result)
    assert result.code == 1
    assert "docs/about.md:25:1: FT509 HTML elements with a 'markdown' attribute nested 21 deep" in result.out, result.out


def test_lint_leaves_alone_a_generated_copy_left_in_docs_dir(tmp_path):
    from followthrough.core.pages.paths import GENERATED_MARK

    root = copy_fixture(tmp_path)
    (root / "docs" / "all.md").write_text(GENERATED_MARK + "\n" + "## a\n" * 2000)
    (root / "docs" / "mine.md").write_text(GENERATED_MARK + "\n" + "## a\n" * 2000)  # the mark alone is no pass
    result = run_cli("lint", cwd=root)
    assert "docs/all.md" not in result.out
    assert "docs/mine.md:1002:1: FT509" in result.out, result.out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAGE_REPRODUCTIONS))
def test_the_build_stops_at_another_page_past_a_bound(tmp_path, name):
    body, construct, line = PAGE_REPRODUCTIONS[name]
    root = copy_fixture(tmp_path)
    (root / ABOUT).write_text(HEAD + body + "\n")
    result = build_site(root)
    assert result.returncode == 1
    assert f"docs/about.md:{5 + line}:1: FT509" in result.stderr and construct in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert not (root / "site" / "index.html").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "body, construct",
    [
        ("### a\n\n" * 40000, f"{40000 + BASE_HEADINGS:,} headings"),
        ("<div markdown>\n" * 400 + "x\n" + "</div>\n" * 400, "'markdown' attribute nested 21 deep"),
    ],
    ids=["headings-40000", "md-in-html-400"],
)
def test_the_build_stops_at_a_postmortem_past_the_new_bounds(tmp_path, body, construct):
    root = copy_fixture(tmp_path)
    (root / "docs" / "2026").mkdir()
    (root / "docs" / "2026" / "2026-05-20-x.md").write_text(BASE + "\n" + body + "\n")
    result = build_site(root)
    assert result.returncode == 1
    assert "docs/2026/2026-05-20-x.md:" in result.stderr and "FT509" in result.stderr and construct in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "FT000" not in result.stderr
    assert not (root / "site" / "index.html").exists()


HOOK = '''
from mkdocs.structure.files import File


def on_files(files, config):
    files.append(File.generated(config, "generated.md", content="# Generated\\n\\n" + "<div markdown>\\n" * 400 + "x\\n" + "</div>\\n" * 400))
    return files
'''


@pytest.mark.slow
def test_the_build_stops_at_a_page_another_plugin_generates_past_a_bound(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "hooks.py").write_text(HOOK)
    with (root / "mkdocs.yml").open("a") as f:
        f.write("hooks:\n  - hooks.py\n")
    result = build_site(root)
    assert result.returncode == 1
    assert "generated.md:23:1: FT509 HTML elements with a 'markdown' attribute nested 21 deep" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert not (root / "site" / "index.html").exists()

"""The body scanner against the site's renderer: Python-Markdown with the site's extensions.

Generated bodies mix every block construct that decides what is a heading (fences with and
without info strings lint and the site read differently, indented and tab- or NBSP-led lines,
tables, lists, quotes, admonitions, HTML blocks and comments, setext underlines). For each, the
headings lint finds, in order, must be the heading elements the full render of the body holds.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.core.text.blocks import Dialect, dialect_from, scan
from followthrough.core.text.body import normalize_heading

from .conftest import DATA

# The extension lists of two real sites: this repo's test site (MkDocs adds toc, tables and
# fenced_code to whatever mkdocs.yml lists), and a mkdocs-material site using superfences.
SITE = dialect_from(["tables", "attr_list", "md_in_html", "admonition", {"toc": {"permalink": True}}])
MATERIAL = dialect_from(["attr_list", "md_in_html", "admonition", "pymdownx.details", "pymdownx.superfences"])
FULL = dialect_from([*MATERIAL.extensions, "def_list", "footnotes", "pymdownx.tabbed", "pymdownx.highlight"])


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str]] = []
        self._level = 0
        self._skip = 0
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._level, self._text = int(tag[1]), []
        elif self._level and tag == "a" and ("class", "headerlink") in attrs:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._level and tag == f"h{self._level}":
            self.found.append((self._level, "".join(self._text)))
            self._level = 0

    def handle_data(self, data):
        if self._level and not self._skip:
            self._text.append(data)


def rendered_headings(body: str, dialect: Dialect) -> list[tuple[int, str]]:
    html = markdown.markdown(body, extensions=list(dialect.extensions), extension_configs=dict(dialect.configs))
    parser = _Headings()
    parser.feed(html)
    return [(level, normalize_heading(text)) for level, text in parser.found]


def linted_headings(body: str, dialect: Dialect) -> list[tuple[int, str]]:
    return [(h.level, normalize_heading(h.title)) for h in scan(body, 1, dialect).headings]


words = st.sampled_from(["Summary", "Impact", "Timeline", "Root cause", "Lessons", "Action items", "Notes"])
prose = st.sampled_from(["Some words here.", "The cache was cold.", "Error rate rose to 5%.", "a | b", "Text with `code`."])
heading_prefix = st.sampled_from(
    ["## ", "##", "# ", "### ", " ## ", "   ## ", "    ## ", "\t## ", "\u00a0## ", "- ## ", "> ## ", "1. ## ", "####### "]
)
fence_open = st.sampled_from(
    ["```", "```py", "``` python", '```py title="x.py"', "```{.py}", '```{.py title="x"}', "```{.py", "~~~", "````",
     "  ```", "    ```", "\t```", "\u00a0```", "```yaml hl_lines=\"1\"", "``` ` x"]
)  # fmt: skip


@st.composite
def chunk(draw, depth: int = 0):
    kind = draw(st.sampled_from(
        ["heading", "heading", "heading", "setext", "prose", "fence", "indented", "table", "list", "quote",
         "admonition", "comment", "html", "hr", "closer", "material"]
    ))  # fmt: skip
    title = draw(words)
    if kind == "heading":
        suffix = draw(st.sampled_from(["", "", " ##", " {: #x }"]))
        return draw(heading_prefix) + title + suffix
    if kind == "setext":
        return title + "\n" + draw(st.sampled_from(["---", "===", "-", "======  "]))
    if kind == "prose":
        return draw(prose)
    if kind == "fence":
        opener = draw(fence_open)
        inner = [draw(chunk(depth + 1)) for _ in range(draw(st.integers(0, 2)))] if depth < 2 else []
        closer = draw(st.sampled_from([opener.strip(" \t\u00a0")[:3], opener.strip(" \t\u00a0")[:4], "", "```", "~~~"]))
        return "\n".join([opener, *inner, closer])
    if kind == "indented":
        return "    " + draw(st.sampled_from(["code line", "## " + title, "- 10:00 entry"]))
    if kind == "table":
        return "| Time | Event |\n| --- | --- |\n| 10:00 | start |"
    if kind == "list":
        return draw(st.sampled_from(["- item one\n- item two", "1. first\n2. second", "* star", "- item\n\n    continued"]))
    if kind == "quote":
        return draw(st.sampled_from(["> quoted", "> quoted\nlazy line"]))
    if kind == "admonition":
        return draw(st.sampled_from(["!!! note\n    Indented text", "!!! note\n\n    ## " + title, '??? tip "Title"\n    text']))
    if kind == "comment":
        return draw(st.sampled_from(["<!-- guidance -->", "<!--\nmulti line\n-->", "<!-- a --> text", "<!-- ## " + title + " -->"]))
    if kind == "html":
        return draw(st.sampled_from(["<div>\n## " + title + "\n</div>", '<div markdown="1">\n\n## ' + title + "\n\n</div>", "<p>para</p>"]))
    if kind == "material":  # def_list, footnotes, tabbed: prose elsewhere
        return draw(st.sampled_from([
            "Term\n:   Definition", ":   ## " + title, "Term\n:   ## " + title, "[^1]: A note\n    ## " + title,
            "Text[^1].", '=== "Tab"\n\n    ## ' + title, '=== "Tab"\n    text', "Term\n\n:   text",
        ]))  # fmt: skip
    if kind == "hr":
        return draw(st.sampled_from(["---", "***", "- - -"]))
    return draw(st.sampled_from(["```", "~~~", "````"]))


@st.composite
def body(draw):
    parts = draw(st.lists(chunk(), min_size=1, max_size=14))
    out = parts[0]
    for part in parts[1:]:
        out += draw(st.sampled_from(["\n", "\n\n", "\n\n", "\n\n\n"])) + part
    return out + draw(st.sampled_from(["", "\n"]))


# CI runs a fixed sample of 3 x 1,500 bodies (derandomized, so a landing never hangs on luck);
# FOLLOWTHROUGH_DIFF_EXAMPLES=50000 explores further with fresh random bodies.
EXAMPLES = int(os.environ.get("FOLLOWTHROUGH_DIFF_EXAMPLES", "1500"))


@pytest.mark.parametrize("dialect", [SITE, MATERIAL, FULL], ids=["site", "material", "material-full"])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="FOLLOWTHROUGH_DIFF_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=body())
def test_lint_finds_exactly_the_headings_the_site_renders(dialect, text):
    assert linted_headings(text, dialect) == rendered_headings(text, dialect)


@st.composite
def ordinary_chunk(draw):
    """What postmortems are made of: the line scan must read these alone, without the renderer."""
    title = draw(words)
    return draw(st.sampled_from([
        "## " + title,
        "### " + title,
        "Some words here.\nA second line of the paragraph.",
        "- item one\n- item two\n  continued",
        "1. first\n2. second",
        "| Time (UTC) | Event |\n| --- | --- |\n| 14:32 | Error rate rises |",
        "```\n## not a heading\n# a shell comment\n```",
        "```sh\nkubectl get pods\n```",
        "~~~yaml\nkey: value\n~~~",
        "<!-- guidance for the author -->",
        "<!--\nA comment over\nseveral lines\n-->",
        "    indented code after a blank line",
        "> a quote",
        "---",
    ]))  # fmt: skip


@st.composite
def ordinary_body(draw):
    return "\n\n".join(draw(st.lists(ordinary_chunk(), min_size=1, max_size=12))) + "\n"


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text=ordinary_body())
def test_ordinary_bodies_are_read_by_the_line_scan_alone_and_agree(text):
    blocks = scan(text, 1, SITE)
    assert not blocks.by_reference
    assert [(h.level, normalize_heading(h.title)) for h in blocks.headings] == rendered_headings(text, SITE)


def test_the_fixture_postmortems_need_no_renderer():
    from followthrough.core.text import frontmatter

    for path in sorted((DATA / "rules" / "docs" / "2026").glob("*pass-base.md")) + sorted((DATA / "site" / "basic" / "docs").rglob("*.md")):
        parts = frontmatter.split(path.read_text())
        assert not scan(parts.body, parts.body_line, SITE).by_reference, path


def test_the_hidden_heading_is_explained_at_the_fence_that_hides_it():
    body = '## Summary\n\n```py title="x.py"\nprint(1)\n```\n\n## Timeline\n\n- 10:00 start\n\n```\nlog\n```\n'
    blocks = scan(body, 10, SITE)
    assert [h.title for h in blocks.headings] == ["Summary"]
    (hidden,) = blocks.hidden
    assert (hidden.title, hidden.line, hidden.cause_line) == ("Timeline", 16, 12)
    assert "not a fence on the site" in hidden.reason and "line 14 pairs with the one at line 20" in hidden.reason
    assert 18 in blocks.code  # the timeline entry is code on the site, so it is no entry either


def test_a_code_sample_of_markdown_is_not_a_hidden_heading():
    body = "## Summary\n\n````md\n```\n## Example\n```\n````\n\n    # a shell comment in indented code\n"
    assert scan(body, 1, SITE).hidden == ()


# Bodies an adversarial review found where the line scan and the site disagreed; each is now read
# the renderer's way (by the line scan, or by handing the body to the renderer).
REVIEWED = [
    "## Summary\n\n<!-- TODO: add the figure\n\n## Impact\n\n```html\n<!-- banner -->\n\n<div>x</div>\n```\n",
    "<!-- x --!>\n\n## H\n\n-->\n",
    "| a | b |\n| - | - |\n```\nx\n```\n## B\n",
    "    body\n```\n## K\n```\n",
    '```py hl_lines="1\n## H\n"\ncode\n```\n',
    "## <b>Impact</b>\n\ntext\n",
    "## <!-- numbers from finance --> Impact\n",
    "text\r## H\r",
    "<p>x</p>\n\n    body\n```\n## K\n```\n",
]


@pytest.mark.parametrize("dialect", [SITE, MATERIAL], ids=["site", "material"])
@pytest.mark.parametrize("text", REVIEWED)
def test_reviewed_bodies_agree_with_the_site(dialect, text):
    assert linted_headings(text, dialect) == rendered_headings(text, dialect)


@pytest.mark.parametrize("extra", ["pymdownx.blocks.admonition", "pymdownx.arithmatex"])
def test_an_extension_the_line_scan_does_not_model_hands_every_body_to_the_renderer(extra):
    dialect = dialect_from([*SITE.extensions, extra])
    text = "Term\n:   ## X\n\n## Summary\n"
    blocks = scan(text, 1, dialect)
    assert blocks.by_reference
    assert [(h.level, normalize_heading(h.title)) for h in blocks.headings] == rendered_headings(text, dialect)


def test_admonition_text_after_a_blank_line_is_prose_not_code():
    body = "## Summary\n\n!!! note\n    Context.\n\n    It was human error.\n"
    assert 6 not in scan(body, 1, SITE).code  # so the wording rule reads it


def test_code_right_under_a_heading_is_code():
    assert 2 in scan("## H\n    code\n", 1, SITE).code


def test_the_line_of_a_heading_the_renderer_found_in_an_admonition():
    (heading,) = scan("!!! note\n\n    ## H\n", 10, SITE).headings
    assert heading.line == 12


def test_toc_baselevel_renumbers_the_headings_as_the_page_does():
    dialect = dialect_from([*SITE.extensions, {"toc": {"baselevel": 2}}])
    text = "# Summary\n\ntext\n\n## Detail\n"
    assert linted_headings(text, dialect) == rendered_headings(text, dialect) == [(2, "summary"), (3, "detail")]


def test_material_sites_keep_the_line_scan_for_ordinary_bodies():
    for path in sorted((DATA / "site" / "basic" / "docs").rglob("20*.md")):
        from followthrough.core.text import frontmatter

        parts = frontmatter.split(path.read_text())
        assert not scan(parts.body, parts.body_line, FULL).by_reference, path

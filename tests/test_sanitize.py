"""The sanitizer against the real renderer: whatever Markdown makes of any input, no script survives;
and what ordinary postmortems render to passes through unchanged."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from followthrough.core.text.frontmatter import split
from followthrough.core.pages.csp import DEFAULT_POLICY, add_policy, inline_script_hashes, with_script_hashes
from followthrough.core.pages.sanitize import TAGS, safe_id, safe_title, sanitize_html, sanitize_meta

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from gen_corpus import generate  # noqa: E402

EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc", "fenced_code", "footnotes", "def_list", "abbr"]
SCRIPT_URL = re.compile(r"^(javascript|vbscript|data|livescript):", re.I)


class _Tree(HTMLParser):
    """Start tags with attributes (entity-decoded, as a browser reads them), text, and end tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # ammonia writes `style` compactly: "text-align: left;" comes back "text-align:left".
        values = {k: re.sub(r"\s+|;$", "", v or "") if k == "style" else v or "" for k, v in attrs}
        self.events.append(("start", tag, *sorted(f"{k}={v}" for k, v in values.items())))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # `<hr />` and `<hr>` are the same element

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.events.append(("text", " ".join(data.split())))


def _tree(html_text: str) -> list[tuple[str, ...]]:
    parser = _Tree()
    parser.feed(html_text)
    parser.close()
    return parser.events


def _dangers(html_text: str) -> list[str]:
    found = []
    for event in _tree(html_text):
        if event[0] != "start":
            continue
        tag, attrs = event[1], event[2:]
        if tag not in TAGS:
            found.append(f"<{tag}>")
        for attr in attrs:
            name, _, value = attr.partition("=")
            if name.startswith("on") or name in ("srcdoc", "formaction", "action"):
                found.append(f"<{tag} {attr}>")
            if name in ("href", "src") and SCRIPT_URL.match(re.sub(r"[\x00-\x20]+", "", value)):
                found.append(f"<{tag} {attr}>")
            if name == "style" and not re.fullmatch(r"(text-align:\s*\w+;?)?", value.strip()):
                found.append(f"<{tag} {attr}>")
    return found


# Pieces that make Markdown and HTML do things: raw tags, handlers, script URLs in links and
# attribute lists, entities, blocks that change what counts as code.
PIECES = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>", "<a href=\"", "javascript:",
    "&#x6a;avascript:", "java&#9;script:", "[x](", ")", "](javascript:alert(1))", "{: onclick=\"alert(1)\" }",
    "{: href=\"javascript:alert(1)\" }", "{: style=\"background:url(x)\" }", "!!! note\n\n    ", "\n\n    ", "\n",
    "\n\n", "```", "`", "<div markdown=\"1\">", "</div>", "[r]: ", "\"", "'", "<", ">", "=", "# ", "## H ",
    "<iframe src=x>", "<!--", "-->", "<style>", "<form>", "<input onfocus=alert(1) autofocus>", "- ", "> ",
    "| a | b |\n|---|---|\n| ", "[^1]", "\n[^1]: ", "*[HTML]: ", "<details open ontoggle=alert(1)>", "text",
]  # fmt: skip


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_nothing_markdown_renders_keeps_a_way_to_run_script(source: str) -> None:
    rendered = markdown.markdown(source, extensions=EXTENSIONS)
    assert not _dangers(sanitize_html(rendered)), (source, rendered)


def test_sanitizing_is_idempotent_on_the_corpus_vectors() -> None:
    vectors = (Path(__file__).parent / "data" / "xss" / "vectors.md").read_text(encoding="utf-8")
    once = sanitize_html(markdown.markdown(vectors, extensions=EXTENSIONS))
    assert not _dangers(once)
    assert sanitize_html(once) == once


@pytest.fixture(scope="module")
def ordinary_bodies(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    paths = generate(tmp_path_factory.mktemp("corpus"), 60, seed=7)
    return [split(p.read_text(encoding="utf-8")).body for p in paths]


def test_ordinary_postmortems_render_the_same_after_sanitizing(ordinary_bodies: list[str]) -> None:
    # Generated the way real postmortems read (tables, lists, code, admonitions, links): the
    # allowlist covers all of it, so the sanitized page is the rendered page, element for element.
    md = markdown.Markdown(extensions=EXTENSIONS)
    for body in ordinary_bodies:
        rendered = md.reset().convert(body)
        assert _tree(sanitize_html(rendered)) == _tree(rendered)


def test_what_the_usual_extensions_emit_survives() -> None:
    source = (
        "Term\n:   definition\n\nA note[^1].\n\n[^1]: The footnote.\n\n*[API]: Application Programming Interface\n\n"
        "An API call.\n\n| left | right |\n|:--|--:|\n| a | b |\n\n```python\nprint(1)\n```\n\n"
        "## Heading {#custom-id .cls }\n\n[link](https://example.test/x \"a title\") [rel](../other/) [mail](mailto:a@b.test)\n"
    )
    rendered = markdown.markdown(source, extensions=EXTENSIONS)
    assert _tree(sanitize_html(rendered)) == _tree(rendered)


def test_ids_titles_and_meta_lose_only_what_could_be_markup() -> None:
    assert safe_id("fnref:1") == "fnref:1" and safe_id("__tabbed_1_2") == "__tabbed_1_2" and safe_id("résumé") == "résumé"
    assert safe_id('x" autofocus onfocus="alert(2)" y="') == "x-autofocus-onfocus-alert(2)-y-"
    out = sanitize_html('<h2 id="x&quot; onfocus=&quot;a">H</h2><a href="#x&quot; onfocus=&quot;a">to H</a>')
    assert out == '<h2 id="x-onfocus-a">H</h2><a href="#x-onfocus-a">to H</a>'  # the link still finds its heading
    assert sanitize_html('<a href="https://e.test" title="<img src=x onerror=alert(1)>">t</a>') == (
        '<a href="https://e.test" title="\u2039img src=x onerror=alert(1)\u203a">t</a>'
    )
    assert safe_title("<img src=x onerror=alert(1)>A &amp; B &lt;script&gt;", is_html=True) == "A &amp; B \u2039script\u203a"
    meta = sanitize_meta({"description": '"><script>', "title": "<b>", "tags": ["<i>"], "hide": ["toc"], "search": {"boost": 2}})
    assert meta == {"description": "&quot;&gt;&lt;script&gt;", "title": "\u2039b\u203a", "tags": ["\u2039i\u203a"], "hide": ["toc"], "search": {"boost": 2}}


def test_the_policy_hashes_the_scripts_outside_the_content_only() -> None:
    content = "<p>x</p><script>evil()</script>"
    page = f"<html><head><script>theme()</script></head><body><article>{content}</article><script type=\"application/json\">{{}}</script><script src=\"a.js\"></script></body></html>"
    hashes = inline_script_hashes(page, content)
    assert hashes == ["'sha256-" + __import__("base64").b64encode(__import__("hashlib").sha256(b"theme()").digest()).decode() + "'"]
    out = add_policy(page, DEFAULT_POLICY, content)
    assert out.startswith('<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\' \'wasm-unsafe-eval\' ' + hashes[0])
    assert with_script_hashes("default-src 'self' https://cdn.test", ["'sha256-x'"]) == "default-src 'self' https://cdn.test; script-src 'self' https://cdn.test 'sha256-x'"

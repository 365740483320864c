"""Making user-written text safe in the Markdown we generate (and so in the HTML it becomes).

Templates render with `finalize=md_escape`: every `{{ value }}` is escaped unless it is
`Markup` built here on purpose (a link, a badge). So forgetting a filter cannot inject HTML.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from markupsafe import Markup

# Python-Markdown's backslash escapes (plus '|' for tables); '<', '>', '&' and '"' become
# entities instead, which Markdown passes through to the HTML untouched.
_ANGLES = str.maketrans({"<": "\u2039", ">": "\u203a"})
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def md_escape(value: object) -> str:
    """Text that Markdown (tables included) renders exactly as written, on one line."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    text = " ".join(str(value).split())  # a newline would end a table row
    text = html.escape(text, quote=False)  # user text never lands in an attribute, so quotes stay
    return _MD_SPECIAL.sub(r"\\\1", text)


_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")


def md_inline_escape(value: object) -> str:
    """`md_escape` for text that is only ever read as inline Markdown (inside a table cell, after
    a list item's fixed start): block markers (`#`, `-`, `1.`, `>`) mean nothing there, so they
    stay as typed and the source stays readable; what inline Markdown and tables read is escaped."""
    text = " ".join(str("" if value is None else value).split())
    return _INLINE_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def html_escape(value: object) -> Markup:
    """For raw HTML (table cells, attributes). Markup passes through: it is HTML built on purpose."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def isolate(value: object) -> Markup:
    """User text (or a link of it) in a running sentence, bidirectionally isolated: `dir="auto"`
    makes the browser treat it as an isolate, so a right-to-left override or embedding left open
    in a title ends with the title instead of reversing the rest of the line (dates, counts,
    other titles), and a right-to-left title reads in its own direction."""
    return Markup(f'<span dir="auto">{html_escape(value)}</span>')


def html_link(text: object, url: str | None, title: object = None) -> Markup:
    """<a href=url>text</a>; only relative, http and https URLs become links (never javascript:).
    A `title` (shown on hover) is for text shortened to fit a table cell. mkdocs-material's
    `content.tooltips` puts a title into its tooltip as HTML, entities decoded, so its angle
    brackets become the look-alikes `‹` `›` (as the sanitizer does to a page's titles): a
    postmortem titled `<img onerror=...>` stays text there, CSP or not (previews have none)."""
    if not url or ":" in url.split("/", 1)[0] and not url.startswith(("https://", "http://")):
        return html_escape(text)
    hover = f' title="{html_escape(str(title).translate(_ANGLES))}"' if title else ""
    return Markup(f'<a href="{html.escape(url, quote=True)}"{hover}>{html_escape(text)}</a>')


def md_link(text: object, target: str) -> Markup:
    """[text](target) with the text escaped and the target percent-encoded (MkDocs decodes it)."""
    return Markup(f"[{md_escape(text)}]({quote(target, safe='/#:?=&%')})")


def safe_page_title(title: str) -> str:
    """A page title for MkDocs' `meta.title`, which themes print raw in some places and
    unescaped (through `striptags`) in `<title>`: no '<', '>' or '&' may survive as such.
    '&' becomes an entity; angle brackets become look-alike characters."""
    text = " ".join(title.split())
    return text.replace("&", "&amp;").replace("<", "\u2039").replace(">", "\u203a")


_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^\s<>]*>|<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>", re.I)
# A backslash before a backtick makes it text to Python-Markdown, not the start of a code span.
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(.+?)(?<!`)\1(?!`)", re.S)

# Link targets and attributes that run script; attr_list ({: onclick=...}) would pass them on.
_SCRIPT_URL = re.compile(r"(\]\(\s*<?\s*|^\s{0,3}\[[^\]]+\]:\s*<?\s*)(?:javascript|vbscript|data):", re.I | re.M)
_ATTR_HANDLER = re.compile(r"(\{[^}\n]*?)\bon[a-z]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s}]+)", re.I)
_DANGER = re.compile(r"<|javascript:|vbscript:|data:|\bon[a-z]+\s*=", re.I)


def _defuse(line: str) -> str:
    line = _SCRIPT_URL.sub(r"\1#blocked:", line)
    while True:
        cleaned = _ATTR_HANDLER.sub(r"\1", line)
        if cleaned == line:
            return line
        line = cleaned


def neutralize_html(markdown: str, code: frozenset[int]) -> str:
    """The body of a postmortem with raw HTML shown as text: '<' becomes '&lt;' outside code.

    `code` holds the lines (counted from 0) that the site renders as code, from the block model
    that agrees with Python-Markdown (`followthrough.blocks`), so what is code here is code on
    the page. Code spans and autolinks (<https://...>) are left alone; links to
    `javascript:`/`data:` URLs and `on...=` handlers in attribute lists are defused.

    This keeps raw HTML out of `followthrough pages --out` output, which a plain MkDocs build
    renders with no sanitizer after it; the plugin's build also cleans the rendered HTML
    (`followthrough.site.sanitize`), which is the wall that holds when this misreads a line."""
    if not _DANGER.search(markdown):
        return markdown
    out: list[str] = []
    for number, line in enumerate(markdown.split("\n")):
        if number in code:
            out.append(line)
            continue
        line = _defuse(line)
        out.append(_neutralize_inline(line) if "<" in line else line)
    return "\n".join(out)


def _neutralize_inline(line: str) -> str:
    pieces: list[str] = []
    pos = 0
    for span in _CODE_SPAN.finditer(line):
        pieces.append(_escape_lt(line[pos : span.start()]))
        pieces.append(span.group(0))
        pos = span.end()
    pieces.append(_escape_lt(line[pos:]))
    return "".join(pieces)


def _escape_lt(text: str) -> str:
    if "<" not in text:
        return text
    pieces: list[str] = []
    pos = 0
    for link in _AUTOLINK.finditer(text):
        pieces.append(text[pos : link.start()].replace("<", "&lt;"))
        pieces.append(link.group(0))
        pos = link.end()
    pieces.append(text[pos:].replace("<", "&lt;"))
    return "".join(pieces)

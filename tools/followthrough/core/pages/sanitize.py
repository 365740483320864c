"""The HTML the site publishes from repo content, cleaned by an allowlist after Markdown ran.

Any employee can open a pull request, and the whole organisation reads the site signed in to its
internal tools, so nothing written in a Markdown file may run script there. Guessing from the
Markdown source which lines are code is how XSS got through before (an admonition's indented
line, an attr_list `id`): here the rendered HTML itself goes through ammonia (via `nh3`), with
only the elements and attributes Python-Markdown and its usual extensions produce, URLs allowed
by scheme after entity decoding, and values that the theme prints unescaped elsewhere (heading
ids in the table of contents, titles in tooltips) reduced to characters that cannot be markup.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import nh3

from followthrough.core.escape.html import html_escape, safe_page_title

# What Python-Markdown, its bundled extensions (tables, attr_list, md_in_html, admonition, toc,
# footnotes, def_list, abbr, fenced_code, codehilite) and pymdownx's usual ones (superfences,
# highlight, tabbed, details, tasklist, critic, mark, caret, tilde, keys) emit, plus the
# harmless HTML an author may write by hand (GitHub allows much the same).
TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
        "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "img", "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "pre", "q", "s",
        "samp", "small", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
    }
)  # fmt: skip
# On every allowed element. `style` keeps only `text-align` (tables' column alignment).
GENERIC_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "style", "align"})
ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "a": frozenset({"href", "name"}),
    "abbr": frozenset(),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "li": frozenset({"value"}),
    "details": frozenset({"open"}),
    "time": frozenset({"datetime"}),
    "div": frozenset({"data-tabs"}),  # pymdownx.tabbed's tab count
    # Task lists' check boxes and tabbed's radio buttons; any other input type is dropped.
    "input": frozenset({"type", "checked", "disabled", "name"}),
    "label": frozenset({"for"}),
    "del": frozenset({"datetime"}),
    "ins": frozenset({"datetime"}),
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_INPUT_TYPES = frozenset({"checkbox", "radio"})
# Characters that end an attribute value or start markup where a theme prints the value raw.
_UNSAFE_IN_ID = re.compile(r"""[\s"'`<>&=\\\x00-\x1f\x7f]+""")
_ANGLES = str.maketrans({"<": "\u2039", ">": "\u203a"})


# mkdocs-material finds its own elements by ids starting with "__" (`#__config`, whose JSON it
# reads and later writes into the page as HTML; `__search`, `__drawer`, `__palette_0`...). The
# first element with an id wins, so content must never carry one. pymdownx's tabs and code line
# anchors generate ids of that form themselves; those are left as they are.
_EXTENSION_IDS = re.compile(r"__tabbed_\d+(?:_\d+)?|__codelineno-\d+(?:-\d+)?|__code_\d+")


def safe_id(value: str) -> str:
    """An element id that stays one harmless token wherever a theme prints it unescaped
    (mkdocs-material writes `href="#{{ id }}"` in the table of contents), and never one of the
    theme's own. Ordinary ids, the toc extension's slugs included, come back unchanged."""
    value = _UNSAFE_IN_ID.sub("-", value)
    if value.startswith("__") and not _EXTENSION_IDS.fullmatch(value):
        return "content" + value
    return value


def _attribute(tag: str, name: str, value: str) -> str | None:
    # ammonia hands over the value already entity-decoded, and escapes what we return.
    if name in ("id", "for", "name"):
        return safe_id(value)
    if name == "href" and value.startswith("#"):
        return "#" + safe_id(value[1:])
    if name == "title":
        # mkdocs-material's content.tooltips renders a title as HTML: no tag may survive in it.
        return value.translate(_ANGLES)
    if tag == "input" and name == "type":
        return value if value.lower() in _INPUT_TYPES else None
    return value


_ALL_ATTRIBUTES = {tag: set(ATTRIBUTES.get(tag, ())) | set(GENERIC_ATTRIBUTES) for tag in TAGS}
_INLINE_TAGS = {"code", "em", "strong", "b", "i", "kbd", "mark", "sub", "sup", "span"}


def _cleaner(**options: Any) -> Callable[[str], str]:
    """One reusable ammonia builder per allowlist: `nh3.clean` converts the allowlist to Rust
    and builds a new one at every call, which cost more than cleaning a heading or a title
    (and about a sixth of cleaning a whole page). nh3 before 0.3.1 has no `Cleaner`."""
    if hasattr(nh3, "Cleaner"):
        return nh3.Cleaner(**options).clean
    return functools.partial(nh3.clean, **options)


_CLEAN_PAGE = _cleaner(
    tags=set(TAGS),
    clean_content_tags={"script", "style", "textarea", "noscript", "template", "xmp", "noembed", "noframes", "iframe", "object"},
    attributes=_ALL_ATTRIBUTES,
    attribute_filter=_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel=None,
    strip_comments=True,
    filter_style_properties={"text-align"},
)
_CLEAN_INLINE = _cleaner(tags=_INLINE_TAGS, attributes={}, strip_comments=True)
_CLEAN_TEXT = _cleaner(tags=set(), attributes={}, strip_comments=True)


def sanitize_html(fragment: str) -> str:
    """`fragment` (a page's content) with everything outside the allowlist removed; script,
    style and their content dropped entirely, comments dropped."""
    if not fragment:
        return fragment
    return _CLEAN_PAGE(fragment)


def sanitize_inline(fragment: str) -> str:
    """HTML text such as a table-of-contents entry: inline formatting only, no links, no attributes."""
    return _CLEAN_INLINE(fragment)


def safe_title(title: str, *, is_html: bool) -> str:
    """A page title safe where themes print it: raw in headers and nav, through `striptags` (which
    unescapes entities) inside `<title>`. A title taken from the rendered first heading is HTML;
    one from front-matter is text."""
    text = html.unescape(_CLEAN_TEXT(title)) if is_html else title
    return safe_page_title(text)


def sanitize_toc(items: Iterable[Any]) -> None:
    """Clean mkdocs' table of contents in place (its AnchorLinks carry the heading's HTML and id,
    both printed raw by mkdocs-material). With `content.tooltips`, the theme shows a truncated
    entry's text (entities decoded) as HTML in a tooltip, so `<` and `>` in an entry's text
    become the look-alikes `‹` `›`: a heading's `<img ...>` in code cannot turn back into a tag."""
    for item in items:
        item.title = sanitize_inline(item.title).replace("&lt;", "\u2039").replace("&gt;", "\u203a")
        item.id = safe_id(item.id)
        sanitize_toc(item.children)


def sanitize_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Front-matter of a page that is not a postmortem, as themes print it (description raw in an
    attribute, tags and title raw in HTML): every text value HTML-escaped, the title made safe."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if key == "title" and isinstance(value, str):
            out[key] = safe_page_title(value)
        elif key == "tags" and isinstance(value, list):
            out[key] = [safe_page_title(v) if isinstance(v, str) else _escaped(v) for v in value]
        else:
            out[key] = _escaped(value)
    return out


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return str(html_escape(value))
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


__all__ = ["sanitize_html", "sanitize_inline", "sanitize_meta", "sanitize_toc", "safe_id", "safe_title"]

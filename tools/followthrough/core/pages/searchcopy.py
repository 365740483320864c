"""What a site search reads of a block of our own HTML, without the markup it would throw away.

The search plugins (MkDocs' and mkdocs-material's) parse each page's HTML with `html.parser` and
keep its text and a few tags (paragraphs, lists, code). A postmortem's header card is mostly
markup (tables, links, badges): parsing it cost about a quarter of the search plugin's time. The
plugin hands the search plugin `search_copy(card)` in its place and puts the card itself into
the page once search has read it (site/plugin.py: on_page_content, then on_page_context).
"""

from __future__ import annotations

import re

# Kept as a bare tag: what the search plugins keep (material's `Parser.keep`).
_KEPT = frozenset({"p", "li", "ol", "ul", "code", "pre", "sub", "sup"})
# Kept whole: headings start search sections (and carry their ids); the content of these
# three is skipped by search, so it must stay inside them.
_WHOLE = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "object"})
# Dropped without a space: text on both sides belongs to one word or phrase ("<strong>Services</strong>:").
_INLINE = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "data", "dfn", "em", "i", "kbd", "mark", "q", "s", "samp",
        "small", "span", "strong", "time", "u", "var", "del", "ins", "label", "wbr",
    }
)  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_SPACES = re.compile(r"[ \t\r\n]+")


def _replace(match: re.Match[str]) -> str:
    name = match.group(2).lower()
    if name in _WHOLE:
        return match.group(0)
    if name in _KEPT:
        return f"<{match.group(1)}{name}>"
    # Any other element (a table cell, a row, a line break, a block) ends a word: the search
    # plugins join text across tags with nothing between ("Incident CommanderJonas"), so a
    # space here makes each cell's words findable on their own.
    return "" if name in _INLINE else " "


def search_copy(html: str) -> str:
    """`html` (escaped HTML of our own templates) with the markup search discards taken out:
    the same words, each cell's apart, in the same sections and kept tags. A block that hides
    part of itself from search (`data-search-exclude`) is given to search as it is."""
    if "data-search-exclude" in html:
        return html
    text = _TAG.sub(_replace, html)
    return text if "<pre" in text else _SPACES.sub(" ", text)


__all__ = ["search_copy"]

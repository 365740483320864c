"""What a site search reads of a block of our own HTML, without the markup it would throw away.

The search plugins (MkDocs' and mkdocs-material's) parse each page's HTML with `html.parser` and
keep its text and a few tags (paragraphs, lists, code). A postmortem's header card is mostly
markup (tables, links, badges): parsing it cost about a quarter of the search plugin's time. The
plugin hands the search plugin `search_copy(card)` in its place and puts the card itself into
the page once search has read it (site/plugin.py: on_page_content, then on_page_context).
"""

from __future__ import annotations

import re

# Dropped without a space: text on both sides belongs to one word or phrase ("<strong>Services</strong>:").
_INLINE = re.compile(r"</?(?:a|abbr|b|bdi|bdo|cite|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong|time|u|var|del|ins|label|wbr)\b[^>]*>")
# Any other element but those search keeps (material's `Parser.keep`), the headings that start
# its sections and the three whose content it skips: a table cell, a row, a line break, a block.
# The search plugins join text across tags with nothing between ("Incident CommanderJonas"), so
# a space here makes each cell's words findable on their own. (Lower-case names only, as our
# templates write them: case-insensitive matching doubled the time; an upper-case inline tag
# only gets a space too many.)
_OTHER = re.compile(r"<(?!/?(?:p|li|ol|ul|code|pre|sub|sup|h[1-6]|script|style|object)\b)/?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t\r\n]+")


def search_copy(html: str) -> str:
    """`html` (escaped HTML of our own templates) with the markup search discards taken out:
    the same words, each cell's apart, in the same sections and kept tags. A block that hides
    part of itself from search (`data-search-exclude`) is given to search as it is."""
    if "data-search-exclude" in html:
        return html
    text = _OTHER.sub(" ", _INLINE.sub("", html))
    return text if "<pre" in text else _SPACES.sub(" ", text)


__all__ = ["search_copy"]

"""What GitHub makes of Markdown we post: cmark-gfm's HTML (GitHub's own renderer, through
`cmarkgfm`), read as GitHub's text filters read it, and its mention and reference rules."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options


def gfm(markdown: str) -> str:
    # Raw HTML kept, as GitHub keeps it for its sanitizer: a comment must hide what it holds.
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


class Page(HTMLParser):
    """The rendered HTML as GitHub's text filters see it: text outside code and links, links, comments."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str | None] = []
        self.text: list[str] = []
        self.code: list[str] = []
        self.comments: list[str] = []
        self._inside: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))
        if tag in ("a", "code", "pre"):
            self._inside.append(tag)

    def handle_endtag(self, tag):
        if self._inside and self._inside[-1] == tag:
            self._inside.pop()

    def handle_data(self, data):
        (self.code if self._inside else self.text).append(data)

    def handle_comment(self, data):
        self.comments.append(data)

    @property
    def outside(self) -> str:
        return "".join(self.text)


# GitHub's mention and reference rules, as they apply to text outside code and links.
MENTION = re.compile(r"(?<![A-Za-z0-9_`])@([A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9_-]+)?)")
REFERENCE = re.compile(r"(?<![A-Za-z0-9_])#[0-9]|(?i:\bgh-[0-9])")

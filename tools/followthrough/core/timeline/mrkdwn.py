"""Slack's mrkdwn -> the site's Markdown, on one line, with everything a person typed escaped.

Mentions become names, channel links `#name`, links `[label](url)` (http and https
only; an e-mail address, linked or typed, never shows), `*bold*` `_italic_` their Markdown forms (`~strike~` too where the site reads `~~`),
code stays code; all other text goes through `md_inline_escape`, so nothing in a message can
become HTML or a table cell of its own. The result is only ever placed where Markdown reads
inline text: a table cell, or after a list item's fixed start.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from followthrough.core.escape.html import md_inline_escape
from followthrough.core.timeline.names import Names

_CODE = re.compile(r"```(.*?)```|`([^`\n]+)`", re.S)
# Slack's controls (<@U1>, <#C1|x>, <!here>, <https://x|label>) and its three styles; a style's
# markers sit at word edges with no space inside them, as Slack reads them.
_TOKEN = re.compile(
    r"<(?P<control>[^<>\n]+)>"
    r"|(?<![\w*])\*(?P<bold>[^*\s](?:[^*\n]*[^*\s])?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<italic>[^_\s](?:[^_\n]*[^_\s])?)_(?![\w_])"
    r"|(?<![\w~])~(?P<strike>[^~\s](?:[^~\n]*[^~\s])?)~(?![\w~])"
)
# Started only where a run of white space starts, and never giving back what it took (a run
# without a line break, or at the end, fails once): linear in a message of any length.
_LINES = re.compile(r"(?<!\s)[^\S\n]*+\n\s*+(?=\S)")
_SCHEMES = ("http://", "https://")
EMAIL = "(an e-mail address)"  # what stands for an address a message holds
# Tried only where a run of address characters starts, so a long word is read once, not once a letter.
# The whole run of address characters goes, so two addresses run together leave no domain behind.
_ADDRESS = re.compile(r"(?<![\w.+@-])[\w.+-]+@[\w-]+\.[\w.+@-]*[\w-]")
_SPECIAL = re.compile(r"^!(here|channel|everyone)(?:\|.*)?$", re.S)


def to_markdown(text: str, names: Names, *, tilde: bool = False) -> str:
    """One message's text as one line of Markdown; `tilde`: the site renders ~~strike~~."""
    text = text.strip()  # a line break before the first word is no line of its own
    parts: list[str] = []
    at = 0
    for m in _CODE.finditer(text):
        parts.append(_styled(text[at : m.start()], names, tilde))
        parts.append(_code(html.unescape(m.group(1) if m.group(1) is not None else m.group(2))))
        at = m.end()
    parts.append(_styled(text[at:], names, tilde))
    return " ".join("".join(parts).split())


def _styled(text: str, names: Names, tilde: bool) -> str:
    # A message's lines become one entry line; ' / ' keeps where each began.
    text = _LINES.sub(" / ", text)
    out: list[str] = []
    at = 0
    for m in _TOKEN.finditer(text):
        out.append(_text(text[at : m.start()]))
        if m.group("control") is not None:
            out.append(_control(m.group("control"), names))
        elif m.group("bold") is not None:
            out.append(f"**{_styled(m.group('bold'), names, tilde)}**")
        elif m.group("italic") is not None:
            out.append(f"*{_styled(m.group('italic'), names, tilde)}*")
        else:
            mark = "~~" if tilde else "~"  # without pymdownx.tilde, as typed
            out.append(f"{mark}{_styled(m.group('strike'), names, tilde)}{mark}")
        at = m.end()
    out.append(_text(text[at:]))
    return "".join(out)


def _text(segment: str) -> str:
    # md_inline_escape joins white space; keep a segment's edge spaces, which separate it from its neighbours.
    if not segment:
        return ""
    core = md_inline_escape(_no_address(html.unescape(segment)))
    if core.endswith("!"):
        # A '!' just before a link made from <http://...> would read as an image: ![x](x).
        core = core[:-1] + "\\!"
    lead = " " if segment[:1].isspace() else ""
    tail = " " if segment[-1:].isspace() and core else ""
    return f"{lead}{core}{tail}"


def _no_address(text: str) -> str:
    return _ADDRESS.sub(EMAIL, text) if "@" in text else text


def _code(content: str) -> str:
    content = " ".join(_no_address(content).split())
    if not content:
        return ""
    # A code span cannot hold its own fence, and a table row ends at any '|', code spans
    # included: such code stays as escaped text.
    if "`" in content or "|" in content:
        return md_inline_escape(content)
    return f"`{content}`"


def _control_text(body: str, names: Names) -> str:
    target, _, label = body.partition("|")
    label = html.unescape(label)
    if target.startswith("@"):
        return names.name(target[1:], label.lstrip("@") or None)
    if target.startswith("#"):
        return "#" + names.channel(target[1:], label or None)
    if target.startswith("!subteam^"):
        return label or "@a user group"
    if target.startswith("!date^"):
        return label or "a date"
    special = _SPECIAL.match(body)
    if special:
        return "@" + special.group(1)
    return label or html.unescape(target)


def _control(body: str, names: Names) -> str:
    target, _, label = body.partition("|")
    url = html.unescape(target)
    if url.lower().startswith("mailto:"):
        # Slack links every address typed; a postmortem publishes names, never an e-mail
        # address: the label stays when it is words, the address itself does not.
        shown = html.unescape(label).strip()
        return md_inline_escape(shown if shown and "@" not in shown else EMAIL)
    if url.lower().startswith(_SCHEMES) and not any(c.isspace() for c in url):
        shown = html.unescape(label) or url
        return f"[{md_inline_escape(_no_address(shown))}]({quote(url, safe='/#:?=&%@+~,;!$*')})"
    return md_inline_escape(_no_address(_control_text(body, names)))

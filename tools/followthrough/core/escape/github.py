"""GitHub Flavored Markdown for issue bodies: user text shows as written and does nothing.

GitHub renders with cmark-gfm, then links mentions (`@login`, `@org/team`), issue references
(`#12`, `GH-12`) and bare URLs in the resulting text, everywhere but in code and links. So
a backslash, which Markdown honours, is not enough: an '@' or '#' escaped for Markdown is
still an '@' in the text GitHub scans. Text therefore gets its Markdown punctuation
backslash-escaped, '&' written as `&amp;` (or `&#64;` would become an '@'), and a
zero-width space after every '@', inside 'GH-' and '#<digit>', and before '://' and after
'www' (see `common`), which is what ends a mention or autolink. Code spans need none of
that: GitHub makes no mention or link inside code.
"""

from __future__ import annotations

import re

from followthrough.core.ids import is_github_login
from followthrough.core.escape.common import ZWSP, break_autolinks, one_line, web_url


class Md(str):
    """Markdown built here on purpose; `link` takes it as it is and escapes anything else."""


# CommonMark lets every ASCII punctuation character be backslash-escaped; these have a meaning
# inside a line ('$' is GitHub's math). '-', '.' and '=' only mean something at the start of a
# line, where user text never stands.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|~<>$])")
_REFERENCE = re.compile(r"(?<=#)(?=[0-9])|(?i:(?<=\bgh)(?=-[0-9]))")
_TICKS = re.compile(r"`+")


def text(value: object) -> Md:
    """Plain text as inert Markdown on one line, fit for a paragraph, a list item or a table cell."""
    line = break_autolinks(one_line(value))
    line = _REFERENCE.sub(ZWSP, line)
    line = _PUNCTUATION.sub(r"\\\1", line.replace("&", "&amp;"))
    return Md(line.replace("@", "@" + ZWSP))


def code(value: object) -> Md:
    """A code span holding the text exactly: its fence is longer than any run of backticks in it,
    and a space pads a text that starts or ends with a backtick (CommonMark strips one)."""
    line = one_line(value)
    if not line:
        return Md("")
    longest = max((len(m.group(0)) for m in _TICKS.finditer(line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    return Md(f"{fence}{pad}{line}{pad}{fence}")


def link(label: str, url: str | None) -> Md:
    """[label](url) for an http(s) URL (percent-encoded, so it cannot close the link), else the label."""
    shown = label if isinstance(label, Md) else text(label)
    target = web_url(url)
    if target is None or not shown:
        return shown
    # Markdown decodes entities in a link's destination too: '&' is written as '&amp;'.
    return Md(f"[{shown}]({target.replace('&', '&amp;')})")


def mention(login: str | None) -> Md | None:
    """`@login` for a GitHub login from the people directory; None when it is not one."""
    return Md(f"@{login}") if is_github_login(login) else None


def comment(value: str) -> Md:
    """An HTML comment (hidden in the rendered issue) that no text can end early: '<' and '>'
    become entities, which a comment shows as they are, and the text stays on one line."""
    inner = one_line(value).replace("<", "&lt;").replace(">", "&gt;")
    return Md(f"<!-- {inner} -->")

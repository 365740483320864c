"""While `mkdocs serve` runs, lint errors are pages instead of a stopped build: a list of every
error (`followthrough-errors.md`), the bad file's own page showing its errors in place of its
content, and a notice on the home page. `mkdocs build` still fails on them.

The findings are shown in indented code blocks: each is one line (`str(Finding)` is made safe
for logs), and nothing on an indented line can end the block or become markup.
"""

from __future__ import annotations

import json
import posixpath
from typing import Sequence

from followthrough.core.escape.html import md_escape, safe_page_title
from followthrough.core.findings import Finding

ERRORS_PAGE = "followthrough-errors.md"
_TITLE = "Lint errors"


def _code(findings: Sequence[Finding]) -> str:
    return "\n".join(f"    {f}" for f in findings)


def errors_page(errors: Sequence[Finding], pages: dict[str, str]) -> str:
    """Every error, and a link to each bad page shown (`pages`: src_uri -> the finding's path)."""
    links = "\n".join(f"- [{md_escape(path)}](<{src}>)" for src, path in sorted(pages.items(), key=lambda kv: kv[1]) if "<" not in src and ">" not in src)
    listed = f"Their pages show their errors:\n\n{links}\n\n" if links else ""
    return (
        f"---\ntitle: {json.dumps(_TITLE)}\nsearch:\n  exclude: true\n---\n\n# {_TITLE}\n\n"
        f"{len(errors)} error(s): the site shows the other postmortems; `mkdocs build` fails until these are fixed "
        f"(`followthrough lint` prints the same list).\n\n{listed}{_code(errors)}\n"
    )


def bad_page(src_uri: str, path: str, errors: Sequence[Finding]) -> str:
    """The page of a file with errors, while serving: its errors, where its content would be."""
    back = posixpath.relpath(ERRORS_PAGE, posixpath.dirname(src_uri) or ".")
    return (
        f"---\ntitle: {json.dumps(safe_page_title(path + ': lint errors'))}\nsearch:\n  exclude: true\n---\n\n"
        f"!!! failure \"{len(errors)} lint error(s)\"\n\n    This page is shown once they are fixed; [all lint errors]({back}).\n\n"
        f"{_code(errors)}\n"
    )


def notice(markdown: str, count: int) -> str:
    """`markdown` (a generated page with front-matter) with a notice of `count` errors first."""
    box = f'!!! failure "{count} lint error(s)"\n\n    Some postmortems are not shown: [see the errors]({ERRORS_PAGE}).\n\n'
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 4)
        if end != -1:
            head, rest = markdown[: end + 5], markdown[end + 5 :]
            return head + "\n" + box + rest.lstrip("\n")
    return box + markdown

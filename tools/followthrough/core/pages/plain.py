"""Other Markdown pages of docs_dir, made safe for a build with no sanitizer after it.

`followthrough pages --out` writes a docs folder that an engine without the plugin (Zensical)
renders as it is. Postmortem bodies get raw HTML shown as text there
(`escape.html.neutralize_html`); the other pages get the same, and their front-matter, which themes
print raw (mkdocs-material's `description` in an attribute, `title` in the header), is written
back with every text value escaped (`sanitize.sanitize_meta`).
"""

from __future__ import annotations

import json

from followthrough.core.text.blocks import Dialect, scan
from followthrough.core.errors import LintFailed
from followthrough.core.text.frontmatter import split
from followthrough.core.text.safeyaml import load
from followthrough.core.escape.html import neutralize_html
from followthrough.core.pages.sanitize import sanitize_meta


def plain_page(text: str, rel: str, dialect: Dialect) -> str:
    """The page with raw HTML in its body shown as text and its front-matter escaped; a
    front-matter that is not a YAML mapping is refused, naming the file and line."""
    parts = split(text)
    if parts.yaml_text is None:
        return neutralize_html(text, scan(text, 0, dialect).code)
    body = neutralize_html(parts.body, scan(parts.body, 0, dialect).code)
    meta, problems = load(parts.yaml_text, parts.yaml_line - 1)
    if problems:
        p = problems[0]
        raise LintFailed(f"{rel}:{p.line}:{p.column}: front-matter not copied: {p.message}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise LintFailed(f"{rel}:{parts.yaml_line}:1: front-matter not copied: not a mapping of fields")
    # JSON is YAML: one line per field, quoted, whatever the values hold.
    fields = "".join(f"{json.dumps(str(k), ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False, default=str)}\n" for k, v in sanitize_meta(dict(meta)).items())
    return f"---\n{fields}---\n{body}"


__all__ = ["plain_page"]

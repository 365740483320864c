"""The site's Content-Security-Policy: a second wall behind the sanitizer.

A static site has no response headers of its own (GitHub Pages sets none), so the policy is a
`<meta http-equiv>` put first in every page's `<head>`. It forbids inline script except the
theme's own few inline `<script>` blocks, which are allowed by their SHA-256 hash, computed per
page because mkdocs-material writes the page's relative base URL into one of them. A script
inside the page's content is never hashed: should the sanitizer ever let one through, the
browser still refuses it. Inline event handlers (`onerror=`) and `javascript:` URLs are refused
everywhere, since the policy allows neither 'unsafe-inline' nor 'unsafe-hashes'.
"""

from __future__ import annotations

import base64
import hashlib
import re

# Same-origin everything; inline styles stay allowed (the theme and tables set them), images
# may be data: URLs (the theme's icons); nothing may be framed, embedded or posted elsewhere.
# 'wasm-unsafe-eval' lets the search (Pagefind) compile its WebAssembly, loaded from the site
# itself; it allows no JavaScript eval, no inline script and no other origin.
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; frame-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_SRC = re.compile(r"""\ssrc\s*=""", re.I)
_TYPE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]+)""", re.I)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript"}
_HEAD = re.compile(r"<head\b[^>]*>", re.I)


def inline_script_hashes(page_html: str, content: str | None = None) -> list[str]:
    """'sha256-...' sources for the executable inline scripts of a page, in order, without those
    inside `content` (the page's content as inserted into the template)."""
    skip = (-1, -1)
    if content:
        start = page_html.find(content)
        if start >= 0:
            skip = (start, start + len(content))
    hashes: list[str] = []
    for m in _SCRIPT.finditer(page_html):
        attrs, body = m.group(1), m.group(2)
        if _SRC.search(attrs) or skip[0] <= m.start() < skip[1]:
            continue
        kind = _TYPE.search(attrs)
        if kind and kind.group(1).lower() not in _JS_TYPES:
            continue  # JSON and templates are data, not script
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def with_script_hashes(policy: str, hashes: list[str]) -> str:
    """`policy` with the hashes added to its script-src (or default-src's sources, if it has none)."""
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    names = [d.split()[0].lower() for d in directives]
    extra = " ".join(hashes)
    if not extra:
        return "; ".join(directives)
    if "script-src" in names:
        i = names.index("script-src")
        directives[i] = f"{directives[i]} {extra}"
    else:
        base = directives[names.index("default-src")].split()[1:] if "default-src" in names else ["'self'"]
        directives.append(" ".join(["script-src", *base, extra]))
    return "; ".join(directives)


def add_policy(page_html: str, policy: str, content: str | None = None) -> str:
    """The page with `<meta http-equiv="Content-Security-Policy">` as the first thing in <head>
    (a policy only governs what comes after it)."""
    head = _HEAD.search(page_html)
    if head is None:
        return page_html
    full = with_script_hashes(policy, inline_script_hashes(page_html, content))
    meta = '<meta http-equiv="Content-Security-Policy" content="' + full.replace("&", "&amp;").replace('"', "&quot;") + '">'
    return page_html[: head.end()] + meta + page_html[head.end() :]


__all__ = ["DEFAULT_POLICY", "add_policy", "inline_script_hashes", "with_script_hashes"]

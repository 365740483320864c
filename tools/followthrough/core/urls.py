"""The URL of a docs file's page, as MkDocs publishes it: site-relative, on the published site, between pages.

MkDocs' `use_directory_urls` decides the form ('2024/x.md' -> '2024/x/' or '2024/x.html') and
`site_url` where the site lives. Every page link, export, report and ticket description is
built here, so they all point at the page MkDocs really wrote; `relative_source` is the other form
of a link between pages, the source file's path, for an engine to resolve (see pages.generate.Links).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote


def page_url(src: str, use_directory_urls: bool = True) -> str:
    """The URL (relative to the site root, not percent-encoded) MkDocs gives the page of `src`."""
    if not src.endswith(".md"):
        return src
    stem = src[:-3]
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def site_root(site_url: str) -> str:
    """`site_url` as the base every page URL is appended to: with exactly one '/' at the end."""
    return site_url.rstrip("/") + "/"


def published_url(site_url: str, src: str, use_directory_urls: bool = True) -> str:
    """The percent-encoded URL of the page of `src`: on the published site when `site_url` is set,
    else relative to the site root."""
    path = quote(page_url(src, use_directory_urls))
    return site_root(site_url) + path if site_url else path


def published_page(site_url: str, src: str, use_directory_urls: bool = True) -> str | None:
    """The page of `src` on the published site; None when mkdocs.yml has no `site_url`."""
    return published_url(site_url, src, use_directory_urls) if site_url else None


def _relative(to: str, base: str) -> str:
    """The relative reference from the folder of `base` to `to`, both '/'-separated paths from
    one root. Plain string work (no file system, unlike os.path.relpath): the listing pages ask
    for it once per table cell."""
    base_parts = base.split("/")[:-1]  # the folder: "by-year/2024/" -> ["by-year", "2024"]
    to_parts = to.split("/")
    common = 0
    while common < len(base_parts) and common < len(to_parts) - 1 and base_parts[common] == to_parts[common]:
        common += 1
    return "../" * (len(base_parts) - common) + "/".join(to_parts[common:])


@lru_cache(maxsize=65536)
def relative_url(target: str, here: str, use_directory_urls: bool = True) -> str:
    """The href from the page of `here` to the page (or file) `target`, both docs_dir paths: what
    MkDocs makes of a Markdown link to `target`, for HTML that no engine rewrites."""
    rel = _relative(page_url(target, use_directory_urls), page_url(here, use_directory_urls))
    return quote(rel or "./", safe="/#")


@lru_cache(maxsize=65536)
def relative_source(target: str, here: str) -> str:
    """The path from the file `here` to the file `target` (both docs_dir paths, `target` may
    end in '#anchor'), as an author writes a Markdown link: every engine turns it into the
    target page's URL and reports it when the file is missing. Not percent-encoded."""
    return _relative(target, here)

"""The site's search: Pagefind's index of the built HTML, and the theme files that search with it.

Pagefind (the `pagefind-bin` wheel carries its binary) reads the built pages after any engine
has written them and splits the index into fragments, so a reader's query downloads only what it
needs. The plugin runs it at the end of `mkdocs build`; `followthrough search-index SITE_DIR`
runs it over a site another engine built. Only content marked `data-pagefind-body` is indexed
(the theme's main.html marks it), and a site where no page is marked is refused: Pagefind would
otherwise index every page whole, navigation and footer included.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from followthrough.core.errors import EXIT_FAILED, FollowthroughError, UsageError
from followthrough.core.logline import safe_line
from followthrough.files.templates import PACKAGED, SOURCE

BUNDLE = "pagefind"  # the index's folder inside the site, fetched by assets/javascripts/followthrough-search.js
BODY_MARK = b"data-pagefind-body"
TIMEOUT_S = 600
EXCLUDED = ".headerlink"


class IndexFailed(FollowthroughError):
    """The search index could not be written: the build (or the command) fails."""

    exit_code = EXIT_FAILED


@dataclass(frozen=True, slots=True)
class Indexed:
    site: Path
    pages: int  # pages Pagefind indexed, as it reports them
    summary: str  # Pagefind's own closing lines


def theme_dir() -> Path:
    """The theme overrides (main.html, partials/header.html, partials/search.html, the search
    script and stylesheet): the checkout's copy in an editable install, else the wheel's."""
    for root in (SOURCE, PACKAGED):
        if (root / "theme" / "main.html").is_file():
            return root / "theme"
    raise IndexFailed(f"followthrough's theme files are missing from {PACKAGED / 'theme'}: reinstall followthrough")


def _executable() -> str:
    try:
        import pagefind_bin  # the wheel that carries the binary for this platform
    except ImportError:
        raise IndexFailed("the search index needs Pagefind: pip install 'pagefind[bin]' (a dependency of followthrough)") from None
    try:
        return str(pagefind_bin.get_executable())
    except (FileNotFoundError, OSError) as exc:
        raise IndexFailed(f"Pagefind's binary is missing ({exc}); reinstall pagefind-bin") from None


def _marked(site: Path) -> bool:
    """Whether any page marks its content for search; the home page first, as it nearly always does."""
    home = site / "index.html"
    candidates = [home] if home.is_file() else []
    for path in [*candidates, *site.rglob("*.html")]:
        try:
            with path.open("rb") as f:
                if BODY_MARK in f.read():
                    return True
        except OSError:
            continue
    return False


def _summary(output: str) -> tuple[int, str]:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    pages = 0
    for line in lines:
        if line.startswith("Indexed ") and line.endswith(" pages"):
            try:
                pages = int(line.split()[1])
            except ValueError:
                pass
    closing = [line for line in lines if line.startswith("Indexed ") or line.startswith("Finished in")]
    return pages, "; ".join(closing)


def index_site(site: Path) -> Indexed:
    """Write `site/pagefind/` from the HTML pages of `site` (replacing an earlier index)."""
    if not site.is_dir():
        raise UsageError(f"{site}: no such folder; build the site first")
    if not _marked(site):
        raise IndexFailed(
            f"{site}: no page marks its content for search (data-pagefind-body); build it with followthrough's theme "
            "(the plugin adds it; for a build without the plugin see guide/site.md, \"Search\")"
        )
    # Headings' permalink anchors (`¶`) are not words, nor part of a result's title.
    command = [_executable(), "--site", str(site), "--output-subdir", BUNDLE, "--exclude-selectors", EXCLUDED]
    env = {**os.environ, "NO_COLOR": "1"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise IndexFailed(f"{site}: Pagefind did not finish within {TIMEOUT_S} s; the search index was not written") from None
    except OSError as exc:
        raise IndexFailed(f"Pagefind could not be started: {exc}") from None
    if done.returncode != 0:
        # Its errors (a Rust panic's first lines say what failed) before the tail of its progress.
        errors = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith(("stack backtrace", "note:"))][:6]
        said = errors or [line for line in done.stdout.splitlines() if line.strip()][-6:]
        shown = "\n".join(f"  {safe_line(line)}" for line in said)
        raise IndexFailed(f"{site}: Pagefind failed (exit {done.returncode}); the search index was not written:\n{shown}")
    pages, summary = _summary(done.stdout)
    if pages == 0:
        raise IndexFailed(f"{site}: Pagefind indexed no page; the search would find nothing")
    return Indexed(site, pages, summary)


__all__ = ["BUNDLE", "IndexFailed", "Indexed", "index_site", "theme_dir"]

"""`followthrough search-index SITE_DIR`: Pagefind's index of a site built without the plugin.

`mkdocs build` with the plugin indexes the site itself; a build by another engine (Zensical from
`followthrough pages`) is indexed afterwards with this command. `--theme-out DIR` writes the
theme files that put the search in the header, for that engine's `theme.custom_dir`.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import TextIO

from followthrough.core.errors import UsageError
from followthrough.site.search import index_site, theme_dir


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "search-index",
        help="write the search index of a built site",
        description="Index the HTML pages of SITE_DIR with Pagefind (into SITE_DIR/pagefind/) for the site's search box: "
        "for a site built without the plugin (mkdocs build with the plugin does it itself). Only content the theme marks "
        "(data-pagefind-body) is indexed; a site with no marked page is refused. --theme-out DIR writes the theme files "
        "(header search box, page marks) for theme.custom_dir. Exit 1 when indexing fails, 2 when SITE_DIR is missing.",
    )
    p.add_argument("site", nargs="?", type=Path, metavar="SITE_DIR", help="the built site (site_dir), indexed in place")
    p.add_argument("--theme-out", type=Path, metavar="DIR", help="write the theme overrides to DIR (a new folder, or one this option wrote) and index nothing unless SITE_DIR is given")
    p.set_defaults(run=run)


MARK = ".followthrough-theme"  # left in a --theme-out folder: the next run may replace it


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.site is None and args.theme_out is None:
        raise UsageError("search-index: name the built site (SITE_DIR), or --theme-out DIR")
    if args.theme_out is not None:
        target: Path = args.theme_out
        if target.is_symlink() or (target.exists() and not (target / MARK).is_file() and any(target.iterdir())):
            raise UsageError(f"{target}: not a folder --theme-out wrote; give a new or empty folder")
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(theme_dir(), target)
        (target / MARK).write_text("written by followthrough search-index --theme-out; replaced on the next run\n", encoding="utf-8")
        out.write(f"theme files written to {target} (set theme.custom_dir to it)\n")
    if args.site is not None:
        done = index_site(args.site)
        out.write(f"search index written to {done.site / 'pagefind'}: {done.summary}\n")
    return 0

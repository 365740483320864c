"""`followthrough pages --out DIR`: the site's pages as plain files, for an engine without the plugin.

DIR becomes a complete docs folder: the generated pages, every postmortem's page with its
header card, and the other files of docs_dir (the people directory excepted), for Zensical,
which reads mkdocs.yml but runs no MkDocs plugin (guide/site.md, "Zensical"). Its links name
source files, which Zensical resolves in raw HTML too (pages.generate.Links).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from followthrough.core.errors import UsageError
from followthrough.core.logline import safe_line
from followthrough.core.pages.plain import plain_page
from followthrough.cli.outfolder import OutFolder, read_marker
from followthrough.core.publish import is_published
from followthrough.files.safefiles import read_text_bounded, scan
from followthrough.core.settings import Settings
from followthrough.today import resolve_today
from followthrough.cli.common import add_config_options, config_from, shown
from followthrough.workspace import load_workspace


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "pages",
        help="write the site's generated pages as files",
        description="Write a complete docs folder to DIR: the generated pages (home, indexes, overdue, completion, response, process, JSON exports), every postmortem with its header card, and the other Markdown pages and publish_files of docs_dir, never the people directory, for an engine that runs no MkDocs plugin (Zensical: zensical build -f a config with docs_dir set to DIR; see guide/site.md). A folder holding files this command did not write is refused. Exit 1 when a postmortem has errors, 2 when DIR is refused.",
    )
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write to: a new or empty one, or one this command wrote before (its .followthrough-pages file tells); never the repo itself")
    add_config_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = config_from(args)
    target = _target(args.out, config.docs_dir.resolve(), config.root.resolve())
    previous = read_marker(target, args.out)  # before anything is read or written: a folder not ours is refused
    workspace = load_workspace(config, today=resolve_today(args.today), refuse_errors="no pages written")
    repo, today = workspace.repo, workspace.today
    # The files are built by an engine that runs no plugin and rewrites raw HTML's hrefs (Zensical):
    # every link names its target's source file, as Markdown links do.
    site = workspace.site(link_form="source")
    pages = site.pages(include_postmortems=True)
    copies = _copies(config.docs_dir, config.settings, {repo.file_of(pm) for pm in repo.postmortems}, pages)
    written = sorted({*pages, *copies})
    folder = OutFolder(target, args.out)
    folder.claim([*previous, *written])  # a run cut short can be run again
    for rel, source in copies.items():
        if rel.endswith(".md"):
            # Rendered later by a build with no sanitizer: written with raw HTML shown as text.
            text = read_text_bounded(source, config.settings.max_file_bytes)
            folder.write(rel, plain_page(text, shown(str(source), config.root), config.settings.markdown).encode("utf-8"))
        else:
            folder.copy(rel, source)
    for rel, content in pages.items():
        folder.write(rel, content.encode("utf-8"))
    removed = folder.remove_stale(set(previous) - set(written))
    folder.claim(written)
    stale = f", {removed} stale file(s) of an earlier run removed" if removed else ""
    err.write(f"{len(pages)} page(s) and data file(s) written, {len(copies)} other file(s) copied{stale} to {safe_line(shown(str(target), Path.cwd()))} (as of {today.isoformat()})\n")
    return 0


def _target(out: Path, docs: Path, root: Path) -> Path:
    if out.is_symlink():
        raise UsageError(f"--out {out}: a symbolic link; name the folder itself, pages are never written through a link")
    target = out.resolve()
    if target == docs or docs in target.parents:
        raise UsageError(f"--out {out}: write outside docs_dir ({shown(str(docs), root)}); the plugin builds docs_dir itself")
    if target == root or target in docs.parents:
        raise UsageError(f"--out {out}: the repo itself (or a folder holding docs_dir); write to a folder of its own, such as build/pages")
    return target


def _copies(docs: Path, settings: Settings, postmortems: set[Path], pages: dict[str, str]) -> dict[str, Path]:
    """The files of docs_dir the site publishes as they are: Markdown pages that are not
    postmortems and the files `publish_files` matches, never the people directory."""
    if not docs.is_dir():
        return {}
    found = scan(docs, settings.max_file_bytes)
    people = (docs / settings.people_file).absolute()
    markdown = set(found.markdown)
    copies: dict[str, Path] = {}
    for source in (*found.markdown, *found.others):
        rel = source.relative_to(docs).as_posix()
        if source.name.startswith(".") or source.absolute() == people or source.resolve() in postmortems:
            continue
        if rel in pages:
            continue  # a generated page of the same name wins, as in the plugin's build after `pages --out`
        if source in markdown or is_published(rel, settings.publish_files):
            copies[rel] = source
    return copies

"""`followthrough pages --out DIR`: the site's pages as plain files, for a build without the plugin.

DIR becomes a complete docs folder: the generated pages, every postmortem's page with its
header card, and the other files of docs_dir (the people directory excepted). Point a
`mkdocs.yml` with the plugin switched off (or Zensical, which skips MkDocs plugins) at it.
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from ..errors import LintFailed, UsageError
from ..logline import safe_line
from ..pages import Site, site_options
from ..repo import load_repo
from ..state import read_state
from ..today import resolve_today
from .common import add_config_options, config_from, shown


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "pages",
        help="write the site's generated pages as files",
        description="Write a complete docs folder to DIR: the generated pages (home, indexes, overdue, completion, response, process, JSON exports), every postmortem with its header card, and the other files of docs_dir except the people directory. Exit 1 when a postmortem has errors.",
    )
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write to (created; files it already holds are overwritten, others kept)")
    add_config_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = config_from(args)
    today = resolve_today(args.today)
    target: Path = args.out.resolve()
    docs = config.docs_dir.resolve()
    if target == docs or docs in target.parents:
        raise UsageError(f"--out {args.out}: write outside docs_dir ({shown(str(docs), config.root)}); the plugin builds docs_dir itself")
    repo = load_repo(config, today=today)
    if repo.errors:
        for f in repo.errors:
            err.write(f"{replace(f, path=shown(f.path, config.root))}\n")  # a Finding prints as one safe line
        raise LintFailed(f"{len(repo.errors)} error(s) in postmortems; no pages written")
    where = str(config.config_file) if config.config_file else "defaults"
    options = site_options(config.plugin.site, where)
    states = read_state(config.root / config.settings.state_file)
    valid = repo.valid_postmortems()
    site = Site.create(
        valid,
        repo.directory,
        config.settings,
        states,
        today,
        options=options,
        root=config.root,
        doc_paths={pm.id: repo.docs_path(pm) for pm in valid},
        use_directory_urls=config.use_directory_urls,
    )
    pages = site.pages(include_postmortems=True)
    people = (config.docs_dir / config.settings.people_file).resolve()
    skipped = {repo.file_of(pm) for pm in repo.postmortems} | {people}
    copied = 0
    if docs.is_dir():
        for source in sorted(docs.rglob("*")):
            if not source.is_file() or source.resolve() in skipped or any(part.startswith(".") for part in source.relative_to(docs).parts):
                continue
            rel = source.relative_to(docs).as_posix()
            if rel in pages:
                continue  # a generated page of the same name wins, as in the plugin's build after `pages --out`
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            copied += 1
    for rel, content in pages.items():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(content, encoding="utf-8", newline="\n")
    err.write(f"{len(pages)} page(s) and data file(s) written, {copied} other file(s) copied to {safe_line(shown(str(target), Path.cwd()))} (as of {today.isoformat()})\n")
    return 0

"""`followthrough related FILE... | --base REF`: the earlier postmortems that resemble a
postmortem, with why, and the front-matter line that would link them.

FILE may be a postmortem still being written: whatever of it parses is compared; a file with no
front-matter mapping at all is refused with its findings (exit 1). `--base REF` asks for every
postmortem added or edited since REF instead: the review workflow's job summary.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, TextIO

from followthrough.cli.common import add_config_options, config_from, positive_int

if TYPE_CHECKING:
    from followthrough.core.errors import LintFailed
    from followthrough.core.findings import Finding
    from followthrough.core.learning.features import Features
    from followthrough.core.model import Postmortem
    from followthrough.files.repo import LoadedConfig

FORMATS = ("text", "json", "markdown")
DEFAULT_LIMIT = 5


_limit = positive_int("--limit")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "related",
        help="earlier postmortems like this one, and how to link them",
        description="Rank the earlier postmortems that resemble FILE (shared services, contributing factors, teams, tags, "
        "similar wording in the title, Summary and Root cause), say why, and print the line that links each. Exit 0, "
        "1 when FILE cannot be read as a postmortem, 2 on usage errors.",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="postmortem files (a new one may be incomplete)")
    p.add_argument("--base", default=None, metavar="REF", help="instead of FILEs: every postmortem added or edited since git revision REF (a pull request's base)")
    p.add_argument("--limit", type=_limit, default=DEFAULT_LIMIT, metavar="N", help=f"suggestions per postmortem (default: {DEFAULT_LIMIT})")
    p.add_argument("--format", choices=FORMATS, default="text", help="text, json, or markdown (a job summary's section)")
    add_config_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from followthrough.core.errors import UsageError
    from followthrough.core.learning import render
    from followthrough.core.learning.features import Features
    from followthrough.core.learning.similar import Index
    from followthrough.core.model import Postmortem
    from followthrough.files.features_cache import repo_features

    if args.base is not None and args.files:
        raise UsageError("related: name FILEs or --base REF, not both")
    if args.base is None and not args.files:
        raise UsageError("related: name a postmortem FILE (or --base REF for those a change adds or edits)")
    # Only the settings and the parsed postmortems are needed, not lint's rules nor MkDocs: the
    # settings come from lint's cache, and each file's features from the last run's where unchanged.
    config = config_from(args, cached=True)
    features, by_key = repo_features(config, use_cache=not os.environ.get("FOLLOWTHROUGH_NO_CACHE"))
    asked: list[Postmortem | Features]
    if args.base is not None:
        from followthrough.files.git import changed_since

        changed = set(changed_since(config, args.base, [f.path for f in features]))
        asked = [pm for pm in (_parsed(config, f.path) for f in features if f.path in changed) if pm is not None]
    else:
        asked = [_read(path, config, by_key) for path in args.files]
    more = 0
    if args.format == "markdown" and len(asked) > render.SUMMARY_POSTMORTEMS:
        # A job summary has room for so many; the rest are counted, not compared.
        asked, more = asked[: render.SUMMARY_POSTMORTEMS], len(asked) - render.SUMMARY_POSTMORTEMS
    index = Index(features)
    results = [render.Asked(pm, tuple(index.similar(pm, args.limit))) for pm in asked]
    if args.format == "markdown":
        out.write(render.markdown(results, more=more))
    else:
        out.write(render.text(results) if args.format == "text" else render.as_json(results))
    return 0


def _parsed(config: LoadedConfig, rel: str) -> Postmortem | None:
    """A postmortem a change adds or edits, parsed; None when it has no front-matter mapping."""
    from followthrough.core.parse import parse_postmortem
    from followthrough.files.repo import read_texts

    [(_, text)] = list(read_texts([config.root / rel], config.root, config.settings.max_file_bytes))
    if not isinstance(text, str):
        return None
    pm = parse_postmortem(text, rel, config.settings)[0]
    return pm if pm.lines else None


def _read(path: Path, config: LoadedConfig, known: Mapping[str, Features]) -> Postmortem | Features:
    """The postmortem in `path` as far as it parses; LintFailed when nothing of it does.
    `known`: the repo's features by `entry_key`: a file among them with a front-matter mapping
    is taken from there (the findings of one without it are the parser's)."""
    from followthrough.core.errors import UsageError
    from followthrough.core.findings import Finding
    from followthrough.files.features_cache import entry_key
    from followthrough.files.repo import read_texts

    full = path if path.is_absolute() else Path.cwd() / path
    if full.is_dir():
        raise UsageError(f"related: {path}: a directory; name a postmortem file in it")
    if full.exists() and not full.is_file():
        raise UsageError(f"related: {path}: not a regular file; name a postmortem file")
    if not full.is_file():
        raise UsageError(f"related: {path}: no such file")
    [(rel, text)] = list(read_texts([full], config.root, config.settings.max_file_bytes))
    if isinstance(text, Finding):
        raise _invalid([text])
    hit = known.get(entry_key(rel, text))
    if hit is not None and hit.front_matter:
        return hit
    from followthrough.core.parse import parse_postmortem

    pm, findings = parse_postmortem(text, rel, config.settings)
    if not pm.lines:  # no front-matter mapping: nothing to compare
        raise _invalid([f for f in findings if f.is_error])
    return pm


def _invalid(errors: list[Finding]) -> LintFailed:
    from followthrough.workspace import invalid_postmortems  # the one wording; imported only on this way out

    return invalid_postmortems(errors, "no suggestions made")

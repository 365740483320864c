"""`followthrough new "<short description>"`: start a postmortem from the template."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TextIO

from followthrough.core.errors import UsageError
from followthrough.core.guidance import GUIDANCE
from followthrough.core.logline import safe_line
from followthrough.files.safefiles import first_link
from followthrough.core.dates import date_problem, parse_day
from followthrough.core.model import KINDS
from followthrough.core.slugs import slug
from followthrough.core.templates import render
from followthrough.files.templates import environment
from followthrough.today import resolve_today
from followthrough.cli.common import add_config_options, config_from


def _date_option(value: str) -> date:
    # resolve_today would name --today; the user typed --date.
    try:
        return parse_day(value.strip())
    except ValueError:
        raise UsageError(f"--date {value!r}: {date_problem(value)}") from None


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("new", help="start a postmortem from the template", description="Create postmortems/<YYYY>/<YYYY-MM-DD>-<slug>.md with every section headed. Refuses to overwrite. Prints the path.")
    p.add_argument("description", help="short description, e.g. \"checkout outage\" (becomes the title and the file name's slug)")
    p.add_argument("--severity", default=None, help="a severity level of the rubric, e.g. SEV-2 (default: left for the author to fill in)")
    p.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="the UTC date impact started (default: today)")
    p.add_argument("--kind", choices=KINDS, default="incident")
    add_config_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = config_from(args)
    settings = config.settings
    day = _date_option(args.date) if args.date is not None else resolve_today(args.today)
    name = slug(args.description, limit=60)
    if not name:
        raise UsageError(f"{args.description!r}: the description needs letters or digits to name the file")
    if args.severity is not None and args.severity not in settings.severity_names:
        raise UsageError(f"--severity {args.severity!r}: use one of {', '.join(settings.severity_names)}")
    severity = args.severity or f"TODO: one of {', '.join(settings.severity_names)}"
    target = config.docs_dir / str(day.year) / f"{day.isoformat()}-{name}.md"
    if (link := first_link(target, config.root.resolve())) is not None:
        raise UsageError(f"{link}: a symbolic link (FT012); a new postmortem is never written through one")
    if target.exists():
        raise UsageError(f"{target}: already exists; choose another description")
    text = render(
        environment(config.root, limit=settings.max_file_bytes),
        "postmortem.md.j2",
        title=args.description.strip(),
        kind=args.kind,
        severity=severity,
        started=f"TODO: when impact began, as {day.isoformat()}THH:MM:00Z",
        example_time=f"{day.isoformat()}T14:40:00Z",
        sections=settings.sections.get(args.kind, ()),
        guidance=GUIDANCE,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
        f.write(text)
    out.write(safe_line(str(target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target)) + "\n")
    return 0

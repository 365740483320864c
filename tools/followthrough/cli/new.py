"""`followthrough new "<short description>"`: start a postmortem from the template; with
`--from-slack SOURCE --channel inc-YYYY-MM-DD-x`, from the incident channel: its date and
description, `started`, the roles people declared there and the Scribe's timeline."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any, TextIO

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
    from followthrough.cli.timeline import add_source_options

    p = subparsers.add_parser("new", help="start a postmortem from the template", description="Create postmortems/<YYYY>/<YYYY-MM-DD>-<slug>.md with every section headed. Refuses to overwrite. Prints the path.")
    p.add_argument("description", nargs="?", default=None, help="short description, e.g. \"checkout outage\" (becomes the title and the file name's slug; with --from-slack, the channel name's by default)")
    p.add_argument("--severity", default=None, help="a severity level of the rubric, e.g. SEV-2 (default: left for the author to fill in)")
    p.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="the UTC date impact started (default: today)")
    p.add_argument("--kind", choices=KINDS, default="incident")
    p.add_argument("--from-slack", dest="from_slack", default=None, metavar="SOURCE", help="start from the incident channel: a Slack export (zip or folder) or 'api:'; needs --channel")
    add_source_options(p)
    add_config_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = config_from(args)
    settings = config.settings
    if args.from_slack is None:
        given = [name for name, value in (("--channel", args.channel), ("--scribe", args.scribe), ("--since", args.since), ("--until", args.until), ("--all", args.everything), ("--reaction", args.reaction), ("--prefix", args.prefix), ("--evidence", args.evidence)) if value]
        if given:
            raise UsageError(f"{given[0]}: only with --from-slack SOURCE")
    slack = _from_slack(args, config, err) if args.from_slack is not None else None
    if slack is None and args.description is None:
        raise UsageError("give a short description, e.g. followthrough new \"checkout outage\" (or --from-slack with --channel)")
    description = args.description if args.description is not None else slack["description"]
    if slack is not None:
        day = slack["day"]
    else:
        day = _date_option(args.date) if args.date is not None else resolve_today(args.today)
    name = slug(description, limit=60) if args.description is not None or slack is None else slack["slug"]
    if not name:
        raise UsageError(f"{description!r}: the description needs letters or digits to name the file")
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
        title=description.strip(),
        kind=args.kind,
        severity=severity,
        started=slack["started"] if slack else f"TODO: when impact began, as {day.isoformat()}THH:MM:00Z",
        example_time=f"{day.isoformat()}T14:40:00Z",
        sections=settings.sections.get(args.kind, ()),
        guidance=GUIDANCE,
        roles=slack["roles"] if slack else {},
    )
    if slack is not None:
        text = _with_timeline(text, slack, args, config, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
        f.write(text)
    out.write(safe_line(str(target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target)) + "\n")
    return 0


def _from_slack(args: argparse.Namespace, config: Any, err: TextIO) -> dict[str, Any]:
    """What the channel tells: its date and description, `started`, the declared roles, the record."""
    from followthrough.cli.timeline import read_record, scribe_ids, selection_from
    from followthrough.core.dates import utc_date
    from followthrough.core.timeline.channel import bare, parse_channel
    from followthrough.core.timeline.roles import declared_roles
    from followthrough.files.repo import load_directory

    if not args.channel:
        raise UsageError("--from-slack: name the incident channel with --channel, e.g. --channel inc-2026-05-20-checkout-outage")
    if args.date is not None:
        raise UsageError("--date: with --from-slack the date comes from the channel's first message")
    try:
        channel = parse_channel(bare(args.channel))
    except ValueError as exc:
        raise UsageError(f"--channel: {exc}") from None
    directory, _ = load_directory(config)
    plain = selection_from(args, config, frozenset())
    record = read_record(args.from_slack, args.channel, directory, since=plain.since, until=plain.until)
    people = [m for m in record.messages if m.is_human and plain.in_window(m)]
    if not people:
        raise UsageError(f"#{record.channel}: no message from a person in {record.source}{' in the window given' if args.since or args.until else ''}; nothing to start the postmortem from")
    first = people[0].when
    started = first.strftime("%Y-%m-%dT%H:%M:00Z")
    if utc_date(first) != channel.day:
        err.write(f"followthrough: #{record.channel} is dated {channel.day}, but its first message is on {utc_date(first)} (UTC); the file is named for the UTC day\n")
    declared = declared_roles(people)
    roles: dict[str, str] = {}
    for role, member in declared.held.items():
        handle = record.names.handles.get(member)
        if handle is None:
            err.write(f"followthrough: roles.{role}: {record.names.name(member)} declared it, but has no slack: member id in the people directory; fill it in\n")
            continue
        roles[role] = handle
        holders = declared.handoffs.get(role, [])
        if len(holders) > 1:
            chain = " -> ".join(record.names.handles.get(h, record.names.name(h)) for h in holders)
            err.write(f"followthrough: roles.{role}: handed off in the channel ({chain}); the first holder is written, the hand-offs are in the Timeline\n")
    for role, members in declared.ambiguous.items():
        who = ", ".join(record.names.handles.get(m, record.names.name(m)) for m in members)
        err.write(f"followthrough: roles.{role}: claimed by {who} without a hand-off; left for you to decide\n")
    scribe = args.scribe or roles.get("scribe")
    selection = selection_from(args, config, scribe_ids(scribe, directory, "--scribe" if args.scribe else "roles.scribe"))
    return {"day": utc_date(first), "slug": channel.slug, "description": channel.description, "started": started, "roles": roles, "record": record, "selection": selection}


def _with_timeline(text: str, slack: dict[str, Any], args: argparse.Namespace, config: Any, target: Path) -> str:
    from followthrough.cli.timeline import evidence_note, tildes, write_evidence
    from followthrough.core.timeline.entries import entries, rows
    from followthrough.core.timeline.section import write_rows
    from followthrough.core.timeline.select import selected

    record, selection = slack["record"], slack["selection"]
    found = entries(selected(record.messages, selection), selection, record.names, tilde=tildes(config))
    if not found and not args.evidence:
        return text  # nothing of the Scribe's record: the template's guidance stays for the author
    table = rows(found) if found else []
    note = None
    if args.evidence:
        target.parent.mkdir(parents=True, exist_ok=True)
        evidence = write_evidence(record, selection, target, config)
        note = evidence_note(evidence.name, record.channel)
    return write_rows(text, table, config.settings.markdown, replace=False, note=note).text

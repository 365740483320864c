"""`followthrough timeline slack SOURCE --channel NAME`: the Scribe's timeline from the incident channel.

SOURCE is a Slack workspace export (its zip or unpacked folder) or `api:` (the Web API with
$SLACK_BOT_TOKEN). Prints the Timeline's rows, or writes them into a postmortem (`--into`),
and with `--evidence` keeps the channel's complete record beside it.
"""

from __future__ import annotations

import argparse
import os
import stat
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from followthrough.core.errors import UsageError
from followthrough.core.logline import safe_line
from followthrough.cli.common import add_config_options, config_from, shown
from followthrough.trackers.retry import SYSTEM_CLOCK, Clock

if TYPE_CHECKING:
    from followthrough.core.model import Directory
    from followthrough.core.timeline.messages import Message
    from followthrough.core.timeline.names import Names
    from followthrough.core.timeline.select import Selection
    from followthrough.files.repo import LoadedConfig

API = "api:"


def add_source_options(p: argparse.ArgumentParser) -> None:
    """The options `timeline slack` and `new --from-slack` share."""
    p.add_argument("--channel", default=None, metavar="NAME", help="the incident channel, e.g. inc-2026-05-20-checkout-outage (default: from --into's file name)")
    p.add_argument("--scribe", default=None, metavar="HANDLE", help="the Scribe's handle in people.yml (default: roles.scribe of --into)")
    p.add_argument("--since", default=None, metavar="WHEN", help="only messages from then on: YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC unless an offset is given)")
    p.add_argument("--until", default=None, metavar="WHEN", help="only messages until then (a date: to its end)")
    p.add_argument("--all", dest="everything", action="store_true", help="every person's message, not only the Scribe's record")
    p.add_argument("--reaction", default=None, metavar="NAME", help="the reaction that marks a message for the timeline (default: the timeline.reaction setting, memo)")
    p.add_argument("--prefix", default=None, metavar="TEXT", help="the prefix that marks a message for the timeline (default: the timeline.prefix setting, 'TL:')")
    p.add_argument("--evidence", action="store_true", help="keep the channel's complete record beside the postmortem, published as its appendix")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "timeline",
        help="the Scribe's timeline from the incident's Slack channel",
        description="Build the Timeline from the incident channel: the Scribe's messages, and those marked with the reaction or the prefix. Prints the rows, or writes them into --into's Timeline section.",
    )
    p.add_argument("kind", choices=("slack",), help="where the record is: slack")
    p.add_argument("source", help="a Slack workspace export (the zip or its folder), or 'api:' to read the channel with $SLACK_BOT_TOKEN")
    add_source_options(p)
    p.add_argument("--into", type=Path, default=None, metavar="FILE", help="the postmortem whose Timeline section gets the rows")
    p.add_argument("--replace", action="store_true", help="replace the entries already in --into's Timeline (its prose is kept)")
    add_config_options(p, today=False)
    p.set_defaults(run=run)


@dataclass
class Record:
    """One channel's messages, oldest first, with the names to show for its members."""

    channel: str
    source: str
    messages: list[Message]
    names: Names


def moment_option(value: str, option: str, *, end: bool = False) -> datetime:
    from followthrough.core.dates import parse_day

    text = value.strip()
    try:
        day = parse_day(text)
    except ValueError:
        pass
    else:
        start = datetime.combine(day, time(0, 0), tzinfo=timezone.utc)
        return start + timedelta(days=1, microseconds=-1) if end else start
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{option} {value!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC unless an offset is given)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def read_record(source: str, channel: str, directory: Directory, *, since: datetime | None = None, until: datetime | None = None, clock: Clock = SYSTEM_CLOCK) -> Record:
    """The channel from an export or the API, its members named from the people directory first."""
    import re

    from followthrough.core.timeline.channel import bare
    from followthrough.core.timeline.messages import in_order
    from followthrough.core.timeline.names import Names, directory_names

    name = bare(channel)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,79}", name):
        raise UsageError(f"--channel {channel!r}: not a Slack channel name (lowercase letters, digits, '-', '_' and '.')")
    if source == API:
        from followthrough.trackers.slack_history import history_target, read_channel as read_api

        got = read_api(history_target(), name, since=since, until=until, clock=clock)
        shown_source = "the Slack Web API"
    else:
        from followthrough.files.slack_export import read_channel as read_export

        got = read_export(Path(source), name)  # type: ignore[assignment]
        shown_source = f"the Slack export '{Path(source).name}'"
    people, handles = directory_names(directory)
    return Record(name, shown_source, in_order(got.messages), Names(people=people, users=got.users, channels=got.channels, handles=handles))


def scribe_ids(handle: str | None, directory: Directory, where: str) -> frozenset[str]:
    """The Scribe's member id from the people directory (a member id itself is taken as it is)."""
    from followthrough.core.ids import is_slack_member

    if not handle:
        return frozenset()
    if is_slack_member(handle):
        return frozenset({handle})
    person = directory.people.get(handle)
    if person is None:
        raise UsageError(f"{where}: {handle!r} is not in the people directory{'' if directory.present else ' (there is none)'}; the Scribe's Slack member id comes from its slack: field")
    if not person.slack:
        raise UsageError(f"{directory.path or 'people.yml'}:{person.line}: {handle} has no slack: member id; add it (e.g. slack: U012AB3CD) so the Scribe's messages can be found")
    return frozenset({person.slack})


def selection_from(args: argparse.Namespace, config: LoadedConfig, scribes: frozenset[str]) -> Selection:
    from followthrough.core.timeline.select import Selection, reaction_name

    settings = config.settings
    since = moment_option(args.since, "--since") if args.since else None
    until = moment_option(args.until, "--until", end=True) if args.until else None
    if since is not None and until is not None and since > until:
        raise UsageError(f"--since {args.since} is after --until {args.until}: no message can be in that window")
    return Selection(
        scribes=scribes,
        reaction=reaction_name(args.reaction if args.reaction is not None else settings.timeline_reaction),
        prefix=args.prefix if args.prefix is not None else settings.timeline_prefix,
        everything=args.everything,
        since=since,
        until=until,
    )


def tildes(config: LoadedConfig) -> bool:
    """Whether the site renders ~~strike~~ (pymdownx.tilde)."""
    return "pymdownx.tilde" in config.settings.markdown.extensions


def evidence_note(evidence_file: str, channel: str) -> str:
    from followthrough.core.escape.html import md_inline_escape

    return f"The channel's complete record is kept as [the Slack record of \\#{md_inline_escape(channel)}]({evidence_file})."


def evidence_path(postmortem: Path) -> Path:
    from followthrough.core.timeline.evidence import evidence_name

    return postmortem.with_name(evidence_name(postmortem.name))


def write_evidence(record: Record, selection: Selection, postmortem: Path, config: LoadedConfig) -> Path:
    from followthrough.core.timeline.evidence import evidence_page
    from followthrough.core.timeline.select import window

    target = evidence_path(postmortem)
    page = evidence_page(window(record.messages, selection), record.names, channel=record.channel, source=record.source, postmortem=postmortem.name, tilde=tildes(config))
    write_file(target, page.encode("utf-8"), config)
    return target


def write_file(target: Path, data: bytes, config: LoadedConfig) -> None:
    """`data` into `target` in one step, or a UsageError naming it (a link, a folder, no permission)."""
    from followthrough.files.atomic import write_atomic
    from followthrough.files.safefiles import Refused

    try:
        write_atomic(target, data, root=config.root)
    except Refused as refused:
        raise UsageError(f"{target}: {refused}") from None
    except OSError as exc:
        raise UsageError(f"{target}: cannot be written ({exc.strerror or exc})") from None


def writable(target: Path) -> None:
    """A file its owner made read-only is not rewritten behind their back (a rename would)."""
    if not os.stat(target).st_mode & stat.S_IWUSR:  # the owner's bit, which root's access() ignores
        raise UsageError(f"{target}: read-only; nothing written (make it writable to import the timeline into it)")


def run(args: argparse.Namespace, out: TextIO, err: TextIO, clock: Clock = SYSTEM_CLOCK) -> int:
    from followthrough.core.text.frontmatter import split
    from followthrough.core.parse import parse_postmortem
    from followthrough.core.timeline import EVIDENCE_SUFFIX
    from followthrough.core.timeline.entries import entries, rows
    from followthrough.core.timeline.section import SectionProblem, write_rows
    from followthrough.core.timeline.select import selected
    from followthrough.files.repo import load_directory
    from followthrough.files.safefiles import Refused, read_bounded

    config = config_from(args)
    directory, _ = load_directory(config)
    if args.replace and args.into is None:
        raise UsageError("--replace: only with --into FILE")
    if args.evidence and args.into is None:
        raise UsageError("--evidence: the record is kept beside a postmortem; give --into FILE")
    text = None
    newline = "\n"
    scribe = args.scribe
    where = "--scribe"
    if args.into is not None:
        if not args.into.is_file():
            raise UsageError(f"{args.into}: no such postmortem")
        if args.into.name.endswith(EVIDENCE_SUFFIX):
            raise UsageError(f"{args.into}: a postmortem's Slack record (*{EVIDENCE_SUFFIX}), not a postmortem; give the postmortem beside it")
        try:
            raw = read_bounded(args.into, config.settings.max_file_bytes)
            # Read as text mode reads it, and written back with the line ends the file had.
            text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
            newline = "\r\n" if b"\r\n" in raw else "\n"
        except Refused as refused:
            raise UsageError(f"{args.into}: {refused}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{args.into}: cannot be read ({exc})") from None
        pm, _ = parse_postmortem(text, shown(str(args.into.resolve()), config.root), config.settings)
        if split(text).problem:
            raise UsageError(f"{args.into}:1: no front-matter; is it a postmortem?")
        if scribe is None and pm.roles.scribe and not pm.roles.scribe.startswith("TODO"):
            scribe, where = pm.roles.scribe, f"{args.into}:{pm.roles.lines.get('scribe', 1)}: roles.scribe"
    channel = args.channel or (f"inc-{args.into.stem}" if args.into is not None else None)
    if channel is None:
        raise UsageError("--channel: name the incident channel (or give --into, whose file name names it)")
    selection = selection_from(args, config, scribe_ids(scribe, directory, where))
    if not selection.scribes and not selection.everything:
        err.write("followthrough: no Scribe known (no --scribe, and no roles.scribe in --into): only messages marked with the reaction or the prefix are taken\n")
    record = read_record(args.source, channel, directory, since=selection.since, until=selection.until, clock=clock)
    found = entries(selected(record.messages, selection), selection, record.names, tilde=tildes(config))
    table = rows(found)
    if not found:
        why = f"no message of #{record.channel} in {record.source} is the Scribe's, marked :{selection.reaction}: or starts with {selection.prefix!r}"
        if args.into is not None:
            raise UsageError(f"{why}; nothing written to {args.into} (--scribe names the Scribe, --all takes every message)")
        err.write(f"followthrough: {why}\n")
    if args.into is None:
        out.write("\n".join(table) + "\n")
        return 0
    assert text is not None
    note = evidence_note(evidence_path(args.into).name, record.channel) if args.evidence else None
    try:
        written = write_rows(text, table, config.settings.markdown, replace=args.replace, note=note)
    except SectionProblem as exc:
        raise UsageError(f"{args.into}: {exc}") from None
    # The postmortem is known to take the rows before anything is written: an error leaves both files as they were.
    writable(args.into)
    if args.evidence:
        evidence = write_evidence(record, selection, args.into, config)
    write_file(args.into, written.text.replace("\n", newline).encode("utf-8"), config)
    replaced = f", replacing {written.replaced}" if written.replaced else ""
    out.write(safe_line(f"{args.into}: {len(found)} timeline entr{'y' if len(found) == 1 else 'ies'} from #{record.channel}{replaced}") + "\n")
    if args.evidence:
        out.write(safe_line(f"{os.fspath(evidence)}: the channel's complete record") + "\n")
    return 0

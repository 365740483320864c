"""`followthrough sync [--dry-run] [--only create|pull] [PATH...]`: mirror action items to trackers.

Exit 0 when everything synced (drift is reported, not a failure), 1 when an item, a
destination or a postmortem failed (everything else still ran), 2 on a usage or
configuration error (`cli.main` maps the errors). Every line written passes through the
filter that masks the tokens; the ones named by the settings are added to it here.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TextIO

from followthrough.core.errors import ConfigError
from followthrough.core.escape import actions
from followthrough.core.logline import safe_line
from followthrough.trackers.redact import Redacting, tracker_secrets
from followthrough.trackers.retry import SYSTEM_CLOCK, Clock
from followthrough.config.load import trackers_of
from followthrough.trackers.engine import ONLY, Summary, SyncEngine
from followthrough.cli.progress import Progress
from followthrough.today import resolve_today
from followthrough.cli.common import add_config_options, config_from, shown
from followthrough.workspace import load_workspace


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sync",
        help="mirror action items to Jira / GitHub and pull their status",
        description=(
            "Create a ticket for every action item of a mirrored postmortem that has none, write its key into the file, "
            "and read the status of every linked ticket into the state file. Exit 0 when all went well, "
            "1 when anything failed (the rest still ran), 2 on usage or configuration errors."
        ),
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="postmortem files or folders (default: all under docs_dir)")
    p.add_argument("--dry-run", action="store_true", help="show what would be created, linked and updated; write nothing anywhere")
    p.add_argument("--only", choices=ONLY, default=None, help="create: only create and link tickets; pull: only read status")
    add_config_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: Redacting, err: Redacting, clock: Clock = SYSTEM_CLOCK) -> int:
    environ = dict(os.environ)
    config = config_from(args)
    where = shown(str(config.config_file), Path.cwd()) if config.config_file else "mkdocs.yml"
    trackers = trackers_of(config, environ, where)
    for stream in (out, err):
        stream.add(tracker_secrets(trackers))  # under whatever variables the settings name
    if not trackers.configured:
        # Not an error: a repo may publish its site before it has trackers. Say so and stop.
        message = f"{where}: no trackers configured (plugins.followthrough.trackers.destinations); nothing to sync, see guide/sync.md"
        if environ.get("GITHUB_ACTIONS") == "true":
            out.write(f"::notice title=Tracker sync skipped::{actions.message(message)}\n")
        else:
            err.write(f"followthrough: {message}\n")
        return 0
    today = resolve_today(args.today)
    workspace = load_workspace(config, today=today, paths=args.paths or None)
    progress = Progress(out, err, environ)  # type: ignore[arg-type]
    engine = SyncEngine(
        workspace.repo,
        workspace.states,
        trackers,
        progress,
        pending=workspace.pending,
        only=args.only,
        dry_run=args.dry_run,
        today=today,
        shown=lambda p: shown(p, config.root),
        restricted=bool(args.paths),
        clock=clock,
    )
    summary = engine.run()
    print_summary(summary, out, dry_run=args.dry_run)  # type: ignore[arg-type]
    if summary.state_error is not None:
        # After the summary, so what was done is on record: the tickets are in the files already.
        raise ConfigError(f"{summary.state_error}; the tickets above are written into the postmortems, and the next sync that can write it rebuilds the state from them")
    if not summary.ok:
        err.write(f"followthrough sync: {len(summary.failures)} failure(s); see above\n")
        return 1
    return 0


def print_summary(summary: Summary, out: TextIO, dry_run: bool) -> None:
    for name, r in summary.destinations.items():
        if dry_run:
            did = f"would create {r.would_create}, would link {r.would_link}" + (f", would close {r.would_close} duplicate(s)" if r.would_close else "")
        else:
            did = f"created {r.created}, linked {r.linked}" + (f", closed {r.closed} duplicate(s)" if r.closed else "")
        if r.waiting:
            did += f", {r.waiting} create(s) pending"
        requests = f"{r.requests.get('read', 0)} read, {r.requests.get('write', 0)} write"
        out.write(f"{name} ({r.where}): {did}, pulled {r.pulled} ({r.changed} changed), failed {r.failed}; requests: {requests}; {r.seconds:.1f} s\n")
    if summary.waits:
        longest = max(summary.waits)
        asked = f" ({summary.asked_waits} as the server asked, by Retry-After)" if summary.asked_waits else ""
        out.write(f"retried {len(summary.waits)} time(s), waiting up to {longest:g} s{asked}\n")
    sections = (
        ("duplicates (more than one ticket carried an item's marker; the one the postmortem names, else the oldest, is kept):", summary.duplicates),
        ("pending (a create's outcome is unknown; nothing is sent again until the tracker shows whether it was made):", summary.pending),
        ("drift (not changed on either side; make the postmortem and the ticket agree):", summary.drift),
        ("notes:", summary.notes),
        ("skipped:", summary.skipped),
        ("failed:", summary.failures),
    )
    for title, lines in sections:
        if lines:
            out.write(title + "\n")
            for line in lines:
                out.write(f"  {safe_line(line)}\n")  # they name files and quote trackers
    if summary.state_written is True:
        out.write(f"state file: updated ({summary.state_entries} entries)\n")
    elif summary.state_written is False:
        out.write(f"state file: unchanged ({summary.state_entries} entries)\n")

"""`followthrough sync [--dry-run] [--only create|pull] [--wait SECONDS] [--rebuild-state] [PATH...]`:
mirror action items to trackers.

Exit 0 when everything synced (drift is reported, not a failure), 1 when an item, a
destination or a postmortem failed (everything else still ran), 2 on a usage or
configuration error, or when another sync held the checkout's lock for longer than --wait
(`cli.main` maps the errors). A run that writes holds the lock (`files.lock`) from before it
reads the postmortems until the state file is written; `--dry-run` writes nothing and takes
none. Every line written passes through the filter that masks the tokens; the ones named by
the settings are added to it here.
"""

from __future__ import annotations

import argparse
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, TextIO

from followthrough.core.errors import ConfigError, UsageError
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
from followthrough.files.lock import Holder, sync_lock
from followthrough.files.scratch import SCRATCH, remove_leftovers
from followthrough.files.state import move_aside, pending_of_any_side

if TYPE_CHECKING:
    from followthrough.core.model import PendingCreate
    from followthrough.core.sync.config import Trackers
    from followthrough.files.repo import LoadedConfig

DEFAULT_WAIT = 60.0  # seconds a run waits for another one in the same checkout


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sync",
        help="mirror action items to Jira / GitHub and pull their status",
        description=(
            "Create a ticket for every action item of a mirrored postmortem that has none, write its key into the file, "
            "read the status of every linked ticket into the state file (with any move of its due date made in the tracker), "
            "and write a due date or owner the postmortem changed to the item's ticket. Exit 0 when all went well, "
            "1 when anything failed (the rest still ran), 2 on usage or configuration errors or when another sync in this checkout "
            "did not finish within --wait. A damaged state file is moved aside and rebuilt with --rebuild-state."
        ),
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="postmortem files or folders (default: all under docs_dir)")
    p.add_argument("--dry-run", action="store_true", help="show what would be created, linked and updated; write nothing anywhere")
    p.add_argument("--only", choices=ONLY, default=None, help="create: only create and link tickets; pull: only read status")
    p.add_argument(
        "--wait",
        type=_seconds,
        default=DEFAULT_WAIT,
        metavar="SECONDS",
        help=f"when another sync is running in this checkout, wait up to this long for it to finish, then exit 2 (default {DEFAULT_WAIT:g}; 0: do not wait)",
    )
    p.add_argument(
        "--rebuild-state",
        action="store_true",
        help="move the state file aside (to .followthrough/tmp/<name>.damaged-<UTC time>, never deleted) and rebuild it from the trackers; for a damaged state file",
    )
    add_config_options(p)
    p.set_defaults(run=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: the seconds to wait must be 0 or more")
    return value


def run(args: argparse.Namespace, out: Redacting, err: Redacting, clock: Clock = SYSTEM_CLOCK) -> int:
    environ = dict(os.environ)
    config = config_from(args)
    where = shown(str(config.config_file), Path.cwd()) if config.config_file else "mkdocs.yml"
    if args.rebuild_state:
        _refuse_rebuild_with(args)
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
    if args.dry_run:
        return _sync(args, config, trackers, environ, today, out, err, clock)

    def waiting(holder: Holder | None) -> None:
        who = f" {holder.describe()}" if holder is not None else ""
        err.write(f"followthrough: another `followthrough sync` is running in this checkout{who}; waiting up to {args.wait:g} s for it\n")

    with sync_lock(config.root, wait=args.wait, now=clock.now, sleep=clock.sleep, waiting=waiting) as scratch:
        removed = remove_leftovers(scratch)
        if removed:
            out.write(f"removed {len(removed)} temp file(s) an interrupted run left in {SCRATCH.as_posix()}/\n")
        carried: dict[str, PendingCreate] = {}
        if args.rebuild_state:
            carried = _move_state_aside(config, scratch, clock, out)
        return _sync(args, config, trackers, environ, today, out, err, clock, carried)


def _refuse_rebuild_with(args: argparse.Namespace) -> None:
    """--rebuild-state makes the whole state file anew: only a run that writes it, over every postmortem, can."""
    if args.dry_run:
        raise UsageError("sync: --rebuild-state moves the state file aside, --dry-run writes nothing; use one of them")
    if args.only == "create":
        raise UsageError("sync: --rebuild-state with --only create would move the state file aside and write none; drop --only create")
    if args.paths:
        raise UsageError("sync: --rebuild-state rebuilds the state entries of every postmortem; run it without PATH arguments")


def _move_state_aside(config: LoadedConfig, scratch: Path, clock: Clock, out: Redacting) -> dict[str, PendingCreate]:
    """Move the state file aside; the creates it records as pending, when it can still be read
    (a deliberate rebuild of a sound file, or of one with git's conflict markers, must not forget
    a create whose answer was lost)."""
    root = config.root
    path = root / config.settings.state_file
    carried = pending_of_any_side(path, root=root, limit=config.settings.max_file_bytes)
    stamp = datetime.fromtimestamp(clock.now(), timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    moved = move_aside(path, stamp, root=root, into=scratch)
    if moved is None:
        out.write(f"state file: there is none at {shown(str(path), root)}; it is built from the trackers\n")
    else:
        kept = f", keeping its {len(carried)} pending create(s)" if carried else ""
        out.write(f"state file: moved {shown(str(path), root)} aside to {shown(str(moved), root)}; it is rebuilt from the trackers{kept}\n")
    return carried


def _sync(
    args: argparse.Namespace,
    config: LoadedConfig,
    trackers: Trackers,
    environ: dict[str, str],
    today: date,
    out: Redacting,
    err: Redacting,
    clock: Clock,
    carried: Mapping[str, PendingCreate] | None = None,
) -> int:
    workspace = load_workspace(config, today=today, paths=args.paths or None)
    progress = Progress(out, err, environ)  # type: ignore[arg-type]
    engine = SyncEngine(
        workspace.repo,
        workspace.states,
        trackers,
        progress,
        pending={**(carried or {}), **workspace.pending},
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
        if r.updated or r.would_update:
            did += f", {'would update' if dry_run else 'updated'} {r.would_update if dry_run else r.updated} from reviewed changes"
        requests = f"{r.requests.get('read', 0)} read, {r.requests.get('write', 0)} write"
        out.write(f"{name} ({r.where}): {did}, pulled {r.pulled} ({r.changed} changed), failed {r.failed}; requests: {requests}; {r.seconds:.1f} s\n")
    if summary.waits:
        longest = max(summary.waits)
        asked = f" ({summary.asked_waits} as the server asked, by Retry-After)" if summary.asked_waits else ""
        out.write(f"retried {len(summary.waits)} time(s), waiting up to {longest:g} s{asked}\n")
    sections = (
        ("duplicates (more than one ticket carried an item's marker; the one the postmortem names, else the oldest, is kept):", summary.duplicates),
        ("pending (a create's outcome is unknown; nothing is sent again until the tracker shows whether it was made):", summary.pending),
        ("updated from reviewed changes (the postmortem's due date or owner, written to the ticket):", summary.pushed),
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

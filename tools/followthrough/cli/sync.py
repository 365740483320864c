"""`followthrough sync [--dry-run] [--only create|pull] [PATH...]`: mirror action items to trackers.

Exit 0 when everything synced (drift is reported, not a failure), 1 when an item, a
destination or a postmortem failed (everything else still ran), 2 on a usage or
configuration error. Every line written passes through a filter that masks the tokens.
"""

from __future__ import annotations

import argparse
import base64
import os
from pathlib import Path
from typing import TextIO

from followthrough.core.escape import actions
from followthrough.core.logline import safe_line
from followthrough.trackers.redact import Redacting, guarded
from followthrough.config.load import trackers_of
from followthrough.core.sync.config import Trackers
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


def secrets_of(trackers: Trackers) -> list[str]:
    """The tokens and the forms they travel in (basic auth is base64 of 'email:token')."""
    found = []
    for name, dest in trackers.destinations.items():
        token = trackers.token(name)
        if not token:
            continue
        value = token.reveal()
        found.append(value)
        if dest.email:
            found.append(base64.b64encode(f"{dest.email}:{value}".encode()).decode())
    return found


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    environ = dict(os.environ)
    # Tokens are known before anything can fail, so every message below is masked.
    raw_secrets = [v for k, v in environ.items() if k in ("JIRA_API_TOKEN", "GITHUB_TOKEN") and v.strip()]
    out_r, err_r = Redacting(out, raw_secrets), Redacting(err, raw_secrets)
    return guarded("sync", err_r, lambda: _run(args, out_r, err_r, environ), debug=bool(environ.get("FOLLOWTHROUGH_DEBUG")))


def _run(args: argparse.Namespace, out_r: Redacting, err_r: Redacting, environ: dict[str, str]) -> int:
    config = config_from(args)
    where = shown(str(config.config_file), Path.cwd()) if config.config_file else "mkdocs.yml"
    trackers = trackers_of(config, environ, where)
    for stream in (out_r, err_r):
        stream.add(secrets_of(trackers))
    if not trackers.configured:
        # Not an error: a repo may publish its site before it has trackers. Say so and stop.
        message = f"{where}: no trackers configured (plugins.followthrough.trackers.destinations); nothing to sync, see guide/sync.md"
        if environ.get("GITHUB_ACTIONS") == "true":
            out_r.write(f"::notice title=Tracker sync skipped::{actions.message(message)}\n")
        else:
            err_r.write(f"followthrough: {message}\n")
        return 0
    today = resolve_today(args.today)
    repo = load_workspace(config, today=today, paths=args.paths or None).repo
    progress = Progress(out_r, err_r, environ)  # type: ignore[arg-type]
    engine = SyncEngine(
        repo,
        trackers,
        progress,
        only=args.only,
        dry_run=args.dry_run,
        today=today,
        shown=lambda p: shown(p, config.root),
        restricted=bool(args.paths),
    )
    summary = engine.run()
    print_summary(summary, out_r, dry_run=args.dry_run)  # type: ignore[arg-type]
    if not summary.ok:
        err_r.write(f"followthrough sync: {len(summary.failures)} failure(s); see above\n")
        return 1
    return 0


def print_summary(summary: Summary, out: TextIO, dry_run: bool) -> None:
    for name, r in summary.destinations.items():
        if dry_run:
            did = f"would create {r.would_create}, would link {r.would_link}"
        else:
            did = f"created {r.created}, linked {r.linked}"
        requests = f"{r.requests.get('read', 0)} read, {r.requests.get('write', 0)} write"
        out.write(f"{name} ({r.where}): {did}, pulled {r.pulled} ({r.changed} changed), failed {r.failed}; requests: {requests}; {r.seconds:.1f} s\n")
    if summary.waits:
        longest = max(summary.waits)
        out.write(f"retried {len(summary.waits)} time(s), waiting up to {longest:g} s (Retry-After honoured)\n")
    sections = (
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

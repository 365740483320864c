"""`followthrough lint [PATH...]`: the check every postmortem pull request runs."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from followthrough.core.escape import actions
from followthrough.core.logline import safe_line
from followthrough.today import resolve_today
from followthrough.cli.common import add_config_options, config_from, positive_int, shown

if TYPE_CHECKING:
    from followthrough.core.findings import Finding

FORMATS = ("text", "github", "json")
# A hint is a notice on the diff: GitHub shows it without marking the check failed.
_ANNOTATION = {"error": "error", "warning": "warning", "info": "notice"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("lint", help="check postmortems' form", description="Check postmortem files and print one finding a line. Exit 0 when clean, 1 on errors (or warnings with --strict; hints never fail), 2 on usage errors.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: the docs_dir of mkdocs.yml)")
    p.add_argument("--format", choices=FORMATS, default="text", help="text (path:line:col: CODE message), github (workflow annotations) or json")
    p.add_argument("--strict", action="store_true", help="warnings fail too (hints, level info, never do)")
    p.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help="processes for a large repo (default: one per core; 1: this process only)")
    p.add_argument(
        "--base", default=None, metavar="REF",
        help="also compare with the postmortems at git revision REF (a pull request's base): a moved due date needs its re-date, "
        "re-dates are never edited, items of a reviewed postmortem never disappear, a new owner is reported (FT315-FT318); "
        "without --base these checks are skipped",
    )  # fmt: skip
    add_config_options(p)
    p.set_defaults(run=run)


_jobs = positive_int("--jobs", " of processes")


def render(findings: list[Finding], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(
            [{"path": f.path, "line": f.line, "column": f.column, "code": f.code, "level": f.level.value, "message": f.message} for f in findings],
            out,
            indent=2,
        )
        out.write("\n")
        return
    for f in findings:
        if fmt == "github":
            kind = _ANNOTATION[f.level.value]
            out.write(f"::{kind} file={actions.prop(f.path)},line={f.line},col={f.column},title={f.code}::{actions.message(f.message)}\n")
        else:
            out.write(f"{f}\n")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # Here, not at the top: `lint --help` needs none of the rules, the parser or the config.
    from followthrough.files.repo import lint_repo

    config = config_from(args, cached=True)
    today = resolve_today(args.today)
    if not args.paths and config.config_file is None and not config.docs_dir.is_dir():
        from followthrough.core.errors import UsageError

        # Run from the wrong folder, a clean "0 checked" would pass for a clean repo.
        raise UsageError(
            f"no mkdocs.yml in {Path.cwd()} or above it, and no {config.docs_dir.name}/ folder here: "
            "run inside a postmortems repo, or name the files or --config"
        )
    compared = None
    if args.base is not None:
        from followthrough.files.git import compare_with_base

        compared = compare_with_base(config, args.paths or None, args.base, today=today)  # first: a bad REF stops before the lint
    report = lint_repo(config, args.paths or None, today=today, jobs=args.jobs)
    found = sorted([*report.findings, *compared.findings]) if compared else list(report.findings)
    findings = [replace(f, path=shown(f.path, config.root)) for f in found]
    render(findings, args.format, out)
    errors = sum(f.is_error for f in findings)
    hints = sum(f.is_info for f in findings)  # never fail the run, --strict or not
    warnings = len(findings) - errors - hints
    if compared is not None:
        for note in compared.notes:
            err.write(f"note: {safe_line(note)}\n")  # a file name may hold a line break
    if args.format == "text":
        summary = f"{report.checked} postmortem(s) checked: {errors} error(s), {warnings} warning(s)"
        if hints:
            summary += f", {hints} hint(s)"
        if compared is not None:
            summary += f"; compared with {compared.ref}: {compared.changed} postmortem file(s) changed"
        err.write(summary + "\n")
    failed = errors > 0 or (args.strict and warnings > 0)
    return 1 if failed else 0

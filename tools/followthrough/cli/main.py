"""Entry point: parse the command line, run one subcommand, turn errors into exit codes.

This is the only place that catches errors, and the exit codes are these:

  0  success
  1  findings or failures (lint findings, an item or destination that did not sync, a
     report that could not be delivered, --fail-on-overdue with something overdue)
  2  the command line or the configuration is wrong
  3  a bug: an error nothing expected, reported as one, with what to put in an issue
     (the traceback only with FOLLOWTHROUGH_DEBUG=1)

Everything is written through streams that mask secrets: those of the environment from the
start, and those a command adds once it has read its settings; so no message, not even a
bug report's traceback, shows a token.

Only the chosen subcommand's module is imported: `sync` pulls in PyGithub and jira,
`report` and `pages` the site code, and a pre-commit hook that lints one file should
not pay for them. The table below is what `followthrough --help` lists without importing
anything; each module's `add_parser` defines the real options (a test keeps the one-line
help of both the same).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import signal
import sys
import traceback
from dataclasses import dataclass
from typing import Sequence, TextIO

from followthrough import __version__
from followthrough.core.errors import EXIT_BUG, EXIT_USAGE, FollowthroughError
from followthrough.core.logline import safe_lines
from followthrough.trackers.redact import Redacting, environment_secrets


@dataclass(frozen=True)
class Command:
    module: str  # under followthrough.cli; has add_parser(subparsers) that sets `run` as the default
    help: str  # the line `followthrough --help` shows


COMMANDS: dict[str, Command] = {
    "lint": Command("lint", "check postmortems' form"),
    "new": Command("new", "start a postmortem from the template"),
    "pages": Command("pages", "write the site's generated pages as files"),
    "search-index": Command("search_index", "write the search index of a built site"),
    "serve": Command("serve", "preview the site, rebuilding only what an edit changes"),
    "sync": Command("sync", "mirror action items to Jira / GitHub and pull their status"),
    "report": Command("report", "overdue items, completion rates, reminders or the weekly review per team, printed or posted"),
    "related": Command("related", "earlier postmortems like this one, and how to link them"),
    "timeline": Command("timeline", "the Scribe's timeline from the incident's Slack channel"),
    "schema": Command("schema", "print the JSON Schema of the front-matter, for editors"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 itself; keep its message short
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line, before argparse runs.

    The top-level options (--help, --version) take no value, so the first word that is
    not an option is the command; anything else is left for argparse to refuse."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser for this command line: the chosen subcommand complete, the others listed only."""
    parser = _Parser(prog="followthrough", description="Postmortems and their action items, kept in a git docs repo.")
    parser.add_argument("--version", action="version", version=f"followthrough {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    chosen = chosen_command(argv)
    for name, command in COMMANDS.items():
        if name == chosen:
            importlib.import_module(f".{command.module}", __package__).add_parser(sub)
        else:
            # Never parsed: when its name is on the command line it is the chosen one.
            sub.add_parser(name, help=command.help)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    secrets = environment_secrets(os.environ)
    out_r = Redacting(out or sys.stdout, secrets)
    err_r = Redacting(err or sys.stderr, secrets)
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(argv)  # imports the chosen command: a broken install fails here
    except Exception as exc:  # noqa: BLE001 - a bug (or a broken install) before any command ran
        return _bug(chosen_command(argv) or "", exc, err_r)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(err_r)
        return EXIT_USAGE
    try:
        return int(args.run(args, out_r, err_r))
    except FollowthroughError as exc:
        # Messages name files and quote servers; their own line breaks stay, no forged ones.
        err_r.write(f"followthrough: {safe_lines(str(exc))}\n")
        return exc.exit_code
    except BrokenPipeError:  # `followthrough lint | head`: the reader left; not an error of ours
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's flush at exit
        return 1
    except Terminated:
        err_r.write("followthrough: stopped (SIGTERM); what was done so far is kept\n")
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        err_r.write("followthrough: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place a bug meets the user
        return _bug(args.command, exc, err_r)


def _bug(command: str, exc: BaseException, err: TextIO) -> int:
    debug = bool(os.environ.get("FOLLOWTHROUGH_DEBUG"))
    if debug:
        err.write(traceback.format_exc())
    err.write(bug_report(command, exc, debug=debug))
    return EXIT_BUG


def bug_report(command: str, exc: BaseException, *, debug: bool) -> str:
    """What a user sees of a bug: that it is one, and what to put in an issue. Written through
    the masking stream like everything else, so it can be pasted as it is."""
    traceback_hint = "the traceback above" if debug else "the traceback FOLLOWTHROUGH_DEBUG=1 adds when you run it again"
    return (
        f"followthrough: BUG: `followthrough {command}` stopped on an error it does not expect: {type(exc).__name__}: {safe_lines(str(exc))}\n"
        "  This is a bug in followthrough, not a problem with your postmortems or settings. Please report it with:\n"
        f"  - followthrough {__version__}, Python {platform.python_version()} on {platform.system() or 'an unknown system'}\n"
        "  - the command line you ran and these lines\n"
        f"  - {traceback_hint} (secrets are masked in it; read it before you post it)\n"
    )


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled, `kill`): stopped as Ctrl-C stops a run, so that what is open
    is closed on the way out (the lock released, a create's record kept) and the user is told."""


def _terminate(signum: int, frame: object) -> None:
    # The first SIGTERM starts the way out (the lock released, the message); a second one, as a
    # cancelled CI job or `timeout` sends, must not interrupt that way out with a traceback.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


def run() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(main())

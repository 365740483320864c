"""Entry point: parse the command line, run one subcommand, turn errors into exit codes.

This is the only place that catches errors: a FollowthroughError becomes its message and
its exit code; anything else is a bug, reported in one line without a traceback unless
FOLLOWTHROUGH_DEBUG is set.

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
import sys
from dataclasses import dataclass
from typing import Sequence, TextIO

from followthrough import __version__
from followthrough.core.errors import FollowthroughError
from followthrough.core.logline import safe_lines


@dataclass(frozen=True)
class Command:
    module: str  # under followthrough.cli; has add_parser(subparsers) that sets `run` as the default
    help: str  # the line `followthrough --help` shows


COMMANDS: dict[str, Command] = {
    "lint": Command("lint", "check postmortems' form"),
    "new": Command("new", "start a postmortem from the template"),
    "pages": Command("pages", "write the site's generated pages as files"),
    "sync": Command("sync", "mirror action items to Jira / GitHub and pull their status"),
    "report": Command("report", "overdue action items or completion rates, printed or posted"),
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
    out = out or sys.stdout
    err = err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(err)
        return 2
    try:
        return int(args.run(args, out, err))
    except FollowthroughError as exc:
        # Messages name files and quote servers; their own line breaks stay, no forged ones.
        err.write(f"followthrough: {safe_lines(str(exc))}\n")
        return exc.exit_code
    except BrokenPipeError:  # `followthrough lint | head`: the reader left; not an error of ours
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's flush at exit
        return 1
    except KeyboardInterrupt:
        err.write("followthrough: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place a bug meets the user
        if os.environ.get("FOLLOWTHROUGH_DEBUG"):
            raise
        err.write(f"followthrough: internal error: {type(exc).__name__}: {safe_lines(str(exc))} (set FOLLOWTHROUGH_DEBUG=1 for details)\n")
        return 3


def run() -> None:
    sys.exit(main())

"""Entry point: parse the command line, run one subcommand, turn errors into exit codes.

This is the only place that catches errors: a FollowthroughError becomes its message and
its exit code; anything else is a bug, reported in one line without a traceback unless
FOLLOWTHROUGH_DEBUG is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence, TextIO

from .. import __version__
from ..errors import FollowthroughError

# Subcommand modules; each has add_parser(subparsers) that sets `run` as the default.
COMMANDS = ("lint", "new", "pages", "sync", "report")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 itself; keep its message short
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="followthrough", description="Postmortems and their action items, kept in a git docs repo.")
    parser.add_argument("--version", action="version", version=f"followthrough {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.{name}":
                continue  # a command not built yet in this checkout
            raise
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(err)
        return 2
    try:
        return int(args.run(args, out, err))
    except FollowthroughError as exc:
        err.write(f"followthrough: {exc}\n")
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
        err.write(f"followthrough: internal error: {type(exc).__name__}: {exc} (set FOLLOWTHROUGH_DEBUG=1 for details)\n")
        return 3


def run() -> None:
    sys.exit(main())

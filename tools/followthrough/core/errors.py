"""The error types that cross a boundary, each with the exit code the CLI turns it into.

Everything a user can get wrong ends up as one of these; `cli.main` is the one place
that turns them into a message and an exit code, so no traceback reaches the user.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1  # findings or failures
EXIT_USAGE = 2  # the command line or the configuration is wrong
EXIT_BUG = 3  # an error nothing expected; `cli.main` reports it as a bug


class FollowthroughError(Exception):
    """Base: a message for the user, already naming the file, line or setting at fault."""

    exit_code = EXIT_FAILED


class UsageError(FollowthroughError):
    """The command line itself is wrong (unknown option, bad date, missing path)."""

    exit_code = EXIT_USAGE


class ConfigError(FollowthroughError):
    """A setting in mkdocs.yml, the people directory or the environment is wrong."""

    exit_code = EXIT_USAGE


class LintFailed(FollowthroughError):
    """Postmortems have errors; raised by commands (site build, sync) that need valid input."""

    exit_code = EXIT_FAILED


class TrackerError(FollowthroughError):
    """A tracker (Jira, GitHub) refused or failed a request; the message never holds a secret."""

    exit_code = EXIT_FAILED


class LockHeld(FollowthroughError):
    """Another run holds the lock this command needs; nothing was done (wait for it, or run it again)."""

    exit_code = EXIT_USAGE

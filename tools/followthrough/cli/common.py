"""Options and helpers every subcommand shares: --config, --today, paths shown relative to here."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from followthrough.today import ENV_TODAY

if TYPE_CHECKING:  # config imports MkDocs' config classes: not needed to print --help
    from followthrough.files.repo import LoadedConfig
    from followthrough.workspace import Workspace


def positive_int(option: str, unit: str = "") -> "Callable[[str], int]":
    """An argparse type for a count of 1 or more, its error naming the option (and the unit counted)."""

    def read(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            n = 0
        if n < 1:
            raise argparse.ArgumentTypeError(f"{option} takes a whole number{unit}, 1 or more (got {value!r})")
        return n

    return read


def add_config_options(parser: argparse.ArgumentParser, today: bool = True) -> None:
    parser.add_argument("--config", "-f", type=Path, default=None, metavar="FILE", help="mkdocs.yml to read settings from (default: found from the current folder upwards)")
    if today:
        parser.add_argument("--today", default=None, metavar="YYYY-MM-DD", help=f"the date to judge due dates by (default: ${ENV_TODAY}, $SOURCE_DATE_EPOCH, or today in UTC)")


def config_from(args: argparse.Namespace, *, cached: bool = False) -> LoadedConfig:
    """The repo's settings. `cached`: the settings kept by the last run for this exact mkdocs.yml
    (see config.cache), for commands that need only `settings`, not the plugin's MkDocs config.
    FOLLOWTHROUGH_NO_CACHE=1 reads mkdocs.yml afresh and keeps nothing."""
    use_cache = cached and not os.environ.get("FOLLOWTHROUGH_NO_CACHE")
    if use_cache:
        from followthrough.config import cache as config_cache
        from followthrough.files.repo import find_config

        config_file = args.config if args.config is not None else find_config(Path.cwd())
        if config_file is not None and (hit := config_cache.load(config_file)) is not None:
            return hit  # before importing config: that import is MkDocs'
    from followthrough.config.load import load_config

    loaded = load_config(args.config, start=Path.cwd())
    if use_cache:
        config_cache.store(loaded)
    return loaded


def workspace_from(args: argparse.Namespace, *, paths: list[Path] | None = None, refuse_errors: str | None = None) -> Workspace:
    """The repo of --config as of --today (see `workspace.load_workspace`)."""
    from followthrough.today import resolve_today
    from followthrough.workspace import load_workspace

    config = config_from(args)
    return load_workspace(config, today=resolve_today(args.today), paths=paths or None, refuse_errors=refuse_errors)


def shown(path: str, root: Path) -> str:
    """A path relative to the working folder when it is below it, as users typed it."""
    full = Path(path) if os.path.isabs(path) else root / path
    try:
        return os.path.relpath(full, Path.cwd()) if not os.path.relpath(full, Path.cwd()).startswith("..") else str(full)
    except ValueError:
        return str(full)

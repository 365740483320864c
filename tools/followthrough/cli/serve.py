"""`followthrough serve`: MkDocs' own development server (`mkdocs serve`) in its dirty mode, where
the plugin decides which pages are rebuilt (guide/site.md, Previews).

Plain `mkdocs serve` rebuilds incrementally too, but empties the site folder before every
rebuild and puts every unchanged page back; the dirty mode keeps the folder, which is what
makes a save show in about a second with thousands of postmortems. MkDocs' warning that a
dirty build "will likely lead to inaccurate navigation" does not hold with the plugin, which
rebuilds every page an edit reaches, so it is not shown.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import TextIO

from followthrough.cli.common import add_config_options, config_from
from followthrough.core.errors import ConfigError, FollowthroughError, UsageError
from followthrough.site.incremental import DIRTY_NOTICE
from followthrough.today import ENV_TODAY, resolve_today



def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="preview the site, rebuilding only what an edit changes",
        description="Run MkDocs' development server on the repo's mkdocs.yml: the site at http://IP:PORT/ plus site_url's path, rebuilt after every save of a postmortem, people.yml, the state file, a template or mkdocs.yml; only the pages the edit changes are built again. Lint errors show as pages. Stop it with Ctrl-C. Exit 2 when mkdocs.yml is missing or wrong, 1 when the first build fails.",
    )
    add_config_options(p)
    p.add_argument("-a", "--dev-addr", default=None, metavar="IP:PORT", help="address to serve on (default: mkdocs.yml's dev_addr, else 127.0.0.1:8000)")
    p.add_argument("--open", action="store_true", help="open the site in a browser once it is built")
    p.set_defaults(run=run)


class _HideDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_NOTICE)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = config_from(args)  # a missing or broken mkdocs.yml is a clean error before MkDocs starts
    if config.config_file is None:
        raise UsageError("no mkdocs.yml found here or in a folder above; run from the repo, or name it with --config")
    if args.today is not None:
        # The plugin reads "today" at every rebuild, from the environment as the CLI sets it.
        os.environ[ENV_TODAY] = resolve_today(args.today).isoformat()
    import click
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.commands.serve import serve

    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    hide = _HideDirtyWarning()
    mkdocs_build.log.addFilter(hide)
    try:
        serve(config_file=str(config.config_file), dev_addr=args.dev_addr, livereload=True, build_type="dirty", open_in_browser=args.open)
    except click.ClickException as exc:  # MkDocs' ConfigurationError, Abort (the first build failed)
        if type(exc).__name__ == "ConfigurationError":
            raise ConfigError(exc.format_message()) from None
        raise FollowthroughError(exc.format_message()) from None
    finally:
        mkdocs_build.log.removeFilter(hide)
        logger.removeHandler(handler)
    return 0

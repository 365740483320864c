"""`followthrough schema`: print the JSON Schema of the front-matter for this repo's rubric."""

from __future__ import annotations

import argparse
from typing import TextIO

from followthrough.cli.common import add_config_options, config_from
from followthrough.core.schema import render_schema


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of the front-matter, for editors",
        description="Print the JSON Schema (draft 2020-12) of a postmortem's front-matter, with the severities and priorities of mkdocs.yml. "
        "Commit it as schema/postmortem.schema.json: `followthrough schema > schema/postmortem.schema.json`. Exit 2 on a configuration error.",
    )
    add_config_options(p, today=False)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    out.write(render_schema(config_from(args, cached=True).settings))
    return 0

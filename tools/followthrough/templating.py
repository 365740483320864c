"""Where Jinja2 templates come from: the repo's own `templates/` first, then the packaged copy.

A team customises a page or the new-postmortem skeleton by editing `templates/` in its
repo; a template it has not changed falls through to the copy this package ships.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

PACKAGED = Path(__file__).parent / "_templates"  # the wheel's copy (pyproject force-include)
SOURCE = Path(__file__).resolve().parents[2] / "templates"  # an editable install's checkout


def template_dirs(root: Path | None) -> list[Path]:
    dirs = []
    if root is not None and (root / "templates").is_dir():
        dirs.append(root / "templates")
    for candidate in (SOURCE, PACKAGED):
        if candidate.is_dir() and candidate not in dirs:
            dirs.append(candidate)
    return dirs


def yaml_str(value: object) -> str:
    """A double-quoted YAML scalar: JSON's string syntax is valid YAML, so ':' or '"' stay safe."""
    return json.dumps(str(value), ensure_ascii=False)


def environment(root: Path | None, *, html: bool = False) -> jinja2.Environment:
    """Templates for Markdown/YAML output (no autoescape: callers escape) or HTML (autoescape on)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(root)]),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml_str"] = yaml_str
    return env

"""Rendering Jinja2 templates that reach the core as an environment built by the shell.

The core never finds templates itself: the shell (`files/templates.py`) builds the loader that
reads the repo's `templates/` and the packaged copies, and hands it in.
"""

from __future__ import annotations

import json
from typing import Any

import jinja2

from followthrough.core.errors import ConfigError

TEMPLATES_FOLDER = "templates"  # the repo's folder of templates, named in messages


def render(env: jinja2.Environment, name: str, /, **context: Any) -> str:
    """`name` rendered; a template the repo got wrong (a syntax error, an include of one that
    does not exist) is a ConfigError naming it, not a traceback."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"{exc.filename or name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"template {name}: no template {exc.name!r} in {TEMPLATES_FOLDER}/ or the packaged copies") from None


def yaml_str(value: object) -> str:
    """A double-quoted YAML scalar: JSON's string syntax is valid YAML, so ':' or '"' stay safe."""
    return json.dumps(str(value), ensure_ascii=False)

"""GitHub Actions workflow commands (`::error file=...,line=...::message`): values that stay one command.

The runner reads a command from one line and splits its properties at ',' and its name from
its message at '::'; it decodes `%25`, `%0D`, `%0A` (and in properties `%3A`, `%2C`) back,
so any text can travel in a command without starting another or cutting the one it is in.
"""

from __future__ import annotations


def message(value: str) -> str:
    """The message of a command (after '::')."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def prop(value: str) -> str:
    """A property value (`file=`, `title=`), where ':' and ',' also end it."""
    return message(value).replace(":", "%3A").replace(",", "%2C")

"""Telling a rule code from a near miss, for config errors and suppression comments alike."""

from __future__ import annotations

from followthrough.core.fields import did_you_mean
from followthrough.core.catalog import RULES

_BY_NAME = {rule.name: rule.code for rule in RULES.values()}


def code_hint(word: object) -> str:
    """'; did you mean ...?' for a word that is not a rule code, or '' when nothing is close."""
    if not isinstance(word, str):
        return ""
    if word.upper() in RULES:
        return f"; did you mean {word.upper()!r}?"
    if word in _BY_NAME:
        return f"; rules are named by code; did you mean {_BY_NAME[word]!r}?"
    return did_you_mean(word, RULES)

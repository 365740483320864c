"""Followthrough: postmortems and their action items, kept in a git docs repo."""

__version__ = "0.1.0"

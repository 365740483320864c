"""`python -m followthrough`: the same as the `followthrough` command."""

from .cli.main import run

run()

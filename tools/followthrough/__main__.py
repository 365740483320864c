"""`python -m followthrough`: the same as the `followthrough` command."""

from followthrough.cli.main import run

run()

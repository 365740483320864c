"""Lint time of adversarial bodies at size n and 4n, against the plain sample file, in one run.

    python benchmarks/bench_linear.py [-n 64000] [--repeat 3]

Each body is the sample postmortem (tests/data/rules/docs/2026/2026-05-20-pass-base.md) with an
adversarial text of about n characters appended: the inputs that once made lint quadratic or
sent it into the renderer's block parser for minutes. It prints the least time of --repeat runs
for n and 4n, their ratio (about 4 is linear, 16 quadratic) and each against the sample alone.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from followthrough.core.lint import lint_texts
from followthrough.core.model import Directory
from followthrough.core.rules.context import Context
from followthrough.core.settings import DEFAULT_SETTINGS

BASE = (Path(__file__).resolve().parents[1] / "tests" / "data" / "rules" / "docs" / "2026" / "2026-05-20-pass-base.md").read_text()
CTX = Context(DEFAULT_SETTINGS, Directory(), date(2026, 11, 23))

BODIES = {
    "x's fault, repeated": lambda n: "x's fault " * (n // 10),
    "<!-- followthrough: never closed": lambda n: "<!-- followthrough:" * (n // 19),
    "## a, spaces, x}": lambda n: "## a" + " " * n + "x}",
    "## a, spaces, x": lambda n: "## a" + " " * n + "x",
    "setext pairs, no blank line": lambda n: "a\n=\n" * (n // 4),
    "headings under table rows": lambda n: "| a\n## x |\n" * (n // 11),
    "x<b, never closed": lambda n: "x<b " * (n // 4),
    "nested list, one line": lambda n: "- " * (n // 2) + "x",
    "backticks": lambda n: "`" * n,
    "### a, blank lines between": lambda n: "### a\n\n" * (n // 7),
    "<div markdown>, never closed": lambda n: "<div markdown>\n" * (n // 15),
}


def best(text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        lint_texts([("postmortems/2026/2026-05-20-x.md", text)], CTX)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=64000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = best(BASE, args.repeat)
    print(f"sample alone: {base * 1000:.1f} ms ({len(BASE):,} characters)")
    print(f"{'body':34} {'n':>10} {'4n':>10} {'4n / n':>7} {'4n / sample':>12}")
    for name, make in BODIES.items():
        small = best(BASE + "\n" + make(args.n) + "\n", args.repeat)
        large = best(BASE + "\n" + make(4 * args.n) + "\n", args.repeat)
        print(f"{name:34} {small * 1000:8.1f}ms {large * 1000:8.1f}ms {large / small:6.1f}x {large / base:11.1f}x")


if __name__ == "__main__":
    main()

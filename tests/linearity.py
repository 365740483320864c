"""Whether lint's time grows linearly with a file's size: size n against 4n, as a ratio.

Linear work gives about 4, quadratic 16; the bound is set between with a wide margin. Each size
is timed several times and the least is kept, so another process on the machine makes a ratio
smaller rather than larger only by chance.
"""

from __future__ import annotations

import time
from typing import Callable

from followthrough.core.lint import lint_texts

from .conftest import BASE, lint_context

CTX = lint_context()
PATH = "postmortems/2026/2026-05-20-x.md"
RATIO = 8.0  # 4 for linear work, 16 for quadratic


def lint_seconds(body: str, repeat: int = 3) -> float:
    """The least time of `repeat` lints of BASE with `body` after it."""
    text = BASE + "\n" + body + "\n"
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        lint_texts([(PATH, text)], CTX)
        best = min(best, time.perf_counter() - start)
    return best


def assert_linear(make: Callable[[int], str], n: int) -> None:
    """Lint of `make(4 * n)` takes at most RATIO times as long as lint of `make(n)`."""
    small = lint_seconds(make(n))
    large = lint_seconds(make(4 * n))
    # 5 ms of slack for the timer and the collector at small sizes; quadratic work is far above it.
    assert large <= RATIO * small + 0.005, f"size {n}: {small:.4f} s, size {4 * n}: {large:.4f} s ({large / small:.1f}x)"

"""Whether lint's time grows linearly with a file's size: size n against 4n, as a ratio.

Linear work gives about 4, quadratic 16; the bound is set between with a wide margin. The time
is this thread's CPU time (`time.thread_time`), so the minutes another process holds the CPU do
not count; the two sizes are timed in turns, three times each with the collector off, and the
least of each is kept, so what noise is left makes a ratio smaller rather than larger only by chance.
"""

from __future__ import annotations

import gc
import time
from typing import Callable

from followthrough.core.lint import lint_texts

from .conftest import BASE, lint_context

CTX = lint_context()
PATH = "postmortems/2026/2026-05-20-x.md"
RATIO = 8.0  # 4 for linear work, 16 for quadratic


def _cpu_seconds(text: str) -> float:
    gc.disable()  # a collection falling in one timing and not the other would skew the ratio
    try:
        start = time.thread_time()
        lint_texts([(PATH, text)], CTX)
        return time.thread_time() - start
    finally:
        gc.enable()


def assert_linear(make: Callable[[int], str], n: int, repeat: int = 3) -> None:
    """Lint of `make(4 * n)` takes at most RATIO times as long as lint of `make(n)`."""
    texts = [BASE + "\n" + make(size) + "\n" for size in (n, 4 * n)]
    small = large = float("inf")
    for _ in range(repeat):  # in turns, so a busy spell weighs on both sizes alike
        small = min(small, _cpu_seconds(texts[0]))
        large = min(large, _cpu_seconds(texts[1]))
    # 5 ms of slack for the timer at small sizes; quadratic work is far above it.
    assert large <= RATIO * small + 0.005, f"size {n}: {small:.4f} s, size {4 * n}: {large:.4f} s ({large / small:.1f}x)"

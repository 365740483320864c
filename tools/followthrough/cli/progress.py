"""Showing a sync as it runs: a live progress display on a terminal, plain lines otherwise.

On a terminal (stderr is a TTY) `rich` draws a bar per phase and prints each event above
it. Elsewhere every event is one line on stdout; inside GitHub Actions each destination's
lines are folded into a `::group::`.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Mapping, TextIO

from followthrough.core.logline import safe_line


class Progress:
    def __init__(self, out: TextIO, err: TextIO, environ: Mapping[str, str], tty: bool | None = None) -> None:
        self.out = out
        self.actions = environ.get("GITHUB_ACTIONS") == "true"
        interactive = _isatty(err) if tty is None else tty
        self.mode = "actions" if self.actions else ("tty" if interactive else "plain")
        self._console = None
        self._bars = None
        if self.mode == "tty":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn, TimeElapsedColumn

            self._console = Console(file=err, highlight=False)
            self._bars = Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=self._console, transient=True)

    def line(self, text: str) -> None:
        # Events name files and quote trackers: one log line each, never a forged command.
        text = safe_line(text)
        if self._console is not None:
            self._console.print(text, markup=False, soft_wrap=True)
        else:
            self.out.write(text + "\n")

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        title = safe_line(title)
        if self.mode == "actions":
            self.out.write(f"::group::{title}\n")
            try:
                yield
            finally:
                self.out.write("::endgroup::\n")
            return
        if self._console is not None:
            self._console.print(f"[bold]{_escape(title)}[/bold]")
        else:
            self.out.write(f"{title}\n")
        yield

    @contextmanager
    def task(self, label: str, total: int) -> Iterator[Callable[[], None]]:
        """A phase of `total` steps; the callable marks one done."""
        if self._bars is None or total == 0:
            yield lambda: None
            return
        bars = self._bars
        with bars:
            task_id = bars.add_task(label, total=total)
            yield lambda: bars.advance(task_id)
            bars.remove_task(task_id)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)

"""Building into a fresh folder beside site_dir and putting it in place only after the build
succeeded: a failed build (a lint error, a broken page, a warning in strict mode) leaves the
previous site, and anything else in it, as it was.

MkDocs empties site_dir before it reads a single page; building into a sibling folder keeps that
from touching the real one. The swap is two renames in one folder, so a reader of site_dir sees
the old site or the new one, never half of each.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from followthrough.files.atomic import current_umask


@dataclass
class SiteSwap:
    final: Path  # site_dir as configured (a link to a folder is resolved, so the link stays)
    fresh: Path  # where this build writes
    done: bool = False

    @classmethod
    def begin(cls, site_dir: str) -> SiteSwap:
        final = Path(site_dir).resolve()
        final.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{final.name}.building-", dir=final.parent))
        # mkdtemp makes the folder private (0700); the site gets the mode MkDocs' own mkdir would
        # give it, so a web server running as another user can still read it.
        fresh.chmod(0o777 & ~current_umask())
        return cls(final, fresh)

    def commit(self) -> None:
        """The fresh build becomes site_dir; the old one's hidden entries (`.git`, `.nojekyll`),
        which MkDocs never removes either, are carried over; then the old site is removed."""
        if self.done:
            return
        self.done = True
        if not self.final.exists():
            os.rename(self.fresh, self.final)
            return
        if not self.final.is_dir():
            shutil.rmtree(self.fresh, ignore_errors=True)
            raise OSError(f"{self.final}: site_dir is not a folder; the new site was not put in its place")
        old_holder = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.old-", dir=self.final.parent))
        old = old_holder / "site"
        os.rename(self.final, old)
        try:
            os.rename(self.fresh, self.final)
        except OSError:
            os.rename(old, self.final)  # back as it was
            shutil.rmtree(self.fresh, ignore_errors=True)
            shutil.rmtree(old_holder, ignore_errors=True)
            raise
        for name in os.listdir(old):
            if name.startswith(".") and not os.path.lexists(self.final / name):
                os.rename(old / name, self.final / name)
        shutil.rmtree(old_holder, ignore_errors=True)

    def abandon(self) -> None:
        if not self.done:
            self.done = True
            shutil.rmtree(self.fresh, ignore_errors=True)


class WarningCounter(logging.Handler):
    """Counts MkDocs' warnings, as its strict mode does after the last plugin event: a build that
    strict mode is about to fail must not be swapped in first."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

"""Where Jinja2 templates come from: the repo's own `templates/` first, then the packaged copy.

A team customises a page or the new-postmortem skeleton by editing `templates/` in its
repo; a template it has not changed falls through to the copy this package ships. The
repo's folder is read as docs_dir is (see safefiles): a pull request that made
`templates/site/home.md.j2` a link to `/proc/self/environ` would otherwise publish the build
machine's secrets on the home page. The packaged copies are the installed code: trusted.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

import jinja2

from followthrough.core.errors import ConfigError
from followthrough.core.templates import TEMPLATES_FOLDER as REPO_FOLDER, yaml_str
from followthrough.files.safefiles import Refused, link_target, read_text_bounded, refusal_of
from followthrough.core.settings import DEFAULT_MAX_FILE_BYTES

PACKAGED = Path(__file__).resolve().parents[1] / "_templates"  # the wheel's copy (pyproject force-include)
SOURCE = Path(__file__).resolve().parents[3] / "templates"  # an editable install's checkout


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)  # lstat: a link to a folder is not one
    except OSError:
        return False


def _trusted_dirs(root: Path | None) -> list[Path]:
    # The repo's own folder, even when it is this checkout's (a team working in a clone of the
    # tool's repo), is read through RepoTemplates only.
    own = (root / REPO_FOLDER).resolve() if root is not None else None
    dirs: list[Path] = []
    for candidate in (SOURCE, PACKAGED):
        if candidate.is_dir() and candidate not in dirs and candidate.resolve() != own:
            dirs.append(candidate)
    return dirs


def template_dirs(root: Path | None) -> list[Path]:
    """The folders templates are looked up in, first wins (for `mkdocs serve` to watch); the
    repo's folder only when it is a real folder (a link is refused when a template is loaded)."""
    dirs = [root / REPO_FOLDER] if root is not None and _is_folder(root / REPO_FOLDER) else []
    return dirs + _trusted_dirs(root)


class RepoTemplates(jinja2.BaseLoader):
    """Templates from `<root>/templates`, never through a link (at the folder, any folder
    below it, or the file), never from a special file, never past `limit` bytes. A template
    it does not have falls through to the next loader; one it refuses stops the render with
    a ConfigError naming the file, so the packaged copy never silently stands in for it."""

    def __init__(self, root: Path, limit: int) -> None:
        self.root = root
        self.limit = limit

    def _shown(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        parts = template.split("/")
        if any(part in ("", ".", "..") or os.sep in part or (os.altsep and os.altsep in part) for part in parts):
            # Jinja's own loaders refuse these too; a template including "../../etc/passwd" is
            # told so plainly instead of being sent to the packaged copies.
            raise ConfigError(f"{REPO_FOLDER}/: template name {template!r}: templates are looked up by a plain path inside {REPO_FOLDER}/ and the packaged copies; '..' and absolute names are not allowed")
        path = self.root
        for depth, part in enumerate((REPO_FOLDER, *parts)):
            path = path / part
            try:
                st = os.lstat(path)
            except OSError:
                raise jinja2.TemplateNotFound(template) from None
            if stat.S_ISLNK(st.st_mode):
                raise ConfigError(
                    f"{self._shown(path)}: a symbolic link (to {link_target(path)}): templates are never read through a link; "
                    f"put the folder or file itself in {REPO_FOLDER}/"
                )
            if depth < len(parts):
                if not stat.S_ISDIR(st.st_mode):
                    raise jinja2.TemplateNotFound(template)
            elif stat.S_ISDIR(st.st_mode):
                raise jinja2.TemplateNotFound(template)
            elif (refusal := refusal_of(path, st)) is not None:
                raise ConfigError(f"{self._shown(path)}: {refusal.message}")
        try:
            text = read_text_bounded(path, self.limit)
        except Refused as exc:
            raise ConfigError(f"{self._shown(path)}: {exc.refusal.message}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{self._shown(path)}: the template is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise ConfigError(f"{self._shown(path)}: the template cannot be read: {exc.strerror or exc}") from None
        mtime = st.st_mtime_ns

        def uptodate() -> bool:  # `mkdocs serve` rebuilds reuse the environment's cache
            try:
                return os.lstat(path).st_mtime_ns == mtime
            except OSError:
                return False

        return text, str(path), uptodate


def loader(root: Path | None, limit: int = DEFAULT_MAX_FILE_BYTES) -> jinja2.BaseLoader:
    """The repo's templates (read as RepoTemplates reads them), then the trusted copies."""
    trusted = jinja2.FileSystemLoader([str(d) for d in _trusted_dirs(root)])
    if root is None:
        return trusted
    return jinja2.ChoiceLoader([RepoTemplates(root, limit), trusted])


def environment(root: Path | None, *, html: bool = False, limit: int = DEFAULT_MAX_FILE_BYTES) -> jinja2.Environment:
    """Templates for Markdown/YAML output (no autoescape: callers escape) or HTML (autoescape on)."""
    env = jinja2.Environment(
        loader=loader(root, limit),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml_str"] = yaml_str
    return env

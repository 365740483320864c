"""The tracker state file: what `followthrough sync` last read from the trackers.

One JSON file (`state_file` setting, default `.followthrough/state.json` beside mkdocs.yml),
written only by sync and read by the site and the reports. Keys are
"<postmortem id>/<action item id>". Sorted keys and fixed formatting, so a sync that
changed nothing leaves the file byte-identical and git shows no diff.

    {
      "version": 1,
      "items": {
        "2024-03-05-checkout-outage/add-canary": {
          "ticket": "PAY-123",
          "url": "https://acme.atlassian.net/browse/PAY-123",
          "status": "done",                 # open | in-progress | done | wont-do
          "tracker_status": "Done",         # the tracker's own word
          "done_on": "2024-03-20",          # date it was done or closed; null while open
          "assignee": "a.nguyen",           # people-directory handle when known, else the tracker's login
          "due": "2024-03-31",              # the tracker's due date, null when it has none
          "checked": "2026-11-23",          # date the status was last seen to change
          "redates": [                      # moves of the tracker's due date pulls saw (absent: none)
            {"from": "2024-03-24", "to": "2024-03-31", "seen": "2024-03-20", "destination": "pay"}
          ],
          "pushed_due": "2024-03-24",       # the file's due date and owner as last written to the
          "pushed_owner": "a.nguyen"        # ticket (absent in entries written before pushes)
        }
      },
      "pending": {                          # only while a create's outcome is unknown
        "2024-03-05-checkout-outage/page-owner": {
          "destination": "pay", "marker": "ft-0123456789abcdef",
          "since": "2026-11-23T09:00:00Z", "why": "no answer within 30 s",
          "ticket": null, "number": null
        }
      }
    }
"""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from followthrough.core.errors import ConfigError
from followthrough.core.model import PendingCreate, TicketState
from followthrough.files.atomic import write_atomic
from followthrough.files.scratch import scratch_folder
from followthrough.files.safefiles import TOO_LARGE, Refused, first_link, link_target, read_bounded, refusal_of, size_text
from followthrough.core.settings import DEFAULT_MAX_FILE_BYTES, Settings

STATE_VERSION = 1


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return Path(os.path.abspath(path)).relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def _stat_unlinked(path: Path, root: Path | None, doing: str) -> os.stat_result | None:
    """The state file's own stat (None: there is none); a ConfigError when it, or a folder between
    `root` (the repo) and it, is a symbolic link, or it cannot be looked at."""
    if root is not None:
        root = Path(os.path.abspath(root))
    link = first_link(path, root) if root is not None else (path if path.is_symlink() else None)
    if link is not None:
        raise ConfigError(
            f"{_shown(link, root)}: a symbolic link (to {link_target(link)}): the tracker state file "
            f"({_shown(path, root)}) is never read, written or moved through a link; make it a file of the repo"
        )
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{_shown(path, root)}: the tracker state file cannot be {doing}: {exc.strerror or exc}") from None


def _refuse_unsafe(path: Path, root: Path | None, limit: int | None) -> bool:
    """Raise a ConfigError when the state file may not be read or written: a link at it or at
    a folder between `root` (the repo) and it, a special file, a file over `limit` bytes.
    False when it does not exist. A pull request that made `.followthrough` a link would
    otherwise have the site publish, and sync overwrite, a file outside the repo."""
    if root is not None:
        root = Path(os.path.abspath(root))
    st = _stat_unlinked(path, root, "read")
    if st is None:
        return False
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(f"{_shown(path, root)}: a folder, not the tracker state file (state_file)")
    if (refusal := refusal_of(path, st)) is not None:
        raise ConfigError(f"{_shown(path, root)}: {refusal.message} (the tracker state file)")
    if limit is not None and st.st_size > limit:
        raise ConfigError(_too_large(path, root, st.st_size, limit))
    return True


def _too_large(path: Path, root: Path | None, size: int, limit: int) -> str:
    return (
        f"{_shown(path, root)}: {size_text(size)}, over the {size_text(limit)} limit (max_file_mb): the tracker state "
        "file is not read; raise max_file_mb if your trackers really hold that many items"
    )


REBUILD_ADVICE = "run `followthrough sync --rebuild-state` to move it aside and rebuild it from the trackers"


def _damaged(path: Path, root: Path | None, what: str) -> ConfigError:
    """The one message for a state file that cannot be taken as one: what is wrong, and the way
    out (sync alone would stop on the same file; sync --rebuild-state moves it aside first)."""
    return ConfigError(f"{_shown(path, root)}: the tracker state file is damaged ({what}); {REBUILD_ADVICE}")


@dataclass(frozen=True)
class StateFile:
    items: dict[str, TicketState] = field(default_factory=dict)
    pending: dict[str, PendingCreate] = field(default_factory=dict)  # creates whose outcome is unknown


def load_state(root: Path, settings: Settings) -> StateFile:
    """The repo's tracker state file (`state_file`, below `root`), read as `read_state` reads it."""
    return read_state_file(root / settings.state_file, root=root, limit=settings.max_file_bytes)


def read_state(path: Path, *, root: Path | None = None, limit: int = DEFAULT_MAX_FILE_BYTES) -> dict[str, TicketState]:
    """The states by key, as `read_state_file` reads them."""
    return read_state_file(path, root=root, limit=limit).items


def read_state_file(path: Path, *, root: Path | None = None, limit: int = DEFAULT_MAX_FILE_BYTES) -> StateFile:
    """The states by key and the pending creates; an absent file is an empty state (nothing
    mirrored yet). Never through a link (at the file, or below `root` at any folder on the way),
    never from a special file, never more than `limit` bytes."""
    if not _refuse_unsafe(path, root, limit):
        return StateFile()
    try:
        text = read_bounded(path, limit).decode("utf-8")
        conflict = _conflict_line(text)
        if conflict:
            # Two branches each changed it (two machines' syncs): git left both sides in the file.
            raise ConfigError(
                f"{_shown(path, root)}:{conflict}: the tracker state file holds git's merge conflict markers; resolve the "
                f"conflict (keep the entries of both sides: each ticket's status is read again by the next sync), or {REBUILD_ADVICE}"
            )
    except Refused as exc:  # changed since it was checked
        raise ConfigError(f"{_shown(path, root)}: {exc.refusal.message} (the tracker state file)") from None
    except OSError as exc:
        raise ConfigError(f"{_shown(path, root)}: the tracker state file cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise _damaged(path, root, f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    return _parse(text, path, root)


def pending_of_any_side(path: Path, *, root: Path | None = None, limit: int = DEFAULT_MAX_FILE_BYTES) -> dict[str, PendingCreate]:
    """The pending creates a state file records, for a rebuild to keep: of a file git left with
    conflict markers, those of both sides (each side is a file a sync wrote; ours first). Empty
    when it cannot be read at all."""
    try:
        return read_state_file(path, root=root, limit=limit).pending
    except ConfigError:
        pass
    try:
        if not _refuse_unsafe(path, root, limit):
            return {}
        text = read_bounded(path, limit).decode("utf-8")
    except (ConfigError, Refused, OSError, UnicodeDecodeError):
        return {}
    if not _conflict_line(text):
        return {}  # damaged otherwise: what it recorded is gone; the markers find what was made
    pending: dict[str, PendingCreate] = {}
    for side in reversed(_sides(text)):
        try:
            pending.update(_parse(side, path, root).pending)
        except ConfigError:
            continue  # that side is damaged too: the markers find what it recorded
    return pending


def _sides(text: str) -> tuple[str, str]:
    """Our side and theirs of a text with git's conflict markers (the merge base of a diff3
    conflict, between `|||||||` and `=======`, is neither)."""
    ours: list[str] = []
    theirs: list[str] = []
    where = "both"
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<< "):
            where = "ours"
        elif line.startswith("||||||| ") and where == "ours":
            where = "base"
        elif line.rstrip("\r\n") == "=======" and where in ("ours", "base"):
            where = "theirs"
        elif line.startswith(">>>>>>> ") and where == "theirs":
            where = "both"
        else:
            if where in ("both", "ours"):
                ours.append(line)
            if where in ("both", "theirs"):
                theirs.append(line)
    return "".join(ours), "".join(theirs)


def _parse(text: str, path: Path, root: Path | None) -> StateFile:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _damaged(path, root, f"not JSON: {exc.msg}, line {exc.lineno} column {exc.colno}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), dict):
        raise _damaged(path, root, "not a tracker state file: no 'items' mapping")
    version = raw.get("version")
    if version != STATE_VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > STATE_VERSION:
            raise ConfigError(
                f"{_shown(path, root)}: a version-{version} tracker state file, written by a newer followthrough (this one reads "
                f"version {STATE_VERSION}); upgrade followthrough, or {REBUILD_ADVICE}"
            )
        raise _damaged(path, root, f"version {json.dumps(version)}, expected {STATE_VERSION}")
    states: dict[str, TicketState] = {}
    for key, value in raw["items"].items():
        if not isinstance(value, dict):
            raise _damaged(path, root, f"entry {key!r} must be a mapping with at least a 'ticket'")
        try:
            states[key] = TicketState.from_json(value)
        except (TypeError, ValueError, KeyError) as exc:
            raise _damaged(path, root, f"entry {key!r} is malformed: {exc}") from None
    pending_raw = raw.get("pending", {})
    if not isinstance(pending_raw, dict):
        raise _damaged(path, root, "'pending' is not a mapping")
    pending: dict[str, PendingCreate] = {}
    for key, value in pending_raw.items():
        try:
            if not isinstance(value, dict):
                raise TypeError("not a mapping")
            pending[key] = PendingCreate.from_json(value)
        except (TypeError, ValueError, KeyError) as exc:
            raise _damaged(path, root, f"pending entry {key!r} is malformed: {exc}") from None
    return StateFile(states, pending)


def _conflict_line(text: str) -> int:
    """The line of the first git conflict marker in `text` (0: none)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(("<<<<<<< ", ">>>>>>> ")) or line == "=======":
            return number
    return 0


def move_aside(path: Path, stamp: str, *, root: Path | None = None, into: Path | None = None) -> Path | None:
    """Rename the state file to `<name>.damaged-<stamp>` in `into` (the scratch folder, which git
    ignores, so the workflow's `git add -A .followthrough` does not commit the copy; beside the
    file when not given, or on another file system), a free name (`-2`, `-3`... after it when
    taken), never deleting it; the new path, or None when there is no file. Refused, as
    `read_state` refuses, when it is reached through a link or is not a regular file."""
    st = _stat_unlinked(path, root, "moved aside")
    if st is None:
        return None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise ConfigError(f"{_shown(path, root)}: {kind}, not the tracker state file (state_file); move it away yourself")
    for folder in dict.fromkeys([into or path.parent, path.parent]):
        target = folder / f"{path.name}.damaged-{stamp}"
        n = 1
        while os.path.lexists(target):
            n += 1
            target = folder / f"{path.name}.damaged-{stamp}-{n}"
        try:
            os.rename(path, target)  # under sync's lock: no other run takes the free name meanwhile
        except OSError as exc:
            if exc.errno == errno.EXDEV and folder != path.parent:
                continue  # the scratch folder is on another file system: beside the file, then
            raise ConfigError(f"{_shown(path, root)}: the tracker state file cannot be moved aside: {exc.strerror or exc}") from None
        return target
    raise AssertionError("unreachable: the last folder tried is the file's own")


def render_items(states: Mapping[str, TicketState]) -> str:
    """The `items` mapping as it sits in the file (indented one level), for `render_state`."""
    return _nested({key: states[key].to_json() for key in sorted(states)})


def _nested(value: object) -> str:
    # json.dumps of the whole document indents a member's lines by one more level; no string holds
    # a raw line break (JSON escapes it), so indenting every line break is the same text.
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n  ")


def render_state(states: Mapping[str, TicketState], pending: Mapping[str, PendingCreate] | None = None, *, items_text: str | None = None) -> str:
    """The file's text: `json.dumps(document, indent=2, sort_keys=True)` and a line break. Built from
    its members so that sync, which records each create before it is sent, renders the (long)
    unchanged `items` once per run, as `items_text`, instead of once per create."""
    members = [f'  "items": {render_items(states) if items_text is None else items_text}']
    if pending:  # absent when empty: a file without pending creates reads as it always did
        members.append(f'  "pending": {_nested({key: pending[key].to_json() for key in sorted(pending)})}')
    members.append(f'  "version": {STATE_VERSION}')
    return "{\n" + ",\n".join(members) + "\n}\n"


def write_state(
    path: Path,
    states: Mapping[str, TicketState],
    *,
    root: Path | None = None,
    pending: Mapping[str, PendingCreate] | None = None,
    items_text: str | None = None,
) -> bool:
    """Write atomically; returns False (and leaves the file alone) when nothing changed.
    Refused, before anything is written, as `read_state` refuses to read."""
    data = render_state(states, pending, items_text=items_text).encode("utf-8")
    if _refuse_unsafe(path, root, None):
        try:
            # A file larger than the new text differs from it: never read more than that.
            if read_bounded(path, len(data)) == data:
                return False
        except Refused as exc:
            if exc.refusal.code != TOO_LARGE:
                raise ConfigError(f"{_shown(path, root)}: {exc.refusal.message} (the tracker state file)") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    temp_dir = scratch_folder(root) if root is not None else None  # a crash leaves no temp file beside it
    try:
        write_atomic(path, data, durable=True, temp_dir=temp_dir)
    except Refused as exc:  # made a link or a special file since it was checked
        raise ConfigError(f"{_shown(path, root)}: {exc.refusal.message} (the tracker state file)") from None
    return True

"""Reading one channel out of a Slack workspace export: the zip an admin downloads, or its folder.

The documented layout: `channels.json` (public channels), `groups.json` (private ones),
`users.json`, and `<channel>/<YYYY-MM-DD>.json` per day in the workspace's time zone (so the
file's day is not the UTC day: times always come from each message's `ts`). DMs are never read.
A zip is untrusted input: members outside it, too large or too many are refused, and it is read
in memory with bounded reads, never extracted.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from followthrough.core.errors import UsageError
from followthrough.core.fields import did_you_mean
from followthrough.core.timeline.messages import BadMessage, Message, message_from
from followthrough.core.timeline.names import user_names
from followthrough.files.safefiles import Refused, first_link, link_target, read_bounded

MAX_MEMBERS = 200_000  # a large workspace's export over years; a zip bomb's millions are refused
MAX_FILE_BYTES = 64 * 1024 * 1024  # one JSON file of the export, uncompressed
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # everything read for one channel
_DAY_FILE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\.json")


@dataclass
class ExportChannel:
    name: str
    messages: list[Message] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)  # member id -> name
    channels: dict[str, str] = field(default_factory=dict)  # channel id -> name


class _Source:
    """The export's files by their path inside it, read with bounds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_total = 0
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, zipfile.ZipInfo] = {}
        if path.is_dir():
            return
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise UsageError(f"{path}: not a Slack export (a zip or its unpacked folder): {exc}") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UsageError(f"{path}: {len(infos):,} files in the zip, more than the {MAX_MEMBERS:,} an export of a channel needs; refused")
        for info in infos:
            name = PurePosixPath(info.filename)
            if info.filename.startswith(("/", "\\")) or ".." in name.parts or "\\" in info.filename or ":" in info.filename:
                raise UsageError(f"{path}: the zip holds {info.filename!r}, a path outside it; refused (not a Slack export)")
            if not info.is_dir():
                self._members[info.filename] = info

    def names(self, folder: str) -> list[str]:
        """The files directly in `folder` (a channel's day files)."""
        if self._zip is None:
            base = self.path / folder
            self._inside(base)
            return sorted(p.name for p in base.iterdir() if p.is_file() or p.is_symlink()) if base.is_dir() else []
        prefix = f"{folder}/"
        return sorted(n[len(prefix) :] for n in self._members if n.startswith(prefix) and "/" not in n[len(prefix) :])

    def has_folder(self, folder: str) -> bool:
        return bool(self.names(folder))

    def json(self, name: str, *, required: bool = False) -> Any:
        where = f"{self.path}{'!' if self._zip else '/'}{name}"
        try:
            data = self._read(name)
        except FileNotFoundError:
            if required:
                raise UsageError(f"{where}: missing; is {self.path} a Slack workspace export?") from None
            return None
        if len(data) > MAX_FILE_BYTES:
            raise UsageError(f"{where}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; refused")
        self.read_total += len(data)
        if self.read_total > MAX_TOTAL_BYTES:
            raise UsageError(f"{self.path}: more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB read for one channel; refused")
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise UsageError(f"{where}: not JSON ({exc})") from None

    def where(self, name: str) -> str:
        return f"{self.path}{'!' if self._zip else '/'}{name}"

    def _inside(self, path: Path) -> None:
        # A link in an unpacked export could put any file of this machine into the evidence
        # page, which the site publishes: an export's files are read only where they are.
        link = first_link(path, Path(os.path.abspath(self.path)))
        if link is not None:
            raise UsageError(f"{link}: a symbolic link (to {link_target(link)}) inside the export; refused, only the export's own files are read")

    def _read(self, name: str) -> bytes:
        if self._zip is None:
            target = self.path / name
            self._inside(target)
            if not target.is_file():
                raise FileNotFoundError(name)
            try:
                return read_bounded(target, MAX_FILE_BYTES)
            except Refused as refused:
                raise UsageError(f"{target}: {refused}") from None
        info = self._members.get(name)
        if info is None:
            raise FileNotFoundError(name)
        if info.file_size > MAX_FILE_BYTES:
            raise UsageError(f"{self.where(name)}: {info.file_size:,} bytes uncompressed, more than {MAX_FILE_BYTES // (1024 * 1024)} MB; refused")
        try:
            with self._zip.open(info) as f:  # the declared size may lie: read one byte past the bound
                return f.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            # A damaged member, an unknown compression, an encrypted file: refused, with Python's reason.
            raise UsageError(f"{self.where(name)}: cannot be read from the zip ({exc})") from None


def read_channel(path: Path, channel: str) -> ExportChannel:
    """The channel's messages (thread replies included, as the export holds them), its
    workspace's user names and channel names."""
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder (a Slack export's zip or its unpacked folder)")
    source = _Source(path)
    listed: dict[str, str] = {}
    for index_file in ("channels.json", "groups.json"):
        for entry in _list(source, index_file):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("name"), str):
                listed[entry["id"]] = entry["name"]
    if not listed and source.json("channels.json") is None and source.json("groups.json") is None:
        source.json("channels.json", required=True)
    if channel not in listed.values() and not source.has_folder(channel):
        raise UsageError(f"{path}: no channel {channel!r} in this export{did_you_mean(channel, listed.values())}")
    users = user_names(source.json("users.json"))
    found = ExportChannel(channel, users=users, channels=listed)
    for day in source.names(channel):
        if not _DAY_FILE.fullmatch(day):
            continue
        name = f"{channel}/{day}"
        data = source.json(name)
        if not isinstance(data, list):
            raise UsageError(f"{source.where(name)}: expected a list of messages, got {type(data).__name__}")
        for i, raw in enumerate(data):
            try:
                found.messages.append(message_from(raw))
            except BadMessage as exc:
                raise UsageError(f"{source.where(name)}: message {i + 1}: {exc}") from None
    return found


def _list(source: _Source, name: str) -> list[Any]:
    data = source.json(name)
    if data is None:
        return []
    if not isinstance(data, list):
        raise UsageError(f"{source.where(name)}: expected a list of channels, got {type(data).__name__}")
    return data

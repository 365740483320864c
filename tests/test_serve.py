"""`mkdocs serve`: editing a postmortem updates its page and the generated pages on reload.

The server binds port 0 and the OS picks a free port, read back from /proc (Linux): a port
chosen here and released before the server binds it could be taken by anything meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, TypeVar
from urllib.parse import urlsplit

import pytest

from followthrough.config.load import load_config

from .conftest import shipped_repo

POSTMORTEM = "2026/2026-08-12-ci-runner-disk-exhaustion"  # one of tests/data/repo's
PROC = Path("/proc")
T = TypeVar("T")


def listening_port(pid: int) -> int | None:
    """The TCP port process `pid` listens on, or None while it listens on none yet."""
    sockets = set()
    for fd in (PROC / str(pid) / "fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed since the listing
        if target.startswith("socket:["):
            sockets.add(target[len("socket:[") : -1])
    for table in ("tcp", "tcp6"):
        path = PROC / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in sockets:  # st 0A: LISTEN; field 9: the socket's inode
                return int(fields[1].rsplit(":", 1)[1], 16)
    return None


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(predicate: Callable[[], T | None], seconds: float, server: subprocess.Popen[bytes]) -> T | None:
    """Poll for a state the server must reach; give up after `seconds` or when it exits (no fixed sleep decides)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        value = predicate()
        if value:
            return value
        try:
            server.wait(timeout=0.1)  # the pause between two looks, cut short if the server exits
        except subprocess.TimeoutExpired:
            pass
    return None


@pytest.mark.slow
@pytest.mark.skipif(not (PROC / "net" / "tcp").exists(), reason="reads the server's port from Linux's /proc")
def test_serve_rebuilds_pages_after_an_edit(tmp_path: Path) -> None:
    root = shipped_repo(tmp_path / "repo")
    mount = urlsplit(load_config(root / "mkdocs.yml").site_url).path.rstrip("/")  # serve mounts the site at site_url's path
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env.update(FOLLOWTHROUGH_TODAY="2026-11-23", NO_MKDOCS_2_WARNING="1")
    log_file = tmp_path / "serve.log"
    with log_file.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", "127.0.0.1:0"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            port = _wait_for(lambda: listening_port(server.pid), 90, server)
            assert port, log_file.read_text()
            base = f"http://127.0.0.1:{port}{mount}"
            first = _wait_for(lambda: _get(f"{base}/all/"), 90, server)
            assert first, log_file.read_text()
            assert "EDITED-TITLE" not in first
            target = root / "postmortems" / f"{POSTMORTEM}.md"
            target.write_text(target.read_text().replace("\ntitle: ", "\ntitle: EDITED-TITLE ", 1))
            assert _wait_for(lambda: "EDITED-TITLE" in (_get(f"{base}/all/") or ""), 60, server), log_file.read_text()
            assert "EDITED-TITLE" in (_get(f"{base}/{POSTMORTEM}/") or "")
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.skipif(not (PROC / "net" / "tcp").exists(), reason="reads the server's port from Linux's /proc")
def test_followthrough_serve_shows_each_kind_of_edit(tmp_path: Path) -> None:
    """`followthrough serve` (MkDocs' serve in its dirty mode, the plugin choosing the pages):
    a body edit, a changed people directory and a lint error each reach the served pages."""
    root = shipped_repo(tmp_path / "repo")
    mount = urlsplit(load_config(root / "mkdocs.yml").site_url).path.rstrip("/")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env.update(NO_MKDOCS_2_WARNING="1")
    log_file = tmp_path / "serve.log"
    with log_file.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "followthrough", "serve", "-a", "127.0.0.1:0", "--today", "2026-11-23"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            port = _wait_for(lambda: listening_port(server.pid), 90, server)
            assert port, log_file.read_text()
            base = f"http://127.0.0.1:{port}{mount}"
            page = f"{base}/{POSTMORTEM}/"
            assert _wait_for(lambda: _get(page), 90, server), log_file.read_text()
            target = root / "postmortems" / f"{POSTMORTEM}.md"
            target.write_text(target.read_text().replace("\n## ", "\nEDITED-BODY-LINE\n\n## ", 1))
            assert _wait_for(lambda: "EDITED-BODY-LINE" in (_get(page) or ""), 60, server), log_file.read_text()
            people = root / "postmortems" / "people.yml"
            people.write_text(people.read_text().replace("name: An Nguyen", "name: An Nguyen-Renamed", 1))
            assert _wait_for(lambda: "An Nguyen-Renamed" in (_get(page) or ""), 60, server), log_file.read_text()
            target.write_text(target.read_text().replace("\nseverity: ", "\nseverity: SEV-9-NOT-A-LEVEL ", 1))
            errors = f"{base}/followthrough-errors/"
            assert _wait_for(lambda: f"postmortems/{POSTMORTEM}.md:" in (_get(errors) or ""), 60, server), log_file.read_text()
            assert "lint error" in (_get(page) or "")
            assert "dirty" not in log_file.read_text()  # MkDocs' warning about dirty builds is not shown
        finally:
            server.terminate()
            server.wait(timeout=30)

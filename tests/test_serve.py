"""`mkdocs serve`: editing a postmortem updates its page and the generated pages on reload."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

SAMPLE = "2026/2026-08-12-ci-runner-disk-exhaustion"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(predicate, seconds: float) -> bool:
    """Poll for a condition the server must reach; fail after `seconds` (no fixed sleep decides)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_serve_rebuilds_pages_after_an_edit(tmp_path: Path):
    for name in ("mkdocs.yml", "postmortems", "templates"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env["FOLLOWTHROUGH_TODAY"] = "2026-11-23"
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/postmortems"  # site_url's path
    try:
        assert _wait_for(lambda: _get(f"{base}/all/") is not None, 90), (tmp_path / "serve.log").read_text()
        assert "EDITED-TITLE" not in _get(f"{base}/all/")
        target = tmp_path / "postmortems" / f"{SAMPLE}.md"
        text = target.read_text()
        target.write_text(text.replace("\ntitle: ", "\ntitle: EDITED-TITLE ", 1))
        assert _wait_for(lambda: "EDITED-TITLE" in (_get(f"{base}/all/") or ""), 60), (tmp_path / "serve.log").read_text()
        assert "EDITED-TITLE" in _get(f"{base}/{SAMPLE}/")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

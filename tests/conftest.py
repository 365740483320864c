"""Shared test helpers: run the real CLI in a subprocess, build small repos in temp folders.

No test reads the sample postmortems (postmortems/ at the top of the repo): an organisation
that adopts the repo deletes them and writes its own people directory, and the suite must
still pass. Tests of what ships with the repo (mkdocs.yml, templates/, the workflows, the
pre-commit hook) run it on the fixture postmortems of tests/data/repo instead, through
`shipped_repo`. An audit hook makes any read of postmortems/ fail the test that made it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
SAMPLES = ROOT / "postmortems"  # the repo's own postmortems: an adopter's, not the tests'
REPO_FIXTURE = DATA / "repo"  # postmortems/ (with people.yml) of the shipped layout, for the shipped config
SHIPPED = ("mkdocs.yml", "templates")  # what a repo built from this one keeps and the tests may use


def pytest_configure(config: pytest.Config) -> None:
    # lint keeps validated settings in the user's cache folder; the suite keeps its own, so it
    # neither reads what an earlier run (or the developer) left nor writes into their home.
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="followthrough-test-cache-")


def shipped_repo(target: Path) -> Path:
    """A repo at `target` as an adopter has it: the shipped mkdocs.yml and templates, the fixture's postmortems."""
    target.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    shutil.copytree(REPO_FIXTURE / "postmortems", target / "postmortems")
    return target


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `shipped_repo` for the session, for tests that only read it (copy it to change it)."""
    return shipped_repo(tmp_path_factory.mktemp("shipped") / "repo")


class SamplesRead(AssertionError):
    """A test read the sample postmortems; it would fail once an adopter deletes them."""


def _path_of(value: Any, cwd: Any = None) -> str | None:
    if not isinstance(value, (str, bytes, os.PathLike)):
        return None  # a file descriptor
    base = os.fsdecode(cwd) if isinstance(cwd, (str, bytes, os.PathLike)) else os.getcwd()
    return os.path.normpath(os.path.join(base, os.fsdecode(value)))


def _inside(path: str | None, folder: Path) -> bool:
    return path is not None and (path == str(folder) or path.startswith(str(folder) + os.sep))


def _runs_on_samples(args: Any, cwd: Any) -> bool:
    """A `followthrough` or `mkdocs` process that names a sample, or reads the root mkdocs.yml (docs_dir: postmortems)."""
    argv = [os.fsdecode(a) for a in args] if isinstance(args, (list, tuple)) else [os.fsdecode(args)]
    if not any(os.path.basename(a) in ("followthrough", "mkdocs") for a in argv):
        return False
    if any(_inside(_path_of(a, cwd), SAMPLES) for a in argv if not a.startswith("-")):
        return True
    for i, a in enumerate(argv):
        if a in ("-f", "--config", "--config-file") and i + 1 < len(argv):
            return _path_of(argv[i + 1], cwd) == str(ROOT / "mkdocs.yml")
        if a.startswith(("--config=", "--config-file=")):
            return _path_of(a.split("=", 1)[1], cwd) == str(ROOT / "mkdocs.yml")
    folder = Path(_path_of(".", cwd) or os.getcwd())
    for candidate in (folder, *folder.parents):  # where both look for mkdocs.yml when given none
        if (candidate / "mkdocs.yml").is_file():
            return candidate == ROOT
    return False


_WATCHED = frozenset({"open", "os.scandir", "os.listdir", "glob.glob", "subprocess.Popen"})


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event not in _WATCHED:
        return
    if event == "subprocess.Popen":
        if _runs_on_samples(args[1], args[2]):
            raise SamplesRead(f"a test ran {args[1]!r} on the sample postmortems ({SAMPLES}); use shipped_repo() or tests/data")
        return
    target = args[0]
    if not isinstance(target, (str, bytes, os.PathLike)):
        return  # a file descriptor
    if event == "open" and args[1] is None and not os.path.isabs(os.fsdecode(target)):
        return  # os.open of a relative name may be relative to a dir_fd (shutil.rmtree's way), not to the working folder
    if _inside(_path_of(target), SAMPLES):
        raise SamplesRead(f"a test read {target} ({event}); the samples are the adopter's to delete: use tests/data")


# From the import of this file on, so module-level code and module fixtures are watched too.
# Subprocesses are checked where they start (their own reads are not seen).
sys.addaudithook(_audit)


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
    """Run `python -m followthrough ARGS` as a user would, with a clean, fixed environment."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWTHROUGH_", "JIRA_", "GITHUB_", "SLACK_"))}
    full_env.pop("SOURCE_DATE_EPOCH", None)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "followthrough", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    """A copy of tests/data/report: postmortems and tracker state as of 2026-06-15, for the
    report and its delivery (unpaced there, so no posting test waits)."""
    target = tmp_path / "repo"
    shutil.copytree(DATA / "report", target)
    return target


# ---------------------------------------------------------------- loopback trackers: Jira, GitHub, Slack

# The fakes' clock: the moment they stamp created, updated and resolved with.
NOON = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def jira() -> Iterator[Any]:
    """Jira Cloud on loopback; its users are the fixture people directory's accounts."""
    from .fakes import FakeJira
    from .fakes.postmortem_repo import JIRA_IDS

    with FakeJira("Cloud", users={v: k for k, v in JIRA_IDS.items()}) as fake:
        fake.now = lambda: NOON
        yield fake


@pytest.fixture
def jira_dc() -> Iterator[Any]:
    """Jira Data Center on loopback, with the same users."""
    from .fakes import FakeJira
    from .fakes.postmortem_repo import JIRA_IDS

    with FakeJira("Server", users={v: k for k, v in JIRA_IDS.items()}) as fake:
        fake.now = lambda: NOON
        yield fake


@pytest.fixture
def github() -> Iterator[Any]:
    """GitHub's REST API on loopback; its users are the people directory's logins and a bot."""
    from .fakes import FakeGitHub
    from .fakes.postmortem_repo import GITHUB_LOGINS

    with FakeGitHub(users=("sync-bot", "octocat", *GITHUB_LOGINS)) as fake:
        fake.now = lambda: NOON
        yield fake


@pytest.fixture
def slack() -> Iterator[Any]:
    from .fakes.slack_server import FakeSlack

    with FakeSlack() as fake:
        yield fake


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.err, result.err
    assert "Traceback" not in result.out, result.out


# ---------------------------------------------------------------- headless Chromium, for the browser tests

CHROMIUM = Path(os.environ.get("FOLLOWTHROUGH_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps dialling out at start, which a closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (its own browser download is never used); skipped
    when missing, unless FOLLOWTHROUGH_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("FOLLOWTHROUGH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing}; FOLLOWTHROUGH_REQUIRE_BROWSER=1 makes a missing browser a failure")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # launch() gives every run a fresh, empty profile (its own temporary --user-data-dir).
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def serving(directory: Path, handler: type[Any]) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 (port 0: the OS picks it) serving `directory` with
    `handler` (a SimpleHTTPRequestHandler subclass); yields its base URL."""
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, name=f"serve-{directory.name}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

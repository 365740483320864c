"""Shared test helpers: run the real CLI in a subprocess, build small repos in temp folders, the
loopback tracker fakes as fixtures (`github`, `jira`, `jira_dc`, `slack`), the report repo
(`repo_dir`) and a repo that lints clean (`lint_repo`). Site builds: site_builds.py; sync runs:
sync_setup.py; no test sleeps for real: sleep_guard.py.

No test reads the sample postmortems (postmortems/ at the top of the repo): an organisation
that adopts the repo deletes them and writes its own people directory, and the suite must
still pass. Tests of what ships with the repo (mkdocs.yml, templates/, the workflows, the
pre-commit hook) run it on the fixture postmortems of tests/data/repo instead, through
`shipped_repo`. An audit hook makes any read of postmortems/ fail the test that made it.
"""

from __future__ import annotations

import importlib.util

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from followthrough.core.model import Directory
from followthrough.core.rules.context import Context
from followthrough.core.settings import DEFAULT_SETTINGS

from .fakes import FakeGitHub, FakeJira
from .fakes.postmortem_repo import GITHUB_LOGINS, JIRA_IDS
from .fakes.slack_server import FakeSlack

# sleep_guard: no test sleeps for real; pytester: test_sleep_guard.py runs a small suite to prove it.
pytest_plugins = ["tests.sleep_guard", "pytester"]

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
    # Every CLI and MkDocs run is a new Python process. Where the environment forbids writing
    # bytecode, each one compiled the whole package again; the suite's processes share a cache
    # of their own instead, outside the source tree, removed at the end.
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
        os.environ["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="followthrough-test-pycache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    prefix = os.environ.get("PYTHONPYCACHEPREFIX", "")
    if os.path.basename(prefix).startswith("followthrough-test-pycache-"):
        shutil.rmtree(prefix, ignore_errors=True)


def shipped_repo(target: Path, fixture: Path = REPO_FIXTURE) -> Path:
    """A repo at `target` as an adopter has it: the shipped mkdocs.yml and templates, and the
    postmortems of a fixture repo (tests/data/repo unless `fixture` names another)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    shutil.copytree(fixture / "postmortems", target / "postmortems")
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


# ---------------------------------------------------------------- the loopback trackers

# The tracker fakes answer as of noon UTC on the day the sync tests run (FOLLOWTHROUGH_TODAY),
# so "updated since", due dates and created times agree with what the command is told today is.
NOON = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
# The GitHub fake's accounts: the bot, the people directory's logins, and the author of
# issues made behind the command's back.
GITHUB_USERS = ("sync-bot", *GITHUB_LOGINS, "octocat")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(users=GITHUB_USERS) as fake:
        fake.now = lambda: NOON
        yield fake


def _jira(deployment: str) -> Iterator[FakeJira]:
    with FakeJira(deployment, users={v: k for k, v in JIRA_IDS.items()}) as fake:
        fake.now = lambda: NOON
        yield fake


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    """Jira Cloud (REST v3, account ids)."""
    yield from _jira("Cloud")


@pytest.fixture
def jira_dc() -> Iterator[FakeJira]:
    """Jira Data Center (REST v2, user names)."""
    yield from _jira("Server")


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


# ---------------------------------------------------------------- fixture repos

# A postmortem lint finds nothing in (as of LINT_TODAY), and the people directory it names.
BASE = (DATA / "rules" / "docs" / "2026" / "2026-05-20-pass-base.md").read_text()
PEOPLE = (DATA / "rules" / "docs" / "people.yml").read_text()
LINT_TODAY = "2026-11-23"


def lint_context() -> Context:
    """What the rules read BASE with: the default settings, no people, LINT_TODAY."""
    return Context(DEFAULT_SETTINGS, Directory(), date.fromisoformat(LINT_TODAY))


def lint_repo(root: Path, text: str = BASE, *, people: str = PEOPLE, name: str = "2026-05-20-payments.md", plugin: str = "  - followthrough\n") -> Path:
    """A repo at `root`: mkdocs.yml (docs_dir: postmortems, the plugin entry `plugin`), the people
    directory, and one postmortem, postmortems/2026/NAME, holding `text`."""
    docs = root / "postmortems"
    (docs / "2026").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(f"site_name: T\ndocs_dir: postmortems\nplugins:\n{plugin}")
    (docs / "people.yml").write_text(people)
    (docs / "2026" / name).write_text(text)
    return root


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    """A copy of tests/data/report: postmortems and tracker state as of 2026-06-15, for the
    report and its delivery (unpaced there, so no posting test waits)."""
    target = tmp_path / "repo"
    shutil.copytree(DATA / "report", target)
    return target


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
    if importlib.util.find_spec("playwright") is None:
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


@pytest.fixture
def build_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """An in-process site build's environment: no FOLLOWTHROUGH_* or SOURCE_DATE_EPOCH of the
    machine, "today" the previews' and cache tests' 2026-11-23, and MkDocs' 2.0 notice off."""
    for name in [k for k in os.environ if k.startswith("FOLLOWTHROUGH_") or k == "SOURCE_DATE_EPOCH"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("FOLLOWTHROUGH_TODAY", "2026-11-23")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")

"""One `followthrough sync` at a time in a checkout: the lock on .followthrough/tmp/sync.lock.

Real `python -m followthrough sync` processes against the loopback GitHub fake where processes
meet; in this process (holding the lock itself, on a recording clock) where the waits are
watched."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from followthrough.core.errors import ConfigError, LockHeld
from followthrough.files import lock as lock_module
from followthrough.files.lock import POLL_SECONDS, sync_lock

from .fakes.postmortem_repo import build_repo, many
from .sync_setup import FAST, env_for, gh_dest, sync, tickets_in

HELD_SINCE = datetime(2026, 12, 1, 16, 2, 11, tzinfo=timezone.utc).timestamp()
LOCK = Path(".followthrough") / "tmp" / "sync.lock"


def _repo(tmp_path: Path, github, n_postmortems: int = 2, items_each: int = 2, timeout: int = FAST["timeout"]):
    pms = many(n_postmortems, items_each)
    root = build_repo(tmp_path / "repo", {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST, "timeout": timeout}, pms)
    return root, pms


def _popen_sync(root: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWTHROUGH_", "JIRA_", "GITHUB_"))}
    full.update(env)
    return subprocess.Popen([sys.executable, "-m", "followthrough", "sync", *args], cwd=root, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _one_ticket_per_item(root: Path, pms, github) -> None:
    """Each item names one ticket, no two items the same, and no ticket exists that no item names."""
    named = [t for pm in pms for t in tickets_in(root, pm)]
    assert None not in named
    assert len(set(named)) == len(named) == sum(len(pm.items) for pm in pms)
    assert sorted(f"acme/web#{i.number}" for i in github.issues("acme/web")) == sorted(named)


def _in_process(root: Path, monkeypatch, env: dict[str, str], argv: list[str], clock=None):
    from followthrough.cli.main import build_parser
    from followthrough.trackers.redact import Redacting
    from followthrough.trackers.retry import SYSTEM_CLOCK

    monkeypatch.chdir(root)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    args = build_parser(argv).parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    try:
        code = args.run(args, Redacting(out, []), Redacting(err, []), clock=clock or SYSTEM_CLOCK)
    finally:
        monkeypatch.chdir(root.parent)
    return code, out.getvalue(), err.getvalue()


class RecordingClock:
    """Time that passes only when slept, and the sleeps it was asked for."""

    def __init__(self, start: float) -> None:
        self.t = start
        self.waits: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.t += seconds


@pytest.fixture
def held(tmp_path, github):
    """A repo whose lock this test process holds, as a run started at HELD_SINCE would."""
    root, pms = _repo(tmp_path, github)
    with sync_lock(root, wait=0, now=lambda: HELD_SINCE, sleep=lambda s: None):
        yield root, pms


def _holder_words() -> str:
    return f"since 2026-12-01 16:02:11 UTC (pid {os.getpid()} on {socket.gethostname()})"


# -- two runs at once ----------------------------------------------------------------------


def test_two_syncs_started_together_make_one_ticket_per_item(tmp_path, github):
    root, pms = _repo(tmp_path, github, n_postmortems=6, items_each=5)
    env = env_for(github=github)
    procs = [_popen_sync(root, env, "--wait", "300") for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, out + err
        assert "Traceback" not in err
    _one_ticket_per_item(root, pms, github)
    assert github.count("write", method="POST", path=r"/issues$") == 30  # whichever ran second created nothing


def test_a_sync_started_while_another_creates_waits_then_creates_and_links_nothing(tmp_path, github):
    """The second run starts while the first is inside its first create, and that create is
    held until the second says it is waiting: the interleaving that made two tickets an item.
    The held create's answer waits for a whole second process to start, which on a loaded machine
    takes longer than the other tests' 2 s client timeout: this one gives the client a minute."""
    root, pms = _repo(tmp_path, github, n_postmortems=3, items_each=3, timeout=60)
    env = env_for(github=github)
    second: list[subprocess.Popen[str]] = []
    second_err: list[str] = []

    def start_the_second_run() -> None:
        proc = _popen_sync(root, env, "--wait", "300")
        second.append(proc)
        assert proc.stderr is not None
        for line in proc.stderr:  # until it waits, or ends (without a lock it does not wait)
            second_err.append(line)
            if "waiting up to 300 s" in line:
                break

    github.inject("call", "POST", r"/repos/acme/web/issues$", action=start_the_second_run)
    first = _popen_sync(root, env)
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second[0].communicate(timeout=300)
    assert first.returncode == 0, out1 + err1
    assert second[0].returncode == 0, out2 + "".join(second_err) + err2
    assert "another `followthrough sync` is running in this checkout since " in "".join(second_err)
    assert f"(pid {first.pid} on " in "".join(second_err)
    assert "created 0, linked 0" in out2
    _one_ticket_per_item(root, pms, github)


# -- the lock held in this process -------------------------------------------------------


def test_wait_0_exits_2_at_once_naming_the_holder_and_touches_nothing(held, github, monkeypatch):
    from followthrough.cli.main import main

    root, pms = held
    before = {pm.path: (root / pm.path).read_bytes() for pm in pms}
    for name, value in env_for(github=github).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(root)
    out, err = io.StringIO(), io.StringIO()
    code = main(["sync", "--wait", "0"], out, err)
    assert code == 2
    assert err.getvalue() == (
        f"followthrough: another `followthrough sync` is running in this checkout {_holder_words()}; "
        "wait for it to finish or pass --wait SECONDS\n"
    )
    assert github.counts() == {}  # not even a read: the lock comes first
    assert {pm.path: (root / pm.path).read_bytes() for pm in pms} == before


def test_wait_5_polls_on_the_clock_then_exits_2(held, github, monkeypatch):
    root, _ = held
    clock = RecordingClock(HELD_SINCE + 30)
    from followthrough.trackers.retry import Clock

    with pytest.raises(LockHeld) as caught:
        _in_process(root, monkeypatch, env_for(github=github), ["sync", "--wait", "5"], clock=Clock(now=clock.now, sleep=clock.sleep))
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        f"another `followthrough sync` is running in this checkout {_holder_words()}; waited 5 s for it; "
        "wait for it to finish or pass --wait SECONDS"
    )
    assert clock.waits == [POLL_SECONDS] * round(5 / POLL_SECONDS)
    assert github.counts() == {}


def test_a_run_that_waits_says_so_and_goes_on_once_the_lock_is_free(tmp_path, github, monkeypatch):
    root, pms = _repo(tmp_path, github)
    holder = sync_lock(root, wait=0, now=lambda: HELD_SINCE, sleep=lambda s: None)
    holder.__enter__()
    clock = RecordingClock(HELD_SINCE)

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.waits) == 3:
            holder.__exit__(None, None, None)  # the other run ends while this one waits

    from followthrough.trackers.retry import Clock

    code, out, err = _in_process(root, monkeypatch, env_for(github=github), ["sync"], clock=Clock(now=clock.now, sleep=sleep))
    assert code == 0, out + err
    assert f"another `followthrough sync` is running in this checkout {_holder_words()}; waiting up to 60 s for it" in err
    assert clock.waits == [POLL_SECONDS] * 3
    _one_ticket_per_item(root, pms, github)


def test_a_holder_that_has_not_written_its_name_yet_is_still_reported(tmp_path, github, monkeypatch):
    import fcntl

    root, _ = _repo(tmp_path, github)
    (root / LOCK).parent.mkdir(parents=True)
    with open(root / LOCK, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # taken, nothing written into it
        with pytest.raises(LockHeld) as caught:
            _in_process(root, monkeypatch, env_for(github=github), ["sync", "--wait", "0"])
    assert str(caught.value).startswith("another `followthrough sync` is running in this checkout (it has not written who it is yet); ")


def test_dry_run_takes_no_lock(held, github):
    root, _ = held
    result = sync(root, "--dry-run", "--wait", "0", env=env_for(github=github))
    assert result.code == 0, result.out + result.err
    assert "would create" in result.out


# -- a holder that died ------------------------------------------------------------------


def test_the_lock_of_a_killed_sync_is_taken_over(tmp_path, github):
    root, pms = _repo(tmp_path, github)
    env = env_for(github=github)
    started = threading.Event()
    procs: list[subprocess.Popen[str]] = []

    def kill_the_run() -> None:
        started.wait(10)
        os.kill(procs[0].pid, signal.SIGKILL)  # holding the lock, inside its first create

    github.inject("call", "POST", r"/repos/acme/web/issues$", after=True, action=kill_the_run)
    procs.append(_popen_sync(root, env))
    started.set()
    procs[0].communicate(timeout=60)
    assert procs[0].returncode == -signal.SIGKILL
    assert f'"pid": {procs[0].pid}' in (root / LOCK).read_text()  # what it wrote stays; its lock does not

    result = sync(root, "--wait", "0", env=env)
    assert result.code == 0, result.out + result.err
    _one_ticket_per_item(root, pms, github)
    assert (root / LOCK).read_text() == ""  # a finished run leaves no holder named


# -- the lock's folder --------------------------------------------------------------------


def test_the_scratch_folder_is_ignored_by_git_as_a_whole(tmp_path, github):
    root, _ = _repo(tmp_path, github)
    result = sync(root, env=env_for(github=github))
    assert result.code == 0, result.out + result.err
    assert (root / ".followthrough" / "tmp" / ".gitignore").read_text().splitlines()[-1] == "*"
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert ".followthrough/state.json" in status
    assert ".followthrough/tmp" not in status


@pytest.mark.parametrize("linked", [".followthrough", ".followthrough/tmp", ".followthrough/tmp/sync.lock"])
def test_a_linked_lock_folder_or_file_is_refused_with_exit_2_and_nothing_outside_is_written(tmp_path, github, linked):
    root, pms = _repo(tmp_path, github)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / linked).parent.mkdir(parents=True, exist_ok=True)
    (root / linked).symlink_to(outside / "target" if linked.endswith(".lock") else outside)
    result = sync(root, env=env_for(github=github))
    assert result.code == 2, result.out + result.err
    assert f"followthrough: {linked}: a symbolic link" in result.err
    assert "never follows a link out of the repo" in result.err
    assert list(outside.iterdir()) == []
    assert github.counts() == {}
    assert [t for pm in pms for t in tickets_in(root, pm)] == [None] * 4


@pytest.mark.parametrize("taken", [".followthrough", ".followthrough/tmp"])
def test_a_file_where_the_lock_folder_goes_is_refused_with_exit_2(tmp_path, github, taken):
    root, _ = _repo(tmp_path, github)
    (root / taken).parent.mkdir(exist_ok=True)
    (root / taken).write_text("mine\n")
    result = sync(root, env=env_for(github=github))
    assert result.code == 2, result.out + result.err
    assert f"followthrough: {taken}: not a folder; followthrough keeps its lock and temp files in .followthrough/tmp/: move the file away\n" == result.err
    assert (root / taken).read_text() == "mine\n"
    assert github.counts() == {}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_an_unwritable_lock_folder_is_refused_with_exit_2(tmp_path, github):
    root, _ = _repo(tmp_path, github)
    (root / ".followthrough").mkdir(mode=0o555)
    try:
        result = sync(root, env=env_for(github=github))
    finally:
        (root / ".followthrough").chmod(0o755)
    assert result.code == 2, result.out + result.err
    assert "followthrough: .followthrough/tmp: cannot be made or written (Permission denied)" in result.err


def test_without_flock_sync_says_it_cannot_lock_instead_of_running_unlocked(tmp_path, github, monkeypatch):
    root, _ = _repo(tmp_path, github)
    monkeypatch.setattr(lock_module, "fcntl", None)
    with pytest.raises(ConfigError, match=r"needs fcntl\.flock .* this platform has none"):
        _in_process(root, monkeypatch, env_for(github=github), ["sync"])
    assert github.counts() == {}


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_wait_must_be_0_or_more_seconds(tmp_path, github, value):
    root, _ = _repo(tmp_path, github)
    result = sync(root, "--wait", value, env=env_for(github=github))
    assert result.code == 2
    assert "argument --wait" in result.err

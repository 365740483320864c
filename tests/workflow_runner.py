"""Run a GitHub Actions workflow's `run:` steps locally, in order, the way a runner would.

Enough of the runner for this project's own workflows, so a test can show their shell
steps pass on a fresh copy of the repo with no secrets: jobs in `needs` order, `if:`
conditions, `env:` at every level, `${{ }}` expressions (contexts, `||`, `&&`, `==`,
`!=`, `!`, status functions), step and job outputs through $GITHUB_OUTPUT, $GITHUB_ENV
and $GITHUB_STEP_SUMMARY files. `uses:` steps are skipped, except `actions/checkout`,
which clones the test's "origin" at the requested ref into a fresh workspace.
Anything this evaluator does not understand raises, so a workflow cannot quietly go
untested.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||<=|>=|[!()<>,])|(?P<name>[A-Za-z_][A-Za-z0-9_.\-*]*))")


class Unsupported(Exception):
    """The workflow uses something this runner cannot evaluate faithfully."""


def load_workflow(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


# --- expressions ---------------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"cannot read expression at {text[pos:]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "", "0") if not isinstance(value, str) else value != ""


def _number(value: Any) -> float:
    """Actions' coercion for comparing values of different types."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return float("nan")
    return float("nan")  # objects and arrays equal nothing of another type


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()  # Actions compares strings ignoring case
    if type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool)):
        return a == b
    return _number(a) == _number(b)  # loose: null == '' == 0 == false


class Evaluator:
    """A small recursive-descent reader of the Actions expression language."""

    def __init__(self, context: Mapping[str, Any], status: Mapping[str, bool]) -> None:
        self.context = context
        self.status = status  # success, failure, cancelled

    def evaluate(self, text: str) -> Any:
        self.toks = _tokens(text)
        self.i = 0
        value = self._or()
        if self.i != len(self.toks):
            raise Unsupported(f"trailing tokens in {text!r}")
        return value

    def _peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        tok = self.toks[self.i]
        if expected is not None and tok[1] != expected:
            raise Unsupported(f"expected {expected!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._cmp()
        while self._peek() == "&&":
            self._take()
            right = self._cmp()
            value = right if truthy(value) else value
        return value

    def _cmp(self) -> Any:
        value = self._unary()
        while self._peek() in ("==", "!="):
            op = self._take()[1]
            right = self._unary()
            value = _equal(value, right) if op == "==" else not _equal(value, right)
        return value

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not truthy(self._unary())
        return self._primary()

    def _primary(self) -> Any:
        kind, text = self._take()
        if text == "(":
            value = self._or()
            self._take(")")
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind != "name":
            raise Unsupported(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self._peek() == "(":
            self._take("(")
            args = []
            while self._peek() != ")":
                args.append(self._or())
                if self._peek() == ",":
                    self._take(",")
            self._take(")")
            return self._call(text, args)
        return self._lookup(text)

    def _call(self, name: str, args: list[Any]) -> Any:
        if name == "always":
            return True
        if name == "success":
            return self.status["success"]
        if name == "failure":
            return self.status["failure"]
        if name == "cancelled":
            return False
        if name == "format":
            template, *rest = args
            return re.sub(r"\{(\d+)\}", lambda m: str(rest[int(m.group(1))]), template)
        if name == "contains":
            hay, needle = args
            return needle.lower() in hay.lower() if isinstance(hay, str) else needle in (hay or [])
        if name == "startsWith":
            return str(args[0]).lower().startswith(str(args[1]).lower())
        raise Unsupported(f"function {name}() is not supported here")

    def _lookup(self, dotted: str) -> Any:
        parts = dotted.split(".")
        if parts[0] not in self.context:
            raise Unsupported(f"unknown context {parts[0]!r}")
        value: Any = self.context
        for part in parts:
            value = value.get(part) if isinstance(value, Mapping) else None
        return value


def interpolate(value: Any, evaluator: Evaluator) -> str:
    if not isinstance(value, str):
        return "" if value is None else ("true" if value is True else "false" if value is False else str(value))

    def one(m: re.Match[str]) -> str:
        result = evaluator.evaluate(m.group(1))
        return interpolate(result, evaluator) if not isinstance(result, str) else result

    return EXPR.sub(one, value)


def condition(text: Any, evaluator: Evaluator, default: str = "success()") -> bool:
    if text is None:
        text = default
    if isinstance(text, bool):
        return text
    text = str(text).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    if m:
        text = m.group(1)
    # Like Actions: a condition without a status function implies success() && (...)
    if not re.search(r"\b(always|success|failure|cancelled)\(", text):
        text = f"success() && ({text})"
    return truthy(evaluator.evaluate(text))


# --- running ---------------------------------------------------------------------------------------


@dataclass
class StepResult:
    name: str
    kind: str  # "run" | "uses" | "checkout"
    outcome: str  # success | failure | skipped
    output: str = ""


@dataclass
class JobResult:
    name: str
    result: str  # success | failure | skipped
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""


def _read_kv_file(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT / $GITHUB_ENV: `key=value` lines and `key<<DELIM` heredocs."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            body = []
            i += 1
            while i < len(lines) and lines[i] != delim:
                body.append(lines[i])
                i += 1
            values[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
        i += 1
    return values


def _order(jobs: Mapping[str, Any]) -> list[str]:
    done: list[str] = []
    pending = list(jobs)
    while pending:
        for name in pending:
            needs = jobs[name].get("needs") or []
            needs = [needs] if isinstance(needs, str) else needs
            if all(n in done for n in needs):
                done.append(name)
                pending.remove(name)
                break
        else:
            raise Unsupported(f"circular needs among {pending}")
    return done


@dataclass
class Runner:
    origin: Path  # a bare git repository holding the code under test
    work: Path  # scratch folder for workspaces and runner files
    github: dict[str, Any]  # the github context
    secrets: dict[str, str] = field(default_factory=dict)
    base_env: dict[str, str] = field(default_factory=dict)
    step_timeout: float = 900

    def run_workflow(self, workflow: Mapping[str, Any]) -> dict[str, JobResult]:
        results: dict[str, JobResult] = {}
        jobs = workflow["jobs"]
        for name in _order(jobs):
            job = jobs[name]
            needs = job.get("needs") or []
            needs = [needs] if isinstance(needs, str) else needs
            needs_ctx = {n: {"result": results[n].result, "outputs": results[n].outputs} for n in needs}
            ok = all(results[n].result == "success" for n in needs)
            ev = Evaluator(self._context({}, needs_ctx, {}), {"success": ok, "failure": not ok})
            if not condition(job.get("if"), ev):
                results[name] = JobResult(name, "skipped")
                continue
            results[name] = self._run_job(name, workflow, job, needs_ctx)
        return results

    def _context(self, env: Mapping[str, str], needs: Mapping[str, Any], steps: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "github": self.github,
            "secrets": self.secrets,
            "vars": {},
            "inputs": {},
            "env": dict(env),
            "needs": dict(needs),
            "steps": dict(steps),
            "job": {},
            "runner": {"os": "Linux", "temp": str(self.work / "runner-temp")},
            "matrix": {},
            "strategy": {},
        }

    def _run_job(self, name: str, workflow: Mapping[str, Any], job: Mapping[str, Any], needs: Mapping[str, Any]) -> JobResult:
        workspace = self.work / f"job-{name}"
        shutil.rmtree(workspace, ignore_errors=True)
        workspace.mkdir(parents=True)
        files = self.work / f"files-{name}"
        shutil.rmtree(files, ignore_errors=True)
        files.mkdir(parents=True)
        temp = self.work / "runner-temp"
        temp.mkdir(exist_ok=True)
        summary = files / "summary.md"
        summary.touch()
        env_file = files / "env"
        env_file.touch()
        result = JobResult(name, "success")
        steps_ctx: dict[str, Any] = {}
        failed = False
        for index, step in enumerate(job.get("steps") or []):
            label = step.get("name") or step.get("uses") or f"step {index + 1}"
            status = {"success": not failed, "failure": failed}
            env: dict[str, str] = {}
            for layer in (workflow.get("env") or {}, job.get("env") or {}):
                ev = Evaluator(self._context(env, needs, steps_ctx), status)
                env.update({k: interpolate(v, ev) for k, v in layer.items()})
            env.update(_read_kv_file(env_file))
            ev = Evaluator(self._context(env, needs, steps_ctx), status)
            if not condition(step.get("if"), ev):
                result.steps.append(StepResult(label, "run" if "run" in step else "uses", "skipped"))
                if step.get("id"):
                    steps_ctx[step["id"]] = {"outcome": "skipped", "conclusion": "skipped", "outputs": {}}
                continue
            env.update({k: interpolate(v, ev) for k, v in (step.get("env") or {}).items()})
            output_file = files / f"output-{index}"
            output_file.touch()
            if "uses" in step:
                action = step["uses"].split("@", 1)[0]
                if action == "actions/checkout":
                    ref = interpolate((step.get("with") or {}).get("ref"), ev) or self.github["sha"]
                    outcome, text = self._checkout(workspace, ref)
                    kind = "checkout"
                else:
                    outcome, text, kind = "success", "", "uses"  # not run: an action, not our script
            else:
                script = step["run"]
                if EXPR.search(script):
                    raise Unsupported(f"{label}: `${{{{ }}}}` inside a run: script; pass values through env:")
                outcome, text = self._shell(script, workspace / (step.get("working-directory") or ""), env, files, output_file, summary, env_file, temp)
                kind = "run"
            result.steps.append(StepResult(label, kind, outcome, text))
            if step.get("id"):
                steps_ctx[step["id"]] = {"outcome": outcome, "conclusion": outcome, "outputs": _read_kv_file(output_file)}
            if outcome == "failure" and not step.get("continue-on-error"):
                failed = True
        result.result = "failure" if failed else "success"
        ev = Evaluator(self._context({}, needs, steps_ctx), {"success": not failed, "failure": failed})
        result.outputs = {k: interpolate(v, ev) for k, v in (job.get("outputs") or {}).items()}
        result.summary = summary.read_text(encoding="utf-8")
        return result

    def _checkout(self, workspace: Path, ref: str) -> tuple[str, str]:
        proc = subprocess.run(["git", "clone", "--quiet", str(self.origin), str(workspace)], capture_output=True, text=True)
        if proc.returncode == 0:
            proc = subprocess.run(["git", "-C", str(workspace), "checkout", "--quiet", ref], capture_output=True, text=True)
        return ("success" if proc.returncode == 0 else "failure"), proc.stdout + proc.stderr

    def _shell(self, script: str, cwd: Path, env: Mapping[str, str], files: Path, output: Path, summary: Path, env_file: Path, temp: Path) -> tuple[str, str]:
        path = files / "script.sh"
        path.write_text(script, encoding="utf-8")
        full_env = {
            **self.base_env,
            "GITHUB_WORKSPACE": str(cwd),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_ENV": str(env_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(temp),
            **env,
        }
        # The runner's default shell on Linux: bash -e {0}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", str(path)], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=self.step_timeout)
        text = proc.stdout + proc.stderr
        return ("success" if proc.returncode == 0 else "failure"), text


KEEP = ("HOME", "PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy")


def clean_environ() -> dict[str, str]:
    """The parts of this machine's environment a runner would also have: no tokens, no GITHUB_*,
    no FOLLOWTHROUGH_*; pip's own settings stay, so installs use this machine's package sources."""
    return {k: v for k, v in os.environ.items() if k in KEEP or k.startswith("PIP_")}

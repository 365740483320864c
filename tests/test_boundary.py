"""The house is a test: the core takes and returns values; only the shell touches the outside.

Two halves. import-linter (a reference nobody here wrote) checks the import contracts in
pyproject.toml: `followthrough.core` imports no shell module and no I/O library, and no two
modules or packages of `followthrough` import each other round a loop. An import cannot show
a clock read, an environment read, a file opened or a template loader bound to disk, so an
`ast` walk of the core's source looks for those. Each half is also run on a copy of the
package with one violation planted, so neither can pass by checking nothing.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tools" / "followthrough"
CORE = PACKAGE / "core"

# Calls that reach the outside whatever the import: the clock, the environment, files, the terminal.
CLOCK = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}
BUILTINS = {"open", "print", "input", "exec", "eval", "compile", "breakpoint", "__import__"}
NAMES = {"environ", "getenv", "FileSystemLoader", "PackageLoader", "ModuleLoader"}
PURE_PATHS = {"PurePath", "PurePosixPath", "PureWindowsPath"}
MODULES = {"urllib.request", "urllib.error", "http.client", "email.message"}


def lint_imports(package_parent: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's own command on the package found in `package_parent`."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True))"
    env = {"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin", "HOME": str(package_parent)}
    return subprocess.run([sys.executable, "-c", code, str(config)], capture_output=True, text=True, env=env, cwd=package_parent, timeout=120)


def outside_reaches(path: Path, source: str | None = None) -> list[str]:
    """Every place in one core module that reads a clock, the environment or a file, prints,
    or imports what the contracts cannot name (a pathlib Path, urllib.request); 'line: what'."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in BUILTINS:
                found.append(f"{node.lineno}: calls {func.id}()")
            elif isinstance(func, ast.Attribute) and func.attr in CLOCK:
                found.append(f"{node.lineno}: reads the clock ({func.attr}())")
        elif isinstance(node, (ast.Name, ast.Attribute)):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in NAMES:
                found.append(f"{node.lineno}: uses {name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "pathlib" or alias.name in MODULES:
                    found.append(f"{node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "pathlib":
                found += [f"{node.lineno}: imports pathlib.{a.name} (file I/O); use PurePosixPath" for a in node.names if a.name not in PURE_PATHS]
            elif node.module in MODULES or any(f"{node.module}.{a.name}" in MODULES for a in node.names):
                found.append(f"{node.lineno}: imports {node.module}")
    return found


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_the_import_contracts_hold():
    result = lint_imports(ROOT / "tools", ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_the_core_reads_no_clock_environment_or_file():
    found = {str(p.relative_to(PACKAGE)): outside_reaches(p) for p in core_modules()}
    assert {k: v for k, v in found.items() if v} == {}
    assert len(found) > 40  # the walk saw the core, not an empty folder


@pytest.fixture(scope="module")
def copy_of_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("house")
    shutil.copytree(PACKAGE, parent / "followthrough", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", parent / "pyproject.toml")
    return parent


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        ("core/metrics.py", "from followthrough.files import state", "followthrough.core is not allowed to import followthrough.files"),
        ("core/pages/format.py", "import os", "followthrough.core is not allowed to import os"),
        ("core/escape/common.py", "import requests", "followthrough.core is not allowed to import requests"),
        ("core/ids.py", "from followthrough.core import parse", "No cycles are allowed in followthrough"),
        ("files/safefiles.py", "from followthrough.cli import main", "No cycles are allowed in followthrough"),
    ],
)
def test_the_contracts_break_on_a_planted_import(copy_of_package: Path, module: str, planted: str, broken: str):
    target = copy_of_package / "followthrough" / module
    original = target.read_text(encoding="utf-8")
    try:
        target.write_text(original + f"\n{planted}  # planted\n", encoding="utf-8")
        result = lint_imports(copy_of_package, copy_of_package / "pyproject.toml")
    finally:
        target.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from datetime import date\nx = date.today()\n", "2: reads the clock (today())"),
        ("import datetime\nx = datetime.datetime.now()\n", "2: reads the clock (now())"),
        ("import time as t\nx = t.time()\n", "2: reads the clock (time())"),
        ("x = open('f').read()\n", "1: calls open()"),
        ("print('hi')\n", "1: calls print()"),
        ("from os import environ\nx = environ['HOME']\n", "2: uses environ"),
        ("import jinja2\nx = jinja2.FileSystemLoader('t')\n", "2: uses FileSystemLoader"),
        ("from pathlib import Path\n", "1: imports pathlib.Path (file I/O); use PurePosixPath"),
        ("from urllib import request\n", "1: imports urllib"),
    ],
)
def test_the_walk_finds_a_planted_reach(source: str, expected: str):
    assert expected in outside_reaches(Path("planted.py"), source)


def test_pure_paths_and_url_parsing_are_allowed():
    assert outside_reaches(Path("ok.py"), "from pathlib import PurePosixPath\nfrom urllib.parse import quote\n") == []


def test_the_contracts_exempt_nothing():
    """An `ignore_imports` entry would let one module through the wall; there are none."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert [c["id"] for c in config["contracts"] if c.get("ignore_imports")] == []


def test_the_contracts_name_every_shell_package():
    """A new top-level shell module must be forbidden to the core as soon as it exists."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    forbidden = set(next(c for c in config["contracts"] if c["id"] == "core-is-pure")["forbidden_modules"])
    shell = {f"followthrough.{p.stem if p.is_file() else p.name}" for p in PACKAGE.iterdir() if p.name not in ("core", "__init__.py", "__main__.py", "__pycache__", "_templates") and (p.is_dir() or p.suffix == ".py")}
    assert shell - forbidden == set()

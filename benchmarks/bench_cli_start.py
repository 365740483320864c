"""Start-up cost of `followthrough lint FILE` as a whole process, against a bare YAML parse of its front-matter.

    python benchmarks/bench_cli_start.py [FILE] [-n 20]

Runs, interleaved so machine noise hits all of them alike, N times each:
  bare    python -c "import yaml; yaml.load(<FILE's front-matter>, Loader=yaml.CSafeLoader)"
  lint    python -m followthrough lint FILE          (from FILE's repo, so its mkdocs.yml is read)
  help    python -m followthrough lint --help
  needed  python -c "import <the stdlib modules and yaml lint needs anyway>"
  mkdocs  the same plus "import mkdocs.config.config_options, mkdocs.utils" (what config.py imports)
and prints the best time of each and the ratio lint / bare (the goal: at most 4). The
difference mkdocs - needed is lint's share spent importing MkDocs' config classes: the
time left to win by not importing them on the lint path.

Without FILE it writes a one-postmortem repo (the rules fixture's passing file) to a
temp folder, so it runs in a repo that holds no samples.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "data" / "rules"
GOAL = 4.0
# What lint imports whatever the config code does, so the MkDocs share is measured on top of it.
NEEDED = "import argparse, dataclasses, datetime, difflib, json, pathlib, re, typing, yaml"


def front_matter(text: str) -> str:
    if not text.startswith("---\n"):
        raise SystemExit("the file has no front-matter")
    return text[4 : text.index("\n---", 3) + 1]


def sample_repo(folder: Path) -> Path:
    """A repo of one clean postmortem, its people directory and a mkdocs.yml naming the plugin."""
    docs = folder / "postmortems"
    (docs / "2026").mkdir(parents=True)
    (folder / "mkdocs.yml").write_text("site_name: T\ndocs_dir: postmortems\nplugins:\n  - followthrough\n", encoding="utf-8")
    shutil.copy(FIXTURE / "docs" / "people.yml", docs / "people.yml")
    target = docs / "2026" / "2026-05-20-payments.md"
    shutil.copy(FIXTURE / "docs" / "2026" / "2026-05-20-pass-base.md", target)
    return target


def bench_env() -> dict[str, str]:
    """The environment both sides run in: a fixed today, no debug switches, a cache of our own,
    and bytecode written and used. With PYTHONDONTWRITEBYTECODE set (some sandboxes set it) every
    run would compile Followthrough's sources again while PyYAML, installed by pip, has its
    bytecode: a handicap no user's machine has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env["FOLLOWTHROUGH_TODAY"] = "2026-11-23"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["XDG_CACHE_HOME"] = _CACHE.name
    return env


_CACHE = tempfile.TemporaryDirectory(prefix="followthrough-bench-cache-")


def best_of(commands: dict[str, tuple[list[str], Path]], n: int, env: dict[str, str]) -> dict[str, float]:
    best = {name: float("inf") for name in commands}
    for _ in range(n):
        for name, (argv, cwd) in commands.items():
            start = time.perf_counter()
            proc = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
            elapsed = time.perf_counter() - start
            if proc.returncode not in (0, 1):  # 1: the file has findings, still a full lint
                raise SystemExit(f"{name}: exit {proc.returncode}\n{proc.stderr.decode(errors='replace')}")
            best[name] = min(best[name], elapsed)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, help="a postmortem (default: a one-file repo in a temp folder)")
    parser.add_argument("-n", type=int, default=20, help="runs of each command (default 20); the best counts")
    args = parser.parse_args()
    py = sys.executable
    # The lint must not depend on the caller's environment: a fixed today, no debug switches.
    env = bench_env()
    with tempfile.TemporaryDirectory() as tmp:
        target = args.file.resolve() if args.file else sample_repo(Path(tmp))
        cwd = target.parent
        yaml_text = front_matter(target.read_text(encoding="utf-8"))
        commands = {
            "bare": ([py, "-c", f"import yaml; yaml.load({yaml_text!r}, Loader=yaml.CSafeLoader)"], cwd),
            "lint": ([py, "-m", "followthrough", "lint", str(target)], cwd),
            "help": ([py, "-m", "followthrough", "lint", "--help"], cwd),
            "needed": ([py, "-c", NEEDED], cwd),
            "mkdocs": ([py, "-c", NEEDED + "; import mkdocs.config.config_options, mkdocs.utils"], cwd),
        }
        best = best_of(commands, args.n, env)
    ms = {k: v * 1000 for k, v in best.items()}
    ratio = best["lint"] / best["bare"]
    print(f"file: {args.file or 'tests/data/rules/docs/2026/2026-05-20-pass-base.md (in a temp repo)'}; best of {args.n}, interleaved")
    print(f"  bare  yaml.load(front-matter)          {ms['bare']:7.1f} ms")
    print(f"  followthrough lint FILE               {ms['lint']:7.1f} ms   {ratio:.1f}x bare (goal <= {GOAL:g}x)")
    print(f"  followthrough lint --help             {ms['help']:7.1f} ms   {best['help'] / best['bare']:.1f}x bare")
    share = ms["mkdocs"] - ms["needed"]
    print(f"  MkDocs' config classes                {share:7.1f} ms   (imported only when the settings cache misses: the first run after mkdocs.yml changes)")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())

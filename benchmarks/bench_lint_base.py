"""`followthrough lint --base REF` against plain `followthrough lint` on the same repo, in one run.

    python benchmarks/bench_lint_base.py [-n 1000 5000] [--changed 20] [--repeat 3]

For each N it generates N realistic postmortems (benchmarks/gen_corpus.py) in a git repository,
commits them, then changes --changed of them as a pull request would (a due date moved with its
`redated:` entry). It times the whole `lint` process with and without `--base HEAD`, interleaved
so machine noise hits both, best of --repeat, and prints the ratio: the comparison reads the base
with one `git ls-tree` and one `git cat-file --batch` and parses only the files that differ.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_cli_start  # noqa: E402
from bench_lint import MKDOCS_YML  # noqa: E402
from gen_corpus import generate  # noqa: E402

_DUE = re.compile(r"^(\s+)due: (\d{4}-\d{2}-\d{2})$", re.M)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def redate(path: Path) -> bool:
    """Move the first item's due date by a week, recorded as a `redated:` entry; False when none."""
    text = path.read_text(encoding="utf-8")
    found = _DUE.search(text)
    if not found:
        return False
    indent, due = found.group(1), found.group(2)
    new = (date.fromisoformat(due) + timedelta(days=7)).isoformat()
    entry = f"{indent}due: {new}\n{indent}redated:\n{indent}  - {{from: {due}, to: {new}, on: {due}, reason: the vendor's fix lands a week later}}"
    path.write_text(text[: found.start()] + entry + text[found.end() :], encoding="utf-8")
    return True


def times(root: Path, repeat: int) -> dict[str, float]:
    env = bench_cli_start.bench_env()
    py = sys.executable
    commands = {"lint": [py, "-m", "followthrough", "lint"], "lint --base": [py, "-m", "followthrough", "lint", "--base", "HEAD"]}
    for argv in commands.values():  # warm the caches, and check both run
        proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, check=False)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{argv}: exit {proc.returncode}: {proc.stderr.decode(errors='replace')[-500:]}")
    out = {name: float("inf") for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            t = time.perf_counter()
            subprocess.run(argv, cwd=root, env=env, capture_output=True, check=False)
            out[name] = min(out[name], time.perf_counter() - t)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--changed", type=int, default=20, help="postmortems the 'pull request' changes")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"{'N':>6} {'changed':>8} {'lint s':>8} {'lint --base s':>14} {'ratio':>6}")
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            files = generate(root / "postmortems", n)
            (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
            git(root, "init", "-q", "-b", "main")
            git(root, "add", "-A")
            git(root, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "base")
            step = max(1, len(files) // max(1, args.changed))
            changed = sum(redate(f) for f in files[::step][: args.changed])
            t = times(root, args.repeat)
            print(f"{n:>6} {changed:>8} {t['lint']:>8.2f} {t['lint --base']:>14.2f} {t['lint --base'] / t['lint']:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Lint speed against the bare YAML parse of the same front-matter, in one run.

    python benchmarks/bench_lint.py [-n 1000 5000] [--repeat 3] [--single 15]

For each N it generates N realistic postmortems (benchmarks/gen_corpus.py), then times
(a) the whole lint: reading every file, parsing, every rule, the cross-file checks; and
(b) the baseline: reading the same files, cutting out the front-matter and
`yaml.load(..., CSafeLoader)`. Each is the best of --repeat runs, interleaved so machine
noise hits both. It prints both, their ratio, our own safe YAML loader on the same
front-matter (the YAML share of lint) and how lint time grows with N.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
import bench_cli_start  # noqa: E402
from gen_corpus import generate  # noqa: E402

from followthrough.core.text import safeyaml  # noqa: E402
from followthrough.config.load import load_config  # noqa: E402
from followthrough.files.repo import default_jobs, discover, load_repo  # noqa: E402


def bare_parse(files: list[Path]) -> int:
    keys = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        end = text.index("\n---", 3)
        keys += len(yaml.load(text[4:end], Loader=yaml.CSafeLoader))
    return keys


def safe_parse(files: list[Path]) -> int:
    """Our untrusted-input loader on the same front-matter: the YAML part of lint alone."""
    keys = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        end = text.index("\n---", 3)
        value, _ = safeyaml.load(text[4:end], 1)
        keys += len(value)
    return keys


def full_lint(root: Path) -> int:
    config = load_config(None, start=root)
    repo = load_repo(config, today=date(2026, 11, 23))
    return len(repo.findings)


BARE_PROCESS = """
import glob, sys, yaml
for f in sorted(glob.glob(sys.argv[1] + "/**/*.md", recursive=True)):
    text = open(f, encoding="utf-8").read()
    if text.startswith("---\\n"):
        yaml.load(text[4:text.index("\\n---", 3)], Loader=yaml.CSafeLoader)
"""


def process_times(root: Path, repeat: int) -> dict[str, float]:
    """Best wall time of each command, interleaved."""
    env = bench_cli_start.bench_env()
    py = sys.executable
    commands = {
        "bare": [py, "-c", BARE_PROCESS, str(root / "postmortems")],
        "lint -j1": [py, "-m", "followthrough", "lint", "-j", "1"],
        "lint": [py, "-m", "followthrough", "lint"],
    }
    subprocess.run(commands["lint"], cwd=root, env=env, capture_output=True, check=False)  # warm the caches
    out = {name: float("inf") for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            t = time.perf_counter()
            proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, check=False)
            out[name] = min(out[name], time.perf_counter() - t)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"{name}: exit {proc.returncode}: {proc.stderr.decode(errors='replace')[-500:]}")
    return out


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--single", type=int, default=15, help="runs of the one-file comparison (0: skip it)")
    args = ap.parse_args(argv)
    results = []
    processes = []
    print("in one process")
    print(f"{'N':>6} {'lint s':>8} {'bare yaml s':>12} {'ratio':>6} {'safe yaml s':>12} {'ratio':>6} {'findings':>9}")
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root / "postmortems", n)
            (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
            files, _ = discover(root / "postmortems")
            findings = full_lint(root)  # warm caches once; also the figure printed
            lint_t, bare_t, safe_t = [], [], []
            for _ in range(args.repeat):
                lint_t.append(best(lambda: full_lint(root), 1))
                bare_t.append(best(lambda: bare_parse(files), 1))
                safe_t.append(best(lambda: safe_parse(files), 1))
            lt, bt, st = min(lint_t), min(bare_t), min(safe_t)
            results.append((n, lt))
            print(f"{n:>6} {lt:>8.2f} {bt:>12.2f} {lt / bt:>6.2f} {st:>12.2f} {st / bt:>6.2f} {findings:>9}")
            processes.append((n, process_times(root, args.repeat)))
    if len(results) > 1:
        (n0, t0), (n1, t1) = results[0], results[-1]
        print(f"lint time grows {t1 / t0:.2f}x for {n1 / n0:.1f}x the postmortems (linear would be {n1 / n0:.1f}x)")
    print(f"\nas whole processes (default jobs here: {default_jobs()})")
    print(f"{'N':>6} {'bare s':>8} {'lint -j1 s':>11} {'ratio':>6} {'lint s':>8} {'ratio':>6}")
    for n, t in processes:
        print(f"{n:>6} {t['bare']:>8.2f} {t['lint -j1']:>11.2f} {t['lint -j1'] / t['bare']:>6.2f} {t['lint']:>8.2f} {t['lint'] / t['bare']:>6.2f}")
    if len(processes) > 1:
        (n0, a), (n1, b) = processes[0], processes[-1]
        print(f"whole-process lint grows {b['lint'] / a['lint']:.2f}x (-j1: {b['lint -j1'] / a['lint -j1']:.2f}x) for {n1 / n0:.1f}x the postmortems")
    if args.single:
        print()
        sys.argv = [sys.argv[0], "-n", str(args.single)]
        bench_cli_start.main()
    return 0


MKDOCS_YML = "site_name: Bench\ndocs_dir: postmortems\nplugins:\n  - followthrough\n"


if __name__ == "__main__":
    sys.exit(main())

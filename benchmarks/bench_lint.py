"""Lint speed against the bare YAML parse of the same front-matter, in one run.

    python benchmarks/bench_lint.py [-n 1000 5000] [--repeat 3]

For each N it generates N realistic postmortems (benchmarks/gen_corpus.py), then times
(a) the whole lint: reading every file, parsing, every rule, the cross-file checks; and
(b) the baseline: reading the same files, cutting out the front-matter and
`yaml.load(..., CSafeLoader)`. Each is the best of --repeat runs, interleaved so machine
noise hits both. It prints both, their ratio, our own safe YAML loader on the same
front-matter (the YAML share of lint) and how lint time grows with N.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from gen_corpus import generate  # noqa: E402

from followthrough import safeyaml  # noqa: E402
from followthrough.config import load_config  # noqa: E402
from followthrough.repo import discover, load_repo  # noqa: E402


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
    args = ap.parse_args(argv)
    results = []
    print(f"{'N':>6} {'lint s':>8} {'bare yaml s':>12} {'ratio':>6} {'safe yaml s':>12} {'ratio':>6} {'findings':>9}")
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root / "postmortems", n)
            files = discover(root / "postmortems")
            findings = full_lint(root)  # warm caches once; also the figure printed
            lint_t, bare_t, safe_t = [], [], []
            for _ in range(args.repeat):
                lint_t.append(best(lambda: full_lint(root), 1))
                bare_t.append(best(lambda: bare_parse(files), 1))
                safe_t.append(best(lambda: safe_parse(files), 1))
            lt, bt, st = min(lint_t), min(bare_t), min(safe_t)
            results.append((n, lt))
            print(f"{n:>6} {lt:>8.2f} {bt:>12.2f} {lt / bt:>6.2f} {st:>12.2f} {st / bt:>6.2f} {findings:>9}")
    if len(results) > 1:
        (n0, t0), (n1, t1) = results[0], results[-1]
        print(f"lint time grows {t1 / t0:.2f}x for {n1 / n0:.1f}x the postmortems (linear would be {n1 / n0:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Related-postmortem suggestions: the index and each query, against parsing the same corpus, in one run.

    python benchmarks/bench_related.py [-n 300 1000 3000] [--queries 50] [--repeat 3]

For each N it generates N realistic postmortems (benchmarks/gen_corpus.py), then times
(a) the baseline: `parse_postmortem` of every file, read from disk once before;
(b) `Index(...)`: document frequencies, TF-IDF vectors and the inverted indexes, built once;
(c) `Index.similar` for --queries postmortems spread over the corpus (the newest has every
    other one as a candidate), each query alone; the median and the slowest are printed.
Each is the best of --repeat runs. It prints the seconds, the index's ratio to the parse, the
per-query times in milliseconds and how the index and the slowest query grow with N.

Then, end to end (`--e2e`, on by default; `--no-e2e` leaves it out), `python -m followthrough
related NEWEST` as a user runs it, in a subprocess, in a repo of those N files with a mkdocs.yml:
(d) cold: an empty cache folder (XDG_CACHE_HOME), so the settings come from MkDocs and every file
    is parsed; (e) warm: the cache the cold run left, so every file is read and hashed and its
    features read back; (f) uncached: FOLLOWTHROUGH_NO_CACHE=1 with the settings cached. Each is
    the best of --repeat runs, and each is printed with its ratio to the parse (a).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_corpus import generate  # noqa: E402

from followthrough.core.learning.similar import Index  # noqa: E402
from followthrough.core.parse import parse_postmortem  # noqa: E402
from followthrough.core.settings import DEFAULT_SETTINGS  # noqa: E402


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


MKDOCS_YML = "site_name: Bench\ndocs_dir: postmortems\nplugins:\n  - followthrough\n"


def end_to_end(root: Path, newest: Path, repeat: int) -> dict[str, float]:
    """Seconds of `followthrough related NEWEST` in a subprocess: cold, warm and uncached."""
    cache = root.parent / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env.update(XDG_CACHE_HOME=str(cache), FOLLOWTHROUGH_TODAY="2026-11-23")
    command = [sys.executable, "-m", "followthrough", "related", str(newest.relative_to(root))]

    def once(extra: dict[str, str] | None = None, fresh: bool = False) -> float:
        if fresh:
            shutil.rmtree(cache, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(command, cwd=root, env={**env, **(extra or {})}, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start

    cold = min(once(fresh=True) for _ in range(repeat))
    warm = min(once() for _ in range(repeat))
    uncached = min(once({"FOLLOWTHROUGH_NO_CACHE": "1"}) for _ in range(repeat))
    return {"cold": cold, "warm": warm, "uncached": uncached}


def measure(n: int, queries: int, repeat: int, e2e: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        files = generate(root / "postmortems", n, seed=1)
        texts = [(str(f), f.read_text(encoding="utf-8")) for f in files]
        ends: dict[str, float] = {}
        if e2e:
            (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
            ends = end_to_end(root, max(files, key=lambda f: f.name), repeat)
    parse_s, pms = best(lambda: [parse_postmortem(text, path, DEFAULT_SETTINGS)[0] for path, text in texts], repeat)
    assert isinstance(pms, list)
    index_s, index = best(lambda: Index(pms), repeat)
    assert isinstance(index, Index)
    chosen = sorted(pms, key=lambda pm: pm.started)[:: max(1, n // queries)][-queries:]
    per_query = []
    found = 0
    for pm in chosen:
        t, result = best(lambda: index.similar(pm), repeat)
        per_query.append(t)
        found += len(result)  # type: ignore[arg-type]
    return {"parse": parse_s, "index": index_s, "median": statistics.median(per_query), "slowest": max(per_query), "found": found / len(chosen), **ends}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, nargs="+", default=[300, 1000, 3000])
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--e2e", action=argparse.BooleanOptionalAction, default=True, help="also time the command end to end (default: yes)")
    args = ap.parse_args(argv)
    rows = {}
    print(f"{'N':>6} {'parse s':>8} {'index s':>8} {'ratio':>6} {'query ms (median)':>18} {'(slowest)':>10} {'index+slowest s':>16} {'shown':>6}")
    for n in args.n:
        r = rows[n] = measure(n, args.queries, args.repeat, args.e2e)
        print(
            f"{n:>6} {r['parse']:>8.2f} {r['index']:>8.3f} {r['index'] / r['parse']:>6.2f} {r['median'] * 1000:>18.2f} "
            f"{r['slowest'] * 1000:>10.2f} {r['index'] + r['slowest']:>16.3f} {r['found']:>6.1f}"
        )
    if args.e2e:
        print(f"\n{'N':>6} {'parse s':>8} {'cold s':>8} {'(/parse)':>9} {'warm s':>8} {'(/parse)':>9} {'uncached s':>11} {'(/parse)':>9}   followthrough related NEWEST, end to end")
        for n, r in rows.items():
            print(
                f"{n:>6} {r['parse']:>8.2f} {r['cold']:>8.2f} {r['cold'] / r['parse']:>9.2f} {r['warm']:>8.2f} {r['warm'] / r['parse']:>9.2f} "
                f"{r['uncached']:>11.2f} {r['uncached'] / r['parse']:>9.2f}"
            )
    if len(args.n) > 1:
        n0, n1 = args.n[0], args.n[-1]
        print(
            f"from {n0} to {n1} postmortems ({n1 / n0:.1f}x): the index grows {rows[n1]['index'] / rows[n0]['index']:.2f}x, "
            f"the slowest query {rows[n1]['slowest'] / rows[n0]['slowest']:.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Site build benchmark: the followthrough plugin against plain mkdocs-material, in one run.

For each N it generates N synthetic postmortems (benchmarks/gen_corpus.py), then builds the
same corpus twice, each `mkdocs build` in its own subprocess:

- plugin: the repo's own mkdocs.yml (inherited with INHERIT), docs_dir pointed at the corpus;
- plain:  mkdocs-material with the search plugin, every postmortem an ordinary page in the
          default navigation, no followthrough plugin (what the issue measured as quadratic).

It prints wall seconds, peak resident memory of the build process (from wait4's rusage),
the size of the built site, and the ratios plugin/plain and t(N_max)/t(N_prev) for the plugin.
Not a test: run it on demand.

    python benchmarks/bench_site.py                    # N = 300, 1000, 3000
    python benchmarks/bench_site.py --sizes 300 1000 --plain-max 1000
    python benchmarks/bench_site.py --sizes 1000 --only plugin --profile
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"
TARGET_RATIO = 0.3
TARGET_SITE_MB = 80
TARGET_SCALING = 3.3

PLAIN_CONFIG = """\
# Plain mkdocs-material: every postmortem an ordinary page in the default nav, no followthrough plugin.
site_name: Plain material baseline
docs_dir: postmortems
theme:
  name: material
plugins:
  - search
"""

FLOOR_CONFIG = """\
# The floor: plain mkdocs-material with the same pages but a one-entry nav (search on, no plugin).
site_name: Short-nav floor
docs_dir: postmortems
theme:
  name: material
plugins:
  - search
nav:
  - {first}
"""

PLUGIN_CONFIG = """\
# The repo's own configuration, with the docs_dir pointed at the synthetic corpus.
INHERIT: {root_config}
docs_dir: postmortems
"""


@dataclass(frozen=True)
class Build:
    variant: str
    n: int
    seconds: float  # wall clock
    cpu: float  # user + system CPU seconds of the build process: what the ratios use
    max_rss_mb: float
    site_mb: float
    files: int


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env.pop("SOURCE_DATE_EPOCH", None)
    env["FOLLOWTHROUGH_TODAY"] = TODAY
    return env


def tree_size(folder: Path) -> tuple[int, int]:
    total = files = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            total += os.lstat(os.path.join(dirpath, name)).st_size
            files += 1
    return total, files


def run_build(config: Path, site: Path, log: Path, profile: Path | None = None) -> tuple[float, float, float]:
    """Run `mkdocs build` in a child process; (wall seconds, CPU seconds, peak RSS in MB) of that child alone."""
    cmd = [sys.executable]
    if profile is not None:
        cmd += ["-m", "cProfile", "-o", str(profile)]
    cmd += ["-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)]
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=_env(), cwd=config.parent)
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be the max over every child so far.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"bench_site: `{' '.join(cmd)}` failed with exit code {proc.returncode}:\n{tail}")
    # mkdocs builds on one thread, so CPU time equals wall time on an idle machine and stays
    # meaningful on a busy one (2 cores shared with other work), where wall time does not.
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def measure(variant: str, n: int, workdir: Path, keep: bool, repeat: int, profile: Path | None = None) -> Build:
    """The best (least CPU) of `repeat` builds; a profiled build runs once."""
    config = workdir / f"mkdocs-{variant}.yml"
    site = workdir / f"site-{variant}"
    best: Build | None = None
    for _ in range(1 if profile else repeat):
        shutil.rmtree(site, ignore_errors=True)
        seconds, cpu, rss = run_build(config, site, workdir / f"build-{variant}.log", profile)
        size, files = tree_size(site)
        if best is None or cpu < best.cpu:
            best = Build(variant, n, seconds, cpu, max(rss, best.max_rss_mb if best else 0), size / 1e6, files)
    if not keep:
        shutil.rmtree(site)  # plain sites reach gigabytes at N=3000
    assert best is not None
    return best


def prepare(workdir: Path, n: int, seed: int, root_config: Path) -> None:
    if not (workdir / "postmortems").is_dir() or len(list((workdir / "postmortems").glob("*/*.md"))) != n:
        shutil.rmtree(workdir / "postmortems", ignore_errors=True)
        generate(workdir / "postmortems", n, seed)
    (workdir / "mkdocs-plain.yml").write_text(PLAIN_CONFIG, encoding="utf-8")
    first = min(p.relative_to(workdir / "postmortems").as_posix() for p in (workdir / "postmortems").glob("*/*.md"))
    (workdir / "mkdocs-floor.yml").write_text(FLOOR_CONFIG.format(first=first), encoding="utf-8")
    (workdir / "mkdocs-plugin.yml").write_text(PLUGIN_CONFIG.format(root_config=root_config), encoding="utf-8")


def profile_summary(profile: Path, limit: int = 25) -> str:
    """Where the followthrough package's own time goes, and the build's top functions overall."""
    stats = pstats.Stats(str(profile))
    raw = stats.stats  # type: ignore[attr-defined]
    total = max(ct for (_, _, _), (_, _, _, ct, _) in raw.items())
    own = [(key, v) for key, v in raw.items() if "followthrough" in key[0]]
    own_tt = sum(v[2] for _, v in own)
    lines = [f"profile: whole build {total:.2f}s; followthrough's own code (tottime) {own_tt:.2f}s ({own_tt / total:.1%})"]
    lines.append("followthrough functions by cumulative time:")
    for (file, line, func), (cc, nc, tt, ct, _) in sorted(own, key=lambda kv: -kv[1][3])[:limit]:
        short = file[file.index("followthrough") :]
        lines.append(f"  {ct:8.3f}s cum {tt:8.3f}s own {nc:>9} calls  {short}:{line}({func})")
    lines.append("whole build, by own time:")
    for (file, line, func), (cc, nc, tt, ct, _) in sorted(raw.items(), key=lambda kv: -kv[1][2])[:limit]:
        short = "/".join(Path(file).parts[-3:])
        lines.append(f"  {tt:8.3f}s own {ct:8.3f}s cum {nc:>9} calls  {short}:{line}({func})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 3000], metavar="N", help="corpus sizes (default 300 1000 3000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("plugin", "plain", "floor"), help="build one variant only")
    parser.add_argument("--floor", action="store_true", help="also build plain material with a one-entry nav: the per-page floor of any short-nav design")
    parser.add_argument("--plain-max", type=int, default=None, metavar="N", help="skip the plain build above this N (it is quadratic: minutes and gigabytes at 3000)")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml", help="the plugin variant's mkdocs.yml (default: the repo's)")
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and sites go (default: a temp folder, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the built sites")
    parser.add_argument("--repeat", type=int, default=1, help="builds per variant and N; the least CPU time counts (default 1)")
    parser.add_argument("--profile", action="store_true", help="run the plugin builds under cProfile and print where the time goes")
    args = parser.parse_args(argv)

    variants = [v for v in ("plugin", "plain", "floor") if args.only == v or (args.only is None and (v != "floor" or args.floor))]
    if "plugin" in variants and not args.config.is_file():
        parser.error(f"--config {args.config}: no such file (the plugin variant inherits it)")
    base = args.workdir or Path(tempfile.mkdtemp(prefix="ft-bench-site-"))
    results: dict[tuple[str, int], Build] = {}
    print(f"{'variant':<8} {'N':>6} {'wall s':>9} {'CPU s':>9} {'CPU ms/page':>12} {'peak RSS MB':>12} {'site MB':>9} {'files':>8}", flush=True)
    try:
        for n in sorted(args.sizes):
            workdir = base / f"n{n}"
            workdir.mkdir(parents=True, exist_ok=True)
            prepare(workdir, n, args.seed, args.config.resolve())
            for variant in variants:
                if variant == "plain" and args.plain_max is not None and n > args.plain_max:
                    print(f"{variant:<8} {n:>6}   skipped (--plain-max {args.plain_max})", flush=True)
                    continue
                profile = workdir / f"{variant}.prof" if args.profile and variant == "plugin" else None
                b = measure(variant, n, workdir, args.keep, args.repeat, profile)
                results[(variant, n)] = b
                print(f"{b.variant:<8} {b.n:>6} {b.seconds:>9.2f} {b.cpu:>9.2f} {1000 * b.cpu / max(n, 1):>12.1f} {b.max_rss_mb:>12.0f} {b.site_mb:>9.1f} {b.files:>8}", flush=True)
                if profile is not None:
                    print(profile_summary(profile), flush=True)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(base, ignore_errors=True)

    print()
    print("Ratios use CPU seconds (least of --repeat runs).")
    sizes = sorted(args.sizes)
    for n in sizes:
        p, q, f = results.get(("plugin", n)), results.get(("plain", n)), results.get(("floor", n))
        if p and q:
            verdict = ""
            if n == 1000:
                met = p.cpu <= TARGET_RATIO * q.cpu and p.site_mb <= TARGET_SITE_MB
                verdict = f"  (targets <= {TARGET_RATIO}x and <= {TARGET_SITE_MB} MB: {'met' if met else 'NOT met'})"
            print(f"N={n}: plugin/plain time {p.cpu / q.cpu:.3f}x, memory {p.max_rss_mb / q.max_rss_mb:.2f}x, "
                  f"site {p.site_mb:.1f} MB vs {q.site_mb:.1f} MB{verdict}")  # fmt: skip
        if f and q:
            print(f"N={n}: floor/plain time {f.cpu / q.cpu:.3f}x (floor {1000 * f.cpu / n:.1f} ms/page)")
        if p and f:
            print(f"N={n}: plugin/floor time {p.cpu / f.cpu:.2f}x (the plugin's own work plus its generated pages)")
    for variant in variants:
        for small, big in zip(sizes, sizes[1:]):
            a, b = results.get((variant, small)), results.get((variant, big))
            if a and b:
                note = ""
                if variant == "plugin" and (small, big) == (1000, 3000):
                    note = f"  (target <= {TARGET_SCALING}: {'met' if b.cpu / a.cpu <= TARGET_SCALING else 'NOT met'})"
                print(f"{variant}: t({big})/t({small}) = {b.cpu / a.cpu:.2f} (linear would be {big / small:.2f}){note}")
    return 0

if __name__ == "__main__":
    sys.exit(main())

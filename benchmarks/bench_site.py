"""Site build benchmark: the followthrough plugin against plain mkdocs-material, in one run.

For each N it generates N synthetic postmortems (benchmarks/gen_corpus.py), then builds the
same corpus several ways, each `mkdocs build` in its own subprocess:

- plugin: the repo's own mkdocs.yml (inherited with INHERIT), docs_dir pointed at the corpus;
- floor:  the same mkdocs.yml without the followthrough plugin (search and tags kept, the same
          theme and Markdown extensions) and a one-entry nav: what any short-nav site of these
          pages costs, so plugin/floor is the price of the plugin's own work and pages;
- bare:   (--bare-floor) the floor as first measured: plain mkdocs-material, search only, no
          Markdown extension, so the postmortems' tables are not even rendered as tables;
- plain:  mkdocs-material with the search plugin, every postmortem an ordinary page in the
          default navigation, no followthrough plugin (what the issue measured as quadratic).

It prints wall and CPU seconds, peak resident memory of the build process (from wait4's rusage),
the size of the built site, the ratios plugin/floor (the headline), plugin/plain and
t(N_max)/t(N_prev); and, unless --no-two-days, how many built files of the plugin's site change
when the same corpus is built again one day later (FOLLOWTHROUGH_TODAY and SOURCE_DATE_EPOCH one
day on, no edit, with bench_daily.py's builds), and how many of those are postmortem pages. Not a test: run it on demand.

    python benchmarks/bench_site.py                    # N = 300, 1000, 3000
    python benchmarks/bench_site.py --sizes 1000 --only plugin floor
    python benchmarks/bench_site.py --sizes 300 1000 --plain-max 1000
    python benchmarks/bench_site.py --sizes 1000 --only plugin --profile --no-two-days
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
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("plugin", "floor", "bare", "plain")
TODAY = "2026-11-23"
TARGET_RATIO = 0.3
TARGET_SITE_MB = 80
TARGET_SCALING = 3.3
TARGET_FLOOR = 1.1

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
# The floor: the repo's own mkdocs.yml (theme, Markdown extensions) over the same pages, without
# the followthrough plugin, with a one-entry nav. Lists in INHERIT replace the parent's.
INHERIT: {root_config}
site_name: Short-nav floor
docs_dir: postmortems
plugins:
  - search
  - tags
nav:
  - {first}
"""

BARE_CONFIG = """\
# The floor as first measured: plain mkdocs-material with the same pages but a one-entry nav
# (search on, no plugin, no Markdown extension: the postmortems' tables stay paragraphs).
site_name: Short-nav floor, no extensions
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


def _env(today: str = TODAY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env.pop("SOURCE_DATE_EPOCH", None)
    env["FOLLOWTHROUGH_TODAY"] = today
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


def tree_size(folder: Path) -> tuple[int, int]:
    total = files = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            total += os.lstat(os.path.join(dirpath, name)).st_size
            files += 1
    return total, files


def run_build(config: Path, site: Path, log: Path, profile: Path | None = None, today: str = TODAY) -> tuple[float, float, float]:
    """Run `mkdocs build` in a child process; (wall seconds, CPU seconds, peak RSS in MB) of that child alone."""
    cmd = [sys.executable]
    if profile is not None:
        cmd += ["-m", "cProfile", "-o", str(profile)]
    cmd += ["-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)]
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=_env(today), cwd=config.parent)
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
    (workdir / "mkdocs-floor.yml").write_text(FLOOR_CONFIG.format(root_config=root_config, first=first), encoding="utf-8")
    (workdir / "mkdocs-bare.yml").write_text(BARE_CONFIG.format(first=first), encoding="utf-8")
    (workdir / "mkdocs-plugin.yml").write_text(PLUGIN_CONFIG.format(root_config=root_config), encoding="utf-8")


@dataclass(frozen=True)
class DayChange:
    files: int  # built files of the first day's site
    changed: int  # files added, removed or different the next day
    postmortem_pages: int  # postmortems in the corpus
    postmortem_changed: int  # of those, pages that differ
    changed_names: tuple[str, ...]  # the changed files that are not postmortem pages


def two_days(workdir: Path, n: int) -> DayChange:
    """Build the plugin's site as of TODAY and as of the day after, with no edit in between, as a
    daily CI build would (bench_daily.py's builds: SOURCE_DATE_EPOCH set to the day too), and
    compare the two trees file by file (byte for byte)."""
    from bench_daily import build, files_of, kind  # it imports this module: not at the top

    config = workdir / "mkdocs-plugin.yml"
    first_day = date.fromisoformat(TODAY)
    trees = []
    for day in (first_day, first_day + timedelta(days=1)):
        site = workdir / f"site-{day.isoformat()}"
        shutil.rmtree(site, ignore_errors=True)
        build(config, site, day)
        trees.append(files_of(site))
        shutil.rmtree(site)
    first, second = trees
    changed = sorted(p for p in first.keys() | second.keys() if first.get(p) != second.get(p))
    pm_changed = [p for p in changed if kind(p) == "postmortem pages"]
    pm_total = sum(1 for p in first if kind(p) == "postmortem pages")
    return DayChange(len(first), len(changed), pm_total, len(pm_changed), tuple(p for p in changed if p not in pm_changed))


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
    parser.add_argument("--only", choices=VARIANTS, nargs="+", help="build these variants only (default: plugin, floor and plain)")
    parser.add_argument("--bare-floor", action="store_true", help="also build the floor as first measured (plain material, no Markdown extension)")
    parser.add_argument("--no-two-days", action="store_true", help="skip the two builds a day apart (how many files change with no edit)")
    parser.add_argument("--plain-max", type=int, default=None, metavar="N", help="skip the plain build above this N (it is quadratic: minutes and gigabytes at 3000)")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml", help="the plugin variant's mkdocs.yml (default: the repo's)")
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and sites go (default: a temp folder, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the built sites")
    parser.add_argument("--repeat", type=int, default=1, help="builds per variant and N; the least CPU time counts (default 1)")
    parser.add_argument("--profile", action="store_true", help="run the plugin builds under cProfile and print where the time goes")
    args = parser.parse_args(argv)

    variants = [v for v in VARIANTS if (v in args.only if args.only else v != "bare" or args.bare_floor)]
    if "plugin" in variants and not args.config.is_file():
        parser.error(f"--config {args.config}: no such file (the plugin variant inherits it)")
    base = args.workdir or Path(tempfile.mkdtemp(prefix="ft-bench-site-"))
    results: dict[tuple[str, int], Build] = {}
    days: dict[int, DayChange] = {}
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
            if "plugin" in variants and not args.no_two_days:
                days[n] = two_days(workdir, n)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(base, ignore_errors=True)

    print()
    print("Ratios use CPU seconds (least of --repeat runs); wall seconds in parentheses.")
    sizes = sorted(args.sizes)
    for n in sizes:
        p, f, bare = results.get(("plugin", n)), results.get(("floor", n)), results.get(("bare", n))
        if p and f:
            met = "met" if p.cpu <= TARGET_FLOOR * f.cpu else "NOT met"
            print(f"N={n}: plugin/floor {p.cpu / f.cpu:.2f}x CPU ({p.seconds / f.seconds:.2f}x wall): "
                  f"{p.cpu:.1f} s against {f.cpu:.1f} s, the plugin's own work and its generated pages (target <= {TARGET_FLOOR}x: {met})")  # fmt: skip
        if p and bare:
            print(f"N={n}: plugin/bare floor {p.cpu / bare.cpu:.2f}x CPU ({p.seconds / bare.seconds:.2f}x wall); "
                  f"floor/bare floor {f.cpu / bare.cpu:.2f}x" if f else "")  # fmt: skip
        d = days.get(n)
        if d:
            print(f"N={n}: a day later with no edit, {d.changed} of {d.files} built files change; "
                  f"{d.postmortem_changed} of {d.postmortem_pages} postmortem pages")  # fmt: skip
            if d.changed_names:
                shown = ", ".join(d.changed_names[:12]) + (f", ... {len(d.changed_names) - 12} more" if len(d.changed_names) > 12 else "")
                print(f"        other files that change: {shown}")
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

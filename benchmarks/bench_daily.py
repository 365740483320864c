"""How many built files change from one day to the next with no edit: the plugin's site of N
synthetic postmortems, built as of two consecutive days.

Each build runs `mkdocs build` in a child process with FOLLOWTHROUGH_TODAY and SOURCE_DATE_EPOCH
set to its day, as a daily CI build would have them (MkDocs dates the sitemap by SOURCE_DATE_EPOCH).
It prints the number of files, how many differ byte for byte, and which kinds they are: the
postmortem pages (which should not change), the generated pages, and the rest.

    python benchmarks/bench_daily.py [-n 300] [--seed 1] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_site import PLUGIN_CONFIG, ROOT  # noqa: E402 - next to this file
from gen_corpus import REFERENCE_DAY, generate  # noqa: E402

POSTMORTEM_PAGE = re.compile(r"\d{4}/\d{4}-\d\d-\d\d-[^/]+/index\.html$")


def build(config: Path, site: Path, day: date) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env["FOLLOWTHROUGH_TODAY"] = day.isoformat()
    env["SOURCE_DATE_EPOCH"] = str(int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()))
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)]
    result = subprocess.run(cmd, env=env, cwd=config.parent, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"bench_daily: `{' '.join(cmd)}` failed with exit code {result.returncode}:\n{result.stderr[-3000:]}")


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def kind(path: str) -> str:
    if POSTMORTEM_PAGE.match(path):
        return "postmortem pages"
    if path.endswith(".html") or path.endswith(".json") and "/" not in path:
        return "generated pages and exports"
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=300, help="how many postmortems (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None, help="where the corpus and sites go (default: a temp folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-daily-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        generate(work / "postmortems", args.n, args.seed)
        config = work / "mkdocs-plugin.yml"
        config.write_text(PLUGIN_CONFIG.format(root_config=ROOT / "mkdocs.yml"), encoding="utf-8")
        days = (REFERENCE_DAY, REFERENCE_DAY + timedelta(days=1))
        sites = []
        for day in days:
            build(config, work / f"site-{day}", day)
            sites.append(files_of(work / f"site-{day}"))
        first, second = sites
        changed = sorted(p for p in first.keys() | second.keys() if first.get(p) != second.get(p))
        print(f"N={args.n}: {len(first)} files built on {days[0]}, {len(changed)} differ on {days[1]} with no edit ({len(changed) / len(first):.1%})")
        for name in ("postmortem pages", "generated pages and exports", "other"):
            of_kind = [p for p in changed if kind(p) == name]
            total = sum(1 for p in first if kind(p) == name)
            listed = ", ".join(of_kind[:12]) + (", ..." if len(of_kind) > 12 else "")
            print(f"  {name}: {len(of_kind)} of {total} changed" + (f": {listed}" if of_kind else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Search benchmark: the site's search (Pagefind) against mkdocs-material's own search, in one run.

For each N it generates N synthetic postmortems (benchmarks/gen_corpus.py) and writes one made-up
word into the body of one of them (an old one, so the home page does not list it), then builds:

- pagefind: the repo's own mkdocs.yml (INHERIT) with the plugin, which writes Pagefind's index;
- material: the same pages (`followthrough pages --out`) built with the plugin switched off and
            mkdocs-material's `search` plugin on: the site's search as it was before Pagefind.

Each site is served by a loopback HTTP server that counts the bytes of every response, and opened
in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright, a fresh profile each run).
After the page's load event the script presses `/` (the theme's shortcut to the search box) and
types the word; in the page, a keydown listener notes the time of the first keystroke and a
MutationObserver the time a visible search-result link to the postmortem appears. It prints those
seconds, the bytes the server sent since navigation started (page and search alike) and those of
the search's own files, the index's size on disk and the site's, the median of --repeat runs.
Not a test: run it on demand.

    python benchmarks/bench_search.py                 # N = 1000, 3000
    python benchmarks/bench_search.py --sizes 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"
WORD = "quorvandite"  # made up: no generated postmortem has it, nor a word sharing its first letters
CHROMIUM = os.environ.get("FOLLOWTHROUGH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GOAL_SECONDS, GOAL_FETCHED_MB, GOAL_INDEX_MB = 1.0, 1.0, 15.0
SEARCH_FILES = ("/pagefind/", "/search/search_index.json", "/assets/javascripts/workers/", "/assets/javascripts/followthrough-search.js")

PAGEFIND_CONFIG = """\
INHERIT: {root_config}
docs_dir: postmortems
"""

MATERIAL_CONFIG = """\
INHERIT: {root_config}
docs_dir: pages
plugins:
  - search
  - tags
  - followthrough:
      enabled: false
"""

# In the page: when the first key went down, and when a visible search result first linked the target.
WATCH = """
target => {
  window.__bench = {key: null, found: null};
  document.addEventListener("keydown", () => { if (window.__bench.key === null) window.__bench.key = performance.now(); }, true);
  const look = () => {
    if (window.__bench.found !== null) return;
    for (const a of document.querySelectorAll(".md-search-result a")) {
      if (new URL(a.href).pathname === target && a.offsetParent !== null && a.getClientRects().length) {
        window.__bench.found = performance.now();
        return;
      }
    }
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, attributes: true});
}
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_") and k != "SOURCE_DATE_EPOCH"}
    env.update(FOLLOWTHROUGH_TODAY=TODAY, NO_MKDOCS_2_WARNING="1")
    return env


def _run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench_search: `{' '.join(cmd)}` failed ({done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")
    return time.perf_counter() - start


def tree_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def prepare(workdir: Path, n: int, seed: int) -> str:
    """The corpus, with WORD in one old postmortem's body; returns that page's URL path."""
    docs = workdir / "postmortems"
    if not docs.is_dir():
        paths = generate(docs, n, seed)
        target = paths[len(paths) // 3]
        text = target.read_text(encoding="utf-8")
        at = text.index("## Summary\n") + len("## Summary\n")
        target.write_text(text[:at] + f"\nThe {WORD} relay dropped its lease during the failover.\n" + text[at:], encoding="utf-8")
        (workdir / "target").write_text(target.relative_to(docs).with_suffix("").as_posix() + "/", encoding="utf-8")
    config = (ROOT / "mkdocs.yml").resolve()
    (workdir / "mkdocs-pagefind.yml").write_text(PAGEFIND_CONFIG.format(root_config=config), encoding="utf-8")
    (workdir / "mkdocs-material.yml").write_text(MATERIAL_CONFIG.format(root_config=config), encoding="utf-8")
    return "/" + (workdir / "target").read_text(encoding="utf-8")


def build(variant: str, workdir: Path) -> tuple[Path, float]:
    site = workdir / f"site-{variant}"
    shutil.rmtree(site, ignore_errors=True)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", f"mkdocs-{variant}.yml", "-d", str(site)]
    seconds = 0.0
    if variant == "material":
        shutil.rmtree(workdir / "pages", ignore_errors=True)
        seconds += _run([sys.executable, "-m", "followthrough", "pages", "--out", "pages", "--config", "mkdocs-pagefind.yml", "--today", TODAY], workdir)
    seconds += _run(mkdocs, workdir)
    return site, seconds


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[tuple[str, int]] = []

    def reset(self) -> None:
        with self.lock:
            self.sent = []

    def totals(self) -> tuple[int, int]:
        with self.lock:
            total = sum(n for _, n in self.sent)
            search = sum(n for path, n in self.sent if any(s in path for s in SEARCH_FILES))
        return total, search


class _Handler(SimpleHTTPRequestHandler):
    counter: Counter

    def copyfile(self, source: Any, outputfile: Any) -> None:
        sent = 0
        while chunk := source.read(64 * 1024):
            outputfile.write(chunk)
            sent += len(chunk)
        with self.counter.lock:
            self.counter.sent.append((self.path, sent))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@dataclass(frozen=True)
class Run:
    seconds: float
    fetched: int
    search_fetched: int


def search_once(browser: Any, url: str, target: str, counter: Counter) -> Run:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    try:
        page = context.new_page()
        counter.reset()
        page.goto(url, wait_until="load")
        page.evaluate(WATCH, target)
        page.keyboard.press("/")
        page.keyboard.type(WORD)
        page.wait_for_function("() => window.__bench.found !== null", timeout=120_000, polling=50)
        key, found = page.evaluate("() => [window.__bench.key, window.__bench.found]")
        total, search = counter.totals()
        return Run((found - key) / 1000, total, search)
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000], metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="searches per site, each in a fresh browser context; the median counts (default 3)")
    parser.add_argument("--only", choices=("pagefind", "material"), help="one variant only")
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and sites go (default: a temp folder, removed after)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    variants = [v for v in ("pagefind", "material") if args.only in (None, v)]
    base = args.workdir or Path(tempfile.mkdtemp(prefix="ft-bench-search-"))
    print(f"{'variant':<9} {'N':>5} {'build s':>8} {'first result s':>15} {'fetched MB':>11} {'of it search MB':>16} {'index MB':>9} {'site MB':>8}", flush=True)
    results: dict[tuple[str, int], tuple[Run, float]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            for n in sorted(args.sizes):
                workdir = base / f"n{n}"
                workdir.mkdir(parents=True, exist_ok=True)
                target = prepare(workdir, n, args.seed)
                for variant in variants:
                    site, build_s = build(variant, workdir)
                    index = site / ("pagefind" if variant == "pagefind" else "search")
                    counter = Counter()
                    handler = type("Handler", (_Handler,), {"counter": counter})
                    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
                    thread = threading.Thread(target=server.serve_forever, daemon=True)
                    thread.start()
                    try:
                        url = f"http://127.0.0.1:{server.server_address[1]}/"
                        runs = [search_once(browser, url, target, counter) for _ in range(args.repeat)]
                    finally:
                        server.shutdown()
                        server.server_close()
                    med = Run(statistics.median(r.seconds for r in runs), int(statistics.median(r.fetched for r in runs)), int(statistics.median(r.search_fetched for r in runs)))
                    index_mb = tree_mb(index)
                    results[(variant, n)] = (med, index_mb)
                    print(f"{variant:<9} {n:>5} {build_s:>8.1f} {med.seconds:>15.3f} {med.fetched / 1e6:>11.2f} {med.search_fetched / 1e6:>16.2f} {index_mb:>9.1f} {tree_mb(site):>8.1f}", flush=True)
                    if args.workdir is None:
                        shutil.rmtree(site)
            browser.close()
    finally:
        if args.workdir is None:
            shutil.rmtree(base, ignore_errors=True)
    for n in sorted(args.sizes):
        if ("pagefind", n) not in results:
            continue
        run, index_mb = results[("pagefind", n)]
        line = f"N={n}: first result {run.seconds:.3f} s (goal <= {GOAL_SECONDS:g} s), {run.fetched / 1e6:.2f} MB fetched (goal <= {GOAL_FETCHED_MB:g} MB), index {index_mb:.1f} MB"
        if n == 1000:
            line += f" (goal <= {GOAL_INDEX_MB:g} MB)"
        if ("material", n) in results:
            other = results[("material", n)][0]
            line += f"; against material's search: {run.seconds / other.seconds:.3f}x the time, {run.fetched / other.fetched:.3f}x the bytes"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

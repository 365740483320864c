"""Save-to-preview with `mkdocs serve`, and the publish build with its cache, against a plain build.

For each N: N synthetic postmortems (gen_corpus.py, as bench_site.py); then, in the same run,

1. plain: `mkdocs build` of the same pages with plain mkdocs-material (bench_site.py's "plain"
   variant), CPU seconds: the baseline every ratio is against. Above --plain-max it is not run (it
   is quadratic: minutes and gigabytes at 3,000) and is estimated as a*N^2 + b*N fitted through this
   run's own measurements at the smaller sizes, printed as such;
2. preview: the real `followthrough serve` (the command the README gives authors) on the corpus;
   once it serves, one postmortem's body is edited (a new line) and the served page is polled over
   loopback HTTP until it shows the line: wall seconds from the save to the page, and the CPU
   seconds the server spent meanwhile (on a busy machine wall time also counts the waits for a
   core; CPU time is what compares with the plain build's); then the same for an edit of a title,
   which also changes the listing pages. `--serve mkdocs` measures plain `mkdocs serve` instead;
3. publish: `mkdocs build` with the plugin and no cache (cold), then again with the cache the first
   left in .followthrough/cache/ and one postmortem's body edited (warm), CPU seconds.

    python benchmarks/bench_preview.py --sizes 300 1000 [--plain-max 1000] [--edits 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_site import ROOT, TODAY, _env, prepare, run_build  # noqa: E402

MOUNT = "/postmortems/"  # site_url's path in the repo's mkdocs.yml: where `mkdocs serve` mounts the site


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) process `pid` has used, from Linux's /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait(url: str, text: str, server: subprocess.Popen[bytes], limit: float) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) until the page at `url` contains `text`; polls every 50 ms
    (each poll costs the server a response, which its CPU seconds include)."""
    start, cpu = time.perf_counter(), _cpu(server.pid)
    while time.perf_counter() - start < limit:
        if server.poll() is not None:
            raise SystemExit(f"bench_preview: the server exited with {server.returncode}")
        page = _get(url)
        if page is not None and text in page:
            return time.perf_counter() - start, _cpu(server.pid) - cpu
        time.sleep(0.05)
    raise SystemExit(f"bench_preview: {url} did not show {text!r} within {limit:.0f} s")


def _page_url(base: str, postmortem: Path, docs: Path) -> str:
    return base + postmortem.relative_to(docs).with_suffix("").as_posix() + "/"


def measure_preview(workdir: Path, edits: int, command: str) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Save-to-preview (wall, CPU) seconds for `edits` body edits and `edits` title edits."""
    docs = workdir / "postmortems"
    files = sorted(docs.glob("*/*.md"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}{MOUNT}"
    log = (workdir / "serve.log").open("wb")
    program = ["-m", "followthrough", "serve"] if command == "followthrough" else ["-m", "mkdocs", "serve"]
    server = subprocess.Popen(
        [sys.executable, *program, "-a", f"127.0.0.1:{port}", "-f", str(workdir / "mkdocs-plugin.yml")],
        cwd=workdir, env=_env(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    body, title = [], []
    try:
        _wait(base, "</html>", server, 900)  # the first build is a full one
        for i in range(edits):
            target = files[(i * 37) % len(files)]
            text = target.read_text(encoding="utf-8")
            marker = f"PREVIEW-EDIT-{i}-{time.time_ns()}"
            target.write_text(text.replace("\n## ", f"\n{marker}\n\n## ", 1), encoding="utf-8")
            body.append(_wait(_page_url(base, target, docs), marker, server, 300))
        for i in range(edits):
            target = files[(i * 53 + 11) % len(files)]
            text = target.read_text(encoding="utf-8")
            marker = f"RETITLED{i}x{time.time_ns()}"
            target.write_text(text.replace("\ntitle: ", f"\ntitle: {marker} ", 1), encoding="utf-8")
            title.append(_wait(_page_url(base, target, docs), marker, server, 300))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return body, title


def measure_publish(workdir: Path) -> tuple[float, float]:
    """CPU seconds of a cold plugin build and of a warm one (cache restored, one body edited)."""
    config, site = workdir / "mkdocs-plugin.yml", workdir / "site-publish"
    shutil.rmtree(workdir / ".followthrough" / "cache", ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    _, cold, _ = run_build(config, site, workdir / "build-cold.log")
    target = sorted((workdir / "postmortems").glob("*/*.md"))[5]
    target.write_text(target.read_text(encoding="utf-8").replace("\n## ", "\nPUBLISH-EDIT\n\n## ", 1), encoding="utf-8")
    _, warm, _ = run_build(config, site, workdir / "build-warm.log")
    if "PUBLISH-EDIT" not in (site / target.relative_to(workdir / "postmortems").with_suffix("") / "index.html").read_text(encoding="utf-8"):
        raise SystemExit("bench_preview: the warm build did not show the edit")
    shutil.rmtree(site)
    return cold, warm


def _fit(points: dict[int, float], n: int) -> float:
    """a*n^2 + b*n through the measured (N, seconds): exact with two points, least squares with more."""
    xs = sorted(points)
    if len(xs) == 1:
        x = xs[0]
        return points[x] * (n / x) ** 2
    # Normal equations of y = a x^2 + b x.
    s4 = sum(x**4 for x in xs)
    s3 = sum(x**3 for x in xs)
    s2 = sum(x**2 for x in xs)
    y2 = sum(points[x] * x**2 for x in xs)
    y1 = sum(points[x] * x for x in xs)
    det = s4 * s2 - s3 * s3
    a = (y2 * s2 - s3 * y1) / det
    b = (s4 * y1 - s3 * y2) / det
    return a * n * n + b * n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000], metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plain-max", type=int, default=1000, metavar="N", help="estimate the plain build above this N (default 1000)")
    parser.add_argument("--edits", type=int, default=3, help="edits of each kind under serve; the median counts (default 3)")
    parser.add_argument("--no-publish", action="store_true", help="skip the cold and warm publish builds")
    parser.add_argument("--serve", choices=("followthrough", "mkdocs"), default="followthrough", help="the server measured (default: followthrough serve)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    base = args.workdir or Path(tempfile.mkdtemp(prefix="bench-preview-"))
    plain: dict[int, float] = {}
    rows = []
    try:
        for n in sorted(args.sizes):
            workdir = base / f"n{n}"
            workdir.mkdir(parents=True, exist_ok=True)
            prepare(workdir, n, args.seed, ROOT / "mkdocs.yml")
            estimated = n > args.plain_max
            if not estimated:
                _, plain[n], _ = run_build(workdir / "mkdocs-plain.yml", workdir / "site-plain", workdir / "build-plain.log")
                shutil.rmtree(workdir / "site-plain")
            elif not plain:
                raise SystemExit("bench_preview: an estimate of the plain build needs a measured smaller N (add one to --sizes)")
            baseline = plain[n] if not estimated else _fit(plain, n)
            body, title = measure_preview(workdir, args.edits, args.serve)
            cold, warm = measure_publish(workdir) if not args.no_publish else (float("nan"), float("nan"))
            med = lambda xs, i: statistics.median(x[i] for x in xs)  # noqa: E731
            rows.append((n, baseline, estimated, med(body, 0), med(body, 1), med(title, 0), med(title, 1), cold, warm))
            print(f"N={n}: plain {baseline:.1f} s{' (estimated)' if estimated else ''}; preview (wall, cpu) body {body} title {title}; publish cold {cold:.1f} warm {warm:.1f}", flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"\nFOLLOWTHROUGH_TODAY={TODAY}; `{args.serve} serve`; preview = from the save to the served page showing it, median, wall / server CPU seconds; builds in CPU seconds")
    print("| N | plain material | preview, body edit (wall / CPU) | CPU / plain | preview, title edit (wall / CPU) | CPU / plain | publish cold | publish warm, one edit | warm / cold |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, baseline, estimated, body_w, body_c, title_w, title_c, cold, warm in rows:
        mark = " (est.)" if estimated else ""
        print(
            f"| {n:,} | {baseline:.1f} s{mark} | {body_w:.2f} s / {body_c:.2f} s | {body_c / baseline:.3f}x | {title_w:.2f} s / {title_c:.2f} s | {title_c / baseline:.3f}x "
            f"| {cold:.1f} s | {warm:.1f} s | {warm / cold:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    sys.exit(main())

"""What sanitizing costs a build: `sanitize_html` against Python-Markdown's rendering of the same pages.

Renders N synthetic postmortem bodies (benchmarks/gen_corpus.py) with the site's Markdown extensions
(the baseline, measured in this same run), then sanitizes each rendered page, and the policy step
(`add_policy`) on a page-sized document, and prints the ratios. Not a test: run it on demand.

    python benchmarks/bench_sanitize.py            # N = 300
    python benchmarks/bench_sanitize.py --n 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import markdown

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import generate  # noqa: E402

from followthrough.core.text.frontmatter import split  # noqa: E402
from followthrough.core.pages.csp import DEFAULT_POLICY, add_policy  # noqa: E402
from followthrough.core.pages.sanitize import sanitize_html  # noqa: E402

EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc", "fenced_code"]


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bodies = [split(p.read_text(encoding="utf-8")).body for p in generate(Path(tmp), args.n)]
    md = markdown.Markdown(extensions=EXTENSIONS)
    rendered = [md.reset().convert(b) for b in bodies]
    page = "<!doctype html><html><head><title>t</title><script>var a=1</script></head><body><article>{}</article><script>var b=2</script></body></html>"

    t_render = best(lambda: [md.reset().convert(b) for b in bodies], args.repeat)
    t_sanitize = best(lambda: [sanitize_html(h) for h in rendered], args.repeat)
    t_policy = best(lambda: [add_policy(page.format(h), DEFAULT_POLICY, h) for h in rendered], args.repeat)
    size = sum(len(h) for h in rendered) / len(rendered) / 1024
    print(f"{args.n} pages, {size:.1f} KB of HTML each on average; best of {args.repeat}")
    print(f"  Markdown render (baseline) {t_render:7.3f} s")
    print(f"  sanitize_html              {t_sanitize:7.3f} s   {t_sanitize / t_render:5.2f}x the render")
    print(f"  add_policy                 {t_policy:7.3f} s   {t_policy / t_render:5.2f}x the render")


if __name__ == "__main__":
    main()
